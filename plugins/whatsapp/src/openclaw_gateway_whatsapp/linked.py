"""The linked-device transport (the default): this gateway is a linked device of a phone's
WhatsApp, through neonize (Python bindings of whatsmeow, the Go library most WhatsApp bridges use;
its wheel carries the compiled library, so nothing is downloaded at run time).

Lifecycle of one account (``run``):

1. Take the host lock (:mod:`.lock`): one WhatsApp session per machine. Held by another gateway:
   status ``locked`` naming its pid and state dir; retried every 30 s (the kernel frees the lock
   when that gateway dies) while the rest of this gateway runs.
2. No stored session and nobody asked to link: status ``needs-login`` with the command to run.
   ``web.login.start`` (the official ``openclaw channels login``, our ``channels login
   whatsapp``, WebChat) sets :attr:`login` going: the client connects and whatsmeow's QR codes are
   offered to whoever waits (:mod:`.login`).
3. With a session: connect; ``connected`` as +<number>. whatsmeow reconnects by itself after a
   network drop (status ``reconnecting`` meanwhile); if the client's run ends with an error, ``run``
   raises and the core restarts the account with backoff.
4. Logged out (the phone removed the device, or the session was replaced): status
   ``logged-out`` with the command to link again; the stored session is forgotten.

The session (whatsmeow's SQLite store) lives in the account's data dir (``ctx.data_dir``, 0700;
the file itself 0600). The seam tests use is the neonize client: ``client_factory(path)`` builds
it, events arrive as neonize's own protobuf objects, sends are its methods.
"""

from __future__ import annotations

import contextlib
import json
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anyio

from openclaw_gateway.api import (
    Attachment,
    AttachmentError,
    ChannelAdapter,
    ChannelContext,
    OutboundMessage,
    PermanentSendError,
    SendResult,
    TransientSendError,
    check_attachment_size,
    command_hint,
)

from .config import TEXT_LIMIT, WhatsAppAccount
from .linked_inbound import Dropped, jid_id, to_inbound, to_jid
from .lock import HostLock, SessionLocked
from .login import Login

LOCK_RETRY_S = 5.0
REMEMBERED = 500
"""Recent inbound message events kept for quoting replies and downloading their media."""
SESSION_FILE = "session.db"
LINKED_FILE = "linked.json"

ClientFactory = Callable[[str], Any]
"""``factory(session_path)`` → a neonize ``NewAClient`` (tests: a recording stand-in)."""


def neonize_client(session_path: str) -> Any:
    from neonize.aioze.client import NewAClient

    return NewAClient(session_path)


