"""The node role on the wire: connect, pairing of the command surface, invoke, results, failures."""

from __future__ import annotations

import json

import anyio
import pytest

from wire import TOKEN, DeviceKey, Peer, client_info, connect_frame, open_peer, operator

pytestmark = pytest.mark.anyio

ADMIN = ["operator.read", "operator.write", "operator.admin", "operator.pairing"]


async def connect_node(
    port: int,
    key: DeviceKey,
    commands: list[str],
    *,
    caps: list[str] | None = None,
    protocol: int = 4,
) -> tuple[Peer, dict]:
    peer = await open_peer(port)
    client = client_info("node-host", "node", displayName="test-node", deviceFamily="Linux")
    device = key.proof(
        nonce=peer.nonce, signed_at=peer.ts, client=client, role="node", scopes=[], token=TOKEN
    )
    frame = connect_frame(
        token=TOKEN,
        role="node",
        scopes=[],
        client=client,
        device=device,
        caps=caps or ["system"],
        commands=commands,
        min_protocol=protocol,
        max_protocol=protocol,
    )
    await peer.send(frame)
    return peer, await peer.recv_res(frame["id"])


async def next_event(peer: Peer, name: str, timeout: float = 5) -> dict:
    """The next ``name`` event, including ones that arrived while waiting for a response."""
    with anyio.fail_after(timeout):
        return await peer.next_event(name)


async def approve_pending(admin: Peer) -> dict:
    listing = await admin.request("node.pair.list", {})
    request = listing["payload"]["pending"][0]
    res = await admin.request("node.pair.approve", {"requestId": request["requestId"]})
    assert res["ok"], res
    return request


async def test_node_pairing_then_invoke_roundtrip(gateway):
    admin = await operator(gateway.port, TOKEN, ADMIN)
    key = DeviceKey()
    node, hello = await connect_node(gateway.port, key, ["system.which", "file.fetch"])
    assert hello["ok"] and hello["payload"]["auth"]["role"] == "node"

    requested = await next_event(admin, "node.pair.requested")
    assert requested["payload"]["nodeId"] == key.device_id
    # Unknown commands are dropped from the approval request, like the reference.
    assert requested["payload"]["commands"] == ["system.which"]
    assert "operator.admin" in requested["payload"]["requiredApproveScopes"]

    pending = await node.request("node.runnerInventory.update", {"protocolFeatures": []})
    assert pending["error"]["code"] == "UNAVAILABLE"
    assert "awaiting operator approval" in pending["error"]["message"]

    listed = await admin.request("node.list", {})
    assert listed["payload"]["nodes"][0]["approvalState"] == "pending"

    await approve_pending(admin)
    resolved = await next_event(node, "node.pair.resolved")
    assert "seq" not in resolved and resolved["payload"]["decision"] == "approved"
    assert (await node.request("node.runnerInventory.update", {}))["ok"]

    async def answer() -> None:
        request = await next_event(node, "node.invoke.request")
        payload = request["payload"]
        assert payload["command"] == "system.which"
        assert json.loads(payload["paramsJSON"]) == {"bins": ["ls"]}
        assert 0 < payload["timeoutMs"] <= 5000
        await node.send(
            {
                "type": "req",
                "id": "result-1",
                "method": "node.invoke.result",
                "params": {
                    "id": payload["id"],
                    "nodeId": key.device_id,
                    "ok": True,
                    "payloadJSON": json.dumps({"bins": {"ls": "/usr/bin/ls"}}),
                },
            }
        )

    async with anyio.create_task_group() as tg:
        tg.start_soon(answer)
        res = await admin.request(
            "node.invoke",
            {
                "nodeId": key.device_id,
                "command": "system.which",
                "params": {"bins": ["ls"]},
                "timeoutMs": 5000,
                "idempotencyKey": "k1",
            },
        )
    assert res["ok"], res
    assert res["payload"] == {
        "ok": True,
        "nodeId": key.device_id,
        "command": "system.which",
        "payload": {"bins": {"ls": "/usr/bin/ls"}},
        "payloadJSON": '{"bins": {"ls": "/usr/bin/ls"}}',
    }
    described = await admin.request("node.describe", {"nodeId": key.device_id})
    assert described["payload"]["approvalState"] == "approved"
    assert described["payload"]["commands"] == ["system.which"]


