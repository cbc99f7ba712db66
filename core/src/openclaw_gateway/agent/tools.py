"""The agent's tools: those plugins register, plus the commands of connected, approved nodes.

Node commands become tools under ``agent.node_tools``: ``safe`` (default) exposes only commands
whose permission is ``safe``; ``all`` adds ``admin`` ones; ``dangerous`` commands are never offered
to a model. ``location.get`` on a paired node becomes the tool ``node_location_get``.
"""

from __future__ import annotations

import json
import uuid
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from ..errors import GatewayError
from .provider import ToolDefinition

if TYPE_CHECKING:
    from collections.abc import Mapping

    from ..config import AgentConfig
    from ..hooks.specs import AgentToolSpec
    from ..server.nodes import NodeManager

NODE_PREFIX = "node_"


def node_tool_name(command: str) -> str:
    return NODE_PREFIX + "".join(c if c.isalnum() else "_" for c in command)


class ToolBox:
    """The tools offered for one run (a snapshot: nodes may come and go during a run)."""

    def __init__(
        self,
        *,
        config: AgentConfig,
        tools: Mapping[str, AgentToolSpec],
        nodes: NodeManager,
    ) -> None:
        self.config = config
        self.tools = tools
        self.nodes = nodes
        self._node_commands: dict[str, tuple[str, list[str]]] = {}  # tool -> (command, node ids)
        self.definitions: list[ToolDefinition] = self._collect()

    def _allowed_permission(self, permission: str) -> bool:
        policy = self.config.node_tools
        return (policy == "safe" and permission == "safe") or (
            policy == "all" and permission in ("safe", "admin")
        )

    def _collect(self) -> list[ToolDefinition]:
        out: list[ToolDefinition] = []
        for spec in self.tools.values():
            schema = (
                spec.params.model_json_schema()
                if spec.params is not None
                else {"type": "object", "properties": {}}
            )
            out.append(ToolDefinition(spec.name, spec.description, schema))
        if self.config.node_tools == "off":
            return out
        for node_id, node in sorted(self.nodes.live.items()):
            for command in node.approved_commands or []:
                permission = self.nodes.permission(command) or "dangerous"
                if not self._allowed_permission(permission):
                    continue
                tool = node_tool_name(command)
                entry = self._node_commands.setdefault(tool, (command, []))
                entry[1].append(node_id)
        for tool, (command, node_ids) in sorted(self._node_commands.items()):
            cmd_spec = self.nodes.commands.get(command)
            params_schema: dict[str, Any] = (
                cmd_spec.params.model_json_schema()
                if cmd_spec is not None and cmd_spec.params is not None
                else {"type": "object"}
            )
            description = (
                cmd_spec.description if cmd_spec is not None and cmd_spec.description else command
            ) + (f" (runs {command} on a paired device)")
            out.append(
                ToolDefinition(
                    tool,
                    description,
                    {
                        "type": "object",
                        "properties": {
                            "nodeId": {
                                "type": "string",
                                "enum": node_ids,
                                "description": "which device",
                            },
                            "params": params_schema,
                        },
                    },
                )
            )
        return out

    async def call(self, name: str, arguments: str) -> tuple[bool, Any]:
        """Run a tool; returns ``(ok, result)`` — a failure is reported to the model, not raised."""
        try:
            args = json.loads(arguments or "{}")
        except json.JSONDecodeError as exc:
            return False, f"arguments are not valid JSON: {exc}"
        if not isinstance(args, dict):
            return False, "arguments must be a JSON object"
        if name in self._node_commands:
            command, node_ids = self._node_commands[name]
            node_id = args.get("nodeId") or node_ids[0]
            if node_id not in node_ids:
                return False, f"unknown nodeId {node_id!r}"
            try:
                result = await self.nodes.invoke(
                    node_id,
                    command,
                    args.get("params") or {},
                    timeout_ms=30_000,
                    idempotency_key=str(uuid.uuid4()),
                )
            except GatewayError as exc:
                return False, exc.message
            return True, result["payload"]
        spec = self.tools.get(name)
        if spec is None:
            return False, f"unknown tool {name!r}"
        try:
            params = spec.params.model_validate(args) if spec.params is not None else args
            return True, await spec.handler(params)
        except ValidationError as exc:
            return False, f"invalid arguments: {exc.errors(include_url=False)[0]['msg']}"
        except Exception as exc:  # a crashing plugin tool fails the call, not the run
            return False, f"{type(exc).__name__}: {exc}"
