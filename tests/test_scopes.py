"""After hello: authorization before lookup, params validation, and garbage frames (PROTOCOL.md §2, §7)."""

from __future__ import annotations

import anyio
import pytest

from wire import TOKEN, DeviceKey, client_info, connect_frame, device_connect, operator

pytestmark = pytest.mark.anyio


def forbidden(scope: str) -> dict:
    return {
        "code": "FORBIDDEN",
        "message": f"missing scope: {scope}",
        "details": {"code": "MISSING_SCOPE", "missingScope": scope, "requiredScopes": [scope]},
    }


async def test_missing_scope_exact_shape(gateway):
    peer = await operator(gateway.port, TOKEN, scopes=["operator.read"])
    res = await peer.request("system-event", {"text": "x"})
    assert res == {
        "type": "res",
        "id": res["id"],
        "ok": False,
        "error": forbidden("operator.admin"),
    }
    res = await peer.request("device.pair.list")
    assert res["error"] == forbidden("operator.pairing")
    assert (await peer.request("status"))["ok"]
    await peer.ws.close()


async def test_scope_implications(gateway):
    writer = await operator(gateway.port, TOKEN, scopes=["operator.write"])
    assert (await writer.request("status"))["ok"]  # write implies read
    assert (await writer.request("device.pair.list"))["error"] == forbidden("operator.pairing")
    admin = await operator(gateway.port, TOKEN, scopes=["operator.admin"])
    assert (await admin.request("device.pair.list"))["ok"]  # admin implies everything
    assert (await admin.request("system-event", {"text": "hi"}))["payload"] == {"ok": True}
    nothing = await operator(gateway.port, TOKEN, scopes=[])
    assert (await nothing.request("health"))["ok"]
    assert (await nothing.request("system-presence"))["error"] == forbidden("operator.read")
    # Unknown scope names grant nothing.
    bogus = await operator(gateway.port, TOKEN, scopes=["operator.root", "admin"])
    assert (await bogus.request("status"))["error"] == forbidden("operator.read")
    for peer in (writer, admin, nothing, bogus):
        await peer.ws.close()


async def test_unknown_method(gateway):
    # Whatever the scope: a read-scoped client is told the method does not exist, not sent
    # looking for operator.admin (a deliberate difference from the reference).
    reader = await operator(gateway.port, TOKEN, scopes=["operator.read", "operator.write"])
    res = await reader.request("no.such.method", {})
    assert res["error"] == {"code": "INVALID_REQUEST", "message": "unknown method: no.such.method"}
    res = await reader.request("system-event", {"text": "x"})  # a real admin method still is
    assert res["error"] == forbidden("operator.admin")
    admin = await operator(gateway.port, TOKEN, scopes=["operator.admin"])
    res = await admin.request("no.such.method", {})
    assert res["error"] == {"code": "INVALID_REQUEST", "message": "unknown method: no.such.method"}
    await reader.ws.close()
    await admin.ws.close()


async def test_second_connect(gateway):
    reader = await operator(gateway.port, TOKEN, scopes=["operator.read"])
    frame = connect_frame(token=TOKEN, scopes=["operator.admin"])
    await reader.send(frame)
    res = await reader.recv_res(frame["id"])
    assert res["error"] == forbidden("operator.admin")
    # It did not upgrade the connection and the socket stays usable.
    assert (await reader.request("system-event", {"text": "x"}))["error"]["code"] == "FORBIDDEN"
    admin = await operator(gateway.port, TOKEN, scopes=["operator.admin"])
    await admin.send(frame)
    res = await admin.recv_res(frame["id"])
    assert res["error"] == {
        "code": "INVALID_REQUEST",
        "message": "connect is only valid as the first request",
    }
    assert (await admin.request("health"))["ok"]
    await reader.ws.close()
    await admin.ws.close()


