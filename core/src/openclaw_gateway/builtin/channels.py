"""Messaging surfaces on the control plane: ``send``, ``channels.status``, ``channels.logout``
(DM pairing is in ``channel_pairing.py``)."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anyio
from pydantic import BaseModel, ConfigDict, Field

from ..agent import media
from ..auth.scopes import ADMIN, READ, WRITE
from ..channels.adapter import PermanentSendError
from ..channels.model import Attachment
from ..channels.router import send_text
from ..clock import now_ms
from ..errors import ErrorCode, GatewayError, invalid_request
from ..hooks import hookimpl
from ..hooks.registry import EventSpec, MethodContext, MethodSpec

PROBE_TIMEOUT_S = 10.0
"""How long ``channels.status {probe: true}`` waits for one account's probe."""


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


START_WAIT_S = 5.0
"""How long ``channels.start`` waits for the account to report running before it answers."""


class LogoutParams(BaseModel):
    """``{channel, accountId}`` of ``channels.logout``, ``channels.stop`` and ``channels.start``."""

    model_config = ConfigDict(extra="ignore")
    channel: str = Field(min_length=1)
    accountId: str = "default"


def _refused(message: str) -> GatewayError:
    return invalid_request(f"mediaUrl refused: {message}", code="MEDIA_URL_REFUSED")


async def media_attachment(ctx: MethodContext, url: str) -> Attachment:
    """The bytes behind ``mediaUrl``, fetched or read by the gateway itself, never the string:
    platform libraries open local paths they are given (docs/security.md, "Media").

    ``http(s)`` URLs are fetched under the ``[media]`` policy (public addresses only, size and
    time caps); a local path (or ``file://`` URL) is read only for an ``operator.admin`` caller and
    only from a ``media.local_roots`` directory. The kind comes from the bytes where they say.
    """
    from ..net.fetch import FetchError, FetchPolicy, fetch

    cfg = ctx.core.config.media
    if url.startswith(("http://", "https://")):
        policy = FetchPolicy.from_entries(
            cfg.allow_private_hosts,
            max_bytes=cfg.fetch_max_bytes,
            timeout=cfg.fetch_timeout_ms / 1000,
        )
        try:
            fetched = await fetch(url, policy)
        except FetchError as exc:
            raise _refused(str(exc)) from None
        data, declared, name = fetched.data, fetched.content_type, fetched.name
    else:
        data, name = await _read_local(ctx, url, cfg.local_roots, cfg.fetch_max_bytes)
        declared = None
    mime = media.sniff(data) or media.guess_mime(name, declared)
    return Attachment(kind=media.kind_of(mime), data=data, mime=mime, name=name)


