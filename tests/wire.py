"""Raw wire helpers for tests: open a socket, build connect frames, sign device proofs.

Deliberately independent of ``openclaw_gateway.client`` so protocol tests check the wire itself.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from websockets.asyncio.client import ClientConnection, connect

_ids = itertools.count(1)

TOKEN = "test-token-0123456789abcdefghijklmnopqrstuvwxyz"
"""The shared token of the ``gateway`` fixture."""


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


@dataclass
class DeviceKey:
    """An Ed25519 device identity; ``seed`` makes it deterministic (PROTOCOL.md test vector)."""

    seed: bytes = field(default_factory=lambda: Ed25519PrivateKey.generate().private_bytes_raw())

    @property
    def private(self) -> Ed25519PrivateKey:
        return Ed25519PrivateKey.from_private_bytes(self.seed)

    @property
    def public_raw(self) -> bytes:
        return self.private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)

    @property
    def public_b64(self) -> str:
        return b64url(self.public_raw)

    @property
    def device_id(self) -> str:
        return hashlib.sha256(self.public_raw).hexdigest()

    def sign(self, payload: str) -> str:
        return b64url(self.private.sign(payload.encode()))

    def proof(
        self,
        *,
        nonce: str,
        signed_at: int,
        client: dict[str, Any],
        role: str,
        scopes: list[str],
        token: str,
        version: int = 3,
        device_id: str | None = None,
    ) -> dict[str, Any]:
        did = device_id or self.device_id
        fields = [
            f"v{version}",
            did,
            client["id"],
            client["mode"],
            role,
            ",".join(scopes),
            str(signed_at),
            token,
            nonce,
        ]
        if version == 3:
            fields += [
                (client.get("platform") or "").strip().lower(),
                (client.get("deviceFamily") or "").strip().lower(),
            ]
        return {
            "id": did,
            "publicKey": self.public_b64,
            "signature": self.sign("|".join(fields)),
            "signedAt": signed_at,
            "nonce": nonce,
        }


def client_info(client_id: str = "cli", mode: str = "cli", **extra: Any) -> dict[str, Any]:
    return {"id": client_id, "version": "test", "platform": "linux", "mode": mode, **extra}


def connect_frame(
    *,
    token: str | None = None,
    scopes: list[str] | None = None,
    role: str = "operator",
    client: dict[str, Any] | None = None,
    min_protocol: int = 4,
    max_protocol: int = 4,
    device: dict[str, Any] | None = None,
    auth: dict[str, Any] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    params: dict[str, Any] = {
        "minProtocol": min_protocol,
        "maxProtocol": max_protocol,
        "client": client or client_info(),
        "role": role,
        "scopes": scopes if scopes is not None else ["operator.read"],
        **extra,
    }
    if auth is not None:
        params["auth"] = auth
    elif token is not None:
        params["auth"] = {"token": token}
    if device is not None:
        params["device"] = device
    return {"type": "req", "id": f"c{next(_ids)}", "method": "connect", "params": params}


class Peer:
    """A raw socket plus the challenge it received."""

    def __init__(self, ws: ClientConnection, challenge: dict[str, Any]) -> None:
        self.ws = ws
        self.challenge = challenge
        self.skipped: list[dict[str, Any]] = []
        """Frames :meth:`recv_res` read past (events, mostly); :meth:`next_event` looks here first."""

    @property
    def nonce(self) -> str:
        return str(self.challenge["payload"]["nonce"])

    @property
    def ts(self) -> int:
        return int(self.challenge["payload"]["ts"])

    async def send(self, frame: Any) -> None:
        await self.ws.send(frame if isinstance(frame, (str, bytes)) else json.dumps(frame))

    async def recv(self) -> dict[str, Any]:
        return json.loads(await self.ws.recv())  # type: ignore[no-any-return]

    async def recv_res(self, request_id: str) -> dict[str, Any]:
        """Next response with this id (events in between are skipped)."""
        while True:
            frame = await self.recv()
            if frame.get("type") == "res" and frame.get("id") == request_id:
                return frame
            self.skipped.append(frame)

    async def next_event(self, name: str) -> dict[str, Any]:
        """The next ``name`` event, including ones skipped while waiting for a response."""
        for i, frame in enumerate(self.skipped):
            if frame.get("type") == "event" and frame.get("event") == name:
                del self.skipped[i]
                return frame
        while True:
            frame = await self.recv()
            if frame.get("type") == "event" and frame.get("event") == name:
                return frame
            self.skipped.append(frame)

    async def request(self, method: str, params: Any = None, **extra: Any) -> dict[str, Any]:
        rid = f"r{next(_ids)}"
        frame: dict[str, Any] = {"type": "req", "id": rid, "method": method, **extra}
        if params is not None:
            frame["params"] = params
        await self.send(frame)
        return await self.recv_res(rid)

    async def drain(self) -> tuple[list[Any], int | None, str | None]:
        """Read until the server closes; return (frames received, close code, close reason)."""
        frames: list[Any] = []
        try:
            while True:
                data = await self.ws.recv()
                try:
                    frames.append(json.loads(data))
                except ValueError:
                    frames.append(data)
        except Exception:
            pass
        rcvd = self.ws.protocol.close_rcvd
        return frames, (rcvd.code if rcvd else None), (rcvd.reason if rcvd else None)

    async def close_info(self) -> tuple[int | None, str | None]:
        """Wait for the server to close; return (code, reason)."""
        try:
            while True:
                await self.ws.recv()
        except Exception:
            pass
        return self.ws.close_code, self.ws.close_reason


async def open_peer(port: int, host: str = "127.0.0.1", **kwargs: Any) -> Peer:
    ws = await connect(f"ws://{host}:{port}", **kwargs)
    challenge = json.loads(await ws.recv())
    assert challenge["event"] == "connect.challenge"
    return Peer(ws, challenge)


async def operator(port: int, token: str, scopes: list[str] | None = None, **kwargs: Any) -> Peer:
    """An authenticated operator peer (token auth, no device)."""
    peer = await open_peer(port, **kwargs)
    frame = connect_frame(token=token, scopes=scopes)
    await peer.send(frame)
    res = await peer.recv_res(frame["id"])
    assert res["ok"], res
    return peer


def device_connect_frame(
    peer: Peer,
    key: DeviceKey,
    *,
    token: str | None = None,
    scopes: list[str] | None = None,
    role: str = "operator",
    client: dict[str, Any] | None = None,
    version: int = 3,
    auth: dict[str, Any] | None = None,
    nonce: str | None = None,
    signed_at: int | None = None,
    device_id: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """A connect frame with a device proof signed over ``peer``'s challenge.

    The signed token is ``auth.token``, else ``auth.deviceToken``, else "" (PROTOCOL.md §5).
    """
    scopes = scopes if scopes is not None else ["operator.read"]
    client = client or client_info()
    if auth is None and token is not None:
        auth = {"token": token}
    signed = (auth or {}).get("token") or (auth or {}).get("deviceToken") or ""
    proof = key.proof(
        nonce=nonce if nonce is not None else peer.nonce,
        signed_at=signed_at if signed_at is not None else peer.ts,
        client=client,
        role=role,
        scopes=scopes,
        token=signed,
        version=version,
        device_id=device_id,
    )
    return connect_frame(scopes=scopes, role=role, client=client, device=proof, auth=auth, **extra)


async def device_connect(
    port: int, key: DeviceKey, host: str = "127.0.0.1", **kwargs: Any
) -> tuple[Peer, dict[str, Any]]:
    """Open a socket, send a signed device connect, return the peer and the connect ``res``."""
    peer = await open_peer(port, host=host)
    frame = device_connect_frame(peer, key, **kwargs)
    await peer.send(frame)
    return peer, await peer.recv_res(frame["id"])


async def connect_res(peer: Peer, frame: dict[str, Any]) -> dict[str, Any]:
    await peer.send(frame)
    return await peer.recv_res(frame["id"])
