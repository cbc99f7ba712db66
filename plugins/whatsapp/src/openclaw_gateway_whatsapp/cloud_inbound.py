"""Cloud API webhook payloads → the channel framework's :class:`InboundMessage`.

A post carries ``entry[].changes[].value`` objects; a value names the receiving number
(``metadata.phone_number_id``) and holds ``messages`` (what users sent), ``contacts`` (their
profile names) and ``statuses`` (sent/delivered/read/failed of our own messages). Shapes:
https://developers.facebook.com/docs/whatsapp/cloud-api/webhooks/components
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from openclaw_gateway.api import Attachment, AttachmentKind, InboundMessage

MEDIA_KINDS: dict[str, AttachmentKind] = {
    "image": "image",
    "document": "document",
    "audio": "audio",
    "video": "video",
    "sticker": "sticker",
}


@dataclass(frozen=True)
class Skipped:
    """A message that is not one for the agent: the counter it goes to."""

    reason: str


def values_for(payload: Any, phone_number_id: str) -> Iterator[dict[str, Any]]:
    """The ``value`` objects of a webhook post addressed to ``phone_number_id``."""
    if not isinstance(payload, dict) or payload.get("object") != "whatsapp_business_account":
        return
    for entry in payload.get("entry") or ():
        if not isinstance(entry, dict):
            continue
        for change in entry.get("changes") or ():
            value = change.get("value") if isinstance(change, dict) else None
            if not isinstance(value, dict):
                continue
            metadata = value.get("metadata")
            if (
                isinstance(metadata, dict)
                and str(metadata.get("phone_number_id")) == phone_number_id
            ):
                yield value


def contact_names(value: dict[str, Any]) -> dict[str, str]:
    names = {}
    for contact in value.get("contacts") or ():
        if isinstance(contact, dict) and isinstance(contact.get("profile"), dict):
            name = contact["profile"].get("name")
            if isinstance(name, str) and contact.get("wa_id"):
                names[str(contact["wa_id"])] = name
    return names


def to_inbound(message: Any, *, account: str, names: dict[str, str]) -> InboundMessage | Skipped:
    """One ``messages[]`` object as an :class:`InboundMessage`, or why it is skipped."""
    if not isinstance(message, dict):
        return Skipped("skipped:malformed")
    sender, message_id = message.get("from"), message.get("id")
    kind = message.get("type")
    if not isinstance(sender, str) or not sender.isdigit() or not isinstance(message_id, str):
        return Skipped("skipped:malformed")
    text = ""
    attachments: list[Attachment] = []
    body = message.get(kind) if isinstance(kind, str) else None
    if kind == "text" and isinstance(body, dict):
        text = str(body.get("body") or "")
    elif kind in MEDIA_KINDS and isinstance(body, dict) and isinstance(body.get("id"), str):
        caption = body.get("caption")
        text = caption if isinstance(caption, str) else ""
        media_kind = MEDIA_KINDS[kind]
        attachments.append(
            Attachment(
                kind=media_kind,
                file_id=body["id"],
                name=body.get("filename") if isinstance(body.get("filename"), str) else None,
                mime=body.get("mime_type") if isinstance(body.get("mime_type"), str) else None,
            )
        )
    elif kind == "button" and isinstance(body, dict):
        text = str(body.get("text") or "")
    elif kind == "interactive" and isinstance(body, dict):
        reply = body.get("button_reply") or body.get("list_reply")
        text = str(reply.get("title") or "") if isinstance(reply, dict) else ""
    elif kind in ("reaction", "system", "unsupported", "order", "request_welcome"):
        return Skipped(f"skipped:{kind}")
    else:
        return Skipped(f"skipped:{kind or 'malformed'}")
    if not text.strip() and not attachments:
        return Skipped("skipped:empty")
    context = message.get("context")
    reply_to = context.get("id") if isinstance(context, dict) else None
    try:
        ts_ms = int(message.get("timestamp", 0)) * 1000
    except (TypeError, ValueError):
        ts_ms = 0
    return InboundMessage(
        channel="whatsapp",
        account=account,
        message_id=message_id,
        chat_id="+" + sender,
        sender_id="+" + sender,
        sender_name=names.get(sender),
        text=text,
        reply_to=reply_to if isinstance(reply_to, str) else None,
        attachments=attachments,
        ts_ms=ts_ms,
    )
