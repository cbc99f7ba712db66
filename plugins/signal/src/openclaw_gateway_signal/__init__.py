"""openclaw-gateway-signal: Signal as a messaging surface of the gateway, through signal-cli's
JSON-RPC HTTP daemon — managed (the gateway runs and supervises it) or external.

This module is the manifest and stays light: it imports no HTTP client, so the config is
validated before httpx loads; it loads when the first account's adapter is built.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from openclaw_gateway.api import ChannelSpec, ConfigSection, hookimpl

from .config import SignalAccount, SignalConfig

if TYPE_CHECKING:
    import click

    from openclaw_gateway.api import ChannelContext

    from .adapter import SignalAdapter

__version__ = "0.1.0"
__all__ = ["SECTION", "SignalAccount", "SignalConfig", "make_adapter"]

SECTION = "signal"


def make_adapter(ctx: ChannelContext) -> SignalAdapter:
    from .adapter import SignalAdapter

    return SignalAdapter(ctx)


@hookimpl
def register_config(register: Callable[[ConfigSection], None]) -> None:
    register(ConfigSection(name=SECTION, model=SignalConfig, required=True))


@hookimpl
def register_channels(register: Callable[[ChannelSpec], None]) -> None:
    register(ChannelSpec(name=SECTION, factory=make_adapter, label="Signal"))


@hookimpl
def register_commands(cli: click.Group) -> None:
    from .commands import signal

    cli.add_command(signal)
