"""Device identity: Ed25519 keys, the v2/v3 signed payloads, and proof verification (PROTOCOL.md §5).

A device proves it holds the key for ``device.id`` (= sha256 hex of the raw public key) by signing
a payload that binds this connection's challenge nonce, the time, its role/scopes and the credential
it presents. The reference tries v3 first, then v2; so do we.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Sequence

from ..errors import ErrorCode, HandshakeRejected
from ..protocol.frames import ConnectParams, DeviceProof

SIGNATURE_SKEW_MS = 120_000


def b64url_encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def b64_decode_any(text: str) -> bytes:
    """Decode base64url or standard base64, padded or not."""
    cleaned = text.strip().replace("-", "+").replace("_", "/")
    cleaned += "=" * (-len(cleaned) % 4)
    return base64.b64decode(cleaned, validate=True)


def normalize_public_key(text: str) -> bytes:
    """The raw 32-byte Ed25519 key from base64url/base64 or a PEM SubjectPublicKeyInfo.

    Raises ``ValueError`` when the text is not a 32-byte Ed25519 public key.
    """
    text = text.strip()
    if text.startswith("-----BEGIN"):
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
        from cryptography.hazmat.primitives.serialization import (
            Encoding,
            PublicFormat,
            load_pem_public_key,
        )

        key = load_pem_public_key(text.encode())
        if not isinstance(key, Ed25519PublicKey):
            raise ValueError("not an Ed25519 key")
        return key.public_bytes(Encoding.Raw, PublicFormat.Raw)
    try:
        raw = b64_decode_any(text)
    except (binascii.Error, ValueError) as exc:
        raise ValueError("not base64") from exc
    if len(raw) != 32:
        raise ValueError("an Ed25519 public key has 32 bytes")
    return raw


def device_id_for(raw_public_key: bytes) -> str:
    return hashlib.sha256(raw_public_key).hexdigest()


def _fold(value: str | None) -> str:
    """Trim and lowercase ASCII A-Z only, as the reference does for platform metadata."""
    if not value:
        return ""
    return value.strip().translate(
        str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
    )


def payload_v2(
    *,
    device_id: str,
    client_id: str,
    client_mode: str,
    role: str,
    scopes: Sequence[str],
    signed_at: int,
    token: str,
    nonce: str,
) -> str:
    return "|".join(
        [
            "v2",
            device_id,
            client_id,
            client_mode,
            role,
            ",".join(scopes),
            str(signed_at),
            token,
            nonce,
        ]
    )


def payload_v3(
    *,
    device_id: str,
    client_id: str,
    client_mode: str,
    role: str,
    scopes: Sequence[str],
    signed_at: int,
    token: str,
    nonce: str,
    platform: str | None,
    device_family: str | None,
) -> str:
    v2 = payload_v2(
        device_id=device_id,
        client_id=client_id,
        client_mode=client_mode,
        role=role,
        scopes=scopes,
        signed_at=signed_at,
        token=token,
        nonce=nonce,
    )
    return _v3_from_v2(v2, platform, device_family)


def _v3_from_v2(v2: str, platform: str | None, device_family: str | None) -> str:
    """v3 = the v2 fields under a ``v3`` tag, plus folded platform and device family."""
    return "v3" + v2[2:] + "|" + _fold(platform) + "|" + _fold(device_family)


def signed_token(params: ConnectParams) -> str:
    """The credential bound into the signature: ``auth.token``, else ``auth.deviceToken``, else ""."""
    auth = params.auth
    if auth is None:
        return ""
    return auth.token or auth.deviceToken or ""


def _reject(message: str, code: str, reason: str) -> HandshakeRejected:
    return HandshakeRejected(
        ErrorCode.INVALID_REQUEST, message, details={"code": code, "reason": reason}
    )


def verify_device_proof(
    params: ConnectParams, proof: DeviceProof, *, challenge_nonce: str, now_ms: int
) -> bytes:
    """Check a device proof in the reference's order; return the raw public key.

    Raises :class:`HandshakeRejected` with the reference's message and ``details.code``.
    """
    try:
        raw_key = normalize_public_key(proof.publicKey)
    except ValueError:
        raise _reject(
            "device public key invalid", "DEVICE_AUTH_PUBLIC_KEY_INVALID", "device-public-key"
        ) from None
    if device_id_for(raw_key) != proof.id.strip().lower():
        raise _reject(
            "device identity mismatch", "DEVICE_AUTH_DEVICE_ID_MISMATCH", "device-id-mismatch"
        )
    if abs(now_ms - proof.signedAt) > SIGNATURE_SKEW_MS:
        raise _reject(
            "device signature expired", "DEVICE_AUTH_SIGNATURE_EXPIRED", "device-signature-stale"
        )
    if not proof.nonce.strip():
        raise _reject("device nonce required", "DEVICE_AUTH_NONCE_REQUIRED", "device-nonce-missing")
    if proof.nonce != challenge_nonce:
        raise _reject(
            "device nonce mismatch", "DEVICE_AUTH_NONCE_MISMATCH", "device-nonce-mismatch"
        )

    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        signature = b64_decode_any(proof.signature)
    except (binascii.Error, ValueError):
        signature = b""
    key = Ed25519PublicKey.from_public_bytes(raw_key)
    device_id = proof.id.strip().lower()
    token = signed_token(params)
    v2 = payload_v2(
        device_id=device_id,
        client_id=params.client.id,
        client_mode=params.client.mode,
        role=params.role,
        scopes=params.scopes,
        signed_at=proof.signedAt,
        token=token,
        nonce=proof.nonce,
    )
    v3 = _v3_from_v2(v2, params.client.platform, params.client.deviceFamily)
    candidates = (v3, v2)
    for payload in candidates:
        try:
            key.verify(signature, payload.encode())
            return raw_key
        except InvalidSignature:
            continue
    raise _reject("device signature invalid", "DEVICE_AUTH_SIGNATURE_INVALID", "device-signature")
