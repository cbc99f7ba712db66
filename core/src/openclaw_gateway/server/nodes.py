"""Live nodes: who is connected, their declared vs approved command surface, and in-flight invokes.

The durable part (approved surfaces, pending requests) is in ``state/nodes.py``; this module holds
what only exists while sockets are open. ``node.invoke`` sends a targeted ``node.invoke.request``
to the node and waits (bounded by the timeout) for the node's ``node.invoke.result``; a node that
disconnects fails its in-flight invokes at once with a clear, retryable error.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import anyio
import orjson

from ..auth.scopes import ADMIN, PAIRING, WRITE
from ..clock import now_ms
from ..errors import ErrorCode, GatewayError, invalid_request
from ..protocol.frames import ConnectParams
from ..state import nodes as node_store
from .connection import Connection

if TYPE_CHECKING:
    from collections.abc import Mapping

    from ..config import NodesConfig
    from ..hooks.specs import NodeCommandSpec
    from ..state.db import Database
    from .hub import ConnectionHub

DEFAULT_INVOKE_TIMEOUT_MS = 30_000
MAX_IN_FLIGHT = 10_000


def pairing_changed(
    message: str = "node pairing changed while invocation was active",
) -> GatewayError:
    """The reference's answer for an unknown or vanished node: UNAVAILABLE, retryable."""
    return GatewayError(
        ErrorCode.UNAVAILABLE, message, retryable=True, details={"code": "PAIRING_CHANGED"}
    )


@dataclass
class LiveNode:
    conn: Connection
    node_id: str
    params: ConnectParams
    offered_commands: list[str]
    connected_at_ms: int
    approved_commands: list[str] | None = None
    request_id: str | None = None
    skills: list[Any] = field(default_factory=list)
    plugin_tools: list[Any] = field(default_factory=list)
    host_stats: Any = None

    @property
    def approved(self) -> bool:
        return self.approved_commands is not None


@dataclass
class _Invoke:
    node_id: str
    command: str
    done: anyio.Event = field(default_factory=anyio.Event)
    result: dict[str, Any] | None = None
    error: GatewayError | None = None


