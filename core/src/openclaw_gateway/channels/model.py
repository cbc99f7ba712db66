"""The normalised inbound and outbound message models every surface maps to and from."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

AttachmentKind = Literal["image", "document", "audio", "video", "sticker", "other"]


class Attachment(BaseModel):
    """Media on a message. Inbound: what the surface says about it (``file_id``/``url``); the
    bytes are fetched on demand by the adapter. Outbound: ``url`` or ``data`` to upload."""

    model_config = ConfigDict(extra="forbid")

    kind: AttachmentKind = "document"
    url: str | None = None
    file_id: str | None = None
    name: str | None = None
    mime: str | None = None
    size: int | None = None
    data: bytes | None = Field(default=None, repr=False)


class InboundMessage(BaseModel):
    """One message that reached us on some surface, in one shape for all of them."""

    model_config = ConfigDict(extra="forbid")

    channel: str
    account: str = "default"
    message_id: str
    chat_id: str
    is_group: bool = False
    thread_id: str | None = None
    sender_id: str
    sender_name: str | None = None
    text: str = ""
    mentions_bot: bool = False
    reply_to: str | None = None
    attachments: list[Attachment] = Field(default_factory=list)
    command: str | None = None
    """A bot command such as ``start`` or ``new`` (without the slash), if the surface has them;
    ``text`` then holds only the command's argument (``/start hello`` → ``"hello"``)."""
    ts_ms: int = 0


class OutboundMessage(BaseModel):
    """What the core asks an adapter to send: *plain* text (what the agent wrote; the adapter
    renders it in its surface's markup, escaping as needed), one chunk at most
    ``ChannelAdapter.text_limit`` long (the router chunks), optional thread/reply and media."""

    model_config = ConfigDict(extra="forbid")

    chat_id: str
    text: str = ""
    thread_id: str | None = None
    reply_to: str | None = None
    attachments: list[Attachment] = Field(default_factory=list)


class SendResult(BaseModel):
    message_id: str | None = None
