"""Device pairing and device tokens: ``device.pair.*``, ``device.token.*`` and their events.

Tokens are stored hashed; a token value leaves the gateway only in the hello-ok of the device it
belongs to, or in a ``device.token.rotate`` answer to that same device.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ..auth import credentials
from ..auth.scopes import ADMIN, PAIRING, ROLE_OPERATOR
from ..clock import now_ms
from ..errors import invalid_request
from ..hooks import hookimpl
from ..hooks.registry import EventSpec, MethodContext, MethodSpec
from ..state import devices as store


class Params(BaseModel):
    model_config = ConfigDict(extra="ignore")


class RequestIdParams(Params):
    requestId: str = Field(min_length=1)


class DeviceIdParams(Params):
    deviceId: str = Field(min_length=1)


class RotateParams(DeviceIdParams):
    role: str = Field(min_length=1)
    scopes: list[str] | None = None


class RevokeParams(DeviceIdParams):
    role: str = Field(min_length=1)


class PairResolvedPayload(BaseModel):
    requestId: str
    deviceId: str
    decision: str
    ts: int


def device_to_wire(
    ctx: MethodContext, record: store.DeviceRecord, tokens: list[store.TokenRecord]
) -> dict[str, Any]:
    connected = any(c.device_id == record.device_id for c in ctx.core.hub.connections.values())
    return {
        "deviceId": record.device_id,
        "publicKey": record.public_key,
        "displayName": record.display_name,
        "platform": record.platform,
        "deviceFamily": record.device_family,
        "clientId": record.client_id,
        "clientMode": record.client_mode,
        "role": record.roles[0] if record.roles else None,
        "roles": record.roles,
        "scopes": record.scopes,
        "approvedVia": record.approved_via,
        "createdAtMs": record.created_at_ms,
        "approvedAtMs": record.approved_at_ms,
        "lastSeenAtMs": record.last_seen_at_ms,
        "lastSeenReason": record.last_seen_reason,
        "connected": connected,
        "tokens": [
            {
                "role": t.role,
                "scopes": t.scopes,
                "issuedAtMs": t.issued_at_ms,
                "rotatedAtMs": t.rotated_at_ms,
            }
            for t in tokens
        ],
    }


async def pair_list(ctx: MethodContext, params: Params) -> Any:
    db = ctx.core.db

    def read(
        conn: Any,
    ) -> tuple[
        list[store.PairingRequest], list[tuple[store.DeviceRecord, list[store.TokenRecord]]]
    ]:
        devices = store.list_devices(conn)
        return store.list_pairing_requests(conn), [
            (d, store.list_tokens(conn, d.device_id)) for d in devices
        ]

    pending, paired = await db.run(read, db.conn)
    return {
        "pending": [p.to_wire() for p in pending],
        "paired": [device_to_wire(ctx, d, t) for d, t in paired],
    }


async def pair_approve(ctx: MethodContext, params: RequestIdParams) -> Any:
    gw = ctx.core
    db = gw.db
    request = await db.run(store.get_pairing_request, db.conn, params.requestId)
    if request is None:
        raise invalid_request("unknown requestId")
    now = now_ms()
    record = await db.run(
        store.approve_device,
        db.conn,
        device_id=request.device_id,
        public_key=request.public_key,
        client=request.client,
        role=request.role,
        scopes=request.scopes,
        approved_via="operator",
        token_hash=None,
        now_ms=now,
        request_id=request.request_id,
    )
    gw.broadcast(
        "device.pair.resolved",
        {
            "requestId": request.request_id,
            "deviceId": request.device_id,
            "decision": "approved",
            "ts": now,
        },
    )
    return {"requestId": request.request_id, "device": device_to_wire(ctx, record, [])}


async def pair_reject(ctx: MethodContext, params: RequestIdParams) -> Any:
    gw = ctx.core
    db = gw.db
    request = await db.run(store.get_pairing_request, db.conn, params.requestId)
    if request is None or not await db.run(
        store.delete_pairing_request, db.conn, request.request_id
    ):
        raise invalid_request("unknown requestId")
    now = now_ms()
    payload = {
        "requestId": request.request_id,
        "deviceId": request.device_id,
        "decision": "rejected",
        "ts": now,
    }
    gw.broadcast("device.pair.resolved", payload)
    return payload


async def pair_remove(ctx: MethodContext, params: DeviceIdParams) -> Any:
    gw = ctx.core
    if not await gw.db.run(store.remove_device, gw.db.conn, params.deviceId):
        raise invalid_request("unknown deviceId")
    gw.hub.close_device_sockets(params.deviceId, keep=ctx.conn)
    return {"deviceId": params.deviceId}


def _check_token_management(
    ctx: MethodContext, device_id: str, role: str, scopes: list[str]
) -> None:
    """Non-admins may manage only their own device's operator token, within their own scopes."""
    conn = ctx.conn
    if ADMIN in conn.scopes:
        return
    if role != ROLE_OPERATOR or conn.device_id != device_id or not set(scopes) <= conn.scopes:
        raise invalid_request("device token rotation denied")


