"""The handshake over a raw socket: bad first frames, connect params, protocol, limits, timeouts."""

from __future__ import annotations

import json
import time

import anyio
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from wire import (
    TOKEN,
    DeviceKey,
    client_info,
    connect_frame,
    connect_res,
    device_connect,
    open_peer,
    operator,
)

pytestmark = pytest.mark.anyio


async def drain(peer, timeout: float = 5):
    with anyio.fail_after(timeout):
        return await peer.drain()


# --- the first frame --------------------------------------------------------------------------


async def test_challenge_shape(gateway):
    before = int(time.time() * 1000)
    peer = await open_peer(gateway.port)
    assert set(peer.challenge) == {"type", "event", "payload"}  # targeted: no seq
    payload = peer.challenge["payload"]
    assert isinstance(payload["nonce"], str) and len(payload["nonce"]) >= 16
    assert before - 1000 <= payload["ts"] <= int(time.time() * 1000) + 1000
    other = await open_peer(gateway.port)
    assert other.nonce != peer.nonce
    await peer.ws.close()
    await other.ws.close()


async def test_non_json_first_frame_closes_1000_without_res(gateway):
    peer = await open_peer(gateway.port)
    await peer.send("hello there")
    frames, code, reason = await drain(peer)
    assert frames == [] and code == 1000 and reason == ""


async def test_binary_first_frame_closes_without_res(gateway):
    peer = await open_peer(gateway.port)
    await peer.send(json.dumps(connect_frame(token=TOKEN)).encode())
    frames, code, _ = await drain(peer)
    assert frames == [] and code == 1000


@pytest.mark.parametrize(
    "frame",
    [
        {"type": "event", "event": "tick", "payload": {}},
        [1, 2, 3],
        {"type": "req", "method": "connect"},
        {"type": "req", "id": "x", "method": "connect", "bogus": 1},
        {"foo": 1},
    ],
)
async def test_json_non_request_first_frame_closes_1008(gateway, frame):
    peer = await open_peer(gateway.port)
    await peer.send(frame)
    frames, code, reason = await drain(peer)
    assert frames == []
    assert (code, reason) == (1008, "invalid request frame")


async def test_non_connect_first_request(gateway):
    peer = await open_peer(gateway.port)
    await peer.send({"type": "req", "id": "r1", "method": "health", "params": {}})
    frames, code, reason = await drain(peer)
    assert frames == [
        {
            "type": "res",
            "id": "r1",
            "ok": False,
            "error": {
                "code": "INVALID_REQUEST",
                "message": "invalid handshake: first request must be connect",
            },
        }
    ]
    assert (code, reason) == (1008, "invalid handshake: first request must be connect")


# --- connect params ---------------------------------------------------------------------------


async def _refused(port: int, frame: dict) -> tuple[dict, int | None, str | None]:
    peer = await open_peer(port)
    await peer.send(frame)
    frames, code, reason = await drain(peer)
    assert len(frames) == 1, frames
    res = frames[0]
    assert res["type"] == "res" and res["id"] == frame["id"] and res["ok"] is False
    return res["error"], code, reason


@pytest.mark.parametrize(
    ("params", "message", "path"),
    [
        ({"minProtocol": 4}, "must have required property 'maxProtocol'", "/maxProtocol"),
        (None, "must have required property 'minProtocol'", "/minProtocol"),
        (
            {"minProtocol": 4, "maxProtocol": 4},
            "must have required property 'client'",
            "/client",
        ),
        (
            {
                "minProtocol": 4,
                "maxProtocol": 4,
                "client": client_info(),
                "device": {"id": "a", "publicKey": "b", "signature": "c", "signedAt": 1},
            },
            "at /device: must have required property 'nonce'",
            "/device/nonce",
        ),
        (
            {"minProtocol": 4, "maxProtocol": 4, "client": {**client_info(), "version": ""}},
            "at /client/version:",
            "/client/version",
        ),
        (
            {"minProtocol": 4, "maxProtocol": 4, "client": client_info(), "auth": {"x": "y"}},
            "at /auth: unexpected property 'x'",
            "/auth/x",
        ),
        (
            {
                "minProtocol": 4,
                "maxProtocol": 4,
                "client": client_info(),
                "scopes": "operator.read",
            },
            "at /scopes:",
            "/scopes",
        ),
    ],
)
async def test_invalid_connect_params(gateway, params, message, path):
    frame = {"type": "req", "id": "p1", "method": "connect"}
    if params is not None:
        frame["params"] = params
    error, code, reason = await _refused(gateway.port, frame)
    assert error["code"] == "INVALID_REQUEST"
    assert error["message"].startswith("invalid connect params: " + message)
    assert error["details"]["path"] == path
    assert code == 1008 and reason == error["message"][:123]