class NodeManager:
    """Connected nodes, their pairing and approved commands, and the invocations in flight."""

    def __init__(
        self,
        *,
        db: Database,
        config: NodesConfig,
        commands: Mapping[str, NodeCommandSpec],
        hub: ConnectionHub,
    ) -> None:
        self.db = db
        self.config = config
        self.commands = commands
        self.hub = hub
        self.live: dict[str, LiveNode] = {}
        self._invokes: dict[str, _Invoke] = {}

    # --- the command surface -------------------------------------------------------------------

    def permission(self, command: str) -> str | None:
        """``safe``/``admin``/``dangerous`` for a known command, None for an unknown one."""
        spec = self.commands.get(command)
        return spec.permission if spec is not None else None

    def offerable(self, commands: list[str], protocol: int) -> list[str]:
        """Declared commands the gateway will put up for approval (the reference drops the rest).

        Known commands pass unless denied; ``dangerous`` ones and unknown ones only when listed in
        ``nodes.allow_commands``. Plugin-provided commands are withheld from protocol-3 nodes.
        """
        cfg = self.config
        out: list[str] = []
        for command in dict.fromkeys(commands):
            if command in cfg.deny_commands:
                continue
            spec = self.commands.get(command)
            if spec is None or spec.permission == "dangerous":
                if command in cfg.allow_commands:
                    out.append(command)
                continue
            if protocol < 4 and spec.plugin:
                continue
            out.append(command)
        return out

    def required_scopes(self, commands: list[str]) -> list[str]:
        scopes = [PAIRING]
        if commands:
            scopes.append(WRITE)
        if any(self.permission(c) in ("admin", "dangerous") for c in commands):
            scopes.append(ADMIN)
        return scopes

    def invoke_scope(self, command: str) -> str:
        """``admin`` commands need admin to invoke. A ``dangerous`` one is armed by the operator's
        allowlist and an admin's approval; once armed, write invokes it, as in the reference (its
        CLI helpers such as ``nodes camera snap`` connect with write scope)."""
        return ADMIN if self.permission(command) == "admin" else WRITE

    # --- connect / disconnect ------------------------------------------------------------------

    async def attach(self, conn: Connection, params: ConnectParams) -> None:
        """A node finished its handshake: compare its declared surface with the approved one."""
        node_id = conn.device_id
        assert node_id is not None
        now = now_ms()
        offered = self.offerable(params.commands, params.maxProtocol)
        node = LiveNode(conn, node_id, params, offered, now)
        db = self.db
        record = await db.run(node_store.get_node, db.conn, node_id)
        if record is not None:
            node.approved_commands = [c for c in record.commands if c in offered]
        # Visible to invokes only with its approved surface known: a node reconnecting must not
        # answer "command not approved" for the moment its approvals are being read.
        previous = self.live.get(node_id)
        self.live[node_id] = node
        if previous is not None and previous.conn is not conn:
            self._fail_invokes(node_id, "node reconnected while invocation was active")
        if record is not None:
            await db.run(node_store.touch_node, db.conn, node_id, now, "connect")
            if set(offered) <= set(record.commands) and set(params.caps) <= set(record.caps):
                return
        request = node_store.NodePairRequest(
            request_id=str(uuid.uuid4()),
            node_id=node_id,
            client=params.client.model_dump(exclude_none=True),
            caps=list(dict.fromkeys(params.caps)),
            commands=offered,
            required_scopes=self.required_scopes(offered),
            silent=conn.direct_loopback,
            created_at_ms=now,
        )
        stored = await db.run(node_store.upsert_request, db.conn, request)
        node.request_id = stored.request_id
        if stored.request_id == request.request_id:
            self.hub.broadcast("node.pair.requested", stored.to_wire())

    def detach(self, conn: Connection) -> None:
        node_id = conn.device_id
        if node_id is None:
            return
        node = self.live.get(node_id)
        if node is not None and node.conn is conn:
            del self.live[node_id]
            self._fail_invokes(node_id, "node disconnected while invocation was active")

    def _fail_invokes(self, node_id: str, message: str) -> None:
        for invoke in list(self._invokes.values()):
            if invoke.node_id == node_id and not invoke.done.is_set():
                invoke.error = GatewayError(
                    ErrorCode.UNAVAILABLE,
                    message,
                    retryable=True,
                    details={"code": "NODE_DISCONNECTED", "nodeId": node_id},
                )
                invoke.done.set()

    def require_approved(self, conn: Connection) -> LiveNode:
        """For node-role calls that need an approved surface (the reference's exact message)."""
        node = self.live.get(conn.device_id or "")
        if node is None or node.conn is not conn:
            raise pairing_changed("node pairing changed before request dispatch")
        if not node.approved:
            raise GatewayError(
                ErrorCode.UNAVAILABLE,
                "node capability surface is awaiting operator approval; run"
                f" `openclaw-gateway nodes approve {node.request_id}` (see `openclaw-gateway nodes"
                " pending`), then this node retries automatically",
            )
        return node

    def live_node(self, conn: Connection) -> LiveNode:
        node = self.live.get(conn.device_id or "")
        if node is None or node.conn is not conn:
            raise pairing_changed("node pairing changed before request dispatch")
        return node

    # --- invoke --------------------------------------------------------------------------------

    async def invoke(
        self,
        node_id: str,
        command: str,
        params: Any,
        *,
        timeout_ms: int | None,
        idempotency_key: str,
    ) -> dict[str, Any]:
        node = self.live.get(node_id)
        if node is None:
            raise pairing_changed()
        if node.approved_commands is None or command not in node.approved_commands:
            if command not in node.offered_commands and self.permission(command) in (
                None,
                "dangerous",
            ):
                raise GatewayError(
                    ErrorCode.INVALID_REQUEST,
                    f'node command not allowed: "{command}" requires explicit'
                    " nodes.commands.allow opt-in",
                    details={"reason": "command not allowlisted", "command": command},
                )
            raise invalid_request(
                f'node command not allowed: "{command}" is not in the approved surface of this node',
                reason="command not approved",
                command=command,
            )
        spec = self.commands.get(command)
        if spec is not None and spec.params is not None:
            from pydantic import ValidationError

            from ..protocol.codec import params_error

            try:
                spec.params.model_validate({} if params is None else params)
            except ValidationError as exc:
                raise params_error(command, exc) from None
        if len(self._invokes) >= MAX_IN_FLIGHT:
            raise GatewayError(
                ErrorCode.UNAVAILABLE, "too many node invocations in flight", retryable=True
            )
        budget = timeout_ms if timeout_ms is not None else DEFAULT_INVOKE_TIMEOUT_MS
        started = time.monotonic()
        invoke_id = str(uuid.uuid4())
        invoke = _Invoke(node_id, command)
        self._invokes[invoke_id] = invoke
        try:
            request = {
                "id": invoke_id,
                "nodeId": node_id,
                "command": command,
                "paramsJSON": orjson.dumps(params if params is not None else {}).decode(),
                "timeoutMs": max(1, budget - int((time.monotonic() - started) * 1000)),
                "idempotencyKey": idempotency_key,
            }
            if not self.hub.send_event(node.conn, "node.invoke.request", request):
                raise pairing_changed()
            with anyio.move_on_after(budget / 1000):
                await invoke.done.wait()
            if not invoke.done.is_set():
                raise GatewayError(
                    ErrorCode.UNAVAILABLE,
                    f"node invoke timed out after {budget} ms",
                    retryable=True,
                    details={"code": "TIMEOUT", "nodeId": node_id, "command": command},
                )
            if invoke.error is not None:
                raise invoke.error
            assert invoke.result is not None
            return invoke.result
        finally:
            self._invokes.pop(invoke_id, None)

    def resolve(self, conn: Connection, params: Any) -> bool:
        """A ``node.invoke.result`` from a node; only the node that was asked may answer."""
        invoke = self._invokes.get(params.id)
        if invoke is None or invoke.node_id != conn.device_id or invoke.done.is_set():
            return False
        if params.ok:
            payload_json = params.payloadJSON
            if payload_json is None:
                payload_json = orjson.dumps(params.payload).decode()
                payload = params.payload
            else:
                try:
                    payload = orjson.loads(payload_json)
                except orjson.JSONDecodeError:
                    payload = payload_json
            invoke.result = {
                "ok": True,
                "nodeId": invoke.node_id,
                "command": invoke.command,
                "payload": payload,
                "payloadJSON": payload_json,
            }
        else:
            error = params.error or {}
            invoke.error = GatewayError(
                ErrorCode.UNAVAILABLE,
                str(error.get("message") or "node command failed"),
                details={"code": "NODE_INVOKE_FAILED", "nodeError": error},
            )
        invoke.done.set()
        return True
