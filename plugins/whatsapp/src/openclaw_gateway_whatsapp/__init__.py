"""openclaw-gateway-whatsapp: WhatsApp as a messaging surface of the gateway.

Two transports behind one configuration (``[plugins.whatsapp]``, see :mod:`.config` and
docs/channels/whatsapp.md): a linked-device session (the default: this gateway is a linked
device of a phone's WhatsApp, on neonize/whatsmeow) and the WhatsApp Business Cloud API
(``transport = "cloud"``: Graph API sends, a webhook on the gateway's HTTP listener).

This module is the manifest and stays light: it imports neither neonize nor httpx, so the config
is validated before they load; they load when the first account's adapter is built.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from openclaw_gateway.api import ChannelSpec, ConfigSection, HttpRoute, MethodSpec, hookimpl

from .config import WEBHOOK_PATH, WhatsAppAccount, WhatsAppConfig

if TYPE_CHECKING:
    from openclaw_gateway.api import ChannelAdapter, ChannelContext, HttpRequest, HttpResponse

__version__ = "0.1.0"
__all__ = ["SECTION", "WhatsAppAccount", "WhatsAppConfig", "make_adapter"]

SECTION = "whatsapp"


def make_adapter(ctx: ChannelContext, **options: Any) -> ChannelAdapter:
    """The adapter for one configured account (``ctx.config`` is its :class:`WhatsAppAccount`)."""
    assert isinstance(ctx.config, WhatsAppAccount)
    if ctx.config.transport == "cloud":
        from .cloud import CloudAdapter

        return CloudAdapter(ctx, **options)
    from .linked import LinkedAdapter

    return LinkedAdapter(ctx, **options)


async def _webhook(request: HttpRequest) -> HttpResponse:
    from . import webhook

    return await webhook.handle(request)


@hookimpl
def register_config(register: Callable[[ConfigSection], None]) -> None:
    register(ConfigSection(name=SECTION, model=WhatsAppConfig, required=True))


@hookimpl
def register_channels(register: Callable[[ChannelSpec], None]) -> None:
    register(ChannelSpec(name=SECTION, factory=make_adapter, label="WhatsApp"))


@hookimpl
def register_methods(register: Callable[[MethodSpec], None]) -> None:
    from .methods import (
        LoginStartParams,
        LoginStartResult,
        LoginWaitParams,
        LoginWaitResult,
        PairCodeParams,
        PairCodeResult,
        login_start,
        login_wait,
        pair_code,
    )

    admin = "operator.admin"
    register(
        MethodSpec(
            "web.login.start",
            login_start,
            params=LoginStartParams,
            result=LoginStartResult,
            scope=admin,
            background=True,
            description="start linking WhatsApp: the first QR code as a PNG data URL",
        )
    )
    register(
        MethodSpec(
            "web.login.wait",
            login_wait,
            params=LoginWaitParams,
            result=LoginWaitResult,
            scope=admin,
            background=True,
            description="wait for WhatsApp linking to finish (or for the next QR code)",
        )
    )
    register(
        MethodSpec(
            "whatsapp.login.pairCode",
            pair_code,
            params=PairCodeParams,
            result=PairCodeResult,
            scope=admin,
            background=True,
            description="link WhatsApp by phone number: the code to type on that phone",
        )
    )


@hookimpl
def register_http_routes(register: Callable[[HttpRoute], None]) -> None:
    # The Cloud API webhook; a linked-device account receives over its own session instead.
    for path in (WEBHOOK_PATH, f"{WEBHOOK_PATH}/*"):
        register(
            HttpRoute(
                path=path,
                handler=_webhook,
                methods=("GET", "POST"),
                max_body=3 * 1024 * 1024,
                when=_cloud_wanted,
            )
        )


def _cloud_wanted(configs: Mapping[str, BaseModel]) -> bool:
    """Only a Cloud API account needs the HTTP listener."""
    config = configs.get(SECTION)
    return isinstance(config, WhatsAppConfig) and any(
        account.transport == "cloud" for account in config.accounts.values()
    )
