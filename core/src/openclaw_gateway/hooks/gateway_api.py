"""What a plugin sees of the running gateway: the :class:`GatewayAPI` protocol.

A leaf module (it imports only the config and the channel adapter base) so that every part of the
core that hands the gateway to a plugin can name the type without importing the gateway itself.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from pydantic import BaseModel

if TYPE_CHECKING:
    from ..channels.adapter import ChannelAdapter
    from ..config import GatewayConfig

M = TypeVar("M", bound=BaseModel)


class GatewayAPI(Protocol):
    """The running gateway as plugins see it (the supported subset of the core's ``Gateway``)."""

    @property
    def config(self) -> GatewayConfig:
        """The gateway's validated settings (read them; never change them)."""
        ...

    @property
    def port(self) -> int:
        """The WebSocket port it listens on (the real one when configured as 0)."""
        ...

    @property
    def plugin_report(self) -> dict[str, Any]:
        """What ``health``/``status`` say about plugins (``http`` holds the HTTP listener's port)."""
        ...

    def plugin_config(self, section: str, model: type[M]) -> M:
        """A plugin's validated config section, typed; raises ``LookupError`` when absent."""
        ...

    def channel_adapter(self, channel: str, account: str) -> ChannelAdapter | None:
        """The running adapter of ``channel``'s ``account`` on *this* gateway, or None: how a
        plugin's HTTP route (a webhook) finds the account it serves, with no global registry."""
        ...

    def broadcast(self, event: str, payload: Any) -> int:
        """Send a registered event to every socket allowed to see it; returns how many."""
        ...

    def spawn(self, fn: Callable[[], Awaitable[Any]]) -> None:
        """Run ``fn()`` in the gateway's task group (cancelled at shutdown)."""
        ...