async def test_invalid_params_with_field_path(gateway):
    admin = await operator(gateway.port, TOKEN, scopes=["operator.admin"])
    res = await admin.request("system-event", {})
    assert res["error"] == {
        "code": "INVALID_REQUEST",
        "message": "invalid system-event params: must have required property 'text'",
        "details": {"code": "INVALID_PARAMS", "path": "/text"},
    }
    res = await admin.request("system-event")  # no params at all
    assert (
        res["error"]["message"] == "invalid system-event params: must have required property 'text'"
    )
    res = await admin.request("system-event", {"text": ""})
    assert res["error"]["details"]["path"] == "/text"
    res = await admin.request("system-event", "text")
    assert res["error"]["code"] == "INVALID_REQUEST"
    res = await admin.request("system-event", {"text": "x" * (64 * 1024 + 1)})
    assert res["error"]["details"]["path"] == "/text"
    # Scope check comes before params validation (a reader learns nothing about params).
    reader = await operator(gateway.port, TOKEN, scopes=["operator.read"])
    assert (await reader.request("system-event", {}))["error"] == forbidden("operator.admin")
    # Unknown params on a known method are ignored.
    assert (await reader.request("health", {"bogus": 1}))["ok"]
    await admin.ws.close()
    await reader.ws.close()


async def test_node_role_methods(gateway):
    node, res = await device_connect(
        gateway.port,
        DeviceKey(),
        token=TOKEN,
        role="node",
        scopes=[],
        client=client_info("node-host", "node"),
    )
    assert res["ok"], res
    assert (await node.request("health"))["ok"]
    res = await node.request("status")
    assert res["error"] == {"code": "INVALID_REQUEST", "message": "unauthorized role: node"}
    res = await node.request("no.such.method")
    assert res["error"] == {"code": "INVALID_REQUEST", "message": "unknown method: no.such.method"}
    res = await node.request("device.pair.list")
    assert res["error"]["message"] == "unauthorized role: node"
    await node.ws.close()


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        (
            {"foo": 1},
            "invalid request frame: must have required property 'type'",
        ),
        ([1, 2], "invalid request frame: at root:"),
        (
            {"type": "req", "method": "health"},
            "invalid request frame: must have required property 'id'",
        ),
        ({"type": "event", "event": "tick", "payload": {}}, "invalid request frame: at /type:"),
        ({"type": "bogus", "id": "x", "method": "health"}, "invalid request frame: at /type:"),
    ],
)
async def test_malformed_frame_after_hello(gateway, frame, message):
    peer = await operator(gateway.port, TOKEN)
    await peer.send(frame)
    with anyio.fail_after(3):
        res = await peer.recv_res("invalid")
    assert res["ok"] is False and res["error"]["code"] == "INVALID_REQUEST"
    assert res["error"]["message"].startswith(message)
    # The socket stays open.
    assert (await peer.request("health"))["ok"]
    await peer.ws.close()


async def test_garbage_after_hello_ignored(gateway):
    peer = await operator(gateway.port, TOKEN)
    await peer.send("this is not json")
    await peer.send(b"\x00\x01binary")
    await peer.send("{")
    res = await peer.request("health")
    assert res["ok"]
    # Nothing was answered for the garbage: the first frame after it is health's response.
    assert peer.skipped == []
    await peer.ws.close()


async def test_pipelined_requests_answered_in_order(gateway):
    peer = await operator(gateway.port, TOKEN, scopes=["operator.read"])
    ids = [f"p{i}" for i in range(50)]
    for rid in ids:
        await peer.send({"type": "req", "id": rid, "method": "health"})
    with anyio.fail_after(5):
        got = [(await peer.recv())["id"] for _ in ids]
    assert got == ids
    await peer.ws.close()


async def test_repeated_unauthorized_calls_close_the_socket(gateway):
    from openclaw_gateway.server.dispatch import MAX_FORBIDDEN_STREAK

    peer = await operator(gateway.port, TOKEN, ["operator.read"])
    for i in range(MAX_FORBIDDEN_STREAK - 1):
        res = await peer.request("system-event", {"text": str(i)})
        assert res["error"]["code"] == "FORBIDDEN"
    # An allowed call resets the streak, so an honest client that hits one wall is not dropped.
    assert (await peer.request("status", {}))["ok"]
    for i in range(MAX_FORBIDDEN_STREAK):
        await peer.send(
            {"type": "req", "id": f"x{i}", "method": "system-event", "params": {"text": "x"}}
        )
    code, reason = await peer.close_info()
    assert (code, reason) == (1008, "repeated unauthorized calls")
