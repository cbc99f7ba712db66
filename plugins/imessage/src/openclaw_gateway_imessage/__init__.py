"""openclaw-gateway-imessage: iMessage as a messaging surface of the gateway, through the
``imsg rpc`` bridge on a Mac (locally, or over SSH with a wrapper as ``cli_path``).

The manifest imports nothing heavy; the adapter (anyio subprocesses only) loads with the account.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from openclaw_gateway.api import ChannelSpec, ConfigSection, hookimpl

from .config import IMessageAccount, IMessageConfig

if TYPE_CHECKING:
    from openclaw_gateway.api import ChannelContext

    from .adapter import IMessageAdapter

__version__ = "0.1.0"
__all__ = ["SECTION", "IMessageAccount", "IMessageConfig", "make_adapter"]

SECTION = "imessage"


def make_adapter(ctx: ChannelContext) -> IMessageAdapter:
    from .adapter import IMessageAdapter

    return IMessageAdapter(ctx)


@hookimpl
def register_config(register: Callable[[ConfigSection], None]) -> None:
    register(ConfigSection(name=SECTION, model=IMessageConfig, required=True))


@hookimpl
def register_channels(register: Callable[[ChannelSpec], None]) -> None:
    register(ChannelSpec(name=SECTION, factory=make_adapter, label="iMessage"))
