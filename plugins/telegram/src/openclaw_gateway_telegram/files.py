"""Files both ways: inbound attachments from an update, downloads capped at a size, names and
URLs for outbound uploads."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

import httpx
from telegram import Message
from telegram.request import HTTPXRequest

from openclaw_gateway.api import (
    Attachment,
    AttachmentError,
    AttachmentKind,
    check_attachment_size,
    read_capped,
)


class DownloadRequest(HTTPXRequest):
    """PTB's httpx request with one addition: a download that stops at a size limit. PTB's own
    ``File.download_*`` read the whole body into memory whatever its size."""

    async def download(self, url: str, *, max_bytes: int) -> bytes:
        """GET ``url`` (a file URL with the token in it: never put it in an error message)."""
        if self._client.is_closed:
            await self.initialize()
        try:
            async with self._client.stream(
                "GET", url, headers={"User-Agent": self.USER_AGENT}
            ) as response:
                status = response.status_code
                if status in (401, 403):
                    raise AttachmentError(f"Telegram refused the download ({status})")
                if status == 404:
                    raise AttachmentError("the file is gone (404): Telegram file links expire")
                if status != 200:
                    raise AttachmentError(f"Telegram answered {status} to the download")
                check_attachment_size(response.headers.get("content-length"), max_bytes)
                return await read_capped(response.aiter_bytes(), max_bytes)
        except httpx.HTTPError as exc:
            raise AttachmentError(
                f"downloading from Telegram failed ({type(exc).__name__})"
            ) from None


def read_local(path: Path, max_bytes: int) -> bytes:
    """A file a ``--local`` Bot API server keeps on this host's disk (``local_mode``)."""
    try:
        with path.open("rb") as f:
            check_attachment_size(path.stat().st_size, max_bytes)
            data = f.read(max_bytes + 1)
    except OSError as exc:
        raise AttachmentError(f"cannot read the file the Bot API server stored: {exc}") from None
    if len(data) > max_bytes:
        raise AttachmentError(f"the file is over the {max_bytes}-byte limit")
    return data


def inbound_attachments(message: Message) -> list[Attachment]:
    found: list[Attachment] = []
    if message.photo:
        biggest = message.photo[-1]
        found.append(
            Attachment(
                kind="image", file_id=biggest.file_id, mime="image/jpeg", size=biggest.file_size
            )
        )
    simple: list[tuple[AttachmentKind, Any]] = [
        ("document", message.document),
        ("audio", message.audio),
        ("audio", message.voice),
        ("video", message.video),
        ("video", message.animation),
        ("video", message.video_note),
    ]
    for kind, item in simple:
        if item is not None:
            found.append(
                Attachment(
                    kind=kind,
                    file_id=item.file_id,
                    name=getattr(item, "file_name", None),
                    mime=getattr(item, "mime_type", None),
                    size=item.file_size,
                )
            )
    if message.sticker is not None:
        found.append(Attachment(kind="sticker", file_id=message.sticker.file_id))
    return found


def encoded_url(url: str) -> str:
    """``url`` with non-ASCII path characters percent-encoded (as PTB's ``File`` does)."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=quote(parts.path)))


def default_name(attachment: Attachment) -> str:
    return "image.jpg" if attachment.kind == "image" else "file"
