"""openclaw-gateway-camera: ``camera.list``, ``camera.snap`` and ``camera.clip`` on a node.

Both sides live here: the gateway registers the commands (``camera.snap``/``camera.clip`` are
dangerous: invocable only once the operator lists them in ``nodes.commands.allow`` and approves the
node with ``operator.admin``; listing cameras is safe, as on the reference's platforms), and the node host registers the
handlers, which answer ``CAMERA_DISABLED`` until the node's own ``node.toml`` enables them. This
module is the manifest: PyAV loads on the first capture, not at start.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from openclaw_gateway.api import NodeCommandSpec, NodeContext, NodeHandlerSpec, hookimpl

from .wire import ClipParams, ClipResult, ListResult, SnapParams, SnapResult

__version__ = "0.1.0"
__all__ = ["ClipParams", "ClipResult", "ListResult", "SnapParams", "SnapResult"]

SECTION = "camera"


@hookimpl
def register_node_commands(register: Callable[[NodeCommandSpec], None]) -> None:
    register(
        NodeCommandSpec(
            name="camera.list",
            result=ListResult,
            permission="safe",
            description="The node's cameras",
        )
    )
    register(
        NodeCommandSpec(
            name="camera.snap",
            params=SnapParams,
            result=SnapResult,
            permission="dangerous",
            description="Take a photo (JPEG)",
        )
    )
    register(
        NodeCommandSpec(
            name="camera.clip",
            params=ClipParams,
            result=ClipResult,
            permission="dangerous",
            description="Record a short clip (MP4)",
        )
    )


@hookimpl
def register_node_handlers(register: Callable[[NodeHandlerSpec], None], node: NodeContext) -> None:
    from .config import CameraSettings

    settings = CameraSettings.model_validate(node.section(SECTION))
    commands: list[Any] = []  # built on first use: importing node.py stays off the start path

    def get() -> Any:
        if not commands:
            from .node import CameraCommands

            commands.append(CameraCommands(settings))
        return commands[0]

    async def list_cameras(params: Any) -> Any:
        return await get().list(params)

    async def snap(params: Any) -> Any:
        return await get().snap(params)

    async def clip(params: Any) -> Any:
        return await get().clip(params)

    register(NodeHandlerSpec(name="camera.list", handler=list_cameras, cap=SECTION))
    register(NodeHandlerSpec(name="camera.snap", handler=snap, cap=SECTION, params=SnapParams))
    register(NodeHandlerSpec(name="camera.clip", handler=clip, cap=SECTION, params=ClipParams))
