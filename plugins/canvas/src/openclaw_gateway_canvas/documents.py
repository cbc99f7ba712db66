"""Canvas documents under ``<state dir>/canvas/documents/<id>/``.

A document is either agent-written HTML (``index.html``) or an A2UI surface log
(``a2ui.jsonl``, rendered by the bundled renderer). Ids are validated against a strict pattern and
files have fixed names, so no request path ever becomes a file path: traversal is impossible by
construction, not by filtering.
"""

from __future__ import annotations

import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import orjson

DOCUMENT_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
Kind = Literal["html", "a2ui"]


class DocumentError(ValueError):
    """A bad id, an oversized document, or a kind mismatch."""


@dataclass(frozen=True)
class Document:
    id: str
    kind: Kind
    title: str


def new_id() -> str:
    return "doc-" + secrets.token_hex(6)


def check_id(document_id: str) -> str:
    if not DOCUMENT_ID.fullmatch(document_id):
        raise DocumentError("documentId must match [a-z0-9][a-z0-9_-]{0,63}")
    return document_id


def hosted_path(document_id: str) -> str:
    """The path callers hand to ``canvas.navigate`` (resolved against a capability URL)."""
    return f"/__openclaw__/canvas/documents/{document_id}/index.html"


class DocumentStore:
    def __init__(self, root: Path, max_bytes: int, max_messages: int) -> None:
        self.root = root
        self.max_bytes = max_bytes
        self.max_messages = max_messages

    def _dir(self, document_id: str) -> Path:
        return self.root / check_id(document_id)

    def _write(self, path: Path, data: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)

    def get(self, document_id: str) -> Document | None:
        try:
            meta = orjson.loads((self._dir(document_id) / "meta.json").read_bytes())
        except (OSError, orjson.JSONDecodeError, DocumentError):
            return None
        return Document(document_id, meta.get("kind", "html"), str(meta.get("title", "")))

    def write_html(self, document_id: str, html: str, title: str = "") -> Document:
        data = html.encode("utf-8", "surrogatepass").decode("utf-8", "replace").encode()
        if len(data) > self.max_bytes:
            raise DocumentError(f"document is {len(data)} bytes; the limit is {self.max_bytes}")
        folder = self._dir(document_id)
        self._write(folder / "index.html", data)
        (folder / "a2ui.jsonl").unlink(missing_ok=True)
        self._write(folder / "meta.json", orjson.dumps({"kind": "html", "title": title}))
        return Document(document_id, "html", title)

    def append_a2ui(self, document_id: str, messages: list[dict[str, Any]], title: str = "") -> int:
        """Append validated messages to an A2UI document (created on first push); returns the
        number of messages it holds. A ``deleteSurface`` of every surface does not delete it."""
        folder = self._dir(document_id)
        existing = self.get(document_id)
        if existing is not None and existing.kind != "a2ui":
            raise DocumentError(f"document {document_id} is HTML, not A2UI")
        log = self.a2ui_messages(document_id)
        log.extend(messages)
        if len(log) > self.max_messages:
            raise DocumentError(f"an A2UI document holds at most {self.max_messages} messages")
        data = b"".join(orjson.dumps(m) + b"\n" for m in log)
        if len(data) > self.max_bytes:
            raise DocumentError(f"A2UI log would be {len(data)} bytes; limit {self.max_bytes}")
        self._write(folder / "a2ui.jsonl", data)
        if existing is None:
            self._write(folder / "meta.json", orjson.dumps({"kind": "a2ui", "title": title}))
        return len(log)

    def a2ui_messages(self, document_id: str) -> list[dict[str, Any]]:
        try:
            raw = (self._dir(document_id) / "a2ui.jsonl").read_bytes()
        except OSError:
            return []
        return [orjson.loads(line) for line in raw.splitlines() if line.strip()]

    def html(self, document_id: str) -> bytes | None:
        try:
            return (self._dir(document_id) / "index.html").read_bytes()
        except OSError:
            return None
