"""signal-cli receive envelopes → the channel framework's :class:`InboundMessage`.

An envelope (signal-cli's JSON) names the sender (``sourceNumber``, ``sourceUuid``,
``sourceName``) and carries one of: ``dataMessage`` (what someone sent: ``message``,
``groupInfo.groupId``, ``mentions``, ``quote``, ``attachments``), ``syncMessage`` (what *this*
account sent from another device — never answered), ``typingMessage``, ``receiptMessage``.
Ids: a person is their number when Signal shares it, else their ACI UUID; a group chat is
``group:<groupId>``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from openclaw_gateway.api import Attachment, AttachmentKind, InboundMessage

GROUP_PREFIX = "group:"


@dataclass(frozen=True)
class Skipped:
    reason: str


def kind_of(mime: str | None) -> AttachmentKind:
    major = (mime or "").split("/", 1)[0]
    return {"image": "image", "audio": "audio", "video": "video"}.get(major, "document")  # type: ignore[return-value]


def envelope_of(event: Any) -> tuple[dict[str, Any] | None, str | None]:
    """``(envelope, account)`` of one SSE event's data: the ``receive`` notification's params,
    whole or wrapped (``{"jsonrpc", "method": "receive", "params": …}``, or a subscription's
    ``{"result": …}``)."""
    if not isinstance(event, dict):
        return None, None
    if event.get("method") == "receive" and isinstance(event.get("params"), dict):
        event = event["params"]
    if isinstance(event.get("result"), dict):
        event = event["result"]
    envelope = event.get("envelope")
    account = event.get("account")
    return (envelope if isinstance(envelope, dict) else None), (
        account if isinstance(account, str) else None
    )


def to_inbound(
    envelope: dict[str, Any], *, account_name: str, bot_number: str, bot_uuid: str | None
) -> InboundMessage | Skipped:
    sender_number = envelope.get("sourceNumber") or (
        envelope.get("source") if str(envelope.get("source", "")).startswith("+") else None
    )
    sender_uuid = envelope.get("sourceUuid")
    sender = sender_number or sender_uuid
    if not isinstance(sender, str) or not sender:
        return Skipped("skipped:malformed")
    if "syncMessage" in envelope:
        return Skipped("skipped:own-device")  # sent by this account (the phone, another device)
    if sender == bot_number or (bot_uuid and sender_uuid == bot_uuid):
        return Skipped("skipped:self")
    data = envelope.get("dataMessage")
    if not isinstance(data, dict):
        kind = next(
            (k for k in ("typingMessage", "receiptMessage", "callMessage") if k in envelope), None
        )
        return Skipped(f"skipped:{kind or 'unsupported'}")
    if data.get("reaction") is not None or data.get("remoteDelete") is not None:
        return Skipped("skipped:unsupported")
    text = str(data.get("message") or "")
    attachments = []
    for att in data.get("attachments") or ():
        if isinstance(att, dict) and isinstance(att.get("id"), str):
            mime = att.get("contentType") if isinstance(att.get("contentType"), str) else None
            size = att.get("size") if isinstance(att.get("size"), int) else None
            name = att.get("filename") if isinstance(att.get("filename"), str) else None
            attachments.append(
                Attachment(kind=kind_of(mime), file_id=att["id"], name=name, mime=mime, size=size)
            )
    if not text.strip() and not attachments:
        return Skipped("skipped:empty")
    group = data.get("groupInfo") or data.get("groupV2")
    group_id = group.get("groupId") if isinstance(group, dict) else None
    mentions_bot = False
    for mention in data.get("mentions") or ():
        if isinstance(mention, dict) and (
            mention.get("number") == bot_number or (bot_uuid and mention.get("uuid") == bot_uuid)
        ):
            mentions_bot = True
    quote = data.get("quote")
    reply_to = None
    if isinstance(quote, dict):
        reply_to = str(quote.get("id")) if quote.get("id") is not None else None
        author = quote.get("authorNumber") or quote.get("author")
        if author == bot_number or (bot_uuid and quote.get("authorUuid") == bot_uuid):
            mentions_bot = True
    timestamp = data.get("timestamp") or envelope.get("timestamp")
    if not isinstance(timestamp, int):
        return Skipped("skipped:malformed")
    is_group = isinstance(group_id, str) and bool(group_id)
    return InboundMessage(
        channel="signal",
        account=account_name,
        # A Signal message is identified by its author and timestamp (what quotes and receipts use).
        message_id=f"{timestamp}:{sender}",
        chat_id=f"{GROUP_PREFIX}{group_id}" if is_group else sender,
        is_group=is_group,
        sender_id=sender,
        sender_name=envelope.get("sourceName")
        if isinstance(envelope.get("sourceName"), str)
        else None,
        text=text,
        mentions_bot=mentions_bot,
        reply_to=reply_to,
        attachments=attachments,
        ts_ms=timestamp,
    )
