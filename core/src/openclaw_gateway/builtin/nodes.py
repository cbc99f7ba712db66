"""The node role: ``node.*`` methods and events (PROTOCOL.md §6, §11).

Operators list, describe, approve and invoke nodes; nodes report results, events and inventories.
Also the gateway side of the reference node host's ``system.*`` commands, so the official
``openclaw node run`` can be approved and invoked here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ..auth.scopes import PAIRING, READ, ROLE_NODE
from ..clock import now_ms
from ..errors import invalid_request, missing_scope
from ..hooks import hookimpl
from ..hooks.registry import EventSpec, MethodContext, MethodSpec, NodeCommandSpec
from ..server.nodes import LiveNode
from ..state import nodes as store

NODE_ONLY = frozenset({ROLE_NODE})


class Params(BaseModel):
    model_config = ConfigDict(extra="ignore")


class NodeIdParams(Params):
    nodeId: str = Field(min_length=1)


class RenameParams(NodeIdParams):
    displayName: str = Field(min_length=1, max_length=200)


class RequestIdParams(Params):
    requestId: str = Field(min_length=1)


class InvokeParams(Params):
    nodeId: str = Field(min_length=1)
    command: str = Field(min_length=1)
    params: Any = None
    timeoutMs: int | None = Field(default=None, ge=1, le=600_000)
    idempotencyKey: str = Field(min_length=1)


class InvokeResultParams(Params):
    id: str = Field(min_length=1)
    nodeId: str | None = None
    ok: bool
    payloadJSON: str | None = None
    payload: Any = None
    error: dict[str, Any] | None = None


class NodeEventParams(Params):
    event: str = Field(min_length=1)
    payloadJSON: str | None = None
    payload: Any = None


class SkillsParams(Params):
    skills: list[Any] = Field(default_factory=list)


class ToolsParams(Params):
    tools: list[Any] = Field(default_factory=list)


class InventoryParams(Params):
    protocolFeatures: list[str] = Field(default_factory=list)
    workerHost: dict[str, Any] | None = None


def node_view(record: store.NodeRecord | None, live: LiveNode | None) -> dict[str, Any]:
    """One node as ``node.list`` / ``node.describe`` show it: the durable record and the live socket."""
    client = live.params.client if live is not None else None
    node_id = live.node_id if live is not None else record.node_id if record is not None else ""
    view: dict[str, Any] = {
        "nodeId": node_id,
        "displayName": (record.display_name if record and record.display_name else None)
        or (client.displayName if client else None),
        "platform": client.platform if client else record.platform if record else None,
        "version": client.version if client else record.version if record else None,
        "clientId": client.id if client else record.client_id if record else None,
        "clientMode": client.mode if client else record.client_mode if record else None,
        "deviceFamily": client.deviceFamily if client else record.device_family if record else None,
        "caps": (live.params.caps if live else record.caps if record else []),
        "commands": (
            (live.approved_commands or [])
            if live is not None
            else (record.commands if record else [])
        ),
        "declaredCommands": live.params.commands if live is not None else None,
        "permissions": live.params.permissions if live is not None else None,
        "pathEnv": live.params.pathEnv if live is not None else None,
        "nodePluginTools": live.plugin_tools if live is not None else [],
        "approvalState": _approval_state(record, live),
        "paired": record is not None,
        "connected": live is not None,
        "connectedAtMs": live.connected_at_ms if live is not None else None,
        "lastSeenAtMs": record.last_seen_at_ms if record else None,
        "lastSeenReason": record.last_seen_reason if record else None,
        "approvedAtMs": record.approved_at_ms if record else None,
        "pendingRequestId": live.request_id if live is not None else None,
    }
    return {k: v for k, v in view.items() if v is not None}


def _approval_state(record: store.NodeRecord | None, live: LiveNode | None) -> str:
    if live is not None and live.request_id is not None:
        return "pending"
    if (live is not None and live.approved) or record is not None:
        return "approved"
    return "unknown"


async def node_list(ctx: MethodContext, params: Params) -> Any:
    gw = ctx.core
    records = {r.node_id: r for r in await gw.db.run(store.list_nodes, gw.db.conn)}
    ids = list(records) + [n for n in gw.nodes.live if n not in records]
    return {
        "ts": now_ms(),
        "nodes": [node_view(records.get(i), gw.nodes.live.get(i)) for i in ids],
    }


async def node_describe(ctx: MethodContext, params: NodeIdParams) -> Any:
    gw = ctx.core
    record = await gw.db.run(store.get_node, gw.db.conn, params.nodeId)
    live = gw.nodes.live.get(params.nodeId)
    if record is None and live is None:
        raise invalid_request("unknown nodeId")
    return {"ts": now_ms(), **node_view(record, live)}


async def node_rename(ctx: MethodContext, params: RenameParams) -> Any:
    gw = ctx.core
    if not await gw.db.run(store.rename_node, gw.db.conn, params.nodeId, params.displayName):
        raise invalid_request("unknown nodeId")
    return {"nodeId": params.nodeId, "displayName": params.displayName}


async def pair_list(ctx: MethodContext, params: Params) -> Any:
    gw = ctx.core
    pending = await gw.db.run(store.list_requests, gw.db.conn)
    paired = await gw.db.run(store.list_nodes, gw.db.conn)
    return {
        "pending": [p.to_wire() for p in pending],
        "paired": [node_view(r, gw.nodes.live.get(r.node_id)) for r in paired],
    }


async def pair_approve(ctx: MethodContext, params: RequestIdParams) -> Any:
    gw = ctx.core
    request = await gw.db.run(store.get_request, gw.db.conn, params.requestId)
    if request is None:
        raise invalid_request("unknown requestId")
    for scope in request.required_scopes:
        if scope not in ctx.conn.scopes:
            raise missing_scope(scope)
    now = now_ms()
    live = gw.nodes.live.get(request.node_id)
    previously = (
        set(live.approved_commands) if live is not None and live.approved_commands else None
    )
    record = await gw.db.run(store.approve_request, gw.db.conn, request, now)
    resolved = {
        "requestId": request.request_id,
        "nodeId": request.node_id,
        "decision": "approved",
        "ts": now,
    }
    gw.broadcast("node.pair.resolved", resolved)
    if live is not None:
        gw.hub.send_event(live.conn, "node.pair.resolved", resolved)
        if previously is not None and previously != set(record.commands):
            # The approved surface of a connected node changed: it must reconnect (as the reference).
            gw.hub.close_connection(live.conn, 1012, "node capabilities changed")
        else:
            live.approved_commands = [c for c in record.commands if c in live.offered_commands]
            live.request_id = None
    gw.broadcast("node.runnerInventory.changed", {"nodeId": request.node_id})
    return {
        "requestId": request.request_id,
        "node": node_view(record, None) | {"caps": record.caps, "commands": record.commands},
    }


async def pair_reject(ctx: MethodContext, params: RequestIdParams) -> Any:
    gw = ctx.core
    request = await gw.db.run(store.get_request, gw.db.conn, params.requestId)
    if request is None or not await gw.db.run(store.delete_request, gw.db.conn, params.requestId):
        raise invalid_request("unknown requestId")
    resolved = {
        "requestId": request.request_id,
        "nodeId": request.node_id,
        "decision": "rejected",
        "ts": now_ms(),
    }
    gw.broadcast("node.pair.resolved", resolved)
    live = gw.nodes.live.get(request.node_id)
    if live is not None:
        gw.hub.send_event(live.conn, "node.pair.resolved", resolved)
        live.request_id = None
    return resolved


async def pair_remove(ctx: MethodContext, params: NodeIdParams) -> Any:
    gw = ctx.core
    if not await gw.db.run(store.remove_node, gw.db.conn, params.nodeId):
        raise invalid_request("unknown nodeId")
    live = gw.nodes.live.get(params.nodeId)
    if live is not None:
        gw.hub.close_connection(live.conn, 4001, "node removed")
    return {"nodeId": params.nodeId}


async def node_invoke(ctx: MethodContext, params: InvokeParams) -> Any:
    gw = ctx.core
    required = gw.nodes.invoke_scope(params.command)
    if required not in ctx.conn.scopes:
        raise missing_scope(required)
    return await gw.nodes.invoke(
        params.nodeId,
        params.command,
        params.params,
        timeout_ms=params.timeoutMs,
        idempotency_key=params.idempotencyKey,
    )


async def invoke_result(ctx: MethodContext, params: InvokeResultParams) -> Any:
    if params.nodeId is not None and params.nodeId != ctx.conn.device_id:
        raise invalid_request("nodeId does not match this connection")
    matched = ctx.core.nodes.resolve(ctx.conn, params)
    return {"ok": True} if matched else {"ok": True, "ignored": True}


async def node_event(ctx: MethodContext, params: NodeEventParams) -> Any:
    gw = ctx.core
    node = gw.nodes.live_node(ctx.conn)
    payload = params.payload
    if params.payloadJSON is not None:
        import orjson

        try:
            payload = orjson.loads(params.payloadJSON)
        except orjson.JSONDecodeError:
            raise invalid_request("invalid node.event params: payloadJSON is not JSON") from None
    if params.event == "node.host.stats":
        node.host_stats = payload
        gw.broadcast("node.hostStats", {"nodeId": node.node_id, "hostStats": payload})
        return {"ok": True, "event": params.event, "handled": True, "reason": "updated"}
    gw.broadcast("node.event", {"nodeId": node.node_id, "event": params.event, "payload": payload})
    return {"ok": True, "event": params.event, "handled": True, "reason": "broadcast"}


async def skills_update(ctx: MethodContext, params: SkillsParams) -> Any:
    node = ctx.core.nodes.live_node(ctx.conn)
    node.skills = params.skills[:1000]
    return {"nodeId": node.node_id, "skills": node.skills}


async def tools_update(ctx: MethodContext, params: ToolsParams) -> Any:
    node = ctx.core.nodes.live_node(ctx.conn)
    node.plugin_tools = params.tools[:1000]
    return {"nodeId": node.node_id, "tools": node.plugin_tools}


async def inventory_update(ctx: MethodContext, params: InventoryParams) -> Any:
    node = ctx.core.nodes.require_approved(ctx.conn)
    return {"nodeId": node.node_id}


class WhichParams(BaseModel):
    bins: list[str]


class RunParams(BaseModel):
    model_config = ConfigDict(extra="allow")
    command: list[str] | str


@hookimpl
def register_node_commands(register: Callable[[NodeCommandSpec], None]) -> None:
    # The reference node host's system commands (PROTOCOL.md §6: approving them needs admin).
    register(
        NodeCommandSpec(
            name="system.which",
            params=WhichParams,
            permission="admin",
            description="Locate executables",
        )
    )
    register(
        NodeCommandSpec(
            name="system.run", permission="dangerous", description="Run a command on the node"
        )
    )
    register(NodeCommandSpec(name="system.run.prepare", permission="dangerous"))
    register(NodeCommandSpec(name="system.execApprovals.get", permission="admin"))
    register(NodeCommandSpec(name="system.execApprovals.set", permission="admin"))


@hookimpl
def register_methods(register: Callable[[MethodSpec], None]) -> None:
    register(MethodSpec(name="node.list", handler=node_list, params=Params, scope=READ))
    register(
        MethodSpec(name="node.describe", handler=node_describe, params=NodeIdParams, scope=READ)
    )
    register(
        MethodSpec(name="node.rename", handler=node_rename, params=RenameParams, scope=PAIRING)
    )
    register(MethodSpec(name="node.pair.list", handler=pair_list, params=Params, scope=PAIRING))
    register(
        MethodSpec(
            name="node.pair.approve", handler=pair_approve, params=RequestIdParams, scope=PAIRING
        )
    )
    register(
        MethodSpec(
            name="node.pair.reject", handler=pair_reject, params=RequestIdParams, scope=PAIRING
        )
    )
    register(
        MethodSpec(name="node.pair.remove", handler=pair_remove, params=NodeIdParams, scope=PAIRING)
    )
    # The gateway does dedupe node.invoke (the reference forwards repeats; PROTOCOL.md §9 allows both).
    register(
        MethodSpec(
            name="node.invoke",
            handler=node_invoke,
            params=InvokeParams,
            scope="operator.write",
            side_effects=True,
            background=True,
        )
    )
    register(
        MethodSpec(
            name="node.invoke.result",
            handler=invoke_result,
            params=InvokeResultParams,
            roles=NODE_ONLY,
            scope=None,
        )
    )
    register(
        MethodSpec(
            name="node.event",
            handler=node_event,
            params=NodeEventParams,
            roles=NODE_ONLY,
            scope=None,
        )
    )
    register(
        MethodSpec(
            name="node.skills.update",
            handler=skills_update,
            params=SkillsParams,
            roles=NODE_ONLY,
            scope=None,
        )
    )
    register(
        MethodSpec(
            name="node.pluginTools.update",
            handler=tools_update,
            params=ToolsParams,
            roles=NODE_ONLY,
            scope=None,
        )
    )
    register(
        MethodSpec(
            name="node.runnerInventory.update",
            handler=inventory_update,
            params=InventoryParams,
            roles=NODE_ONLY,
            scope=None,
        )
    )


NODE_EVENTS = frozenset({ROLE_NODE})


@hookimpl
def register_events(register: Callable[[EventSpec], None]) -> None:
    register(EventSpec(name="node.pair.requested", scope=PAIRING))
    register(EventSpec(name="node.pair.resolved", scope=PAIRING))
    register(EventSpec(name="node.invoke.request", scope=None, roles=NODE_EVENTS))
    register(EventSpec(name="node.hostStats", scope=READ))
    register(EventSpec(name="node.event", scope=READ))
    register(EventSpec(name="node.runnerInventory.changed", scope=READ))
