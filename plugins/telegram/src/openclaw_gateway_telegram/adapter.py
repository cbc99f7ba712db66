"""The Telegram adapter: python-telegram-bot's ``Bot`` with our own long-polling loop.

Why ``Bot`` and not PTB's ``Application``/``Updater``: the core owns dispatch, sessions and
retries, and we need to own the receive loop to get the failure behaviour right:

- ``409 Conflict`` (another poller, or a webhook set elsewhere) is *transient*: back off with
  jitter and keep polling, status ``reconnecting`` — never "send works but receive is dead";
- network errors, timeouts and 5xx: the same backoff; ``429`` sleeps exactly ``retry_after``;
- ``401``/``404`` on the token (``InvalidToken``): :class:`AuthError`, so the core stops retrying
  and shows why;
- a malformed update is skipped and counted, never fails its batch (PTB's ``get_updates`` parses
  the whole batch at once, so we fetch the raw JSON and parse each update on its own);
- the long poll has a watchdog (the read timeout is ``poll_timeout`` + a margin): a silently dead
  connection is noticed within seconds of the poll timeout (receive liveness).

The offset is confirmed only by the next ``getUpdates`` call, after every update of the batch was
handed to the core, so a crash or a dropped connection loses nothing; it is also stored per
account (``ctx.save_cursor``) and confirmed at shutdown, so a restart never answers an update twice.

Beside this module: ``inbound`` (updates → ``InboundMessage``), ``markup`` (text → Telegram HTML),
``errors`` (Telegram errors → the channel framework's), ``files`` (attachments in, capped
downloads, upload names), ``redaction`` (tokens out of logs), ``webhook`` (webhook mode's route),
``commands`` (``openclaw-gateway telegram …``).
"""

from __future__ import annotations

import random
import time
import warnings
from collections import Counter
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import anyio
from telegram import Bot, InputFile, Message, ReplyParameters, Update, User
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
)
from telegram.request import HTTPXRequest

from openclaw_gateway.api import (
    Attachment,
    AttachmentError,
    AuthError,
    Backoff,
    ChannelAdapter,
    ChannelContext,
    InboundMessage,
    OutboundMessage,
    PermanentSendError,
    SendResult,
    check_attachment_size,
)

from .config import TelegramAccount
from .errors import get_file_error, retry_after_seconds, send_error
from .files import (
    DownloadRequest,
    default_name,
    encoded_url,
    read_local,
)
from .inbound import Dropped, update_to_inbound
from .markup import telegram_html
from .redaction import install_redaction

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
ALLOWED_UPDATES = ("message",)
POLL_MARGIN = 10.0
"""Seconds the long poll may overrun ``poll_timeout`` before we call the connection dead."""

Sleep = Callable[[float], Awaitable[None]]

# PTB 22 warns, whenever it builds a RetryAfter, that ``retry_after`` will become a timedelta; we
# read both forms (retry_after_seconds), so the warning tells our users nothing.
warnings.filterwarnings("ignore", message=r".*`retry_after` will be of type")


# --- the adapter ----------------------------------------------------------------------------------


