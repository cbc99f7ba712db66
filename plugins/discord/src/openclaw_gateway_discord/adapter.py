"""The Discord adapter: discord.py's gateway client mapped onto the core's channel contract.

discord.py does the gateway work — HELLO/IDENTIFY/heartbeats, RESUME after a dropped socket, a new
IDENTIFY after INVALID_SESSION, per-bucket REST rate limits — and this module maps what it sees:

- inbound: ``MESSAGE_CREATE`` → :class:`InboundMessage`. DMs (``chat_id`` = the DM channel id),
  guild channels (``is_group``; ``mentions_bot`` when the bot is @mentioned or replied to) and
  threads (``chat_id`` = the parent channel, ``thread_id`` = the thread). The bot's own messages,
  other bots, webhooks and system messages are skipped and counted (``probe()["dropped"]``).
- attachments: ``fetch_attachment`` downloads an inbound file from its CDN ``url`` (signed, no
  token needed) on discord.py's own HTTP session and proxy, reading at most the core's limit.
- outbound: ``send`` posts to the thread or channel (``user:<id>`` opens a DM first), with a
  ``message_reference`` for replies and uploaded files; errors become
  :class:`TransientSendError` (429, 5xx, network, a send slower than ``send_timeout``) or
  :class:`PermanentSendError` (403, 404, other 4xx).
- status: ``connecting`` → ``connected`` (READY or RESUMED) → ``reconnecting`` when the socket drops.
  A refused token (401 at login, close code 4004) and a missing Message Content intent (4014) raise
  :class:`AuthError` from :meth:`DiscordAdapter.run`.

Seams for a local fake: the REST base (``api_base``) is applied per client by rewriting each
route's URL, and the gateway URL comes from ``GET /gateway/bot`` at that base (or ``gateway_url``),
so nothing process-wide (``Route.BASE``, ``DiscordWebSocket.DEFAULT_GATEWAY``) is patched.

Beside this module: ``client`` (discord.py's client with those seams), ``errors`` (discord.py
errors → the channel framework's), ``files`` (attachments in, capped CDN downloads).
"""

from __future__ import annotations

import io
import math
import re
from collections import Counter, OrderedDict
from typing import TYPE_CHECKING, Any

import aiohttp
import anyio
import discord
from discord.http import Route

from openclaw_gateway.api import (
    Attachment,
    AttachmentError,
    AuthError,
    ChannelAdapter,
    ChannelContext,
    InboundMessage,
    Markup,
    OutboundMessage,
    PermanentSendError,
    SendResult,
    TransientSendError,
    check_attachment_size,
)

from .client import Client
from .config import DiscordAccount
from .errors import AUTH_HINTS, deadline, describe, mapped_errors
from .files import download, inbound_attachment

if TYPE_CHECKING:
    from anyio.streams.memory import MemoryObjectReceiveStream, MemoryObjectSendStream

TEXT_LIMIT = 2000
MAX_FILES = 10
"""Discord accepts at most 10 files per message; more are sent in follow-up messages."""
INBOX_SIZE = 1000
"""Messages received but not yet handed to the core; past that new ones are dropped (counted)."""
CHANNEL_CACHE = 1024
COMMANDS = frozenset({"new", "reset"})
_COMMAND = re.compile(r"^/([a-z]+)\b\s*", re.IGNORECASE)
_USER_MENTION = re.compile(r"<@!?(\d+)>")


def _own_role_id(m: discord.Message) -> int | None:
    """The id of the managed role Discord gave this bot in the message's guild: many clients
    autocomplete "@botname" to it, so mentioning it addresses the bot as much as a user mention."""
    role = m.guild.self_role if m.guild is not None else None
    return role.id if role is not None else None


_TARGET = re.compile(r"^(?:(channel|user):)?(\d{1,20})$|^<@!?(\d{1,20})>$")


