"""Node side of ``canvas.present`` / ``canvas.navigate`` / ``canvas.hide``: the node's panel.

A hosted path (``/__openclaw__/canvas/documents/<id>/index.html``) is resolved against a fresh
capability URL the node asks its gateway for (``node.pluginSurface.refresh``), as the reference's
Mac app does, so callers never copy capability URLs around. Other URLs are refused unless the
node's owner allowed them. The panel is the ``viewer`` command of node.toml (a browser in app
mode on a desktop); a headless node keeps the state only and says so.
"""

from __future__ import annotations

import logging
import subprocess
from typing import Any
from urllib.parse import urlsplit

import anyio
from anyio.abc import Process
from pydantic import BaseModel, ConfigDict, Field

from openclaw_gateway.api import NodeCommandError, NodeContext

from .config import CanvasNodeSettings

log = logging.getLogger("openclaw_gateway.canvas.node")

HOSTED_PREFIX = "/__openclaw__/canvas/"
ENABLE_HINT = "set enabled = true under [canvas] in the node's node.toml"


class Placement(BaseModel):
    model_config = ConfigDict(extra="ignore")

    x: float | None = None
    y: float | None = None
    width: float | None = Field(None, gt=0)
    height: float | None = Field(None, gt=0)


class PresentParams(BaseModel):
    model_config = ConfigDict(extra="ignore")

    url: str | None = Field(None, max_length=8192)
    placement: Placement | None = None


class NavigateParams(BaseModel):
    model_config = ConfigDict(extra="ignore")

    url: str = Field(min_length=1, max_length=8192)


class CanvasPanel:
    def __init__(self, settings: CanvasNodeSettings, node: NodeContext) -> None:
        self.settings = settings
        self.node = node
        self.visible = False
        self.url: str | None = None
        self._viewer: Process | None = None
        self._lock = anyio.Lock()

    def state(self) -> dict[str, Any]:
        return {
            "ok": True,
            "visible": self.visible,
            "url": self.url,
            "viewer": "command" if self.settings.viewer else "none",
        }

    async def resolve(self, target: str) -> str:
        if target.startswith(HOSTED_PREFIX):
            res = await self.node.call_gateway("node.pluginSurface.refresh", {"surface": "canvas"})
            base = str((res.get("pluginSurfaceUrls") or {}).get("canvas") or "")
            if not base:
                raise NodeCommandError("CANVAS_UNAVAILABLE", "the gateway has no canvas host")
            return base.rstrip("/") + target
        parts = urlsplit(target)
        if parts.scheme in ("http", "https") and "/__openclaw__/cap/" in parts.path:
            return target  # an already scoped URL of a canvas host
        if parts.scheme in ("http", "https") and self.settings.allow_external_urls:
            return target
        raise NodeCommandError(
            "INVALID_REQUEST",
            "canvas.navigate takes a hosted document path (/__openclaw__/canvas/documents/<id>/"
            "index.html); other URLs need allow_external_urls = true in the node's [canvas]",
        )

    def _require_enabled(self) -> None:
        if not self.settings.enabled:
            raise NodeCommandError("CANVAS_DISABLED", ENABLE_HINT)

    async def present(self, params: PresentParams) -> dict[str, Any]:
        self._require_enabled()
        async with self._lock:
            if params.url:
                self.url = await self.resolve(params.url)
            self.visible = True
            await self._show()
            return self.state()

    async def navigate(self, params: NavigateParams) -> dict[str, Any]:
        self._require_enabled()
        async with self._lock:
            self.url = await self.resolve(params.url)
            if self.visible:
                await self._show()
            return self.state()

    async def hide(self, params: Any) -> dict[str, Any]:
        self._require_enabled()
        async with self._lock:
            self.visible = False
            await self._close_viewer()
            return self.state()

    async def _show(self) -> None:
        await self._close_viewer()
        if not self.settings.viewer or not self.url:
            return
        argv = [part.replace("{url}", self.url) for part in self.settings.viewer]
        try:
            self._viewer = await anyio.open_process(
                argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
        except OSError as exc:
            raise NodeCommandError("CANVAS_UNAVAILABLE", f"viewer did not start: {exc}") from None

    async def _close_viewer(self) -> None:
        viewer, self._viewer = self._viewer, None
        if viewer is None or viewer.returncode is not None:
            return
        viewer.terminate()
        with anyio.move_on_after(5):
            await viewer.wait()
            return
        viewer.kill()
