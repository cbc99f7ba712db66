"""discord.py's client with our seams: a per-client REST base and gateway URL."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any, Protocol

import aiohttp
import discord
import yarl
from discord.gateway import DiscordWebSocket
from discord.http import HTTPClient, Route
from discord.utils import MISSING

from .config import DiscordAccount
from .files import download

if TYPE_CHECKING:
    import logging

    from openclaw_gateway.api import ChannelContext


class Owner(Protocol):
    """What the client reports to (the adapter): status through ``ctx``, messages to ``enqueue``,
    unreadable dispatches to ``drop``."""

    ctx: ChannelContext
    log: logging.Logger

    def drop(self, reason: str) -> None: ...

    def enqueue(self, message: discord.Message) -> None: ...

    pass


def intents() -> discord.Intents:
    """Guild and DM messages with their content; nothing privileged besides Message Content."""
    value = discord.Intents.none()
    value.guilds = True
    value.guild_messages = True
    value.dm_messages = True
    value.message_content = True
    return value


class RoutedHTTP(HTTPClient):
    """discord.py's HTTP client pointed at ``api_base`` and ``gateway`` for this client only."""

    def __init__(self, loop: Any, *, api_base: str, **options: Any) -> None:
        super().__init__(loop, **options)
        self.api_base = api_base.rstrip("/")
        self.gateway: str | None = None

    async def request(self, route: Route, **kwargs: Any) -> Any:
        if self.api_base != Route.BASE and route.url.startswith(Route.BASE):
            route.url = self.api_base + route.url[len(Route.BASE) :]
        try:
            return await super().request(route, **kwargs)
        except asyncio.CancelledError:
            # discord.py releases its global rate-limit lock only after sleeping out the limit; a
            # send cancelled by its timeout during that sleep would leave every later request
            # waiting forever. Release it: at worst the next request meets one more 429.
            if self._global_over is not MISSING:
                self._global_over.set()
            raise

    async def download(self, url: str, *, max_bytes: int) -> bytes:
        """``get_from_cdn`` (the same session and proxy) that stops reading at ``max_bytes``:
        discord.py's own reads the whole body whatever its size. Raises AttachmentError."""
        session = getattr(self, "_HTTPClient__session", None)  # what get_from_cdn uses
        return await download(
            session if isinstance(session, aiohttp.ClientSession) else None,
            url,
            max_bytes=max_bytes,
            proxy=self.proxy,
            proxy_auth=self.proxy_auth,
        )

    async def ws_connect(self, url: str, *, compress: int = 0) -> aiohttp.ClientWebSocketResponse:
        # discord.py connects to its built-in gateway for IDENTIFY (resumes use READY's
        # resume_gateway_url): swap in the one GET /gateway/bot named, keeping v/encoding/compress.
        if self.gateway is not None and url.startswith(str(DiscordWebSocket.DEFAULT_GATEWAY)):
            url = str(yarl.URL(self.gateway).with_query(yarl.URL(url).query))
        return await super().ws_connect(url, compress=compress)


class Client(discord.Client):
    """A discord.py client that reports to the adapter and never lets a bad dispatch kill it."""

    def __init__(self, adapter: Owner, account: DiscordAccount) -> None:
        options: dict[str, Any] = {
            "max_messages": None,  # no message cache: replies carry the referenced message
            "chunk_guilds_at_startup": False,
            "member_cache_flags": discord.MemberCacheFlags.none(),
            "max_ratelimit_timeout": 30.0,  # longer waits raise RateLimited (→ retry later)
            "allowed_mentions": discord.AllowedMentions(
                everyone=False, roles=False, users=True, replied_user=True
            ),
        }
        # Voice is deliberately not installed ([voice] extra): don't warn about it at every start.
        discord.VoiceClient.warn_nacl = discord.VoiceClient.warn_dave = False
        super().__init__(intents=intents(), **options)
        http = RoutedHTTP(self.loop, api_base=account.api_base, max_ratelimit_timeout=30.0)
        self.http = http
        self._connection.http = http
        self.adapter = adapter
        parsers = self._connection.parsers
        for event, parser in list(parsers.items()):
            parsers[event] = self._guarded(event, parser)

    @property
    def routed_http(self) -> RoutedHTTP:
        assert isinstance(self.http, RoutedHTTP)
        return self.http

    def _guarded(self, event: str, parser: Any) -> Any:
        def parse(data: Any) -> None:
            try:
                parser(data)
            except Exception as exc:
                # discord.py would let this escape poll_event and end the connection loop.
                self.adapter.drop(f"malformed:{event}")
                self.adapter.log.warning(
                    "skipped a malformed %s dispatch (%s: %s)", event, type(exc).__name__, exc
                )

        return parse

    async def on_connect(self) -> None:
        self.adapter.ctx.set_status("connected", f"@{self.user}" if self.user else None)

    async def on_resumed(self) -> None:
        self.adapter.ctx.set_status("connected", f"@{self.user} (resumed)" if self.user else None)

    async def on_disconnect(self) -> None:
        if not self.is_closed():
            self.adapter.ctx.set_status("reconnecting", "gateway connection lost")

    async def on_message(self, message: discord.Message) -> None:
        self.adapter.enqueue(message)

    async def on_error(self, event_method: str, /, *args: Any, **kwargs: Any) -> None:
        self.adapter.log.exception("discord.py handler %s failed", event_method)