async def test_invoke_errors(gateway):
    admin = await operator(gateway.port, TOKEN, ADMIN)
    key = DeviceKey()
    node, _ = await connect_node(gateway.port, key, ["system.which"])
    await next_event(admin, "node.pair.requested")

    unknown = await admin.request(
        "node.invoke", {"nodeId": "nope", "command": "system.which", "idempotencyKey": "a"}
    )
    assert unknown["error"]["code"] == "UNAVAILABLE"
    assert unknown["error"]["details"] == {"code": "PAIRING_CHANGED"}
    assert unknown["error"]["retryable"] is True

    not_approved = await admin.request(
        "node.invoke", {"nodeId": key.device_id, "command": "system.which", "idempotencyKey": "b"}
    )
    assert not_approved["error"]["code"] == "INVALID_REQUEST"
    assert "not in the approved surface" in not_approved["error"]["message"]

    not_allowlisted = await admin.request(
        "node.invoke", {"nodeId": key.device_id, "command": "camera.snap", "idempotencyKey": "c"}
    )
    assert not_allowlisted["error"]["details"]["reason"] == "command not allowlisted"

    missing_key = await admin.request("node.invoke", {"nodeId": key.device_id, "command": "x"})
    assert missing_key["error"]["message"] == (
        "invalid node.invoke params: must have required property 'idempotencyKey'"
    )

    await approve_pending(admin)
    await next_event(node, "node.pair.resolved")

    bad_params = await admin.request(
        "node.invoke",
        {
            "nodeId": key.device_id,
            "command": "system.which",
            "params": {"bins": 3},
            "idempotencyKey": "d",
        },
    )
    assert bad_params["error"]["code"] == "INVALID_REQUEST"
    assert bad_params["error"]["message"].startswith("invalid system.which params: at /bins")

    timeout = await admin.request(
        "node.invoke",
        {
            "nodeId": key.device_id,
            "command": "system.which",
            "params": {"bins": []},
            "timeoutMs": 200,
            "idempotencyKey": "e",
        },
    )
    assert timeout["error"]["details"]["code"] == "TIMEOUT"

    # A node that disconnects fails its in-flight invokes at once.
    async def drop() -> None:
        await next_event(node, "node.invoke.request")
        await node.ws.close()

    async with anyio.create_task_group() as tg:
        tg.start_soon(drop)
        with anyio.fail_after(5):
            gone = await admin.request(
                "node.invoke",
                {
                    "nodeId": key.device_id,
                    "command": "system.which",
                    "params": {"bins": []},
                    "timeoutMs": 30000,
                    "idempotencyKey": "f",
                },
            )
    assert gone["error"]["code"] == "UNAVAILABLE"
    assert gone["error"]["details"]["code"] == "NODE_DISCONNECTED"


async def test_write_scope_cannot_invoke_admin_commands_or_approve_them(gateway):
    admin = await operator(gateway.port, TOKEN, ADMIN)
    writer = await operator(gateway.port, TOKEN, ["operator.write", "operator.pairing"])
    key = DeviceKey()
    _node, _ = await connect_node(gateway.port, key, ["system.which"])
    request = (await next_event(admin, "node.pair.requested"))["payload"]
    denied = await writer.request("node.pair.approve", {"requestId": request["requestId"]})
    assert denied["error"]["code"] == "FORBIDDEN"
    assert denied["error"]["details"]["missingScope"] == "operator.admin"
    await approve_pending(admin)
    forbidden = await writer.request(
        "node.invoke", {"nodeId": key.device_id, "command": "system.which", "idempotencyKey": "x"}
    )
    assert forbidden["error"]["details"]["missingScope"] == "operator.admin"


async def test_node_only_methods_refuse_operators(gateway):
    admin = await operator(gateway.port, TOKEN, ADMIN)
    res = await admin.request("node.event", {"event": "x"})
    assert res["error"] == {"code": "INVALID_REQUEST", "message": "unauthorized role: operator"}


async def test_node_without_device_is_refused(gateway):
    peer = await open_peer(gateway.port)
    frame = connect_frame(
        token=TOKEN, role="node", scopes=[], client=client_info("node-host", "node")
    )
    await peer.send(frame)
    res = await peer.recv_res(frame["id"])
    assert res["error"]["code"] == "NOT_PAIRED"
    assert res["error"]["details"]["code"] == "DEVICE_IDENTITY_REQUIRED"


async def test_v3_node_accepted_and_reconnect_keeps_approval(gateway):
    admin = await operator(gateway.port, TOKEN, ADMIN)
    key = DeviceKey()
    node, hello = await connect_node(gateway.port, key, ["system.which"], protocol=3)
    assert hello["payload"]["protocol"] == 4
    await next_event(admin, "node.pair.requested")
    await approve_pending(admin)
    await node.ws.close()
    node2, _ = await connect_node(gateway.port, key, ["system.which"])
    assert (await node2.request("node.runnerInventory.update", {}))["ok"]
    listing = await admin.request("node.pair.list", {})
    assert listing["payload"]["pending"] == []


async def test_host_stats_event_is_broadcast(gateway):
    admin = await operator(gateway.port, TOKEN, ADMIN)
    key = DeviceKey()
    node, _ = await connect_node(gateway.port, key, [])
    res = await node.request(
        "node.event", {"event": "node.host.stats", "payloadJSON": '{"cpuCount":2}'}
    )
    assert res["payload"] == {
        "ok": True,
        "event": "node.host.stats",
        "handled": True,
        "reason": "updated",
    }
    stats = await next_event(admin, "node.hostStats")
    assert stats["payload"] == {"nodeId": key.device_id, "hostStats": {"cpuCount": 2}}


async def test_remove_node_closes_it(gateway):
    admin = await operator(gateway.port, TOKEN, ADMIN)
    key = DeviceKey()
    node, _ = await connect_node(gateway.port, key, ["system.which"])
    await next_event(admin, "node.pair.requested")
    await approve_pending(admin)
    assert (await admin.request("node.pair.remove", {"nodeId": key.device_id}))["ok"]
    code, reason = await node.close_info()
    assert (code, reason) == (4001, "node removed")
    unknown = await admin.request("node.describe", {"nodeId": "nope"})
    assert unknown["error"]["message"] == "unknown nodeId"