async def token_rotate(ctx: MethodContext, params: RotateParams) -> Any:
    gw = ctx.core
    db = gw.db
    record = await db.run(store.get_device, db.conn, params.deviceId)
    if record is None or params.role not in record.roles:
        raise invalid_request("device token rotation denied")
    current = await db.run(store.get_token, db.conn, params.deviceId, params.role)
    scopes = (
        params.scopes
        if params.scopes is not None
        else (current.scopes if current else record.scopes)
    )
    if not set(scopes) <= set(record.scopes):
        raise invalid_request("device token rotation denied")
    _check_token_management(ctx, params.deviceId, params.role, scopes)
    token = credentials.generate_token()
    now = now_ms()
    await db.run(
        store.set_token,
        db.conn,
        device_id=params.deviceId,
        role=params.role,
        token_hash=credentials.hash_token(token),
        scopes=scopes,
        now_ms=now,
    )
    gw.hub.close_device_sockets(params.deviceId, keep=ctx.conn)
    result: dict[str, Any] = {
        "deviceId": params.deviceId,
        "role": params.role,
        "scopes": sorted(set(scopes)),
        "rotatedAtMs": now,
    }
    if ctx.conn.device_id == params.deviceId:
        result["token"] = token
    else:
        result["tokenDelivery"] = "withheld-cross-device"
    return result


async def token_revoke(ctx: MethodContext, params: RevokeParams) -> Any:
    gw = ctx.core
    db = gw.db
    try:
        _check_token_management(ctx, params.deviceId, params.role, [])
    except Exception:
        raise invalid_request("device token revocation denied") from None
    if not await db.run(store.revoke_token, db.conn, params.deviceId, params.role):
        raise invalid_request("device token revocation denied")
    gw.hub.close_device_sockets(params.deviceId, keep=ctx.conn)
    return {"deviceId": params.deviceId, "role": params.role, "revokedAtMs": now_ms()}


@hookimpl
def register_methods(register: Callable[[MethodSpec], None]) -> None:
    register(MethodSpec(name="device.pair.list", handler=pair_list, params=Params, scope=PAIRING))
    register(
        MethodSpec(
            name="device.pair.approve", handler=pair_approve, params=RequestIdParams, scope=PAIRING
        )
    )
    register(
        MethodSpec(
            name="device.pair.reject", handler=pair_reject, params=RequestIdParams, scope=PAIRING
        )
    )
    register(
        MethodSpec(
            name="device.pair.remove", handler=pair_remove, params=DeviceIdParams, scope=PAIRING
        )
    )
    register(
        MethodSpec(
            name="device.token.rotate", handler=token_rotate, params=RotateParams, scope=PAIRING
        )
    )
    register(
        MethodSpec(
            name="device.token.revoke", handler=token_revoke, params=RevokeParams, scope=PAIRING
        )
    )


@hookimpl
def register_events(register: Callable[[EventSpec], None]) -> None:
    register(EventSpec(name="device.pair.requested", scope=PAIRING))
    register(EventSpec(name="device.pair.resolved", payload=PairResolvedPayload, scope=PAIRING))
