"""Auth-failure rate limiting per remote address, loopback included.

The reference exempts loopback (it only slows each failure down), but any local process — a browser
page included — can then guess the token forever. We count failures for every address: after
``max_failures`` within ``window_ms`` the address is locked for ``lockout_ms``. While locked, *every*
credential check from that address is refused with ``AUTH_RATE_LIMITED`` and ``retryAfterMs``,
including a correct one: otherwise the lockout would still answer "right/wrong" to a guesser.
Memory is bounded: at most ``max_tracked`` addresses are remembered (oldest forgotten first).

What counts as one client (:func:`client_key`): the whole loopback range (127.0.0.0/8, ::1 and
their IPv4-mapped forms) is *one* local client — otherwise a local process rotates its source
address across 127/8 and guesses without end — and an IPv6 client is its /64 (one host usually
holds a whole /64). Attempts from one client are evaluated one at a time (:meth:`serialized`), so
parallel guesses cannot all pass the check before the first failure is recorded. Only a success
with the shared secret clears the failures: a low-privilege credential (a device token) that
works says nothing about the guesses at the shared secret, and must not reset their count.
"""

from __future__ import annotations

import ipaddress
import time
from collections import OrderedDict
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field

from ..keyed_locks import KeyedLocks

LOOPBACK_KEY = "loopback"


def client_key(address: str) -> str:
    """The unit auth limits count: ``"loopback"`` for any loopback address, an IPv6 address's
    /64 network, else the address itself (a non-IP peer such as ``"?"`` stays as it is)."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_loopback:
        return LOOPBACK_KEY
    if isinstance(ip, ipaddress.IPv6Address):
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


@dataclass
class _Record:
    failures: list[float] = field(default_factory=list)
    locked_until: float = 0.0


class AuthRateLimiter:
    def __init__(
        self,
        *,
        max_failures: int = 10,
        window_ms: int = 60_000,
        lockout_ms: int = 60_000,
        max_tracked: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_failures = max_failures
        self.window = window_ms / 1000
        self.lockout = lockout_ms / 1000
        self.max_tracked = max_tracked
        self._clock = clock
        self._records: OrderedDict[str, _Record] = OrderedDict()
        self._turns: KeyedLocks[str] = KeyedLocks()

    def serialized(self, key: str) -> AbstractAsyncContextManager[None]:
        """Hold ``key``'s turn: check, evaluate and record one attempt at a time per client."""
        return self._turns.hold(key)

    def retry_after_ms(self, address: str) -> int | None:
        """Milliseconds until ``address`` may try again, or None when it is not locked."""
        record = self._records.get(address)
        if record is None:
            return None
        remaining = record.locked_until - self._clock()
        return int(remaining * 1000) + 1 if remaining > 0 else None

    def record_failure(self, address: str) -> int | None:
        """Count a failure; returns the lockout in ms if this failure started one."""
        now = self._clock()
        record = self._records.pop(address, None) or _Record()
        self._records[address] = record
        while len(self._records) > self.max_tracked:
            self._records.popitem(last=False)
        record.failures = [t for t in record.failures if now - t < self.window]
        record.failures.append(now)
        if len(record.failures) >= self.max_failures:
            record.failures.clear()
            record.locked_until = now + self.lockout
            return int(self.lockout * 1000)
        return None

    def record_success(self, address: str) -> None:
        """A success with the shared secret: forget the failures (not while locked)."""
        record = self._records.get(address)
        if record is not None and record.locked_until <= self._clock():
            del self._records[address]
