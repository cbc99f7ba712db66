"""The agent's tools: those plugins register, plus the commands of connected, approved nodes.

Node commands become tools under ``agent.node_tools``: ``safe`` (default) exposes only commands
whose permission is ``safe``; ``armed`` adds the ``dangerous`` ones the operator armed (listed in
``nodes.commands.allow`` and approved by an admin: location, camera, screen); ``all`` adds
``admin`` ones to ``safe``. ``location.get`` on a paired node becomes the tool
``node_location_get``, and the ``nodes`` tool lists the nodes and invokes any allowed command.

Photos and screenshots a command returns (``base64`` JPEG/PNG payloads) are not pasted into the
conversation as text: they are taken out of the result and handed to the model as images on the
next turn (:meth:`ToolBox.take_images`), the path user attachments take.
"""

from __future__ import annotations

import base64
import json
import uuid
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from ..errors import GatewayError
from .provider import ImageInput, ToolDefinition

if TYPE_CHECKING:
    from collections.abc import Mapping

    from ..config import AgentConfig
    from ..hooks.specs import AgentToolSpec
    from ..server.nodes import NodeManager

NODE_PREFIX = "node_"
NODES_TOOL = "nodes"
IMAGE_FORMATS = {"jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png"}
MAX_TOOL_IMAGE_BYTES = 6 * 1024 * 1024


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
        self._images: list[ImageInput] = []
        self.definitions: list[ToolDefinition] = self._collect()

    def _allowed_permission(self, permission: str) -> bool:
        policy = self.config.node_tools
        if permission == "safe":
            return policy != "off"
        if permission == "admin":
            return policy == "all"
        # dangerous: only reachable when armed (it is in an approved surface only then)
        return policy == "armed"

    def take_images(self) -> list[ImageInput]:
        """Images the last tool calls returned, for the model's next turn (then forgotten)."""
        images, self._images = self._images, []
        return images

    def _lift_images(self, payload: Any) -> Any:
        """A base64 media payload never reaches the model as text: an image is kept for the next
        turn (when the model takes images), anything else is replaced by a note of its size."""
        if not isinstance(payload, dict) or not isinstance(payload.get("base64"), str):
            return payload
        encoded: str = payload["base64"]
        rest = {k: v for k, v in payload.items() if k != "base64"}
        left_out = rest | {"base64": f"<{len(encoded)} base64 characters left out>"}
        mime = IMAGE_FORMATS.get(str(payload.get("format", "")).lower())
        if mime is None:
            return left_out
        try:
            data = base64.b64decode(encoded, validate=True)
        except ValueError:
            return left_out
        if len(data) <= MAX_TOOL_IMAGE_BYTES and self.config.image_input:
            self._images.append(ImageInput(mime, data))
            return rest | {"base64": f"<{len(data)}-byte image, attached for you to look at>"}
        return rest | {"base64": f"<{len(data)}-byte image, not shown>"}

    def _nodes_tool(self) -> ToolDefinition:
        return ToolDefinition(
            NODES_TOOL,
            "Paired devices (nodes): action 'list' shows them and the commands you may run;"
            " action 'invoke' runs one (nodeId, command, params), e.g. location.get for 'where"
            " am I', camera.snap to see through a camera.",
            {
                "type": "object",
                "properties": {
                    "action": {"type": "string", "enum": ["list", "invoke"]},
                    "nodeId": {"type": "string"},
                    "command": {"type": "string"},
                    "params": {"type": "object"},
                },
                "required": ["action"],
            },
        )

    def _agent_commands(self, node_id: str) -> list[str]:
        node = self.nodes.live.get(node_id)
        if node is None:
            return []
        return [
            c
            for c in node.approved_commands or []
            if self._allowed_permission(self.nodes.permission(c) or "dangerous")
        ]

    async def _call_nodes_tool(self, args: dict[str, Any]) -> tuple[bool, Any]:
        if args.get("action") == "list":
            return True, [
                {
                    "nodeId": node_id,
                    "displayName": node.params.client.displayName,
                    "platform": node.params.client.platform,
                    "commands": self._agent_commands(node_id),
                }
                for node_id, node in sorted(self.nodes.live.items())
            ]
        if args.get("action") != "invoke":
            return False, "action must be 'list' or 'invoke'"
        node_id, command = str(args.get("nodeId") or ""), str(args.get("command") or "")
        if command not in self._agent_commands(node_id):
            return False, f"{command!r} is not a command you may run on node {node_id!r}"
        return await self._invoke(node_id, command, args.get("params") or {})

    async def _invoke(self, node_id: str, command: str, params: Any) -> tuple[bool, Any]:
        try:
            result = await self.nodes.invoke(
                node_id,
                command,
                params,
                timeout_ms=30_000,
                idempotency_key=str(uuid.uuid4()),
            )
        except GatewayError as exc:
            return False, exc.message
        return True, self._lift_images(result["payload"])

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
        out.append(self._nodes_tool())
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
        if name == NODES_TOOL and self.config.node_tools != "off":
            return await self._call_nodes_tool(args)
        if name in self._node_commands:
            command, node_ids = self._node_commands[name]
            node_id = args.get("nodeId") or node_ids[0]
            if node_id not in node_ids:
                return False, f"unknown nodeId {node_id!r}"
            return await self._invoke(node_id, command, args.get("params") or {})
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
