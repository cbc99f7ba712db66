"""Attachments on the way to the agent: checked against the size limits, stored once under
``<state_dir>/media/``, recorded in the transcript by reference, and shown to the model.

Where they come from: ``agent``/``chat.send`` ``attachments`` (base64, as the reference's clients
send them) and inbound channel messages (the adapter's ``fetch_attachment``). What the model sees:
images as image inputs (when the provider can take them), small text files inline, any other file
as a line naming it and where it is stored. The transcript keeps a reference (``media``), never
the bytes, so history stays small and a crash mid-run loses nothing already stored.
"""

from __future__ import annotations

import hashlib
import mimetypes
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio

from .provider import ImageInput

MAX_BYTES = 19_464_192
"""Per attachment (the reference's ``policy.attachments.maxBytes``)."""
MAX_IMAGE_BYTES = 6_291_456
"""Per image (the reference's ``policy.attachments.maxImageBytes``)."""
MAX_ATTACHMENTS = 10
INLINE_TEXT_BYTES = 16 * 1024
"""Text files up to this size are shown to the model inline."""
TEXT_MIMES = ("application/json", "application/xml", "application/x-yaml", "application/toml")

_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def guess_mime(name: str | None, mime: str | None) -> str:
    if mime:
        return mime.split(";")[0].strip().lower()
    guessed = mimetypes.guess_type(name or "")[0]
    return guessed or "application/octet-stream"


_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"%PDF-", "application/pdf"),
)


def sniff(data: bytes) -> str | None:
    """The type of a few common formats from their first bytes (surfaces often omit it)."""
    for magic, mime in _MAGIC:
        if data.startswith(magic):
            return mime
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def kind_of(mime: str) -> str:
    major = mime.split("/")[0]
    return major if major in ("image", "audio", "video") else "document"


def limit_for(mime: str) -> int:
    return MAX_IMAGE_BYTES if kind_of(mime) == "image" else MAX_BYTES


def is_text(mime: str) -> bool:
    return mime.startswith("text/") or mime in TEXT_MIMES


def policy() -> dict[str, int]:
    """``hello-ok.policy.attachments``."""
    return {"maxBytes": MAX_BYTES, "maxImageBytes": MAX_IMAGE_BYTES}


class MediaTooLarge(ValueError):
    def __init__(self, size: int, limit: int) -> None:
        super().__init__(f"{size} bytes is over the {limit}-byte limit")
        self.size, self.limit = size, limit


@dataclass(frozen=True)
class StoredMedia:
    """One attachment stored under the media dir; ``ref`` is its path relative to that dir."""

    ref: str
    mime: str
    name: str
    size: int

    @property
    def kind(self) -> str:
        return kind_of(self.mime)

    def transcript_part(self) -> dict[str, Any]:
        """How the transcript (and ``chat.history``) records it."""
        return {
            "type": "image" if self.kind == "image" else "file",
            "mimeType": self.mime,
            "fileName": self.name,
            "size": self.size,
            "media": self.ref,
        }

    @classmethod
    def from_part(cls, part: dict[str, Any]) -> StoredMedia | None:
        ref = part.get("media")
        if part.get("type") not in ("image", "file") or not isinstance(ref, str):
            return None
        return cls(
            ref=ref,
            mime=str(part.get("mimeType") or "application/octet-stream"),
            name=str(part.get("fileName") or ref.rsplit("/", 1)[-1]),
            size=int(part.get("size") or 0),
        )


@dataclass(frozen=True)
class Unavailable:
    """An attachment the agent should hear about but could not get (too large, download failed)."""

    name: str
    reason: str

    def transcript_part(self) -> dict[str, Any]:
        return {"type": "file", "fileName": self.name, "unavailable": self.reason}


class MediaStore:
    """Content-addressed files under ``root`` (the same bytes are stored once)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    async def save(
        self, data: bytes, *, name: str | None, mime: str | None, origin: str = "inbound"
    ) -> StoredMedia:
        """Store ``data``; raises :class:`MediaTooLarge` over the limit for its kind."""
        mime = guess_mime(name, mime)
        sniffed = sniff(data)
        if sniffed and (mime == "application/octet-stream" or mime.startswith("image/")):
            mime = sniffed  # the bytes win over a missing or guessed image type
        limit = limit_for(mime)
        if len(data) > limit:
            raise MediaTooLarge(len(data), limit)
        digest = hashlib.sha256(data).hexdigest()[:32]
        clean = _SAFE_NAME.sub("_", name or "").strip("._")[-80:]
        extension = Path(clean).suffix or (mimetypes.guess_extension(mime) or "")
        ref = f"{origin}/{digest}{extension}"
        await anyio.to_thread.run_sync(self._write, ref, data)
        return StoredMedia(
            ref=ref, mime=mime, name=name or f"{digest[:8]}{extension}", size=len(data)
        )

    def _write(self, ref: str, data: bytes) -> None:
        path = self.path(ref)
        if path.exists():
            return
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = path.with_suffix(path.suffix + ".part")
        tmp.write_bytes(data)
        tmp.replace(path)  # atomic: a reader never sees half a file

    def path(self, ref: str) -> Path:
        path = (self.root / ref).resolve()
        if not path.is_relative_to(self.root.resolve()):
            raise ValueError(f"media reference {ref!r} leaves the media dir")
        return path

    async def load(self, ref: str) -> bytes | None:
        """The stored bytes, or None when the file is gone (the transcript outlives pruning)."""
        try:
            return await anyio.to_thread.run_sync(self.path(ref).read_bytes)
        except (OSError, ValueError):
            return None

    async def image_input(self, media: StoredMedia) -> ImageInput | None:
        data = await self.load(media.ref)
        return ImageInput(media.mime, data) if data is not None else None

    async def describe(self, media: StoredMedia) -> str:
        """The line the model reads for a non-image attachment (small text files inline)."""
        head = f"[attachment: {media.name} ({media.mime}, {media.size} bytes) at {self.path(media.ref)}]"
        if is_text(media.mime) and media.size <= INLINE_TEXT_BYTES:
            data = await self.load(media.ref)
            if data is not None:
                text = data.decode("utf-8", errors="replace")
                return f"{head}\n```\n{text}\n```"
        return head


def describe_unavailable(part: dict[str, Any]) -> str | None:
    reason = part.get("unavailable")
    if part.get("type") != "file" or not isinstance(reason, str):
        return None
    return f"[attachment: {part.get('fileName') or 'file'} could not be read: {reason}]"