class DiscordAdapter(ChannelAdapter):
    """One Discord bot account (see the module docstring)."""

    text_limit: int = TEXT_LIMIT
    markup: Markup = "markdown"

    def __init__(self, ctx: ChannelContext) -> None:
        if not isinstance(ctx.config, DiscordAccount):
            raise TypeError(f"expected a DiscordAccount config, got {type(ctx.config).__name__}")
        self.ctx = ctx
        self.account: DiscordAccount = ctx.config
        self.log = ctx.log
        self.dropped: Counter[str] = Counter()
        self._client: Client | None = None
        self._inbox: MemoryObjectSendStream[discord.Message] | None = None
        self._parents: OrderedDict[int, int | None] = OrderedDict()
        """Channel id → parent channel id for threads, None for other channels (REST lookups)."""

    # --- receiving ----------------------------------------------------------------------------

    async def run(self) -> None:
        client = Client(self, self.account)
        self._client = client
        send, receive = anyio.create_memory_object_stream[discord.Message](INBOX_SIZE)
        self._inbox = send
        error: Exception | None = None
        try:
            async with anyio.create_task_group() as tg:
                tg.start_soon(self._pump, receive)
                try:
                    await self._connect(client)
                except Exception as exc:  # re-raised below, outside the task group
                    error = exc
                tg.cancel_scope.cancel()
        finally:
            self._inbox = None
            send.close()
            with anyio.move_on_after(5, shield=True):
                await client.close()
        if error is not None:
            raise error

    async def _connect(self, client: Client) -> None:
        self.ctx.set_status("connecting", None)
        try:
            await client.login(self.account.token.get_secret_value())
        except discord.LoginFailure as exc:
            raise AuthError("Discord refused the bot token (401 at login)") from exc
        await self._resolve_gateway(client)
        try:
            await client.connect(reconnect=True)
        except discord.PrivilegedIntentsRequired as exc:
            raise AuthError(AUTH_HINTS[4014]) from exc
        except discord.ConnectionClosed as exc:
            if exc.code in AUTH_HINTS:
                raise AuthError(AUTH_HINTS[exc.code]) from exc
            raise

    async def _resolve_gateway(self, client: Client) -> None:
        http = client.routed_http
        if self.account.gateway_url is not None:
            http.gateway = self.account.gateway_url
            return
        try:
            _shards, url, limits = await http.get_bot_gateway()
        except discord.GatewayNotFound:
            self.log.warning("GET /gateway/bot failed; using discord.py's default gateway")
            return
        http.gateway = url
        if limits.get("remaining", 1) == 0:
            # Discord resets the token of a bot that keeps identifying past its daily limit.
            wait = limits.get("reset_after", 0) / 1000
            self.ctx.set_status(
                "waiting", f"daily identify limit reached; retrying in {wait:.0f} s"
            )
            await anyio.sleep(wait)

    def drop(self, reason: str) -> None:
        self.dropped[reason] += 1

    def enqueue(self, message: discord.Message) -> None:
        """Called by discord.py for every message, in gateway order (no await before the put)."""
        if self._inbox is None:
            return
        try:
            self._inbox.send_nowait(message)
        except anyio.WouldBlock:
            self.drop("backlog")
            self.log.warning("dropped message %s: %d messages waiting", message.id, INBOX_SIZE)
        except (anyio.ClosedResourceError, anyio.BrokenResourceError):
            pass

    async def _pump(self, receive: MemoryObjectReceiveStream[discord.Message]) -> None:
        async with receive:
            async for message in receive:
                try:
                    inbound = await self._inbound(message)
                    if inbound is not None:
                        await self.ctx.deliver(inbound)
                except Exception:
                    self.drop("internal-error")
                    self.log.exception("handling Discord message %s failed", message.id)

    async def _inbound(self, m: discord.Message) -> InboundMessage | None:
        client = self._client
        me = client.user if client is not None else None
        if me is None:
            self.drop("not-ready")
            return None
        if m.author.id == me.id:
            self.drop("own-message")
            return None
        if m.author.bot or m.webhook_id is not None:
            self.drop("bot")
            return None
        if m.type not in (discord.MessageType.default, discord.MessageType.reply):
            self.drop("system-message")
            return None

        is_dm = isinstance(m.channel, discord.DMChannel)
        chat_id, thread_id = str(m.channel.id), None
        if not is_dm:
            parent = await self._parent_of(m.channel)
            if parent is not None:
                chat_id, thread_id = str(parent), str(m.channel.id)

        replied = m.reference.resolved if m.reference is not None else None
        replies_to_bot = isinstance(replied, discord.Message) and replied.author.id == me.id
        own_role = _own_role_id(m)
        mentions_bot = (
            any(u.id == me.id for u in m.mentions)
            or (own_role is not None and own_role in m.raw_role_mentions)
            or replies_to_bot
        )

        text = _USER_MENTION.sub(
            lambda match: "" if int(match.group(1)) == me.id else self._name(m, match), m.content
        )
        if own_role is not None:
            text = text.replace(f"<@&{own_role}>", "")
        text = text.strip()
        command = None
        found = _COMMAND.match(text)
        if found and found.group(1).lower() in COMMANDS and (is_dm or mentions_bot):
            command, text = found.group(1).lower(), text[found.end() :]
        attachments = [inbound_attachment(a) for a in m.attachments]
        if not text and not attachments and command is None:
            self.drop("empty")
            return None
        return InboundMessage(
            channel=self.ctx.channel,
            account=self.ctx.account,
            message_id=str(m.id),
            chat_id=chat_id,
            is_group=not is_dm,
            thread_id=thread_id,
            sender_id=str(m.author.id),
            sender_name=m.author.display_name,
            text=text,
            mentions_bot=mentions_bot,
            reply_to=str(m.reference.message_id)
            if m.reference is not None and m.reference.message_id
            else None,
            attachments=attachments,
            command=command,
            ts_ms=int(m.created_at.timestamp() * 1000),
        )

    @staticmethod
    def _name(m: discord.Message, match: re.Match[str]) -> str:
        user_id = int(match.group(1))
        for user in m.mentions:
            if user.id == user_id:
                return f"@{user.display_name}"
        return match.group(0)

    async def _parent_of(self, channel: Any) -> int | None:
        """The parent channel id when ``channel`` is a thread (looked up over REST if uncached)."""
        if isinstance(channel, discord.Thread):
            return channel.parent_id
        if not isinstance(channel, discord.PartialMessageable):
            return None
        if channel.id in self._parents:
            self._parents.move_to_end(channel.id)
            return self._parents[channel.id]
        assert self._client is not None
        try:
            fetched = await self._client.fetch_channel(channel.id)
        except (discord.HTTPException, aiohttp.ClientError, OSError) as exc:
            self.log.warning("could not look up channel %s: %s", channel.id, exc)
            return None
        parent = fetched.parent_id if isinstance(fetched, discord.Thread) else None
        self._parents[channel.id] = parent
        while len(self._parents) > CHANNEL_CACHE:
            self._parents.popitem(last=False)
        return parent

    # --- sending ------------------------------------------------------------------------------

    def _ready_client(self) -> Client:
        client = self._client
        if client is None or client.user is None or client.is_closed():
            raise TransientSendError("the Discord account is not logged in yet")
        return client

    async def send(self, message: OutboundMessage) -> SendResult:
        client = self._ready_client()
        text = message.text
        files: list[discord.File] = []
        for att in message.attachments:
            if att.data is not None:
                files.append(discord.File(io.BytesIO(att.data), filename=att.name or "attachment"))
            elif att.url:
                text = f"{text}\n{att.url}".strip()  # Discord unfurls links
        if not text and not files:
            raise PermanentSendError("nothing to send: no text and no file")
        if len(text) > TEXT_LIMIT:
            raise PermanentSendError(f"text is {len(text)} characters; Discord allows {TEXT_LIMIT}")
        with mapped_errors():
            async with deadline(self.account.send_timeout):
                return await self._post(client, message, text, files)

    async def _post(
        self, client: Client, message: OutboundMessage, text: str, files: list[discord.File]
    ) -> SendResult:
        target = await self._target(client, message)
        extra: dict[str, Any] = {"files": files[:MAX_FILES]} if files else {}
        if message.reply_to:
            if not message.reply_to.isdigit():
                raise PermanentSendError(f"reply_to {message.reply_to!r} is not a message id")
            extra["reference"] = discord.MessageReference(
                message_id=int(message.reply_to), channel_id=target, fail_if_not_exists=False
            )
        channel = client.get_partial_messageable(target)
        first = await channel.send(text or None, **extra)
        for start in range(MAX_FILES, len(files), MAX_FILES):
            await channel.send(files=files[start : start + MAX_FILES])
        return SendResult(message_id=str(first.id))

    async def _target(self, client: Client, message: OutboundMessage) -> int:
        """The channel to post to: the thread, the channel, or a DM opened for ``user:<id>``."""
        raw = message.thread_id or message.chat_id
        found = _TARGET.match(raw.strip())
        if found is None:
            raise PermanentSendError(
                f"{raw!r} is not a Discord target (a channel id, channel:<id> or user:<id>)"
            )
        kind, number, mention = found.groups()
        if kind == "user" or mention:
            dm = await client.create_dm(discord.Object(id=int(number or mention)))
            return dm.id
        return int(number)

    async def typing(self, chat_id: str, thread_id: str | None) -> None:
        client = self._ready_client()
        with mapped_errors(), anyio.fail_after(10):
            target = await self._target(
                client, OutboundMessage(chat_id=chat_id, thread_id=thread_id)
            )
            await client.http.send_typing(target)

    async def fetch_attachment(self, attachment: Attachment, *, max_bytes: int) -> bytes:
        """The bytes of an inbound attachment from its CDN ``url``, at most ``max_bytes`` (the
        ``size`` Discord announced is checked first, then ``Content-Length``, then what arrives).
        Raises :class:`AttachmentError` when it is larger, gone (404: deleted, or a signed link
        past its expiry), refused, or the CDN cannot be reached."""
        if attachment.data is not None:
            check_attachment_size(len(attachment.data), max_bytes)
            return attachment.data
        check_attachment_size(attachment.size, max_bytes)
        if not attachment.url:
            raise AttachmentError("the Discord attachment has no URL")
        client = self._client
        if client is None:  # never started: the CDN needs no token, a plain session will do
            return await download(None, attachment.url, max_bytes=max_bytes)
        return await client.routed_http.download(attachment.url, max_bytes=max_bytes)

    # --- status -------------------------------------------------------------------------------

    async def probe(self) -> dict[str, Any]:
        client = self._client
        if client is None or client.user is None:
            return {"ok": False, "error": "not logged in", "dropped": dict(self.dropped)}
        try:
            async with deadline(10):
                me = await client.http.request(Route("GET", "/users/@me"))
        except (discord.HTTPException, aiohttp.ClientError, OSError, TimeoutError) as exc:
            return {"ok": False, "error": describe(exc), "dropped": dict(self.dropped)}
        latency = client.latency  # nan before the first heartbeat ACK
        return {
            "ok": True,
            "id": me["id"],
            "username": me["username"],
            "bot": me.get("bot", False),
            "gatewayConnected": client.ws is not None and client.ws.open,
            "latencyMs": None
            if math.isnan(latency) or math.isinf(latency)
            else round(latency * 1000),
            "guilds": len(client.guilds),
            "dropped": dict(self.dropped),
        }

    async def logout(self) -> None:
        """Bot tokens have no login session to forget; the token lives in config."""
