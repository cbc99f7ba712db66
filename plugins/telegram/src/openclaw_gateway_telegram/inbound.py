"""Telegram updates → the channel framework's :class:`InboundMessage`: who sent it, whether it
addresses the bot (commands, @mentions, replies to the bot), its thread and attachments."""

from __future__ import annotations

from dataclasses import dataclass

from telegram import Update, User

from openclaw_gateway.api import InboundMessage

from .files import inbound_attachments


@dataclass(frozen=True)
class Dropped:
    """An update that is not a message for the agent: the counter it goes to, and why."""

    reason: str
    detail: str = ""


def update_to_inbound(
    update: Update, *, me: User | None, account: str, allow_bots: bool
) -> InboundMessage | Dropped:
    """Map one update to an :class:`InboundMessage`, or say why it is skipped."""
    message = update.message
    if message is None:
        return Dropped("unsupported", f"update {update.update_id} has no message")
    sender = message.from_user
    if sender is None:
        return Dropped("no-sender")
    if me is not None and sender.id == me.id:
        return Dropped("self")
    if sender.is_bot and not allow_bots:
        return Dropped("bot-sender")  # two bots answering each other never stop
    text = message.text or message.caption or ""
    entities = (
        message.parse_entities() if message.text is not None else message.parse_caption_entities()
    )
    attachments = inbound_attachments(message)
    if not text and not attachments:
        return Dropped("service-message")  # joins, pins, topic edits …: nothing to answer
    username = (me.username or "").lower() if me is not None else ""

    command: str | None = None
    mentions_bot = False
    for entity, value in entities.items():
        if entity.type == "bot_command" and entity.offset == 0:
            name, _, target = value[1:].partition("@")
            if target and target.lower() != username:
                return Dropped("other-bot", f"/{name} is addressed to @{target}")
            command = name.lower()
            mentions_bot = mentions_bot or bool(target)
            text = text[len(value) :].strip()  # the command's argument, as the router expects
        elif entity.type == "mention":
            mentions_bot = mentions_bot or (bool(username) and value[1:].lower() == username)
        elif entity.type == "text_mention" and me and entity.user and entity.user.id == me.id:
            mentions_bot = True
    reply = message.reply_to_message
    if reply is not None and me is not None and reply.from_user and reply.from_user.id == me.id:
        mentions_bot = True

    chat = message.chat
    is_group = chat.type != "private"
    thread_id = None
    if message.message_thread_id is not None and (message.is_topic_message or chat.is_forum):
        thread_id = str(message.message_thread_id)
    return InboundMessage(
        channel="telegram",
        account=account,
        message_id=str(message.message_id),
        chat_id=str(chat.id),
        is_group=is_group,
        thread_id=thread_id,
        sender_id=str(sender.id),
        sender_name=sender.full_name or sender.username,
        text=text,
        mentions_bot=mentions_bot,
        reply_to=str(reply.message_id) if reply is not None else None,
        attachments=attachments,
        command=command,
        ts_ms=int(message.date.timestamp() * 1000),
    )