async def _read_local(
    ctx: MethodContext, url: str, roots: list[Path], max_bytes: int
) -> tuple[bytes, str]:
    from urllib.parse import unquote, urlsplit

    if url.startswith("file://"):
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost"):
            raise _refused("only http(s) URLs or local paths")
        url = unquote(parts.path)
    elif "://" in url or not url.startswith("/"):
        raise _refused("only http(s) URLs, or absolute paths under media.local_roots")
    if ADMIN not in ctx.conn.scopes:
        raise _refused("local files may be sent by operator.admin only")
    if not roots:
        raise _refused("local files are off (no media.local_roots configured)")

    def read() -> bytes:
        # Resolve symlinks and '..' first, then check the real path is inside a listed root.
        real = Path(url).resolve()
        if not any(real.is_relative_to(root.resolve()) for root in roots):
            raise _refused("the path is not under media.local_roots")
        fd = os.open(real, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        with os.fdopen(fd, "rb") as fh:
            if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
                raise _refused("not a regular file")
            data = fh.read(max_bytes + 1)
        if len(data) > max_bytes:
            raise _refused(f"the file is over the {max_bytes}-byte limit")
        return data

    try:
        data = await anyio.to_thread.run_sync(read)
    except OSError as exc:
        raise _refused(f"cannot read the file: {exc.strerror or exc}") from None
    return data, Path(url).name


async def send(ctx: MethodContext, params: SendParams) -> Any:
    if not params.message and not params.mediaUrl:
        raise invalid_request("invalid send params: a message or a mediaUrl is required")
    manager = ctx.core.channels
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
    if channel not in ctx.core.channels.specs:
        raise invalid_request(f"unsupported channel: {channel}")
    try:
        state, adapter = manager.adapter(channel, params.accountId)
    except LookupError:
        raise GatewayError(
            ErrorCode.UNAVAILABLE, f"channel {channel} has no running account", retryable=True
        ) from None
    try:
        results = await send_text(
            manager.runtime,
            state,
            adapter,
            params.to,
            params.message,
            thread_id=params.threadId,
            reply_to=params.replyTo,
            attachments=[await media_attachment(ctx, params.mediaUrl)] if params.mediaUrl else None,
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
    manager = ctx.core.channels
    snapshot = manager.snapshot()
    if params.probe:
        # All accounts at once, each bounded: one hanging service must not hold the answer.
        async def probe(channel: str, account: str, adapter: Any) -> None:
            entry = snapshot[channel]["accounts"][account]
            try:
                with anyio.fail_after(PROBE_TIMEOUT_S):
                    entry["probe"] = await adapter.probe()
            except TimeoutError:
                entry["probe"] = {
                    "ok": False,
                    "error": f"probe timed out after {PROBE_TIMEOUT_S:g} s",
                    "timeout": True,
                }
            except Exception as exc:
                entry["probe"] = {"ok": False, "error": str(exc)}

        async with anyio.create_task_group() as tg:
            for (channel, account), state in manager.accounts.items():
                if state.adapter is not None:
                    tg.start_soon(probe, channel, account, state.adapter)
    return {"ts": now_ms(), "channels": snapshot, "channelOrder": sorted(snapshot)}


async def channels_logout(ctx: MethodContext, params: LogoutParams) -> Any:
    manager = ctx.core.channels
    try:
        _state, adapter = manager.adapter(params.channel, params.accountId)
    except LookupError:
        raise invalid_request(
            f"no running account {params.accountId} on channel {params.channel}"
        ) from None
    await adapter.logout()
    await manager.stop_account(params.channel, params.accountId, "logged out")
    return {"ok": True, "channel": params.channel, "accountId": params.accountId}


async def channels_stop(ctx: MethodContext, params: LogoutParams) -> Any:
    """Stop one account, keeping its pairing and credentials (the reference's recovery path)."""
    manager = ctx.core.channels
    try:
        await manager.stop_account(params.channel, params.accountId)
    except LookupError as exc:
        raise invalid_request(str(exc)) from None
    state = manager.accounts[(params.channel, params.accountId)]
    return {
        "channel": params.channel,
        "accountId": params.accountId,
        "stopped": state.state != "running",
    }


async def channels_start(ctx: MethodContext, params: LogoutParams) -> Any:
    """Start a stopped account again; ``started`` says whether it is running right after."""
    manager = ctx.core.channels
    try:
        outcome = manager.start_account(params.channel, params.accountId)
    except LookupError as exc:
        raise invalid_request(str(exc)) from None
    state = manager.accounts[(params.channel, params.accountId)]
    with anyio.move_on_after(START_WAIT_S):  # a quick connect is reported as started
        while state.state == "starting" and outcome["status"] == "handed-off":
            await state.changed.wait()
    return {
        "channel": params.channel,
        "accountId": params.accountId,
        "started": state.state == "running",
        "outcome": outcome,
    }


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
    register(
        MethodSpec(name="channels.stop", handler=channels_stop, params=LogoutParams, scope=ADMIN)
    )
    register(
        MethodSpec(
            name="channels.start",
            handler=channels_start,
            params=LogoutParams,
            scope=ADMIN,
            background=True,
        )
    )


@hookimpl
def register_events(register: Callable[[EventSpec], None]) -> None:
    register(EventSpec(name="channels.delivery", scope=READ))
