"""DM pairing on the control plane, in two dialects over one store (``state/channels.py``).

* ``pairing.list|approve|reject`` — ours, keyed by the code the sender was given (what
  ``openclaw-gateway pairing approve telegram ABCD2345`` sends).
* ``channels.pairing.list|approve|dismiss`` — the reference's (2026.7), which its Control UI and
  apps call: accounts that use DM pairing, requests with ISO times, ``requestId`` opaque to the
  client (here: the code), ``notify`` opt-in. Shapes as the reference's protocol schema.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field

from ..auth.scopes import ADMIN, PAIRING
from ..channels.adapter import PermanentSendError
from ..channels.router import send_text
from ..clock import now_ms
from ..errors import invalid_request
from ..hooks import hookimpl
from ..hooks.registry import EventSpec, MethodContext, MethodSpec
from ..state import channels as store

if TYPE_CHECKING:
    from ..server.services import GatewayServices

APPROVED_TEXT = "You're approved. Send a message and the assistant will answer."
GONE = "pending DM access request no longer exists"


class PairingListParams(BaseModel):
    model_config = ConfigDict(extra="ignore")
    channel: str | None = None


class PairingCodeParams(BaseModel):
    model_config = ConfigDict(extra="ignore")
    channel: str = Field(min_length=1)
    code: str = Field(min_length=1, max_length=32)


class PairingRevokeParams(BaseModel):
    model_config = ConfigDict(extra="ignore")
    channel: str = Field(min_length=1)
    senderId: str = Field(min_length=1, max_length=256)


class RefListParams(BaseModel):
    model_config = ConfigDict(extra="forbid")
    channel: str | None = Field(None, min_length=1)
    accountId: str | None = Field(None, min_length=1)


class RefDismissParams(BaseModel):
    model_config = ConfigDict(extra="forbid")
    channel: str = Field(min_length=1)
    accountId: str = Field(min_length=1)
    requestId: str = Field(min_length=1, max_length=64)


class RefApproveParams(RefDismissParams):
    notify: bool | None = None
    bootstrapCommandOwner: bool | None = None


def _iso(ms: int) -> str:
    return (
        datetime.fromtimestamp(ms / 1000, UTC)
        .isoformat(timespec="milliseconds")
        .replace("+00:00", "Z")
    )


async def _approve(
    gw: GatewayServices, channel: str, code: str, *, notify: bool
) -> tuple[store.PairingCode, str] | None:
    """Allow the code's sender; tell them when ``notify``. ``(code, notification)`` or None."""
    found = await gw.db.run(store.approve_code, gw.db.conn, channel, code, now_ms())
    if found is None:
        return None
    notification = "not-requested"
    if notify:
        try:
            state, adapter = gw.channels.adapter(found.channel, found.account)
            await send_text(gw.channels.runtime, state, adapter, found.chat_id, APPROVED_TEXT)
            notification = "sent"
        except (LookupError, PermanentSendError):
            notification = "failed"
    gw.broadcast(
        "channels.pairing.resolved",
        {"channel": found.channel, "senderId": found.sender_id, "decision": "approved"},
    )
    return found, notification


# --- ours ------------------------------------------------------------------------------------


async def pairing_list(ctx: MethodContext, params: PairingListParams) -> Any:
    db = ctx.core.db
    pending = await db.run(store.pending, db.conn, now_ms(), params.channel)
    allowed = await db.run(store.allowed, db.conn, params.channel)
    return {
        "pending": [
            {
                "channel": p.channel,
                "code": p.code,
                "accountId": p.account,
                "senderId": p.sender_id,
                "senderName": p.sender_name,
                "createdAtMs": p.created_at_ms,
                "expiresAtMs": p.expires_at_ms,
            }
            for p in pending
        ],
        "allowed": [
            {
                "channel": a["channel"],
                "senderId": a["sender_id"],
                "senderName": a["sender_name"],
                "addedAtMs": a["added_at_ms"],
                "addedVia": a["added_via"],
            }
            for a in allowed
        ],
    }


async def pairing_approve(ctx: MethodContext, params: PairingCodeParams) -> Any:
    approved = await _approve(ctx.core, params.channel, params.code, notify=True)
    if approved is None:
        raise invalid_request("unknown or expired pairing code", channel=params.channel)
    found, notification = approved
    return {
        "ok": True,
        "channel": found.channel,
        "senderId": found.sender_id,
        "senderName": found.sender_name,
        "notified": notification == "sent",
    }


async def pairing_reject(ctx: MethodContext, params: PairingCodeParams) -> Any:
    gw = ctx.core
    if not await gw.db.run(store.reject_code, gw.db.conn, params.channel, params.code):
        raise invalid_request("unknown or expired pairing code", channel=params.channel)
    return {"ok": True, "channel": params.channel}


async def pairing_revoke(ctx: MethodContext, params: PairingRevokeParams) -> Any:
    """Take an approved sender's access back: their next message gets a pairing code again."""
    gw = ctx.core
    if not await gw.db.run(store.revoke_sender, gw.db.conn, params.channel, params.senderId):
        raise invalid_request(
            f"{params.senderId} is not an approved sender on {params.channel}",
            channel=params.channel,
        )
    gw.broadcast(
        "channels.pairing.resolved",
        {"channel": params.channel, "senderId": params.senderId, "decision": "revoked"},
    )
    return {"ok": True, "channel": params.channel, "senderId": params.senderId}