async def test_unknown_client_id_refused(gateway):
    frame = connect_frame(token=TOKEN, client=client_info("evil-client"))
    error, code, _ = await _refused(gateway.port, frame)
    assert error["message"].startswith("invalid connect params: at /client/id:")
    assert code == 1008


@pytest.mark.parametrize(("low", "high"), [(5, 6), (3, 3), (1, 3)])
async def test_operator_protocol_mismatch(gateway, low, high):
    frame = connect_frame(token=TOKEN, min_protocol=low, max_protocol=high)
    error, code, reason = await _refused(gateway.port, frame)
    assert error == {
        "code": "INVALID_REQUEST",
        "message": "protocol mismatch",
        "details": {
            "code": "PROTOCOL_MISMATCH",
            "clientMinProtocol": low,
            "clientMaxProtocol": high,
            "expectedProtocol": 4,
            "minimumProbeProtocol": 3,
        },
    }
    assert (code, reason) == (1002, "protocol mismatch")


async def test_v3_node_accepted_with_protocol_4(gateway):
    key = DeviceKey()
    peer, res = await device_connect(
        gateway.port,
        key,
        token=TOKEN,
        role="node",
        scopes=[],
        client=client_info("node-host", "node"),
        min_protocol=3,
        max_protocol=3,
    )
    assert res["ok"], res
    assert res["payload"]["protocol"] == 4
    assert res["payload"]["auth"]["role"] == "node"
    await peer.ws.close()


async def test_v3_node_mode_cli_refused(gateway):
    key = DeviceKey()
    peer, res = await device_connect(
        gateway.port, key, token=TOKEN, role="node", scopes=[], min_protocol=3, max_protocol=3
    )
    assert res["error"]["details"]["code"] == "PROTOCOL_MISMATCH"
    assert (await peer.close_info())[0] == 1002


async def test_v3_probe_accepted(gateway):
    frame = connect_frame(
        token=TOKEN, client=client_info("openclaw-probe", "probe"), min_protocol=3, max_protocol=3
    )
    peer = await open_peer(gateway.port)
    res = await connect_res(peer, frame)
    assert res["ok"] and res["payload"]["protocol"] == 4
    await peer.ws.close()


@pytest.mark.parametrize("role", ["admin", "worker", ""])
async def test_invalid_role(gateway, role):
    error, code, reason = await _refused(gateway.port, connect_frame(token=TOKEN, role=role))
    assert error == {"code": "INVALID_REQUEST", "message": "invalid role"}
    assert (code, reason) == (1008, "invalid role")


# --- hello-ok ---------------------------------------------------------------------------------


async def test_hello_ok_required_shape(gateway_factory):
    async with gateway_factory(tick_interval_ms=12_345, max_payload=200_000) as gw:
        peer = await open_peer(gw.port)
        frame = connect_frame(token=TOKEN, scopes=["operator.read"])
        res = await connect_res(peer, frame)
        hello = res["payload"]
        assert hello["type"] == "hello-ok" and hello["protocol"] == 4
        assert {"version", "connId"} <= set(hello["server"])
        assert "health" in hello["features"]["methods"]
        assert "connect" in hello["features"]["methods"]
        assert {"tick", "shutdown", "presence", "health"} <= set(hello["features"]["events"])
        snap = hello["snapshot"]
        assert {"presence", "health", "stateVersion", "uptimeMs"} <= set(snap)
        assert set(snap["stateVersion"]) == {"presence", "health"}
        assert any(
            e.get("mode") == "gateway" and e.get("reason") == "self" for e in snap["presence"]
        )
        assert "stateDir" not in snap  # admin only
        assert hello["auth"] == {"method": "token", "role": "operator", "scopes": ["operator.read"]}
        assert hello["policy"] == {
            "maxPayload": 200_000,
            "maxBufferedBytes": gw.config.max_buffered_bytes,
            "tickIntervalMs": 12_345,
            "attachments": {"maxBytes": 19_464_192, "maxImageBytes": 6_291_456},
        }
        await peer.ws.close()


