"""Files: inbound attachments, CDN downloads capped at a size."""

from __future__ import annotations

from typing import Any

import aiohttp
import discord

from openclaw_gateway.api import (
    Attachment,
    AttachmentError,
    AttachmentKind,
    check_attachment_size,
    read_capped,
)

from .errors import describe

CDN_TIMEOUT = aiohttp.ClientTimeout(total=None, sock_connect=15, sock_read=30)
CHUNK = 64 * 1024


async def download(
    session: aiohttp.ClientSession | None,
    url: str,
    *,
    max_bytes: int,
    proxy: str | None = None,
    proxy_auth: aiohttp.BasicAuth | None = None,
) -> bytes:
    """GET a CDN ``url`` on ``session`` (a session of its own when that is missing or closed)."""
    own = session is None or session.closed
    if own:
        session = aiohttp.ClientSession()
    assert session is not None
    options: dict[str, Any] = {}
    if proxy is not None:
        options["proxy"] = proxy
    if proxy_auth is not None:
        options["proxy_auth"] = proxy_auth
    try:
        async with session.get(url, timeout=CDN_TIMEOUT, **options) as response:
            return await read_cdn(response, max_bytes)
    except (aiohttp.ClientError, TimeoutError, OSError) as exc:
        raise AttachmentError(f"downloading from Discord failed: {describe(exc)}") from exc
    finally:
        if own:
            await session.close()


async def read_cdn(response: aiohttp.ClientResponse, max_bytes: int) -> bytes:
    status = response.status
    if status == 404:
        raise AttachmentError("the file is gone (404): deleted, or its signed link expired")
    if status in (401, 403):
        raise AttachmentError(f"Discord's CDN refused the download ({status})")
    if status != 200:
        raise AttachmentError(f"Discord's CDN answered {status}")
    check_attachment_size(response.headers.get("Content-Length"), max_bytes)
    return await read_capped(response.content.iter_chunked(CHUNK), max_bytes)


def inbound_attachment(a: discord.Attachment) -> Attachment:
    return Attachment(
        kind=kind_of(a.content_type),
        url=a.url,
        file_id=str(a.id),
        name=a.filename,
        mime=a.content_type,
        size=a.size,
    )


def kind_of(mime: str | None) -> AttachmentKind:
    major = (mime or "").split("/", 1)[0]
    if major == "image":
        return "image"
    if major in ("audio", "video"):
        return "audio" if major == "audio" else "video"
    return "document"
