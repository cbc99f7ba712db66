"""Short-lived capability URLs: ``<base>/__openclaw__/cap/<token>``, as the reference mints them.

A token is 18 random bytes (base64url), bound to one holder (a node connection or an operator)
and valid for ``ttl`` ms. Only its SHA-256 is kept, so a lookup by hash leaks nothing about
valid tokens through timing, and the gateway token never appears in a URL.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass

PREFIX = "/__openclaw__/cap/"
MAX_TOKENS = 10_000


@dataclass(frozen=True)
class Capability:
    holder: str
    expires_at_ms: int


class CapabilityStore:
    def __init__(self, ttl_ms: int) -> None:
        self.ttl_ms = ttl_ms
        self._by_hash: dict[bytes, Capability] = {}

    def mint(self, holder: str) -> tuple[str, int]:
        self._prune()
        token = secrets.token_urlsafe(18)
        expires = int(time.time() * 1000) + self.ttl_ms
        self._by_hash[hashlib.sha256(token.encode()).digest()] = Capability(holder, expires)
        return token, expires

    def check(self, token: str) -> Capability | None:
        found = self._by_hash.get(hashlib.sha256(token.encode()).digest())
        if found is None or found.expires_at_ms <= time.time() * 1000:
            return None
        return found

    def _prune(self) -> None:
        now = time.time() * 1000
        for key in [k for k, c in self._by_hash.items() if c.expires_at_ms <= now]:
            del self._by_hash[key]
        while len(self._by_hash) >= MAX_TOKENS:  # oldest first (dicts keep insertion order)
            del self._by_hash[next(iter(self._by_hash))]