# --- the reference's -------------------------------------------------------------------------


def _pairing_accounts(
    gw: GatewayServices, channel: str | None, account_id: str | None
) -> list[dict[str, Any]]:
    """Configured accounts whose DM policy is ``pairing`` (the reference lists only those)."""
    configs = gw.channels.configs()
    if channel is not None and channel.lower() not in configs:
        raise invalid_request(f"unknown pairing channel: {channel}")
    out = []
    for name, config in sorted(configs.items()):
        if (channel is not None and name != channel.lower()) or config.dm_policy != "pairing":
            continue
        spec = gw.channels.specs.get(name)
        for account in config.accounts:
            if account_id is not None and account.lower() != account_id.lower():
                continue
            out.append(
                {
                    "channel": name,
                    "channelLabel": (spec.label if spec is not None else None) or name,
                    "accountId": account,
                    "notifySupported": True,
                }
            )
    return out


def _account_or_refuse(gw: GatewayServices, channel: str, account_id: str) -> dict[str, Any]:
    accounts = _pairing_accounts(gw, channel, account_id)
    if len(accounts) != 1:
        raise invalid_request(f"channel account does not use DM pairing: {channel}:{account_id}")
    return accounts[0]


async def ref_pairing_list(ctx: MethodContext, params: RefListParams) -> Any:
    gw = ctx.core
    accounts = _pairing_accounts(gw, params.channel, params.accountId)
    wanted = {(a["channel"], a["accountId"]): a for a in accounts}
    pending = await gw.db.run(store.pending, gw.db.conn, now_ms(), params.channel)
    requests = []
    for p in pending:
        account = wanted.get((p.channel, p.account))
        if account is None:
            continue
        metadata = {"code": p.code, **({"name": p.sender_name} if p.sender_name else {})}
        requests.append(
            {
                "requestId": p.code,
                "channel": p.channel,
                "channelLabel": account["channelLabel"],
                "accountId": p.account,
                "senderId": p.sender_id,
                "senderLabel": "sender id",
                "metadata": metadata,
                "createdAt": _iso(p.created_at_ms),
                "lastSeenAt": _iso(p.created_at_ms),
                "expiresAt": _iso(p.expires_at_ms),
                "notifySupported": True,
            }
        )
    return {
        "accounts": accounts,
        "requests": requests,
        "commandOwnerConfigured": False,
        "limits": {"pendingPerAccount": store.MAX_PENDING_PER_CHANNEL, "ttlMs": store.CODE_TTL_MS},
    }


async def _pending_in_account(gw: GatewayServices, params: RefDismissParams) -> store.PairingCode:
    _account_or_refuse(gw, params.channel, params.accountId)
    found = await gw.db.run(
        store.find_code, gw.db.conn, params.channel.lower(), params.requestId, now_ms()
    )
    if found is None or found.account.lower() != params.accountId.lower():
        raise invalid_request(GONE)
    return found


async def ref_pairing_approve(ctx: MethodContext, params: RefApproveParams) -> Any:
    gw = ctx.core
    found = await _pending_in_account(gw, params)
    approved = await _approve(gw, found.channel, found.code, notify=params.notify is True)
    if approved is None:  # approved or expired in between
        raise invalid_request(GONE)
    return {
        "requestId": params.requestId,
        "senderId": found.sender_id,
        "notification": approved[1],
        # There are no command owners here: a request for one is answered as unavailable.
        "commandOwnerBootstrap": "unavailable" if params.bootstrapCommandOwner else "not-requested",
    }


async def ref_pairing_dismiss(ctx: MethodContext, params: RefDismissParams) -> Any:
    gw = ctx.core
    found = await _pending_in_account(gw, params)
    if not await gw.db.run(store.reject_code, gw.db.conn, found.channel, found.code):
        raise invalid_request(GONE)
    return {"requestId": params.requestId, "senderId": found.sender_id}


def _approve_scope(params: Any) -> str:
    """As the reference: bootstrapping a command owner needs admin on top of pairing."""
    wants_owner = isinstance(params, dict) and params.get("bootstrapCommandOwner") is True
    return ADMIN if wants_owner else PAIRING


@hookimpl
def register_methods(register: Callable[[MethodSpec], None]) -> None:
    for name, handler, model in (
        ("pairing.list", pairing_list, PairingListParams),
        ("pairing.approve", pairing_approve, PairingCodeParams),
        ("pairing.reject", pairing_reject, PairingCodeParams),
        ("pairing.revoke", pairing_revoke, PairingRevokeParams),
        ("channels.pairing.list", ref_pairing_list, RefListParams),
        ("channels.pairing.dismiss", ref_pairing_dismiss, RefDismissParams),
    ):
        register(MethodSpec(name=name, handler=handler, params=model, scope=PAIRING))
    register(
        MethodSpec(
            name="channels.pairing.approve",
            handler=ref_pairing_approve,
            params=RefApproveParams,
            scope=PAIRING,
            scope_for=_approve_scope,
        )
    )


@hookimpl
def register_events(register: Callable[[EventSpec], None]) -> None:
    register(EventSpec(name="channels.pairing.requested", scope=PAIRING))
    register(EventSpec(name="channels.pairing.resolved", scope=PAIRING))
