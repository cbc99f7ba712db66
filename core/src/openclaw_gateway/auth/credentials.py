"""Secret material: generation, hashing for storage, and constant-time comparison."""

from __future__ import annotations

import hashlib
import hmac
import secrets


def generate_token() -> str:
    """A strong random token: 32 bytes (256 bits) as unpadded base64url (43 characters)."""
    return secrets.token_urlsafe(32)


def constant_time_equals(given: str | None, expected: str | None) -> bool:
    """Compare two secrets without leaking where they differ (or their length) through timing."""
    if given is None or expected is None:
        return False
    # Compare digests so the comparison length does not depend on the attacker's input.
    a = hashlib.sha256(given.encode()).digest()
    b = hashlib.sha256(expected.encode()).digest()
    return hmac.compare_digest(a, b)


def hash_token(token: str) -> str:
    """How device tokens are stored: SHA-256 hex. Tokens are 256-bit random, so no salt/KDF is needed."""
    return hashlib.sha256(token.encode()).hexdigest()


def token_matches_hash(token: str, stored_hash: str) -> bool:
    return hmac.compare_digest(hash_token(token).encode(), stored_hash.encode())


def hash_password(password: str, *, salt: bytes | None = None) -> str:
    """scrypt hash of a password, ``scrypt$<salt hex>$<hash hex>``."""
    salt = salt if salt is not None else secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=2**14, r=8, p=1)
    return f"scrypt${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    try:
        _, salt_hex, _ = stored.split("$", 2)
    except ValueError:
        return False
    return hmac.compare_digest(hash_password(password, salt=bytes.fromhex(salt_hex)), stored)
