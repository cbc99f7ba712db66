"""openclaw-gateway-location: ``location.get`` on a node, from gpsd, GeoClue or a fixed position.

Both sides live here: the gateway registers the command (dangerous: invocable only once the
operator lists it in ``nodes.commands.allow`` and approves the node with ``operator.admin``), and
the node host registers the handler, which stays off until the node's own ``node.toml`` enables
it. This module is the manifest and imports nothing heavy.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from openclaw_gateway.api import NodeCommandSpec, NodeContext, NodeHandlerSpec, hookimpl

from .wire import LocationGetParams, LocationResult

__version__ = "0.1.0"
__all__ = ["LocationGetParams", "LocationResult"]

SECTION = "location"


@hookimpl
def register_node_commands(register: Callable[[NodeCommandSpec], None]) -> None:
    register(
        NodeCommandSpec(
            name="location.get",
            params=LocationGetParams,
            result=LocationResult,
            permission="dangerous",
            description="The node's current position (lat, lon, accuracy)",
        )
    )


@hookimpl
def register_node_handlers(register: Callable[[NodeHandlerSpec], None], node: NodeContext) -> None:
    from .config import LocationSettings

    settings = LocationSettings.model_validate(node.section(SECTION))

    async def get(params: Any) -> Any:
        from .node import LocationCommand

        return await LocationCommand(settings).get(params)

    register(
        NodeHandlerSpec(
            name="location.get",
            handler=get,
            cap=SECTION,
            params=LocationGetParams,
            description="gpsd, GeoClue or a fixed position",
        )
    )
