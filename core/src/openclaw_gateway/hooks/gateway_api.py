"""What a plugin sees of the running gateway: the :class:`GatewayAPI` protocol.

A leaf module (it imports only the config and the channel adapter base) so that every part of the
core that hands the gateway to a plugin can name the type without importing the gateway itself.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol, TypeVar

from pydantic import BaseModel

if TYPE_CHECKING:
    from ..channels.adapter import ChannelAdapter
    from ..config import GatewayConfig
    from ..server.stats import GatewayMetrics

M = TypeVar("M", bound=BaseModel)


class AgentReply(NamedTuple):
    """How one agent turn asked through :meth:`GatewayAPI.ask_agent` ended."""

    run_id: str
    session_key: str
    status: str  # ok | error | aborted | timeout
    text: str
    error: str | None = None


class BearerCheck(NamedTuple):
    """The answer of :meth:`GatewayAPI.check_bearer`: ``ok``, or refused — and while the client
    is locked out by the auth rate limit, ``retry_after_s``."""

    ok: bool
    retry_after_s: int | None = None


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

    async def ask_agent(
        self,
        message: str,
        *,
        session_key: str,
        on_delta: Callable[[str], None] | None = None,
        timeout_s: float | None = None,
        images: Sequence[tuple[bytes, str]] = (),
    ) -> AgentReply:
        """Run one agent turn in ``session_key`` (the session continues across calls) and wait
        for its end; ``on_delta`` gets each piece of text as it streams; ``images`` are
        ``(bytes, mime)`` pairs shown to the model (``ValueError`` when one is refused).
        Everything an ``agent`` call does happens: the transcript, ``agent``/``chat`` events,
        tools."""
        ...

    def check_bearer(self, authorization: str | None, client: str) -> BearerCheck:
        """Whether an HTTP ``Authorization`` header carries the gateway's shared secret
        (``Bearer <token or password>``: full operator access), counted against the auth rate
        limit of ``client`` (its address). HTTP routes call :func:`require_operator`."""
        ...

    def metrics(self) -> GatewayMetrics:
        """What the gateway counts (connections, requests by method and outcome with latency
        histograms, agent runs, channel messages, service restarts, event-loop lag), copied."""
        ...
