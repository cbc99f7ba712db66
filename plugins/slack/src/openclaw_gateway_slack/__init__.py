"""openclaw-gateway-slack: Slack as a messaging surface of the gateway.

Receives through Socket Mode (default: the gateway dials out, no public URL) or the Events API
(Slack POSTs to the gateway's HTTP listener), replies through the Web API. Configure it under
``[plugins.slack]`` (see :mod:`.config` and docs/channels/slack.md).

This module is the manifest and stays light: it imports no Slack SDK, so the config is validated
before slack-sdk and aiohttp load; they load when the first account's adapter is built.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from openclaw_gateway.api import ChannelSpec, ConfigSection, HttpRoute, hookimpl

from .config import SlackAccount, SlackConfig

if TYPE_CHECKING:
    from openclaw_gateway.api import ChannelContext, HttpRequest, HttpResponse

    from .adapter import SlackAdapter

__version__ = "0.1.0"
__all__ = ["SECTION", "SlackAccount", "SlackConfig", "make_adapter"]

SECTION = "slack"


def make_adapter(ctx: ChannelContext, **options: Any) -> SlackAdapter:
    """The adapter for one configured account (``ctx.config`` is its :class:`SlackAccount`)."""
    from .adapter import SlackAdapter

    return SlackAdapter(ctx, **options)


async def _events(request: HttpRequest) -> HttpResponse:
    from . import events_api

    return await events_api.handle(request)


@hookimpl
def register_config(register: Callable[[ConfigSection], None]) -> None:
    register(ConfigSection(name=SECTION, model=SlackConfig, required=True))


@hookimpl
def register_channels(register: Callable[[ChannelSpec], None]) -> None:
    register(ChannelSpec(name=SECTION, factory=make_adapter, label="Slack"))


@hookimpl
def register_http_routes(register: Callable[[HttpRoute], None]) -> None:
    # The Events API (mode = "events"); a Socket Mode account never receives anything here.
    for path in ("/slack/events", "/slack/events/*"):
        register(
            HttpRoute(
                path=path,
                handler=_events,
                methods=("POST",),
                max_body=1024 * 1024,
                when=_events_wanted,
            )
        )


def _events_wanted(configs: Mapping[str, BaseModel]) -> bool:
    """Only an Events API account needs the HTTP listener; Socket Mode opens no port."""
    config = configs.get(SECTION)
    return isinstance(config, SlackConfig) and any(
        account.mode == "events" for account in config.accounts.values()
    )
