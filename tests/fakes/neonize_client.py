"""A stand-in for neonize's ``NewAClient`` at its boundary, for the linked-device transport.

WhatsApp's multi-device protocol is end-to-end encrypted and proprietary (Noise handshake, Signal
sessions), so no local server can speak it; the lowest seam we do not own is the neonize client.
This class has the client's method names and event registration (``client.event(EvType)(fn)``,
``client.qr(fn)``, ``await client.connect()`` → a task that runs until ``disconnect``); a test
fires **neonize's own protobuf event objects** into the handlers the adapter registered, exactly
as neonize's Go callback does, and reads the client calls the adapter made.

What it cannot prove (docs/channels/whatsapp.md, "Testing"): that whatsmeow accepts what we
send, the QR/pairing handshake with WhatsApp's servers, reconnection inside whatsmeow, and media
encryption/upload. Those stay with neonize's and whatsmeow's own tests and a real phone.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from neonize.aioze.events import (
    ConnectedEv,
    LoggedOutEv,
    MessageEv,
    PairStatusEv,
)
from neonize.proto.Neonize_pb2 import (
    JID,
    Device,
    MessageInfo,
    MessageSource,
    SendResponse,
)
from neonize.proto.waE2E.WAWebProtobufsE2E_pb2 import (
    ContextInfo,
    ExtendedTextMessage,
    ImageMessage,
    Message,
)

ME = JID(User="15550100100", Server="s.whatsapp.net", RawAgent=0, Device=0, Integrator=0)
ME_LID = JID(User="99887766554433", Server="lid", RawAgent=0, Device=0, Integrator=0)
_ids = itertools.count(1)


def user(number: str) -> JID:
    return JID(User=number.lstrip("+"), Server="s.whatsapp.net", RawAgent=0, Device=0, Integrator=0)


def group(gid: str) -> JID:
    return JID(User=gid, Server="g.us", RawAgent=0, Device=0, Integrator=0)


def text_event(
    text: str,
    *,
    sender: str = "+15551230001",
    chat: JID | None = None,
    name: str = "Alice",
    message_id: str | None = None,
    from_me: bool = False,
    mentions: list[str] = (),  # type: ignore[assignment]
    quoted_id: str | None = None,
    quoted_author: JID | None = None,
    message: Message | None = None,
) -> Any:
    """A ``MessageEv`` as neonize delivers it for an incoming text (or ``message``)."""
    sender_jid = user(sender)
    is_group = chat is not None and chat.Server == "g.us"
    if message is None:
        if mentions or quoted_id:
            context = ContextInfo(mentionedJID=list(mentions))
            if quoted_id:
                context.stanzaID = quoted_id
                author = quoted_author or ME
                context.participant = f"{author.User}@{author.Server}"
            message = Message(
                extendedTextMessage=ExtendedTextMessage(text=text, contextInfo=context)
            )
        else:
            message = Message(conversation=text)
    return MessageEv(
        Info=MessageInfo(
            MessageSource=MessageSource(
                Chat=chat if chat is not None else sender_jid,
                Sender=sender_jid,
                IsFromMe=from_me,
                IsGroup=is_group,
            ),
            ID=message_id or f"3EB0{next(_ids):012d}",
            Pushname=name,
            Timestamp=1_780_000_000,
            Type="text",
        ),
        Message=message,
    )


def image_event(data_len: int, caption: str = "", **kw: Any) -> Any:
    msg = Message(
        imageMessage=ImageMessage(caption=caption, mimetype="image/jpeg", fileLength=data_len)
    )
    return text_event("", message=msg, **kw)


@dataclass
class Call:
    method: str
    args: tuple[Any, ...]
    kwargs: dict[str, Any]


@dataclass
class FakeNeonize:
    path: str
    handlers: dict[type, Callable[[Any, Any], Awaitable[None]]] = field(default_factory=dict)
    qr_handler: Callable[[Any, bytes], Awaitable[None]] | None = None
    calls: list[Call] = field(default_factory=list)
    media: dict[str, bytes] = field(default_factory=dict)
    """Bytes ``download_any`` returns, by the caption or text of the message asked for."""
    send_error: Exception | None = None
    _running: asyncio.Future[None] | None = None

    # -- registration (as neonize) ------------------------------------------------------------

    def event(self, ev_type: type) -> Callable[[Callable[[Any, Any], Awaitable[None]]], None]:
        def register(fn: Callable[[Any, Any], Awaitable[None]]) -> None:
            self.handlers[ev_type] = fn

        return register

    def qr(self, fn: Callable[[Any, bytes], Awaitable[None]]) -> None:
        self.qr_handler = fn

    # -- lifecycle ----------------------------------------------------------------------------

    async def connect(self) -> asyncio.Future[None]:
        self._record("connect")
        self._running = asyncio.get_running_loop().create_future()
        return self._running

    async def disconnect(self) -> None:
        self._record("disconnect")
        if self._running is not None and not self._running.done():
            self._running.set_result(None)

    @property
    def running(self) -> bool:
        return self._running is not None and not self._running.done()

    async def get_me(self) -> Any:
        return Device(JID=ME, LID=ME_LID, PushName="Claw")

    async def logout(self) -> None:
        self._record("logout")

    async def PairPhone(self, phone: str, show_push_notification: bool, **kw: Any) -> str:
        self._record("PairPhone", phone, show_push_notification)
        if not phone.isdigit():
            raise ValueError("invalid phone number")
        return "ABCD-EFGH"

    # -- what a test does: WhatsApp's side ------------------------------------------------------

    async def fire(self, ev_type: type, event: Any) -> None:
        await self.handlers[ev_type](self, event)

    async def show_qr(self, code: str) -> None:
        assert self.qr_handler is not None
        await self.qr_handler(self, code.encode())

    async def pair(self) -> None:
        await self.fire(PairStatusEv, PairStatusEv(ID=ME, Status=PairStatusEv.SUCCESS))
        await self.fire(ConnectedEv, ConnectedEv(status=True))

    async def logged_out(self, reason: int = 0) -> None:
        await self.fire(LoggedOutEv, LoggedOutEv(OnConnect=False, Reason=reason))

    async def receive(self, event: Any) -> None:
        await self.fire(MessageEv, event)

    # -- sends (recorded) -----------------------------------------------------------------------

    def _record(self, method: str, *args: Any, **kwargs: Any) -> None:
        self.calls.append(Call(method, args, kwargs))

    def sent(self, method: str | None = None) -> list[Call]:
        names = (
            {method}
            if method
            else {"send_message", "send_image", "send_document", "send_audio", "send_video"}
        )
        return [c for c in self.calls if c.method in names]

    def _response(self) -> Any:
        if self.send_error is not None:
            error, self.send_error = self.send_error, None
            raise error
        return SendResponse(ID=f"3EB0OUT{next(_ids):08d}", Timestamp=1_780_000_001)

    async def send_message(self, to: JID, message: Any, **kw: Any) -> Any:
        self._record("send_message", to, message, **kw)
        return self._response()

    async def build_reply_message(self, message: str, quoted: Any, **kw: Any) -> Any:
        self._record("build_reply_message", message, quoted)
        source = quoted.Info.MessageSource
        return Message(
            extendedTextMessage=ExtendedTextMessage(
                text=message,
                contextInfo=ContextInfo(
                    stanzaID=quoted.Info.ID,
                    participant=f"{source.Sender.User}@{source.Sender.Server}",
                    quotedMessage=quoted.Message,
                ),
            )
        )

    async def send_image(self, to: JID, file: bytes, **kw: Any) -> Any:
        assert isinstance(file, bytes), "the adapter must hand neonize bytes, never a path"
        self._record("send_image", to, file, **kw)
        return self._response()

    async def send_document(self, to: JID, file: bytes, **kw: Any) -> Any:
        assert isinstance(file, bytes), "the adapter must hand neonize bytes, never a path"
        self._record("send_document", to, file, **kw)
        return self._response()

    async def send_audio(self, to: JID, file: bytes, **kw: Any) -> Any:
        assert isinstance(file, bytes)
        self._record("send_audio", to, file, **kw)
        return self._response()

    async def send_video(self, to: JID, file: bytes, **kw: Any) -> Any:
        assert isinstance(file, bytes)
        self._record("send_video", to, file, **kw)
        return self._response()

    async def send_chat_presence(self, jid: JID, state: Any, media: Any) -> None:
        self._record("send_chat_presence", jid, state, media)

    async def mark_read(
        self, *ids: str, chat: JID, sender: JID, receipt: Any, timestamp: int | None = None
    ) -> None:
        self._record("mark_read", *ids, chat=chat, sender=sender, receipt=receipt)

    async def download_any(self, message: Any) -> bytes:
        self._record("download_any", message)
        key = message.imageMessage.caption if message.HasField("imageMessage") else ""
        return self.media[key]


@dataclass
class Clients:
    """The factory the adapter gets: every client it built, newest last."""

    built: list[FakeNeonize] = field(default_factory=list)

    def __call__(self, path: str) -> FakeNeonize:
        client = FakeNeonize(path)
        self.built.append(client)
        return client

    @property
    def last(self) -> FakeNeonize:
        return self.built[-1]
