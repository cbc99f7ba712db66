"""A client's device identity: an Ed25519 key pair plus the device tokens gateways issued to it.

Stored as JSON in one 0600 file (``<dir>/device.json``), written atomically.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


@dataclass
class DeviceIdentity:
    seed: bytes
    tokens: dict[str, str] = field(default_factory=dict)
    """Device tokens by ``"<gateway url>|<role>"``."""
    path: Path | None = None

    @classmethod
    def generate(cls, path: Path | None = None) -> DeviceIdentity:
        return cls(seed=Ed25519PrivateKey.generate().private_bytes_raw(), path=path)

    @classmethod
    def load_or_create(cls, path: Path) -> DeviceIdentity:
        if path.exists():
            data = json.loads(path.read_text())
            return cls(seed=bytes.fromhex(data["seed"]), tokens=data.get("tokens", {}), path=path)
        identity = cls.generate(path)
        identity.save()
        return identity

    def save(self) -> None:
        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        body = json.dumps(
            {"seed": self.seed.hex(), "deviceId": self.device_id, "tokens": self.tokens}
        )
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".device.")
        try:
            os.fchmod(fd, 0o600)
            os.write(fd, body.encode())
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, self.path)

    @property
    def _key(self) -> Ed25519PrivateKey:
        return Ed25519PrivateKey.from_private_bytes(self.seed)

    @property
    def public_key_raw(self) -> bytes:
        return self._key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)

    @property
    def device_id(self) -> str:
        return hashlib.sha256(self.public_key_raw).hexdigest()

    def token_for(self, url: str, role: str) -> str | None:
        return self.tokens.get(f"{url}|{role}")

    def remember_token(self, url: str, role: str, token: str | None) -> None:
        key = f"{url}|{role}"
        if token is None:
            self.tokens.pop(key, None)
        else:
            self.tokens[key] = token
        self.save()

    def proof(
        self,
        *,
        nonce: str,
        signed_at: int,
        client: dict[str, Any],
        role: str,
        scopes: list[str],
        token: str,
    ) -> dict[str, Any]:
        """The ``device`` block of ``connect``, signed with the v3 payload."""

        def fold(value: Any) -> str:
            return str(value or "").strip().lower()

        payload = "|".join(
            [
                "v3",
                self.device_id,
                client["id"],
                client["mode"],
                role,
                ",".join(scopes),
                str(signed_at),
                token,
                nonce,
                fold(client.get("platform")),
                fold(client.get("deviceFamily")),
            ]
        )
        return {
            "id": self.device_id,
            "publicKey": _b64url(self.public_key_raw),
            "signature": _b64url(self._key.sign(payload.encode())),
            "signedAt": signed_at,
            "nonce": nonce,
        }