async def test_hello_ok_admin_extras_and_empty_scopes(gateway):
    admin = await open_peer(gateway.port)
    res = await connect_res(admin, connect_frame(token=TOKEN, scopes=["operator.admin"]))
    assert {"stateDir", "configPath", "authMode"} <= set(res["payload"]["snapshot"])
    none = await open_peer(gateway.port)
    res = await connect_res(none, connect_frame(token=TOKEN, scopes=[]))
    assert res["payload"]["auth"]["scopes"] == []
    assert (await none.request("health"))["ok"]  # health needs no scope
    assert (await none.request("status"))["error"]["details"]["missingScope"] == "operator.read"
    await admin.ws.close()
    await none.ws.close()


# --- size limits ------------------------------------------------------------------------------


async def test_oversize_preauth_frame_closes_1009(gateway):
    peer = await open_peer(gateway.port)
    frame = connect_frame(token=TOKEN)
    frame["params"]["pad"] = "x" * 70_000
    await peer.send(frame)
    frames, code, _ = await drain(peer)
    assert frames == [] and code == 1009


async def test_preauth_frame_just_under_limit_is_parsed(gateway):
    peer = await open_peer(gateway.port)
    frame = connect_frame(token=TOKEN)
    frame["params"]["pad"] = "x" * 60_000
    await peer.send(frame)
    frames, code, _ = await drain(peer)
    # Parsed (and refused for the unknown property), not cut off as too big.
    assert (
        frames[0]["error"]["message"]
        == "invalid connect params: at root: unexpected property 'pad'"
    )
    assert code == 1008


async def test_payload_limit_after_auth(gateway_factory):
    async with gateway_factory(max_payload=100_000) as gw:
        peer = await operator(gw.port, TOKEN)
        # 70 KB is above the pre-auth cap but fine once authenticated.
        res = await peer.request("health", {"pad": "x" * 70_000})
        assert res["ok"]
        await peer.send(
            {"type": "req", "id": "big", "method": "health", "params": {"pad": "x" * 110_000}}
        )
        frames, code, _ = await drain(peer)
        assert all(f.get("id") != "big" for f in frames if isinstance(f, dict))
        assert code == 1009
        # The gateway is fine.
        other = await operator(gw.port, TOKEN)
        assert (await other.request("health"))["ok"]
        await other.ws.close()


# --- timeouts and connection caps -------------------------------------------------------------


async def test_handshake_timeout(gateway_factory):
    async with gateway_factory(handshake_timeout_ms=300) as gw:
        peer = await open_peer(gw.port)
        started = time.monotonic()
        frames, code, _ = await drain(peer, timeout=3)
        elapsed = time.monotonic() - started
        assert frames == [] and code == 1000
        assert 0.2 < elapsed < 2
        with anyio.fail_after(2):  # the slot is released once the server side has closed
            while gw.hub.preauth.get("127.0.0.1", 0):
                await anyio.sleep(0.01)
        # An authenticated peer is not subject to the handshake timeout.
        ok = await operator(gw.port, TOKEN)
        await anyio.sleep(0.5)
        assert (await ok.request("health"))["ok"]
        await ok.ws.close()


async def test_preauth_connection_cap(gateway_factory):
    async with gateway_factory(max_preauth_connections_per_ip=3) as gw:
        pending = [await open_peer(gw.port) for _ in range(3)]
        with pytest.raises(InvalidStatus) as info:
            await connect(f"ws://127.0.0.1:{gw.port}")
        assert info.value.response.status_code == 503
        # Finishing a handshake frees a slot.
        res = await connect_res(pending[0], connect_frame(token=TOKEN))
        assert res["ok"]
        extra = await open_peer(gw.port)
        # Authenticated sockets don't count against the cap.
        assert (await connect_res(extra, connect_frame(token=TOKEN)))["ok"]
        # Closing an unauthenticated socket frees its slot too.
        await pending[1].ws.close()
        with anyio.fail_after(3):
            while gw.hub.preauth.get("127.0.0.1", 0) >= 2:
                await anyio.sleep(0.01)
        more = await open_peer(gw.port)
        for peer in (*pending, extra, more):
            await peer.ws.close()
