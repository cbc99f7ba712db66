"""The WhatsApp Business Cloud API transport (``transport = "cloud"``).

Sends go to the Graph API (``POST /<version>/<phone-number-id>/messages``; media is uploaded to
``…/media`` first); messages arrive as webhook posts on the gateway's HTTP listener
(:mod:`.webhook`), checked there against the app secret and handed to :meth:`handle_post`.
``run`` checks the token once (``GET /<phone-number-id>``), reports the number, and then only
waits: a Cloud account holds no connection of its own.

Graph errors are mapped once (:func:`send_error`): throttling (HTTP 429, codes 4, 80007, 130429,
131048, 131056), 5xx and network failures are transient (the core retries); a refused token
(HTTP 401, code 190) and everything else are permanent, with the Graph message and, for code
131047, the 24-hour customer-service window explained.
"""

from __future__ import annotations

import time
from typing import Any

import anyio
import httpx

from openclaw_gateway.api import (
    Attachment,
    AttachmentError,
    AuthError,
    Backoff,
    ChannelAdapter,
    ChannelContext,
    OutboundMessage,
    PermanentSendError,
    SendResult,
    TransientSendError,
    check_attachment_size,
    read_capped,
)

from .cloud_inbound import Skipped, contact_names, to_inbound, values_for
from .config import TEXT_LIMIT, WhatsAppAccount, webhook_path

THROTTLED = frozenset({4, 80007, 130429, 131048, 131056})
TEMPORARY = frozenset({1, 2, 131000, 131016})
AUTH = frozenset({190})
WINDOW_CLOSED = 131047
CONNECT_RETRY = Backoff(first=1.0, cap=60.0, jitter=True)
UPLOAD_TYPES = {"image": "image", "audio": "audio", "video": "video", "sticker": "sticker"}


def send_error(response: httpx.Response) -> TransientSendError | PermanentSendError:
    """A failed Graph call as the channel framework's error (see the module docstring)."""
    try:
        error = response.json().get("error") or {}
    except ValueError:
        error = {}
    code = error.get("code") if isinstance(error, dict) else None
    message = error.get("message") if isinstance(error, dict) else None
    what = f"Graph API {response.status_code}" + (f" (code {code})" if code is not None else "")
    detail = f"{what}: {message or response.reason_phrase}"
    if response.status_code == 429 or code in THROTTLED:
        retry = response.headers.get("retry-after")
        return TransientSendError(
            detail, retry_after=float(retry) if retry and retry.isdigit() else None
        )
    if response.status_code >= 500 or code in TEMPORARY:
        return TransientSendError(detail)
    if response.status_code == 401 or code in AUTH:
        return PermanentSendError(f"{detail} (the access token was refused: renew it)")
    if code == WINDOW_CLOSED:
        return PermanentSendError(
            f"{detail} (more than 24 hours since this user last wrote: the Cloud API only allows"
            " template messages until they write again)"
        )
    return PermanentSendError(detail)


