"""Telegram for openclaw-gateway: one bot per ``[plugins.telegram.accounts.<name>]``.

This module registers the config section, the channel and the webhook route; it imports
python-telegram-bot (~0.6 s) only when the core builds an adapter, so ``plugins list`` and config
validation stay fast. See docs/channels/telegram.md.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from pydantic import BaseModel

from openclaw_gateway.api import ChannelSpec, ConfigSection, HttpRoute, hookimpl

from .config import TelegramAccount, TelegramConfig

if TYPE_CHECKING:
    import click

    from openclaw_gateway.api import ChannelContext, HttpRequest, HttpResponse

    from .adapter import TelegramAdapter

__version__ = "0.1.0"
__all__ = ["TelegramAccount", "TelegramConfig", "create_adapter"]

SECTION = "telegram"


def create_adapter(ctx: ChannelContext) -> TelegramAdapter:
    """``ChannelSpec.factory``: the adapter for one configured account."""
    from .adapter import TelegramAdapter

    return TelegramAdapter(ctx)


async def _webhook(request: HttpRequest) -> HttpResponse:
    from . import webhook

    return await webhook.handle(request)


@hookimpl
def register_config(register: Callable[[ConfigSection], None]) -> None:
    register(ConfigSection(name=SECTION, model=TelegramConfig, required=True))


@hookimpl
def register_channels(register: Callable[[ChannelSpec], None]) -> None:
    register(ChannelSpec(name=SECTION, factory=create_adapter, label="Telegram"))


def _webhook_wanted(configs: Mapping[str, BaseModel]) -> bool:
    """Only an account in webhook mode needs the HTTP listener; polling opens no port."""
    config = configs.get(SECTION)
    return isinstance(config, TelegramConfig) and any(
        account.mode == "webhook" for account in config.accounts.values()
    )


@hookimpl
def register_http_routes(register: Callable[[HttpRoute], None]) -> None:
    register(
        HttpRoute(
            path="/telegram/webhook/*",
            handler=_webhook,
            methods=("POST",),
            max_body=1024 * 1024,
            when=_webhook_wanted,
        )
    )


@hookimpl
def register_commands(cli: click.Group) -> None:
    from .commands import telegram

    cli.add_command(telegram)
