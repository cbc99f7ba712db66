"""Slack events → :class:`InboundMessage`, and text → Slack mrkdwn. Sans-I/O: plain data in and out,
shared by Socket Mode and the Events API and unit-testable without a socket.

Which events become messages:

- ``message`` events with no subtype, or the subtypes a person produces by writing
  (``file_share``, ``thread_broadcast``, ``me_message``). Every other subtype (``message_changed``,
  ``message_deleted``, ``channel_join``, ``bot_message`` …) is an edit or a notice, not a message.
- ``app_mention`` events (a mention in a channel the bot may not read in full).
- slash commands (``/new``, ``/reset`` … registered in the app manifest) → ``command``.
- never a message written by a bot (``bot_id`` set), ours included: two bots answering each other
  would loop forever.

``message_id`` is the message's ``ts``: unique within a channel and the same in the ``message`` and
the ``app_mention`` event Slack sends for one mention, so de-duplication collapses the pair.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from openclaw_gateway.api import Attachment, AttachmentKind, InboundMessage

PERSON_SUBTYPES = frozenset({None, "file_share", "thread_broadcast", "me_message"})
GROUP_CHANNEL_TYPES = frozenset({"channel", "group", "mpim"})


class MalformedEvent(ValueError):
    """Raised when an event lacks what every message event has (channel, ts, user)."""


@dataclass(frozen=True)
class Identity:
    """Who the bot is, from ``auth.test``."""

    user_id: str
    bot_id: str | None = None
    name: str | None = None
    team: str | None = None


def escape(text: str) -> str:
    """Escape the three characters Slack's mrkdwn reserves for control sequences (``<@U1>``,
    ``<!here>``, ``<url|label>``): the agent's text reaches people as written, never as a ping."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _kind(mime: str | None) -> AttachmentKind:
    major = (mime or "").partition("/")[0]
    if major in ("image", "audio", "video"):
        return major  # type: ignore[return-value]
    return "document"


def attachment(file: dict[str, Any]) -> Attachment:
    """A Slack file object → an :class:`Attachment`. ``url`` is ``url_private_download`` (else
    ``url_private``): fetching it needs the bot token (``Authorization: Bearer xoxb-…``) and the
    ``files:read`` scope. A file shared from another workspace may come with only its ``id``
    (``file_access: check_file_info``); the adapter then asks ``files.info`` for the URL."""
    mime = file.get("mimetype") or None
    size = file.get("size")
    url = file.get("url_private_download") or file.get("url_private")
    return Attachment(
        kind=_kind(mime),
        url=url if isinstance(url, str) and url else None,
        file_id=file.get("id"),
        name=file.get("name") or file.get("title"),
        mime=mime,
        size=size if isinstance(size, int) else None,
    )


def _ts_ms(ts: str) -> int:
    try:
        return int(float(ts) * 1000)
    except ValueError:
        return 0


def to_inbound(event: Any, *, channel: str, account: str, me: Identity) -> InboundMessage | None:
    """The message ``event`` carries, or ``None`` when it is not one we answer (an edit, a bot's
    own message, a notice). Raises :class:`MalformedEvent` for an event missing its basics."""
    if not isinstance(event, dict):
        raise MalformedEvent(f"event is a {type(event).__name__}, not an object")
    kind = event.get("type")
    if kind not in ("message", "app_mention"):
        return None
    if event.get("subtype") not in PERSON_SUBTYPES or event.get("bot_id"):
        return None
    user, chat_id, ts = event.get("user"), event.get("channel"), event.get("ts")
    if not (isinstance(user, str) and isinstance(chat_id, str) and isinstance(ts, str)):
        raise MalformedEvent(f"{kind} event without user/channel/ts")
    if user == me.user_id:
        return None
    raw = event.get("text")
    text = raw if isinstance(raw, str) else ""
    mention = f"<@{me.user_id}>"
    mentions_bot = kind == "app_mention" or mention in text
    text = re.sub(rf"\s*<@{re.escape(me.user_id)}(?:\|[^>]*)?>\s*", " ", text).strip()
    channel_type = event.get("channel_type")
    # app_mention events carry no channel_type: they only happen in channels. Without one, Slack's
    # id prefix tells: D… is a direct message.
    is_group = (
        channel_type in GROUP_CHANNEL_TYPES
        if isinstance(channel_type, str)
        else not chat_id.startswith("D")
    )
    thread_ts = event.get("thread_ts")
    profile = event.get("user_profile")
    name = None
    if isinstance(profile, dict):
        name = profile.get("display_name") or profile.get("real_name") or profile.get("name")
    files = event.get("files")
    attachments = (
        [attachment(f) for f in files if isinstance(f, dict)] if isinstance(files, list) else []
    )
    if not text.strip() and not attachments:
        return None  # empty, whitespace or no text at all (nor a file): nothing to answer
    return InboundMessage(
        channel=channel,
        account=account,
        message_id=ts,
        chat_id=chat_id,
        is_group=is_group,
        thread_id=thread_ts if isinstance(thread_ts, str) else None,
        sender_id=user,
        sender_name=name or None,
        text=unescape(text),
        mentions_bot=mentions_bot,
        attachments=attachments,
        ts_ms=_ts_ms(ts),
    )


def command_to_inbound(payload: Any, *, channel: str, account: str) -> InboundMessage | None:
    """A slash command payload (``/new`` in the message box) → a message with ``command`` set;
    ``None`` for one without its basics. ``message_id`` is the command's ``trigger_id``."""
    if not isinstance(payload, dict):
        raise MalformedEvent(f"slash command payload is a {type(payload).__name__}")
    command, user, chat_id = (
        payload.get("command"),
        payload.get("user_id"),
        payload.get("channel_id"),
    )
    trigger = payload.get("trigger_id")
    if not all(isinstance(v, str) and v for v in (command, user, chat_id, trigger)):
        raise MalformedEvent("slash command without command/user_id/channel_id/trigger_id")
    assert isinstance(command, str) and isinstance(user, str) and isinstance(chat_id, str)
    text = payload.get("text")
    name = payload.get("user_name")
    return InboundMessage(
        channel=channel,
        account=account,
        message_id=str(trigger),
        chat_id=chat_id,
        is_group=not chat_id.startswith("D"),
        sender_id=user,
        sender_name=name if isinstance(name, str) and name else None,
        text=unescape(text) if isinstance(text, str) else "",
        command=command.lstrip("/").lower(),
    )