class TelegramAdapter(ChannelAdapter):
    """One bot account. Built by the core through ``ChannelSpec.factory(ctx)``."""

    text_limit = TEXT_LIMIT
    markup = "html"

    def __init__(
        self,
        ctx: ChannelContext,
        *,
        sleep: Sleep = anyio.sleep,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        if not isinstance(ctx.config, TelegramAccount):
            raise TypeError(f"expected a TelegramAccount config, got {type(ctx.config).__name__}")
        self.ctx = ctx
        self.config: TelegramAccount = ctx.config
        self.log = ctx.log
        self._sleep = sleep
        self._jitter = jitter
        install_redaction()
        token = self.config.token.get_secret_value()
        self._requests = (
            DownloadRequest(connection_pool_size=8, media_write_timeout=60.0),
            HTTPXRequest(connection_pool_size=1, read_timeout=POLL_MARGIN, connect_timeout=10.0),
        )
        self.bot = Bot(
            token,
            base_url=self.config.base_url,
            base_file_url=self.config.file_url,
            request=self._requests[0],
            get_updates_request=self._requests[1],
            local_mode=self.config.local_mode,
        )
        self.me: User | None = None
        self.offset: int | None = None
        self._confirmed: int | None = None  # the offset Telegram last heard from us
        self.webhook_live = False
        """True while in webhook mode with the webhook set: POSTs for this account are ours."""
        self.counters: Counter[str] = Counter()
        """``received``, ``receive-errors`` and ``dropped:<reason>`` (malformed, service-message,
        other-bot, unsupported, self, no-sender); also reported through ``ctx.count``."""
        self.last_poll_ok: float | None = None
        self.status: tuple[str, str | None] = ("starting", None)

    # -- status ---------------------------------------------------------------------------------

    def _status(self, state: str, detail: str | None = None) -> None:
        if (state, detail) != self.status:
            self.status = (state, detail)
            self.ctx.set_status(state, detail)

    def _count(self, key: str) -> None:
        self.counters[key] += 1
        self.ctx.count(key)  # beside the router's counters in channels.status

    def _drop(self, reason: str, detail: str = "") -> None:
        self._count(f"dropped:{reason}")
        self.log.info("telegram: dropped an update (%s)%s", reason, f": {detail}" if detail else "")

    # -- receiving ------------------------------------------------------------------------------

    async def run(self) -> None:
        """Poll (or, in webhook mode, register the webhook and wait) until cancelled."""
        self._status("connecting", None)
        await self._open()
        try:
            await self._connect()
            if self.config.mode == "webhook":
                await self._run_webhook()
            else:
                await self._poll_forever()
        finally:
            with anyio.CancelScope(shield=True):
                if self.config.mode == "polling":
                    await self._confirm_handled()
                for request in self._requests:
                    await request.shutdown()

    async def _open(self) -> None:
        """(Re)open the HTTP clients: a send may come after ``run`` ended (restart, shutdown)."""
        for request in self._requests:
            await request.initialize()

    async def _connect(self) -> None:
        """``getMe`` (learn our username for mention detection), retried like a poll."""
        failures = 0
        while True:
            try:
                self.me = await self.bot.get_me()
            except TelegramError as exc:
                failures += 1
                await self._on_receive_error(exc, failures)
            else:
                return

    async def _confirm_handled(self) -> None:
        """At shutdown: store where we are and tell Telegram (``getUpdates`` with the next offset
        confirms every update before it), so neither a restart nor another poller sees them
        again. Bounded: a dead network must not hold the shutdown."""
        if self.offset is None:
            return
        with anyio.move_on_after(3):
            await self.ctx.save_cursor(str(self.offset))
            if self.offset != self._confirmed:
                try:
                    await self.bot._post(
                        "getUpdates",
                        {"offset": self.offset, "timeout": 0, "limit": 1},
                        read_timeout=2,
                    )
                    self._confirmed = self.offset
                except TelegramError as exc:
                    self.log.info("telegram: could not confirm updates at shutdown: %s", exc)

    async def _poll_forever(self) -> None:
        stored = await self.ctx.load_cursor()
        if self.offset is None and stored is not None and stored.isdigit():
            self.offset = int(stored)  # resume after the last update handled before a restart
        failures = 0
        webhook_cleared = False
        while True:
            try:
                if not webhook_cleared:  # a leftover webhook makes every getUpdates a 409
                    await self.bot.delete_webhook(drop_pending_updates=False)
                    webhook_cleared = True
                    self._status("connected", f"@{self.me.username}" if self.me else None)
                batch = await self._get_updates()
            except TelegramError as exc:
                failures += 1
                await self._on_receive_error(exc, failures)
                continue
            failures = 0
            self.last_poll_ok = time.monotonic()
            self._status("connected", f"@{self.me.username}" if self.me else None)
            self._confirmed = self.offset  # asking with this offset confirmed what came before
            for raw in batch:
                await self.handle_raw_update(raw)
            if batch and self.offset is not None:
                await self.ctx.save_cursor(str(self.offset))

    async def _get_updates(self) -> list[Any]:
        """``getUpdates`` returning the raw JSON list (see the module docstring for why)."""
        timeout = self.config.poll_timeout
        data: dict[str, Any] = {
            "offset": self.offset,
            "timeout": timeout,
            "allowed_updates": list(ALLOWED_UPDATES),
        }
        with anyio.fail_after(timeout + 2 * POLL_MARGIN):  # belt and braces over httpx's timeout
            result = await self.bot._post(  # the same call get_updates makes, minus de_list
                "getUpdates", data, read_timeout=timeout + POLL_MARGIN
            )
        if not isinstance(result, list):
            raise NetworkError(f"getUpdates returned {type(result).__name__}, not a list")
        return result

    async def _on_receive_error(self, exc: TelegramError, failures: int) -> None:
        if isinstance(exc, InvalidToken):
            detail = (
                "Telegram rejected the bot token (401 Unauthorized): it was revoked or mistyped."
                " Get the current token from @BotFather (/token) and update"
                f" plugins.telegram.accounts.{self.ctx.account}.token"
            )
            self._status("auth-failed", detail)
            raise AuthError(detail) from None
        if isinstance(exc, RetryAfter):
            delay = retry_after_seconds(exc)
            self._status("reconnecting", f"429 Too Many Requests: retry after {delay:g}s")
        else:
            # Jittered 0.5x-1.5x: restarted bots spread apart instead of polling in step.
            policy = Backoff(self.config.backoff_initial, self.config.backoff_max, jitter=True)
            delay = policy.delay(failures, self._jitter)
            if isinstance(exc, Conflict):
                detail = f"409 Conflict: {exc.message} (another poller or a webhook for this bot?)"
            else:
                detail = f"{type(exc).__name__}: {exc.message}"
            self._status("reconnecting", detail)
        self._count("receive-errors")
        self.log.warning(
            "telegram[%s]: %s; retrying in %.1fs", self.ctx.account, self.status[1], delay
        )
        await self._sleep(delay)

    async def _run_webhook(self) -> None:

        assert self.config.webhook_url is not None and self.config.webhook_secret is not None
        failures = 0
        while True:
            try:
                await self.bot.set_webhook(
                    self.config.webhook_url,
                    secret_token=self.config.webhook_secret.get_secret_value(),
                    allowed_updates=list(ALLOWED_UPDATES),
                )
            except TelegramError as exc:
                failures += 1
                await self._on_receive_error(exc, failures)
            else:
                break
        self._status("connected", f"@{self.me.username} (webhook)" if self.me else "webhook")
        self.webhook_live = True  # webhook.handle now hands this account's updates to us
        try:
            await anyio.sleep_forever()
        finally:
            self.webhook_live = False

    async def handle_raw_update(self, raw: Any) -> None:
        """Parse one update (raw Bot API JSON) and deliver it; bad ones are counted, not raised."""
        update_id = raw.get("update_id") if isinstance(raw, dict) else None
        if isinstance(update_id, bool) or not isinstance(update_id, int):
            update_id = None
        try:
            if update_id is None:
                raise ValueError("no update_id")
            update = Update.de_json(raw, self.bot)
            message = self.to_inbound(update)
        except Exception as exc:  # anything Telegram (or a proxy) sends must not stop the loop
            self._drop("malformed", f"{type(exc).__name__}: {exc}")
            message = None
        if message is not None:
            self.counters["received"] += 1
            await self.ctx.deliver(message)  # raises: not confirmed, so fetched again
        if update_id is not None:
            self.offset = max(self.offset or 0, update_id + 1)

    # -- mapping --------------------------------------------------------------------------------

    def to_inbound(self, update: Update) -> InboundMessage | None:
        """Map one update to an :class:`InboundMessage`, or ``None`` (counted) to skip it."""
        mapped = update_to_inbound(
            update, me=self.me, account=self.ctx.account, allow_bots=self.config.allow_bots
        )
        if isinstance(mapped, Dropped):
            self._drop(mapped.reason, mapped.detail)
            return None
        return mapped

    # -- sending --------------------------------------------------------------------------------

    async def send(self, message: OutboundMessage) -> SendResult:
        chat_id = _chat_id(message.chat_id)
        await self._open()
        try:
            return await self._send(chat_id, message)
        except ChatMigrated as exc:  # a group became a supergroup: its id changed
            self.log.info("telegram: chat %s migrated to %s", chat_id, exc.new_chat_id)
            try:
                return await self._send(exc.new_chat_id, message)
            except TelegramError as again:
                raise send_error(again) from again
        except TelegramError as exc:
            raise send_error(exc) from exc

    async def _send(self, chat_id: int | str, message: OutboundMessage) -> SendResult:
        common: dict[str, Any] = {}
        if message.thread_id is not None:
            common["message_thread_id"] = int(message.thread_id)
        if message.reply_to is not None:
            common["reply_parameters"] = ReplyParameters(
                int(message.reply_to), allow_sending_without_reply=True
            )
        text = message.text
        first: Message | None = None
        media = list(message.attachments)
        caption = None
        if len(media) == 1 and text and len(text) <= CAPTION_LIMIT:
            caption, text = text, ""
        if text:
            first = await self._send_text(chat_id, text, common)
            common.pop("reply_parameters", None)  # the rest of the message follows the text
        for attachment in media:
            sent = await self._send_media(chat_id, attachment, caption, common)
            caption = None
            first = first or sent
            common.pop("reply_parameters", None)
        return SendResult(message_id=str(first.message_id) if first else None)

    async def _send_text(self, chat_id: int | str, text: str, common: dict[str, Any]) -> Message:
        try:
            return await self.bot.send_message(
                chat_id, telegram_html(text), parse_mode="HTML", **common
            )
        except BadRequest as exc:
            if "can't parse entities" not in exc.message.lower():
                raise
            # Unbalanced markup (e.g. a chunk cut inside a tag): the words matter more than
            # the bold, so send the text as it is.
            self.log.info("telegram: HTML rejected (%s); sending as plain text", exc.message)
            return await self.bot.send_message(chat_id, text, **common)

    async def _send_media(
        self,
        chat_id: int | str,
        attachment: Attachment,
        caption: str | None,
        common: dict[str, Any],
    ) -> Message:
        source: InputFile | str
        if attachment.data is not None:
            source = InputFile(
                attachment.data, filename=attachment.name or default_name(attachment)
            )
        elif attachment.url and attachment.url.startswith(("https://", "http://")):
            source = attachment.url  # Telegram's servers fetch it
        elif attachment.file_id and not any(c in attachment.file_id for c in "/\\:"):
            source = attachment.file_id
        else:
            # Never a bare string that could be a path: python-telegram-bot uploads any local
            # file it is given (the core hands adapters bytes for client-supplied media).
            raise PermanentSendError(
                "an outbound attachment needs data, an http(s) url or a Telegram file_id"
            )
        extra: dict[str, Any] = dict(common)
        if caption:
            extra.update(caption=telegram_html(caption), parse_mode="HTML")
        if attachment.kind == "image":
            return await self.bot.send_photo(chat_id, source, **extra)
        return await self.bot.send_document(chat_id, source, **extra)

    async def typing(self, chat_id: str, thread_id: str | None) -> None:
        await self._open()
        try:
            await self.bot.send_chat_action(
                _chat_id(chat_id),
                "typing",
                message_thread_id=int(thread_id) if thread_id is not None else None,
            )
        except TelegramError as exc:
            self.log.debug("telegram: typing failed: %s", exc)

    async def fetch_attachment(self, attachment: Attachment, *, max_bytes: int) -> bytes:
        """The bytes of an inbound attachment, at most ``max_bytes``: ``getFile`` (whose
        ``file_size`` is checked first), then the download, read only up to the limit. The cloud
        Bot API serves files up to 20 MB (a bigger one is refused at ``getFile``), a self-hosted
        server any size. Raises :class:`AttachmentError` when the file is too large, gone or
        refused, or Telegram cannot be reached."""
        if attachment.data is not None:
            check_attachment_size(len(attachment.data), max_bytes)
            return attachment.data
        if not attachment.file_id:
            raise AttachmentError("the attachment has no Telegram file_id")
        check_attachment_size(attachment.size, max_bytes)
        await self._open()
        try:
            file = await self.bot.get_file(attachment.file_id)
        except TelegramError as exc:
            raise AttachmentError(get_file_error(exc)) from exc
        check_attachment_size(file.file_size, max_bytes)
        if not file.file_path:
            raise AttachmentError("Telegram gave no file_path for the file")
        if self.config.local_mode and Path(file.file_path).is_absolute():
            return await anyio.to_thread.run_sync(read_local, Path(file.file_path), max_bytes)
        url = file.file_path  # getFile made it the full …/file/bot<token>/<path> URL
        request = self._requests[0]
        assert isinstance(request, DownloadRequest)
        return await request.download(encoded_url(url), max_bytes=max_bytes)

    async def probe(self) -> dict[str, Any]:
        info: dict[str, Any] = {
            "mode": self.config.mode,
            "state": self.status[0],
            "detail": self.status[1],
            "counters": dict(self.counters),
            "last_poll_age_s": (
                round(time.monotonic() - self.last_poll_ok, 1) if self.last_poll_ok else None
            ),
        }
        await self._open()
        try:
            me = await self.bot.get_me()
        except TelegramError as exc:
            info.update(ok=False, error=f"{type(exc).__name__}: {exc.message}")
            return info
        info.update(
            ok=True,
            id=me.id,
            username=me.username,
            can_join_groups=me.can_join_groups,
            # False means privacy mode is on: in groups the bot sees only commands, mentions
            # and replies to it (see docs/channels/telegram.md).
            can_read_all_group_messages=me.can_read_all_group_messages,
        )
        return info

    async def logout(self) -> None:
        """Bot tokens have no login session; revoke a token with @BotFather."""


# --- helpers --------------------------------------------------------------------------------------


def _chat_id(value: str) -> int | str:
    try:
        return int(value)
    except ValueError:
        return value  # "@channelusername"
