"""openclaw-gateway-screen: ``screen.record`` (MP4) and ``screen.snapshot`` (PNG/JPEG) on a node.

The gateway registers both as dangerous (the operator arms them in ``nodes.commands.allow`` and
approves with ``operator.admin``); the node host registers the handlers, which answer
``SCREEN_DISABLED`` until the node's own ``node.toml`` enables them. mss and PyAV load on the
first capture, not at start.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from openclaw_gateway.api import NodeCommandSpec, NodeContext, NodeHandlerSpec, hookimpl

from .wire import RecordParams, RecordResult, SnapshotParams, SnapshotResult

__version__ = "0.1.0"
__all__ = ["RecordParams", "RecordResult", "SnapshotParams", "SnapshotResult"]

SECTION = "screen"


@hookimpl
def register_node_commands(register: Callable[[NodeCommandSpec], None]) -> None:
    register(
        NodeCommandSpec(
            name="screen.record",
            params=RecordParams,
            result=RecordResult,
            permission="dangerous",
            description="Record the screen (MP4)",
        )
    )
    register(
        NodeCommandSpec(
            name="screen.snapshot",
            params=SnapshotParams,
            result=SnapshotResult,
            permission="dangerous",
            description="A still of the screen (PNG or JPEG)",
        )
    )


@hookimpl
def register_node_handlers(register: Callable[[NodeHandlerSpec], None], node: NodeContext) -> None:
    from .config import ScreenSettings

    settings = ScreenSettings.model_validate(node.section(SECTION))
    commands: list[Any] = []

    def get() -> Any:
        if not commands:
            from .node import ScreenCommands

            commands.append(ScreenCommands(settings))
        return commands[0]

    async def record(params: Any) -> Any:
        return await get().record(params)

    async def snapshot(params: Any) -> Any:
        return await get().snapshot(params)

    register(
        NodeHandlerSpec(name="screen.record", handler=record, cap=SECTION, params=RecordParams)
    )
    register(
        NodeHandlerSpec(
            name="screen.snapshot", handler=snapshot, cap=SECTION, params=SnapshotParams
        )
    )
