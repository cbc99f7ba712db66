"""``web.login.start`` / ``web.login.wait``: QR linking over the gateway protocol, in the reference's
shapes, so the official ``openclaw channels login --channel whatsapp``, our ``openclaw-gateway
channels login whatsapp`` and WebChat all link the same way.

- start ``{channel?, accountId?, force?, timeoutMs?, verbose?}`` → ``{message, qrDataUrl?,
  connected?}``: the first QR code as a PNG data URL (or "already linked");
- wait ``{channel?, accountId?, timeoutMs?, sessionKey?, currentQrDataUrl?}`` → ``{connected,
  message, qrDataUrl?}``: returns when linking finished, or with the next code when WhatsApp
  rotated it (so a client shows a fresh one), or at ``timeoutMs``.

Both need ``operator.admin`` (linking hands the account to whoever scans).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field

from openclaw_gateway.api import ErrorCode, GatewayError, MethodContext, invalid_request

from .config import WhatsAppConfig, e164
from .login import qr_data_url

if TYPE_CHECKING:
    from .linked import LinkedAdapter

DEFAULT_START_TIMEOUT_MS = 30_000
DEFAULT_WAIT_TIMEOUT_MS = 120_000


class LoginStartParams(BaseModel):
    model_config = ConfigDict(extra="forbid")
    channel: str | None = Field(default=None, min_length=1)
    force: bool = False
    timeoutMs: int | None = Field(default=None, ge=0)
    verbose: bool = False
    accountId: str | None = None


class LoginWaitParams(BaseModel):
    model_config = ConfigDict(extra="forbid")
    channel: str | None = Field(default=None, min_length=1)
    sessionKey: str | None = Field(default=None, min_length=1)
    timeoutMs: int | None = Field(default=None, ge=0)
    accountId: str | None = None
    currentQrDataUrl: str | None = Field(
        default=None, max_length=16384, pattern=r"^data:image/png;base64,"
    )


class LoginStartResult(BaseModel):
    model_config = ConfigDict(extra="forbid")
    message: str
    qrDataUrl: str | None = None
    connected: bool | None = None
    sessionKey: str | None = None


class LoginWaitResult(BaseModel):
    model_config = ConfigDict(extra="forbid")
    connected: bool
    message: str
    qrDataUrl: str | None = None


class PairCodeParams(BaseModel):
    model_config = ConfigDict(extra="forbid")
    phone: str = Field(min_length=7, max_length=32)
    accountId: str | None = None
    timeoutMs: int | None = Field(default=None, ge=0)


class PairCodeResult(BaseModel):
    model_config = ConfigDict(extra="forbid")
    message: str
    code: str | None = None


def _linked_adapter(ctx: MethodContext, channel: str | None, account: str | None) -> LinkedAdapter:
    from .linked import LinkedAdapter

    if channel is not None and channel.lower() != "whatsapp":
        raise invalid_request(f"web login is not supported by provider {channel}")
    try:
        config = ctx.gateway.plugin_config("whatsapp", WhatsAppConfig)
    except LookupError:
        raise invalid_request("web login provider is not available") from None
    if account is None:
        linked = [name for name, acc in config.accounts.items() if acc.transport == "linked"]
        if not linked:
            raise invalid_request(
                "no linked-device WhatsApp account is configured (Cloud API accounts need no QR)"
            )
        account = linked[0]
    elif account not in config.accounts:
        raise invalid_request(f"unknown WhatsApp account {account!r}")
    adapter = ctx.gateway.channel_adapter("whatsapp", account)
    if not isinstance(adapter, LinkedAdapter):
        if config.accounts[account].transport == "cloud":
            raise invalid_request(f"WhatsApp account {account!r} uses the Cloud API: no QR login")
        raise GatewayError(
            ErrorCode.UNAVAILABLE, f"WhatsApp account {account!r} is not running", retryable=True
        )
    return adapter


async def login_start(ctx: MethodContext, params: LoginStartParams) -> dict[str, Any]:
    adapter = _linked_adapter(ctx, params.channel, params.accountId)
    timeout = (params.timeoutMs or DEFAULT_START_TIMEOUT_MS) / 1000
    result = await adapter.start_login(force=params.force, timeout=timeout)
    return LoginStartResult(**result).model_dump(exclude_none=True)


async def pair_code(ctx: MethodContext, params: PairCodeParams) -> dict[str, Any]:
    """``whatsapp.login.pairCode``: link by phone number (ours; the reference has no such method)."""
    try:
        phone = e164(params.phone)
    except ValueError as exc:
        raise invalid_request(str(exc)) from None
    adapter = _linked_adapter(ctx, None, params.accountId)
    timeout = (params.timeoutMs or DEFAULT_START_TIMEOUT_MS) / 1000
    result = await adapter.start_pair_code(phone, timeout=timeout)
    return PairCodeResult(**result).model_dump(exclude_none=True)


async def login_wait(ctx: MethodContext, params: LoginWaitParams) -> dict[str, Any]:
    adapter = _linked_adapter(ctx, params.channel, params.accountId)
    timeout = (params.timeoutMs if params.timeoutMs is not None else DEFAULT_WAIT_TIMEOUT_MS) / 1000
    shown = params.currentQrDataUrl
    result = await adapter.wait_login(
        timeout=timeout,
        until_new_qr=(lambda qr: qr_data_url(qr) != shown) if shown else None,
    )
    if result.get("qr") is not None:
        result = {**result, "qrDataUrl": qr_data_url(result.pop("qr"))}
    result.pop("qr", None)
    return LoginWaitResult(**result).model_dump(exclude_none=True)