class CloudAdapter(ChannelAdapter):
    """One Cloud API phone number."""

    text_limit = TEXT_LIMIT
    markup = "plain"

    def __init__(self, ctx: ChannelContext, *, http: httpx.AsyncClient | None = None) -> None:
        assert isinstance(ctx.config, WhatsAppAccount)
        config = ctx.config
        assert config.phone_number_id and config.access_token and config.app_secret
        self.ctx = ctx
        self.config = config
        self.phone_number_id = config.phone_number_id
        self.base = f"{config.graph_url}/{config.api_version}"
        token = config.access_token.get_secret_value()
        self.http = http or httpx.AsyncClient(
            headers={"Authorization": f"Bearer {token}"},
            timeout=httpx.Timeout(30.0, connect=10.0),
            follow_redirects=False,
        )
        self.live = False
        """True while ``run`` runs: the webhook route hands posts only to a live adapter."""
        self.display_number: str | None = None
        self._last_inbound: dict[str, str] = {}  # chat → its newest message id (typing, receipts)

    # -- lifecycle ----------------------------------------------------------------------------

    async def run(self) -> None:
        failures = 0
        while True:
            try:
                info = await self.probe()
                break
            except AuthError:
                raise
            except TransientSendError as exc:
                failures += 1
                delay = CONNECT_RETRY.delay(failures)
                self.ctx.set_status("reconnecting", f"{exc}; retrying in {delay:.0f}s")
                await anyio.sleep(delay)
        self.display_number = info.get("number")
        self.live = True
        self.ctx.set_status(
            "connected",
            f"{self.display_number} ({info.get('name')}), webhook at"
            f" {webhook_path(self.ctx.account)}",
        )
        try:
            await anyio.sleep_forever()
        finally:
            self.live = False
            with anyio.CancelScope(shield=True):
                await self.http.aclose()

    async def probe(self) -> dict[str, Any]:
        """The number's display name and number (``GET /<phone-number-id>``): a live token check."""
        try:
            response = await self.http.get(
                f"{self.base}/{self.phone_number_id}",
                params={"fields": "display_phone_number,verified_name"},
            )
        except httpx.HTTPError as exc:
            raise TransientSendError(f"Graph API unreachable: {type(exc).__name__}: {exc}") from exc
        if response.status_code != 200:
            error = send_error(response)
            if response.status_code in (401, 403) or "code 190" in str(error):
                detail = (
                    f"{error}. Check plugins.whatsapp.accounts.{self.ctx.account}.access_token and"
                    " phone_number_id (Meta app → WhatsApp → API Setup)"
                )
                self.ctx.set_status("auth-failed", detail)
                raise AuthError(detail)
            raise error
        body = response.json()
        return {
            "ok": True,
            "live": True,
            "number": body.get("display_phone_number"),
            "name": body.get("verified_name"),
        }

    # -- receiving (called by the webhook route) ----------------------------------------------

    async def handle_post(self, payload: Any, *, now: float | None = None) -> int:
        """Deliver the messages of one verified webhook post; returns how many were delivered.
        Messages older than ``webhook_max_age_s`` (a replay, or a post held back for hours) are
        counted ``skipped:stale`` and not answered."""
        now = time.time() if now is None else now
        delivered = 0
        for value in values_for(payload, self.phone_number_id):
            names = contact_names(value)
            for status in value.get("statuses") or ():
                if isinstance(status, dict) and status.get("status") == "failed":
                    self.ctx.count("delivery-failed")
                    self.ctx.log.warning(
                        "whatsapp: a sent message failed: %s", status.get("errors")
                    )
            for raw in value.get("messages") or ():
                message = to_inbound(raw, account=self.ctx.account, names=names)
                if isinstance(message, Skipped):
                    self.ctx.count(message.reason)
                    continue
                if message.ts_ms and now - message.ts_ms / 1000 > self.config.webhook_max_age_s:
                    self.ctx.count("skipped:stale")
                    continue
                self._last_inbound[message.chat_id] = message.message_id
                await self.ctx.deliver(message)
                delivered += 1
        return delivered

    # -- sending ------------------------------------------------------------------------------

    async def _post(self, path: str, **kwargs: Any) -> dict[str, Any]:
        try:
            response = await self.http.post(f"{self.base}/{path}", **kwargs)
        except httpx.HTTPError as exc:
            raise TransientSendError(f"Graph API unreachable: {type(exc).__name__}: {exc}") from exc
        if response.status_code >= 300:
            raise send_error(response)
        body: dict[str, Any] = response.json()
        return body

    async def send(self, message: OutboundMessage) -> SendResult:
        to = message.chat_id.removeprefix("+")
        common: dict[str, Any] = {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": to,
        }
        if message.reply_to:
            common["context"] = {"message_id": message.reply_to}
        text = message.text
        last: dict[str, Any] = {}
        for attachment in message.attachments:
            media_id = await self._upload(attachment)
            kind = UPLOAD_TYPES.get(attachment.kind, "document")
            media: dict[str, Any] = {"id": media_id}
            if kind == "document" and attachment.name:
                media["filename"] = attachment.name
            if text and kind in ("image", "video", "document"):
                media["caption"], text = text, ""
            last = await self._post(
                f"{self.phone_number_id}/messages", json={**common, "type": kind, kind: media}
            )
        if text:
            last = await self._post(
                f"{self.phone_number_id}/messages",
                json={**common, "type": "text", "text": {"body": text, "preview_url": False}},
            )
        ids = [m.get("id") for m in last.get("messages") or () if isinstance(m, dict)]
        return SendResult(message_id=ids[0] if ids else None)

    async def _upload(self, attachment: Attachment) -> str:
        if attachment.data is None:
            raise PermanentSendError("a Cloud API attachment needs its bytes (data)")
        mime = attachment.mime or "application/octet-stream"
        body = await self._post(
            f"{self.phone_number_id}/media",
            data={"messaging_product": "whatsapp", "type": mime},
            files={"file": (attachment.name or "file", attachment.data, mime)},
        )
        media_id = body.get("id")
        if not isinstance(media_id, str):
            raise TransientSendError("Graph API: the media upload answered without an id")
        return media_id

    async def typing(self, chat_id: str, thread_id: str | None) -> None:
        """Mark the chat's newest message read and show "typing…" (the Cloud API ties the two:
        with ``read_receipts = false`` neither is shown)."""
        message_id = self._last_inbound.get(chat_id)
        if message_id is None or not self.config.read_receipts:
            return
        await self._post(
            f"{self.phone_number_id}/messages",
            json={
                "messaging_product": "whatsapp",
                "status": "read",
                "message_id": message_id,
                "typing_indicator": {"type": "text"},
            },
        )

    async def fetch_attachment(self, attachment: Attachment, *, max_bytes: int) -> bytes:
        """``GET /<media-id>`` for a short-lived URL and the size, then the bytes (with the token),
        stopping at ``max_bytes``."""
        if not attachment.file_id:
            raise AttachmentError("the message carries no media id")
        try:
            meta = await self.http.get(f"{self.base}/{attachment.file_id}")
            if meta.status_code != 200:
                raise AttachmentError(str(send_error(meta)))
            info = meta.json()
            check_attachment_size(info.get("file_size"), max_bytes)
            url = info.get("url")
            if not isinstance(url, str) or not url.startswith(("https://", "http://")):
                raise AttachmentError("Graph API answered no download URL for the media")
            async with self.http.stream("GET", url) as response:
                if response.status_code != 200:
                    raise AttachmentError(f"the media download answered {response.status_code}")
                return await read_capped(response.aiter_bytes(), max_bytes)
        except httpx.HTTPError as exc:
            raise AttachmentError(f"the media download failed: {type(exc).__name__}") from exc
