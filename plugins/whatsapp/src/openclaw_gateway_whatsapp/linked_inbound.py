"""neonize's message events (whatsmeow's ``events.Message`` as protobuf) → :class:`InboundMessage`,
and our chat ids ↔ WhatsApp JIDs.

Ids: a person is their E.164 number (``+15551234567``, what ``allow_from`` lists) when WhatsApp
names them by phone number; a privacy-addressed sender (``…@lid``) is named by the phone number
WhatsApp gives beside it (``SenderAlt``) when it does, else ``<id>@lid``. A group is its JID
(``120363…@g.us``, what ``groups`` lists).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from openclaw_gateway.api import Attachment, AttachmentKind, InboundMessage

if TYPE_CHECKING:
    from neonize.proto.Neonize_pb2 import JID
    from neonize.proto.Neonize_pb2 import Message as MessageEv

USER_SERVER = "s.whatsapp.net"
GROUP_SERVER = "g.us"
LID_SERVER = "lid"

MEDIA_FIELDS: dict[str, AttachmentKind] = {
    "imageMessage": "image",
    "documentMessage": "document",
    "audioMessage": "audio",
    "videoMessage": "video",
    "stickerMessage": "sticker",
}


@dataclass(frozen=True)
class Dropped:
    reason: str


def jid_id(jid: JID) -> str:
    """A JID as the id we show and store (see the module docstring)."""
    user, server = str(jid.User), str(jid.Server)
    return "+" + user if server == USER_SERVER else f"{user}@{server}"


def to_jid(chat_id: str) -> JID:
    """The JID to send to for one of our ids (``+1555…`` or ``…@g.us``/``…@lid``)."""
    from neonize.proto.Neonize_pb2 import JID

    if chat_id.startswith("+") and chat_id[1:].isdigit():
        return JID(User=chat_id[1:], Server=USER_SERVER, RawAgent=0, Device=0, Integrator=0)
    user, at, server = chat_id.partition("@")
    if not at or not user or server not in (GROUP_SERVER, LID_SERVER, USER_SERVER):
        raise ValueError(f"not a WhatsApp chat id: {chat_id!r}")
    return JID(User=user, Server=server, RawAgent=0, Device=0, Integrator=0)


def same_user(a: JID, b: JID) -> bool:
    """Two JIDs of one account (any of its devices)."""
    return bool(a.User) and a.User == b.User and a.Server == b.Server


def text_and_context(message: Any) -> tuple[str, Any | None]:
    """The text of a ``waE2E.Message`` (plain, extended, or a media caption) and its
    ``ContextInfo`` (quote, mentions) when it has one."""
    if message.conversation:
        return message.conversation, None
    if message.HasField("extendedTextMessage"):
        ext = message.extendedTextMessage
        return ext.text, ext.contextInfo if ext.HasField("contextInfo") else None
    for name in MEDIA_FIELDS:
        if message.HasField(name):
            media = getattr(message, name)
            caption = getattr(media, "caption", "")
            context = media.contextInfo if media.HasField("contextInfo") else None
            return caption, context
    return "", None


def media_of(message: Any, message_id: str) -> list[Attachment]:
    for name, kind in MEDIA_FIELDS.items():
        if message.HasField(name):
            media = getattr(message, name)
            voice = kind == "audio" and bool(getattr(media, "PTT", False))
            return [
                Attachment(
                    kind=kind,
                    file_id=message_id,  # fetched by message id: the adapter keeps the event
                    name=getattr(media, "fileName", None) or ("voice-note.ogg" if voice else None),
                    mime=media.mimetype or None,
                    size=media.fileLength or None,
                )
            ]
    return []


def to_inbound(
    event: MessageEv,
    *,
    account: str,
    me: JID | None,
    me_lid: JID | None,
    answer_own_devices: bool,
    sent_ids: set[str] | frozenset[str] = frozenset(),
) -> InboundMessage | Dropped:
    """One message event as an :class:`InboundMessage`, or why it is not one for the agent."""
    info = event.Info
    source = info.MessageSource
    if info.ID in sent_ids:
        return Dropped("self")  # what we sent, echoed back to this device: never an input
    if source.IsFromMe and not answer_own_devices:
        return Dropped("own-device")  # written on the phone (or another linked device)
    if source.Chat.Server == "broadcast" or source.Chat.User == "status":
        return Dropped("status")
    message = event.Message
    if message.HasField("reactionMessage") or message.HasField("protocolMessage"):
        return Dropped("unsupported")
    text, context = text_and_context(message)
    attachments = media_of(message, info.ID)
    if not text.strip() and not attachments:
        return Dropped("unsupported")
    sender = source.Sender
    if sender.Server == LID_SERVER and source.HasField("SenderAlt") and source.SenderAlt.User:
        sender = source.SenderAlt
    mentions_bot = False
    reply_to = None
    if context is not None:
        reply_to = context.stanzaID or None
        mine = [j for j in (me, me_lid) if j is not None and j.User]
        mentioned = {m.split("@", 1)[0].split(":", 1)[0] for m in context.mentionedJID}
        quoted_author = context.participant.split("@", 1)[0].split(":", 1)[0]
        mentions_bot = any(j.User in mentioned or j.User == quoted_author for j in mine)
    is_group = source.IsGroup or source.Chat.Server == GROUP_SERVER
    sender_id = jid_id(sender)
    return InboundMessage(
        channel="whatsapp",
        account=account,
        message_id=info.ID,
        chat_id=jid_id(source.Chat) if is_group else sender_id,
        is_group=is_group,
        sender_id=sender_id,
        sender_name=info.Pushname or None,
        text=text,
        mentions_bot=mentions_bot,
        reply_to=reply_to,
        attachments=attachments,
        ts_ms=int(info.Timestamp) * 1000 if info.Timestamp < 10**12 else int(info.Timestamp),
    )
