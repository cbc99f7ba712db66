"""The adapter contract a channel plugin implements, and the context the core gives it.

Lifecycle: the core builds one adapter per configured account with ``ChannelSpec.factory(ctx)``,
then runs ``await adapter.run()`` in a supervised task (a crash is retried with backoff and shown
in ``channels.status``). ``run`` receives messages (long polling, a socket…) and hands each to
``await ctx.deliver(message)``; it returns only when stopped. The core calls ``send``/``typing``
from other tasks.

Errors: raise :class:`TransientSendError` (optionally with ``retry_after``) for 429/5xx/network
failures — the core retries with backoff; raise :class:`PermanentSendError` for failures a retry
cannot fix (chat not found, bot blocked) — the core reports the message as undeliverable. Raise
:class:`AuthError` from ``run`` when the credentials are refused (revoked token): the core stops
retrying that account and shows the reason instead of hammering the service.
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from collections.abc import AsyncIterable, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel

from .model import Attachment, InboundMessage, OutboundMessage, SendResult

Markup = Literal["plain", "markdown", "html", "mrkdwn"]


class ChannelError(Exception):
    """Raised by adapters; see the subclasses."""


class TransientSendError(ChannelError):
    """Raised when a send may succeed later (rate limited, 5xx, network)."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class PermanentSendError(ChannelError):
    """Raised when a send cannot succeed (unknown chat, bot removed, message rejected)."""


class AuthError(ChannelError):
    """Raised when the service refuses the account's credentials."""


class AttachmentError(ChannelError):
    """Raised by ``fetch_attachment`` when the bytes cannot be had (gone, refused, too large).
    The core still answers the message and tells the agent the file could not be read."""


def check_attachment_size(declared: int | str | None, max_bytes: int) -> None:
    """Raise :class:`AttachmentError` when a surface *declares* a file larger than ``max_bytes``
    (check it before downloading; a missing or unreadable size passes, and the download itself
    must still stop at the limit)."""
    try:
        size = int(declared) if declared is not None else None
    except ValueError:
        size = None
    if size is not None and size > max_bytes:
        raise AttachmentError(f"the file is {size} bytes, over the {max_bytes}-byte limit")


async def read_capped(chunks: AsyncIterable[bytes], max_bytes: int) -> bytes:
    """A download's body, refused with :class:`AttachmentError` as soon as it passes
    ``max_bytes`` (a server may send more than it announced): never more than the limit in
    memory."""
    data = bytearray()
    async for chunk in chunks:
        data += chunk
        if len(data) > max_bytes:
            raise AttachmentError(f"the file is over the {max_bytes}-byte limit (stopped reading)")
    return bytes(data)


async def _no_cursor() -> str | None:
    return None


async def _ignore_cursor(cursor: str) -> None:
    return None


@dataclass
class ChannelContext:
    """What the core gives an adapter."""

    channel: str
    account: str
    config: BaseModel
    """The validated account config (the plugin's own model)."""
    log: logging.Logger
    deliver: Callable[[InboundMessage], Awaitable[None]]
    """Hand one inbound message to the core's router (returns once it is recorded, not answered)."""
    set_status: Callable[[str, str | None], None]
    """Report ``(state, detail)``, e.g. ``("connected", "@mybot")`` or ``("reconnecting", "429")``."""
    count: Callable[[str], None] = lambda reason: None
    """Count something the adapter dropped or noticed (``"skipped:malformed"``); shown in
    ``channels status`` beside the router's own counters."""
    load_cursor: Callable[[], Awaitable[str | None]] = _no_cursor
    """Where this account's receive stream was handled up to, as last saved (None: never)."""
    save_cursor: Callable[[str], Awaitable[None]] = _ignore_cursor
    """Persist that position (e.g. Telegram's next update id) so a restart resumes after it:
    nothing answered twice, nothing skipped."""
    data_dir: Path | None = None
    """A directory of this account's own, private to the gateway's user (0700): where a surface
    with a session (WhatsApp's linked device) keeps it. ``<state_dir>/channels/<channel>/<account>``;
    created on first use by the core; None only in tests that build a context by hand."""


class ChannelAdapter(ABC):
    """One account on one messaging surface. Subclass it: ``run`` and ``send`` are required, the
    rest have documented defaults (a surface without typing indicators, file downloads, a live
    probe or a login simply does not override them)."""

    text_limit: int = 4000
    """Longest text one message may carry on this surface (Telegram 4096, Discord 2000…)."""
    markup: Markup = "plain"

    @abstractmethod
    async def run(self) -> None:
        """Receive messages until cancelled; raise AuthError for refused credentials."""

    @abstractmethod
    async def send(self, message: OutboundMessage) -> SendResult:
        """Send one message (at most ``text_limit`` long); raise ``TransientSendError`` to have
        the core retry with backoff, ``PermanentSendError`` when it cannot succeed."""

    async def typing(self, chat_id: str, thread_id: str | None) -> None:
        """Show a typing indicator (best effort; errors are ignored by the core).
        Default: nothing (the surface has none)."""
        return None

    async def fetch_attachment(self, attachment: Attachment, *, max_bytes: int) -> bytes:
        """The bytes of an inbound attachment (Telegram ``getFile``, Slack ``url_private``, a
        Discord CDN URL…), at most ``max_bytes``: raise :class:`AttachmentError` when the file is
        larger (check the declared size first, then stop reading at the limit), gone or refused.
        Default: :class:`AttachmentError` — the agent then learns the file's name and kind only."""
        raise AttachmentError("this surface's plugin cannot download files")

    async def probe(self) -> dict[str, Any]:
        """A cheap live check for ``channels.status`` (e.g. getMe / auth.test).
        Default: ``{"ok": True}`` with no live check."""
        return {"ok": True, "live": False}

    async def logout(self) -> None:
        """Forget credentials/sessions where the surface has a login.
        Default: nothing (bot tokens have no session to forget)."""
        return None