class LinkedAdapter(ChannelAdapter):
    """One linked-device account."""

    text_limit = TEXT_LIMIT
    markup = "plain"

    def __init__(
        self,
        ctx: ChannelContext,
        *,
        client_factory: ClientFactory | None = None,
        lock_retry_s: float = LOCK_RETRY_S,
    ) -> None:
        assert isinstance(ctx.config, WhatsAppAccount)
        self.ctx = ctx
        self.config = ctx.config
        self.client_factory = client_factory or neonize_client
        self.lock_retry_s = lock_retry_s
        self.login = Login()
        self.client: Any = None
        self.me: Any = None  # our JID (phone number addressing)
        self.me_lid: Any = None  # our JID (privacy addressing)
        self.number: str | None = None
        self.connected = False
        self.state = "starting"
        self.last_error: str | None = None
        self._recent: OrderedDict[str, Any] = OrderedDict()
        self._sent_ids: OrderedDict[str, None] = OrderedDict()
        self._logged_out = False
        self._wake = anyio.Event()

    # -- paths and status ---------------------------------------------------------------------

    @property
    def data_dir(self) -> Path:
        if self.ctx.data_dir is None:
            raise RuntimeError("the WhatsApp linked transport needs the account's data_dir")
        return self.ctx.data_dir

    def _status(self, state: str, detail: str | None = None) -> None:
        self.state = state
        self.ctx.set_status(state, detail)

    def _linked_record(self) -> dict[str, Any] | None:
        try:
            record = json.loads((self.data_dir / LINKED_FILE).read_text())
        except (OSError, ValueError):
            return None
        return record if isinstance(record, dict) else None

    def _remember_link(self) -> None:
        path = self.data_dir / LINKED_FILE
        path.write_text(json.dumps({"number": self.number}))
        path.chmod(0o600)

    def _forget_session(self) -> None:
        for name in (LINKED_FILE, SESSION_FILE, SESSION_FILE + "-wal", SESSION_FILE + "-shm"):
            (self.data_dir / name).unlink(missing_ok=True)

    def wake(self) -> None:
        self._wake.set()

    # -- run ----------------------------------------------------------------------------------

    async def run(self) -> None:
        lock = HostLock(self.config.lock_path)
        state_dir = str(self.data_dir.parents[2]) if len(self.data_dir.parents) > 2 else ""
        while True:
            try:
                await anyio.to_thread.run_sync(lock.acquire, state_dir)
                break
            except SessionLocked as exc:
                if self.state != "locked":  # once, not at every retry
                    self.ctx.log.error("whatsapp[%s]: %s", self.ctx.account, exc)
                self.last_error = str(exc)
                self._status("locked", f"{exc}; retrying every {self.lock_retry_s:g}s")
                await anyio.sleep(self.lock_retry_s)
        try:
            while True:
                linked = await anyio.to_thread.run_sync(self._linked_record)
                if linked is None and not self.login.requested:
                    detail = (
                        "logged out by WhatsApp; link again:"
                        if self._logged_out
                        else "not linked yet; link it:"
                    )
                    self._status(
                        "logged-out" if self._logged_out else "needs-login",
                        f"{detail} {command_hint('channels login whatsapp')}",
                    )
                    self._wake = anyio.Event()
                    await self._wake.wait()
                    continue
                await self._session()
        finally:
            with anyio.CancelScope(shield=True):
                await anyio.to_thread.run_sync(lock.release)

    async def _session(self) -> None:
        """One client, from connect until it stops (logout or a fatal error)."""
        path = self.data_dir / SESSION_FILE
        if not path.exists():
            path.touch(mode=0o600)
        client = self.client_factory(str(path))
        self._subscribe(client)
        self.client = client
        self._logged_out = False
        self._status("connecting")
        try:
            task = await client.connect()
            await task
        except Exception as exc:
            self.last_error = f"{type(exc).__name__}: {exc}"
            if self._logged_out:
                return
            raise
        finally:
            self.client = None
            self.connected = False
            with (
                anyio.CancelScope(shield=True),
                anyio.move_on_after(5),
                contextlib.suppress(Exception),  # best effort on the way out
            ):
                await client.disconnect()
        if self.login.requested:
            self.login.finish(connected=False, message="the link attempt ended; try again")

    def _subscribe(self, client: Any) -> None:
        from neonize.aioze.events import (
            ConnectedEv,
            ConnectFailureEv,
            DisconnectedEv,
            LoggedOutEv,
            MessageEv,
            PairStatusEv,
            StreamReplacedEv,
            TemporaryBanEv,
        )

        client.qr(self._on_qr)
        client.event(ConnectedEv)(self._on_connected)
        client.event(DisconnectedEv)(self._on_disconnected)
        client.event(LoggedOutEv)(self._on_logged_out)
        client.event(StreamReplacedEv)(self._on_replaced)
        client.event(ConnectFailureEv)(self._on_connect_failure)
        client.event(TemporaryBanEv)(self._on_ban)
        client.event(PairStatusEv)(self._on_pair_status)
        client.event(MessageEv)(self._on_message)

    # -- events (called by neonize on the event loop) -----------------------------------------

    async def _on_qr(self, client: Any, data: bytes) -> None:
        if not self.login.requested:
            # A stored session whatsmeow no longer accepts: it wants a new link. Do not print
            # codes into logs; say so, and wait for someone to ask (web.login.start).
            self._logged_out = True
            await anyio.to_thread.run_sync(self._forget_session)
            self._status(
                "logged-out",
                f"the stored session was refused; link again: {command_hint('channels login whatsapp')}",
            )
            await client.disconnect()
            return
        self.login.offer(data.decode() if isinstance(data, bytes) else str(data))
        self._status("linking", "scan the QR code: WhatsApp → Settings → Linked devices")

    async def _on_pair_status(self, client: Any, event: Any) -> None:
        if event.Status == event.SUCCESS:
            self.number = jid_id(event.ID)
            await anyio.to_thread.run_sync(self._remember_link)
            self.login.finish(connected=True, message=f"Linked as {self.number}.")
        else:
            self.login.finish(connected=False, message=f"Linking failed: {event.Error}")

    async def _on_connected(self, client: Any, event: Any) -> None:
        me = await client.get_me()
        self.me = me.JID if me.HasField("JID") else None
        self.me_lid = me.LID if me.HasField("LID") else None
        if self.me is not None:
            self.number = jid_id(self.me)
        self.connected = True
        self.last_error = None
        if self.login.requested:
            await anyio.to_thread.run_sync(self._remember_link)
            self.login.finish(connected=True, message=f"Linked as {self.number}.")
        self._status("connected", f"linked as {self.number}" if self.number else "linked")

    async def _on_disconnected(self, client: Any, event: Any) -> None:
        self.connected = False
        if not self._logged_out:
            self._status("reconnecting", "connection to WhatsApp lost; whatsmeow reconnects")

    async def _on_logged_out(self, client: Any, event: Any) -> None:
        self._logged_out = True
        self.connected = False
        self.last_error = f"logged out by WhatsApp ({_reason(event)})"
        self.ctx.log.warning("whatsapp[%s]: %s", self.ctx.account, self.last_error)
        await anyio.to_thread.run_sync(self._forget_session)
        await client.disconnect()

    async def _on_replaced(self, client: Any, event: Any) -> None:
        self.last_error = "another client opened this session (stream replaced)"
        await self._on_logged_out(client, event)

    async def _on_connect_failure(self, client: Any, event: Any) -> None:
        self.last_error = f"connect failed: {event.Message or event.Reason}"
        self._status("reconnecting", self.last_error)

    async def _on_ban(self, client: Any, event: Any) -> None:
        self.last_error = f"temporarily banned by WhatsApp (code {event.Code}, {event.Expire}s)"
        self._status("banned", self.last_error)

    async def _on_message(self, client: Any, event: Any) -> None:
        message = to_inbound(
            event,
            account=self.ctx.account,
            me=self.me,
            me_lid=self.me_lid,
            answer_own_devices=self.config.answer_own_devices,
            sent_ids=self._sent_ids.keys(),  # type: ignore[arg-type]
        )
        if isinstance(message, Dropped):
            self.ctx.count(f"skipped:{message.reason}")
            return
        self._recent[message.message_id] = event
        while len(self._recent) > REMEMBERED:
            self._recent.popitem(last=False)
        try:
            await self.ctx.deliver(message)
        except Exception as exc:  # the gateway is stopping: whatsmeow will not redeliver
            self.ctx.log.warning("whatsapp[%s]: not accepted: %s", self.ctx.account, exc)

    # -- login (web.login.start / web.login.wait) ---------------------------------------------

    async def start_login(self, *, force: bool, timeout: float) -> dict[str, Any]:
        """Start linking (or say it is linked); returns the reference's ``web.login.start`` shape
        with the first QR code as ``qrDataUrl``."""
        from .login import qr_data_url

        if self.state == "locked":
            return {"message": self.last_error or "WhatsApp is open in another gateway"}
        if self.connected and not force:
            return {"message": f"WhatsApp is already linked as {self.number}."}
        if force and self.client is not None:
            await self.logout()
        serial = self.login.serial
        if not self.login.requested:
            self.login.start()
            self.wake()
        with anyio.move_on_after(timeout):
            while self.login.serial == serial and not self.login.finished:
                await self.login.changed(timeout)
        if self.login.qr is not None and self.login.serial != serial:
            return {
                "qrDataUrl": qr_data_url(self.login.qr),
                "message": "Scan this QR code in WhatsApp → Settings → Linked devices.",
            }
        if self.login.finished:
            return {"message": self.login.message}
        return {"message": "No QR code yet (is WhatsApp reachable?); try again."}

    async def wait_login(
        self, *, timeout: float, until_new_qr: Callable[[str], bool] | None = None
    ) -> dict[str, Any]:
        """Wait for the link to finish (the reference's ``web.login.wait`` shape), or, with
        ``until_new_qr``, for a code the caller has not shown yet (returned as ``qr``)."""
        if self.connected and not self.login.requested:
            return {"connected": True, "message": f"Linked as {self.number}."}

        def fresh_qr() -> str | None:
            qr = self.login.qr
            return qr if qr is not None and until_new_qr is not None and until_new_qr(qr) else None

        with anyio.move_on_after(timeout):
            while not self.login.finished and fresh_qr() is None:
                await self.login.changed(timeout)
        if self.login.finished:
            return {"connected": self.login.connected, "message": self.login.message}
        qr = fresh_qr()
        if qr is not None:
            return {"connected": False, "message": "WhatsApp rotated the QR code.", "qr": qr}
        return {"connected": False, "message": "Still waiting for the QR code to be scanned."}

    async def start_pair_code(self, phone: str, *, timeout: float) -> dict[str, Any]:
        """Link by phone number instead of a QR code: WhatsApp shows a notification on that phone
        and the user types the 8-character code returned here (WhatsApp → Linked devices → Link
        with phone number). ``web.login.wait`` then reports the outcome as for a QR code."""
        if self.connected:
            return {"message": f"WhatsApp is already linked as {self.number}."}
        if self.state == "locked":
            return {"message": self.last_error or "WhatsApp is open in another gateway"}
        serial = self.login.serial
        if not self.login.requested:
            self.login.start()
            self.wake()
        # whatsmeow pairs by code only on a connected socket: the first QR code says it is.
        with anyio.move_on_after(timeout):
            while self.login.serial == serial and not self.login.finished:
                await self.login.changed(timeout)
        client = self.client
        if client is None or self.login.finished:
            return {"message": self.login.message or "WhatsApp is not reachable; try again."}
        try:
            code = await client.PairPhone(phone.removeprefix("+"), True)
        except Exception as exc:
            return {"message": f"WhatsApp refused the phone number: {exc}"}
        self.login.offer_pair_code(code)
        return {
            "code": code,
            "message": f"On the phone with {phone}: WhatsApp → Settings → Linked devices → Link"
            f" a device → Link with phone number instead, and enter {code}.",
        }

    def current_qr(self) -> str | None:
        return self.login.qr

    # -- sending ------------------------------------------------------------------------------

    def _client(self) -> Any:
        if self.client is None or not self.connected:
            raise TransientSendError("WhatsApp is not connected")
        return self.client

    def _sent(self, response: Any) -> str | None:
        message_id = getattr(response, "ID", None) or None
        if message_id:
            self._sent_ids[message_id] = None
            while len(self._sent_ids) > REMEMBERED:
                self._sent_ids.popitem(last=False)
        return message_id

    async def send(self, message: OutboundMessage) -> SendResult:
        client = self._client()
        try:
            jid = to_jid(message.chat_id)
        except ValueError as exc:
            raise PermanentSendError(str(exc)) from None
        quoted = self._recent.get(message.reply_to) if message.reply_to else None
        text = message.text
        last: str | None = None
        try:
            for attachment in message.attachments:
                last = self._sent(await self._send_media(client, jid, attachment, text, quoted))
                text, quoted = "", None  # the caption carried the text, the first part the quote
            if text:
                if quoted is not None:
                    built = await client.build_reply_message(text, quoted)
                    last = self._sent(await client.send_message(jid, built))
                else:
                    last = self._sent(await client.send_message(jid, text))
        except (TransientSendError, PermanentSendError):
            raise
        except Exception as exc:  # whatsmeow's send errors: timeouts, not connected, server
            raise TransientSendError(f"WhatsApp send failed: {type(exc).__name__}: {exc}") from exc
        return SendResult(message_id=last)

    async def _send_media(
        self, client: Any, jid: Any, attachment: Attachment, caption: str, quoted: Any
    ) -> Any:
        # Bytes only: neonize treats a str as a path or URL to open, which we never hand it.
        if attachment.data is None:
            raise PermanentSendError("a WhatsApp attachment needs its bytes (data)")
        data = attachment.data
        if attachment.kind == "image":
            return await client.send_image(jid, data, caption=caption or None, quoted=quoted)
        if attachment.kind == "video":
            return await client.send_video(jid, data, caption=caption or None, quoted=quoted)
        if attachment.kind == "audio":
            voice = (attachment.mime or "").startswith("audio/ogg")
            response = await client.send_audio(jid, data, ptt=voice, quoted=quoted)
            if caption:
                self._sent(await client.send_message(jid, caption))
            return response
        return await client.send_document(
            jid,
            data,
            caption=caption or None,
            filename=attachment.name or "file",
            mimetype=attachment.mime or "application/octet-stream",
            quoted=quoted,
        )

    async def typing(self, chat_id: str, thread_id: str | None) -> None:
        """Mark the chat's newest message read (with ``read_receipts``) and show "typing…"."""
        from neonize.utils.enum import ChatPresence, ChatPresenceMedia, ReceiptType

        client = self._client()
        jid = to_jid(chat_id)
        if self.config.read_receipts:
            newest = next(
                (e for mid, e in reversed(self._recent.items()) if self._chat_of(e) == chat_id),
                None,
            )
            if newest is not None:
                source = newest.Info.MessageSource
                await client.mark_read(
                    newest.Info.ID, chat=source.Chat, sender=source.Sender, receipt=ReceiptType.READ
                )
        await client.send_chat_presence(
            jid, ChatPresence.CHAT_PRESENCE_COMPOSING, ChatPresenceMedia.CHAT_PRESENCE_MEDIA_TEXT
        )

    def _chat_of(self, event: Any) -> str:
        source = event.Info.MessageSource
        if source.IsGroup:
            return jid_id(source.Chat)
        sender = source.Sender
        if sender.Server == "lid" and source.HasField("SenderAlt") and source.SenderAlt.User:
            sender = source.SenderAlt
        return jid_id(sender)

    async def fetch_attachment(self, attachment: Attachment, *, max_bytes: int) -> bytes:
        """The media of a recent message, downloaded and decrypted by whatsmeow."""
        check_attachment_size(attachment.size, max_bytes)
        event = self._recent.get(attachment.file_id or "")
        if event is None:
            raise AttachmentError("the message is no longer in memory (sent before a restart?)")
        try:
            data = await self._client().download_any(event.Message)
        except TransientSendError as exc:
            raise AttachmentError(str(exc)) from None
        except Exception as exc:
            raise AttachmentError(f"WhatsApp download failed: {type(exc).__name__}") from exc
        if not isinstance(data, bytes):
            raise AttachmentError("WhatsApp returned no media")
        if len(data) > max_bytes:
            raise AttachmentError(f"the file is over the {max_bytes}-byte limit")
        return data

    # -- status and logout --------------------------------------------------------------------

    async def probe(self) -> dict[str, Any]:
        return {
            "ok": self.connected,
            "live": False,
            "linked": self.number is not None,
            "self": {"e164": self.number},
            "connected": self.connected,
            "lastError": self.last_error,
        }

    async def logout(self) -> None:
        """Unlink this device (WhatsApp forgets it too) and forget the stored session."""
        client = self.client
        self._logged_out = True
        if client is not None:
            try:
                await client.logout()
            except Exception as exc:
                self.ctx.log.warning("whatsapp[%s]: logout: %s", self.ctx.account, exc)
            await client.disconnect()
        await anyio.to_thread.run_sync(self._forget_session)
        self.wake()


def _reason(event: Any) -> str:
    """A logout's reason by name (``LOGGED_OUT``, ``MAIN_DEVICE_GONE`` …)."""
    from neonize.proto.Neonize_pb2 import ConnectFailureReason

    reason = getattr(event, "Reason", None)
    try:
        return str(ConnectFailureReason.Name(reason))
    except (ValueError, TypeError):
        return "no reason given"
