"""The official Control UI, served at the gateway's own address (``http://127.0.0.1:18789/``).

The Control UI (the static web app in the ``openclaw`` npm package, ``dist/control-ui/``, MIT)
opens its WebSocket to the host and port it was loaded from, so it must come from the gateway's
WebSocket port: plain ``GET``s on that port (no ``Upgrade: websocket``) are answered here, through
websockets' ``process_request``, before any WebSocket handshake. Same origin, so no
``allowed_origins`` setting is needed.

The bundle is a directory with ``index.html``: ``control_ui.root``, else the newest one
``openclaw-gateway ui install`` put under ``<state_dir>/control-ui/``. Without one, ``/`` is a short
page saying how to get it (and where WebChat is). Paths are resolved inside the bundle only (no
``..``, no symlink out, no dotfiles); an unknown path without an extension gets ``index.html`` (the
app's own router), anything else 404. Files are read in a worker thread and the small ones cached.
"""

from __future__ import annotations

import html
import mimetypes
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

import anyio

INSTALL_DIR = "control-ui"
CACHE_MAX_FILE = 512 * 1024
CACHE_MAX_TOTAL = 32 * 1024 * 1024
TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".json": "application/json",
    ".webmanifest": "application/manifest+json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".woff2": "font/woff2",
    ".wasm": "application/wasm",
}


@dataclass(frozen=True)
class Page:
    status: int
    content_type: str
    body: bytes
    headers: tuple[tuple[str, str], ...] = ()


def rooted_index(html_bytes: bytes) -> bytes:
    """``index.html`` with its relative asset links made absolute (``./assets/x.js`` →
    ``/assets/x.js``), as the reference serves it: the page is also answered at the app's own
    routes (``/chat/main``), where a relative link would point under ``/chat/``. The empty
    base-path attribute tells the app it is mounted at the root."""
    text = html_bytes.decode("utf-8", "replace")
    text = text.replace('src="./', 'src="/').replace('href="./', 'href="/')
    text = text.replace("<html", '<html data-openclaw-control-ui-base-path=""', 1)
    return text.encode()


def find_bundle(root: Path | None, state_dir: Path) -> Path | None:
    """The bundle to serve: ``root`` when set (it must hold ``index.html``), else the newest
    installed one. Blocking (reads directories): call it at start, off the event loop."""
    if root is not None:
        return root if (root / "index.html").is_file() else None
    installed = state_dir / INSTALL_DIR
    if not installed.is_dir():
        return None
    bundles = [p for p in installed.iterdir() if (p / "index.html").is_file()]
    return max(bundles, key=lambda p: p.stat().st_mtime) if bundles else None


@dataclass
class ControlUi:
    bundle: Path | None
    webchat_url: str | None = None
    _cache: dict[str, Page] = field(default_factory=dict)
    _cached_bytes: int = 0

    async def page(self, target: str) -> Page:
        """The response for ``GET <target>`` (path and query)."""
        path = unquote(urlsplit(target).path)
        if self.bundle is None:
            if path in ("/", "/index.html"):
                return self._no_bundle()
            return Page(404, "text/plain; charset=utf-8", b"404 Not Found\n")
        cached = self._cache.get(path)
        if cached is not None:
            return cached
        file = self._resolve(path)
        if file is None:
            return Page(404, "text/plain; charset=utf-8", b"404 Not Found\n")
        body = await anyio.to_thread.run_sync(file.read_bytes)
        if file.name == "index.html":
            body = rooted_index(body)
        kind = (
            TYPES.get(file.suffix)
            or mimetypes.guess_type(file.name)[0]
            or "application/octet-stream"
        )
        immutable = "/assets/" in path and file.name != "index.html"
        page = Page(
            200,
            kind,
            body,
            (
                (
                    "Cache-Control",
                    "public, max-age=31536000, immutable" if immutable else "no-cache",
                ),
                ("X-Content-Type-Options", "nosniff"),
                ("Referrer-Policy", "no-referrer"),
                ("X-Frame-Options", "DENY"),
            ),
        )
        if len(body) <= CACHE_MAX_FILE and self._cached_bytes + len(body) <= CACHE_MAX_TOTAL:
            self._cache[path] = page
            self._cached_bytes += len(body)
        return page

    def _resolve(self, path: str) -> Path | None:
        assert self.bundle is not None
        parts = PurePosixPath(path).parts[1:]  # drop the leading "/"
        if any(p in ("..", ".") or p.startswith(".") or "\\" in p or "\x00" in p for p in parts):
            return None
        candidate = self.bundle.joinpath(*parts) if parts else self.bundle / "index.html"
        try:
            real = candidate.resolve(strict=True)
            inside = real.is_relative_to(self.bundle.resolve())
        except (OSError, RuntimeError):
            real, inside = None, False
        if real is not None and inside and real.is_file():
            return real
        if real is not None and inside and real.is_dir() and (real / "index.html").is_file():
            return real / "index.html"
        if not PurePosixPath(path).suffix:  # the app's own routes (/chat, /agents …)
            return self.bundle / "index.html"
        return None

    def _no_bundle(self) -> Page:
        webchat = (
            f'<p>The built-in chat page is <a href="{html.escape(self.webchat_url)}">WebChat</a>.</p>'
            if self.webchat_url
            else ""
        )
        text = f"""<!doctype html><meta charset="utf-8"><title>openclaw-gateway</title>
<h1>openclaw-gateway</h1>
<p>The official OpenClaw Control UI is not installed here. Install it with
<code>openclaw-gateway ui install</code> (it fetches the <code>openclaw</code> package from the npm
registry and checks its integrity), or point <code>control_ui.root</code> at a
<code>dist/control-ui</code> directory; then reload this page.</p>
{webchat}"""
        headers = (("Content-Security-Policy", "default-src 'none'"), ("Cache-Control", "no-cache"))
        return Page(200, "text/html; charset=utf-8", text.encode(), headers)
