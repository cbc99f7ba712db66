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
import logging
import mimetypes
import os
import re
import stat
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio

from .provider import ImageInput

log = logging.getLogger("openclaw_gateway.media")

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
    (b"BM", "image/bmp"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
    (b"%PDF-", "application/pdf"),
)
_FTYP_BRANDS = {
    b"heic": "image/heic",
    b"heix": "image/heic",
    b"mif1": "image/heif",
    b"avif": "image/avif",
}
SIGNED_TYPES = frozenset(mime for _magic, mime in _MAGIC) | {"image/webp", *_FTYP_BRANDS.values()}
"""Types whose bytes carry a signature we check: a claim to be one of these must match."""


def sniff(data: bytes) -> str | None:
    """The type of a few common formats from their first bytes (surfaces often omit it)."""
    for magic, mime in _MAGIC:
        if data.startswith(magic):
            return mime
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data[4:8] == b"ftyp" and data[8:12] in _FTYP_BRANDS:
        return _FTYP_BRANDS[data[8:12]]
    return None


def effective_mime(data: bytes, name: str | None, declared: str | None) -> str:
    """The type the bytes say, not the sender: a PNG declared ``text/plain`` is an image (and gets
    the image limit); a file claiming an image (or PDF) type whose bytes are not one is refused
    with :class:`MediaTypeMismatch` — an HTML page declared ``image/png`` never reaches a model or
    a platform as an image."""
    sniffed = sniff(data)
    if sniffed is not None:
        return sniffed
    mime = guess_mime(name, declared)
    if mime.startswith("image/") or mime in SIGNED_TYPES:
        raise MediaTypeMismatch(mime)
    return mime


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


class MediaRejected(ValueError):
    """Raised when an attachment is refused; the message says why, for the sender."""


class MediaTooLarge(MediaRejected):
    """Raised when an attachment is over the limit for its (sniffed) kind."""

    def __init__(self, size: int, limit: int) -> None:
        super().__init__(f"{size} bytes is over the {limit}-byte limit")
        self.size, self.limit = size, limit


class MediaTypeMismatch(MediaRejected):
    """Raised when an attachment claims a type its bytes do not have."""

    def __init__(self, declared: str) -> None:
        super().__init__(f"declared {declared}, but its bytes are not {declared}")
        self.declared = declared


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


@dataclass(frozen=True)
class PruneReport:
    removed: int
    freed: int
    kept_bytes: int


PRUNE_EVERY_S = 3600.0
"""Age pruning runs at start and then at most this often, from a save."""


class MediaStore:
    """Content-addressed files under ``root`` (the same bytes are stored once), kept within a
    size and age budget: files older than ``max_age_s`` go, then the oldest until the total is
    under ``max_total_bytes`` (0 turns either off). The transcript outlives pruning: a pruned
    file reads as unavailable."""

    def __init__(self, root: Path, *, max_total_bytes: int = 0, max_age_s: float = 0) -> None:
        self.root = root
        self.max_total_bytes = max_total_bytes
        self.max_age_s = max_age_s
        self._total: int | None = None  # bytes stored, known after the first prune
        self._last_prune = 0.0

    async def prune(self) -> PruneReport:
        """Apply the budget now (in a worker thread: it walks the directory)."""
        report = await anyio.to_thread.run_sync(self._prune)
        self._total, self._last_prune = report.kept_bytes, time.monotonic()
        return report

    def _prune(self) -> PruneReport:
        files: list[tuple[float, int, Path]] = []
        if self.root.is_dir():
            for path in self.root.rglob("*"):
                try:
                    info = path.lstat()
                except OSError:
                    continue
                if stat.S_ISREG(info.st_mode):
                    files.append((info.st_mtime, info.st_size, path))
        files.sort()  # oldest first
        total = sum(size for _mtime, size, _path in files)
        cutoff = time.time() - self.max_age_s if self.max_age_s else None
        removed = freed = 0
        for mtime, size, path in files:
            too_old = cutoff is not None and mtime < cutoff
            too_much = bool(self.max_total_bytes) and total > self.max_total_bytes
            if not (too_old or too_much):
                break  # oldest first: every later file is newer, and the total fits
            try:
                path.unlink()
            except OSError:
                continue
            total -= size
            removed, freed = removed + 1, freed + size
        if removed:
            log.info("media: pruned %d file(s), %d bytes; %d bytes kept", removed, freed, total)
        return PruneReport(removed, freed, total)

    async def _after_write(self, size: int) -> None:
        if self._total is not None:
            self._total += size
        over = bool(self.max_total_bytes) and (
            self._total is None or self._total > self.max_total_bytes
        )
        stale = bool(self.max_age_s) and time.monotonic() - self._last_prune > PRUNE_EVERY_S
        if over or stale:
            await self.prune()

    async def save(
        self, data: bytes, *, name: str | None, mime: str | None, origin: str = "inbound"
    ) -> StoredMedia:
        """Store ``data``; raises :class:`MediaRejected` when its bytes contradict its declared
        type or it is over the limit for the kind its bytes say."""
        mime = effective_mime(data, name, mime)
        limit = limit_for(mime)
        if len(data) > limit:
            raise MediaTooLarge(len(data), limit)
        digest = hashlib.sha256(data).hexdigest()[:32]
        clean = _SAFE_NAME.sub("_", name or "").strip("._")[-80:]
        extension = Path(clean).suffix or (mimetypes.guess_extension(mime) or "")
        ref = f"{origin}/{digest}{extension}"
        if await anyio.to_thread.run_sync(self._write, ref, data):
            await self._after_write(len(data))
        return StoredMedia(
            ref=ref, mime=mime, name=name or f"{digest[:8]}{extension}", size=len(data)
        )

    def _write(self, ref: str, data: bytes) -> bool:
        """Write once; True when a new file was written."""
        path = self.path(ref)
        if path.exists():
            os.utime(path)  # used again: the age budget counts from the last use
            return False
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = path.with_suffix(path.suffix + ".part")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        tmp.replace(path)  # atomic: a reader never sees half a file
        return True

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
