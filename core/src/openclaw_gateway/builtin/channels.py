"""Messaging surfaces on the control plane: ``send``, ``channels.status``, ``channels.logout``
(DM pairing is in ``channel_pairing.py``)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ..agent import media
from ..auth.scopes import ADMIN, READ, WRITE
from ..channels.adapter import PermanentSendError
from ..channels.model import Attachment
from ..channels.router import send_text
from ..errors import ErrorCode, GatewayError, invalid_request
from ..hooks import hookimpl
from ..hooks.registry import EventSpec, MethodContext, MethodSpec


class SendParams(BaseModel):
    model_config = ConfigDict(extra="ignore")
    to: str = Field(min_length=1)
    message: str = Field(default="", max_length=256 * 1024)
    idempotencyKey: str = Field(min_length=1)
    channel: str | None = None
    accountId: str | None = None
    threadId: str | None = None
    replyTo: str | None = None
    mediaUrl: str | None = Field(default=None, max_length=4096)


class StatusParams(BaseModel):
    model_config = ConfigDict(extra="ignore")
    probe: bool = False


class LogoutParams(BaseModel):
    model_config = ConfigDict(extra="ignore")
    channel: str = Field(min_length=1)
    accountId: str = "default"


def _now_ms() -> int:
    return int(time.time() * 1000)


def media_attachment(url: str) -> Attachment:
    """An outbound attachment for ``mediaUrl``, its kind guessed from the file name."""
    import mimetypes

    mime = mimetypes.guess_type(url.split("?", 1)[0])[0]
    kind = media.kind_of(mime) if mime else "document"
    return Attachment(
        kind=kind,
        url=url,
        mime=mime,
        name=url.rsplit("/", 1)[-1].split("?", 1)[0] or None,
    )


async def send(ctx: MethodContext, params: SendParams) -> Any:
    if not params.message and not params.mediaUrl:
        raise invalid_request("invalid send params: a message or a mediaUrl is required")
    manager = ctx.gateway.channels
    running = sorted({ch for (ch, _acc) in manager.accounts})
    channel = params.channel
    if channel is None:
        if len(running) != 1:
            raise invalid_request(
                "Error: Channel is required (no configured channels detected)"
                if not running
                else f"Error: Channel is required (configured: {', '.join(running)})"
            )
        channel = running[0]
    if channel not in ctx.gateway.registry.channels:
        raise invalid_request(f"unsupported channel: {channel}")
    try:
        state, adapter = manager.adapter(channel, params.accountId)
    except LookupError:
        raise GatewayError(
            ErrorCode.UNAVAILABLE, f"channel {channel} has no running account", retryable=True
        ) from None
    try:
        results = await send_text(
            ctx.gateway,
            state,
            adapter,
            params.to,
            params.message,
            thread_id=params.threadId,
            reply_to=params.replyTo,
            attachments=[media_attachment(params.mediaUrl)] if params.mediaUrl else None,
        )
    except PermanentSendError as exc:
        raise GatewayError(
            ErrorCode.UNAVAILABLE,
            f"delivery failed: {exc}",
            details={"code": "DELIVERY_FAILED", "channel": channel},
        ) from None
    return {
        "channel": channel,
        "accountId": state.account,
        "to": params.to,
        "messageId": results[0].message_id if results else None,
        "messageIds": [r.message_id for r in results],
    }


async def channels_status(ctx: MethodContext, params: StatusParams) -> Any:
    manager = ctx.gateway.channels
    snapshot = manager.snapshot()
    if params.probe:
        for (channel, account), state in manager.accounts.items():
            if state.adapter is None:
                continue
            try:
                snapshot[channel]["accounts"][account]["probe"] = await state.adapter.probe()
            except Exception as exc:
                snapshot[channel]["accounts"][account]["probe"] = {"ok": False, "error": str(exc)}
    return {"ts": _now_ms(), "channels": snapshot, "channelOrder": sorted(snapshot)}


async def channels_logout(ctx: MethodContext, params: LogoutParams) -> Any:
    manager = ctx.gateway.channels
    try:
        _state, adapter = manager.adapter(params.channel, params.accountId)
    except LookupError:
        raise invalid_request(
            f"no running account {params.accountId} on channel {params.channel}"
        ) from None
    await adapter.logout()
    manager.stop_account(params.channel, params.accountId)
    return {"ok": True, "channel": params.channel, "accountId": params.accountId}


@hookimpl
def register_methods(register: Callable[[MethodSpec], None]) -> None:
    register(
        MethodSpec(
            name="send",
            handler=send,
            params=SendParams,
            scope=WRITE,
            side_effects=True,
            background=True,
        )
    )
    register(
        MethodSpec(
            name="channels.status",
            handler=channels_status,
            params=StatusParams,
            scope=READ,
            background=True,
        )
    )
    register(
        MethodSpec(
            name="channels.logout", handler=channels_logout, params=LogoutParams, scope=ADMIN
        )
    )


@hookimpl
def register_events(register: Callable[[EventSpec], None]) -> None:
    register(EventSpec(name="channels.delivery", scope=READ))
