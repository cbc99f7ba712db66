"""``imsg rpc`` message notifications → :class:`InboundMessage`, and our chat ids → send targets.

Ids: a person is their handle — a phone number or an Apple ID email, as Messages shows it. A group
chat is its GUID (``iMessage;+;chat…``) when imsg reports one, else ``chat:<rowid>``; a direct chat
is the sender's handle.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from openclaw_gateway.api import Attachment, AttachmentKind, InboundMessage

CHAT_PREFIX = "chat:"


@dataclass(frozen=True)
class Skipped:
    reason: str


def target_params(chat_id: str) -> dict[str, Any]:
    """``send``/``typing``/``read`` params for one of our chat ids."""
    if chat_id.startswith(CHAT_PREFIX) and chat_id[len(CHAT_PREFIX) :].isdigit():
        return {"chat_id": int(chat_id[len(CHAT_PREFIX) :])}
    if ";+;" in chat_id:
        return {"chat_guid": chat_id}
    return {"to": chat_id}


def _kind(mime: str | None) -> AttachmentKind:
    major = (mime or "").split("/", 1)[0]
    return {"image": "image", "audio": "audio", "video": "video"}.get(major, "document")  # type: ignore[return-value]


def _ts_ms(value: Any) -> int:
    if isinstance(value, str):
        try:
            return int(datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp() * 1000)
        except ValueError:
            return 0
    return 0


def to_inbound(
    message: dict[str, Any], *, account: str, mention_names: list[str]
) -> InboundMessage | Skipped:
    if message.get("is_from_me"):
        return Skipped("skipped:self")  # what this Mac's account sent (the bot's replies included)
    if message.get("is_reaction"):
        return Skipped("skipped:reaction")
    sender, rowid, guid = message.get("sender"), message.get("id"), message.get("guid")
    if not isinstance(sender, str) or not sender or not isinstance(rowid, int):
        return Skipped("skipped:malformed")
    text = str(message.get("text") or "")
    attachments = []
    for att in message.get("attachments") or ():
        if not isinstance(att, dict) or att.get("missing"):
            continue
        mime = att.get("mime_type") if isinstance(att.get("mime_type"), str) else None
        size = att.get("total_bytes") if isinstance(att.get("total_bytes"), int) else None
        name = att.get("transfer_name") or att.get("filename")
        attachments.append(
            Attachment(
                kind=_kind(mime),
                file_id=f"{rowid}:{att.get('filename')}",
                name=str(name).rsplit("/", 1)[-1] if name else None,
                mime=mime,
                size=size,
            )
        )
    text = text.replace("\ufffc", "").strip()  # the attachment placeholder character
    if not text and not attachments:
        return Skipped("skipped:empty")
    is_group = bool(message.get("is_group"))
    chat_guid = message.get("chat_guid")
    if is_group:
        chat = (
            chat_guid
            if isinstance(chat_guid, str) and chat_guid
            else f"{CHAT_PREFIX}{message.get('chat_id')}"
        )
    else:
        chat = sender
    lowered = text.lower()
    return InboundMessage(
        channel="imessage",
        account=account,
        message_id=guid if isinstance(guid, str) and guid else str(rowid),
        chat_id=chat,
        is_group=is_group,
        sender_id=sender,
        sender_name=None,
        text=text,
        mentions_bot=any(name in lowered for name in mention_names),
        reply_to=message.get("reply_to_guid")
        if isinstance(message.get("reply_to_guid"), str)
        else None,
        attachments=attachments,
        ts_ms=_ts_ms(message.get("created_at")),
    )
