"""openclaw-gateway-discord: a Discord bot account as a messaging surface.

This module is the manifest and stays light: the config model and the hooks. ``discord.py`` (and
aiohttp under it) is imported only when the core starts an account and calls the factory, so a
gateway with the plugin installed but not configured never loads it.

```toml
[plugins.discord]
dm_policy = "pairing"            # strangers get a pairing code; `openclaw-gateway pairing approve`
groups = ["1234567890"]          # guild channel ids the bot answers in (threads follow their parent)
require_mention = true           # in guild channels, answer only when @mentioned or replied to

[plugins.discord.accounts.default]
token = "MTA…"                   # or OPENCLAW_GATEWAY_PLUGINS__DISCORD__ACCOUNTS__DEFAULT__TOKEN
```
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import TYPE_CHECKING

from openclaw_gateway.api import ChannelSpec, ConfigSection, hookimpl

from .config import DEFAULT_API_BASE, DiscordAccount, DiscordConfig

if TYPE_CHECKING:
    from openclaw_gateway.api import ChannelContext

    from .adapter import DiscordAdapter

__all__ = ["DEFAULT_API_BASE", "DiscordAccount", "DiscordConfig", "make_adapter"]

CHANNEL = "discord"


def make_adapter(ctx: ChannelContext) -> DiscordAdapter:
    """Build the adapter for one account (imports discord.py)."""
    with warnings.catch_warnings():
        # discord.py imports the stdlib audioop for voice we do not use (deprecated in 3.11+).
        warnings.filterwarnings("ignore", "'audioop' is deprecated", DeprecationWarning)
        from .adapter import DiscordAdapter

    return DiscordAdapter(ctx)


@hookimpl
def register_config(register: Callable[[ConfigSection], None]) -> None:
    register(ConfigSection(name=CHANNEL, model=DiscordConfig, required=True))


@hookimpl
def register_channels(register: Callable[[ChannelSpec], None]) -> None:
    register(ChannelSpec(name=CHANNEL, factory=make_adapter, label="Discord"))
