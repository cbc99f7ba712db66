"""The Python SDK against a real gateway: calls, typed errors, events, device identity, reconnect."""

from __future__ import annotations

import socket

import anyio
import pytest

from openclaw_gateway.client import (
    ConnectionLost,
    DeviceIdentity,
    GatewayClient,
    HandshakeError,
    RequestError,
)

from wire import TOKEN

pytestmark = pytest.mark.anyio


def url(port: int) -> str:
    return f"ws://127.0.0.1:{port}"


async def test_calls_errors_and_events(gateway):
    async with GatewayClient(url(gateway.port), token=TOKEN) as gw:
        assert gw.hello["type"] == "hello-ok" and gw.server_version
        assert (await gw.call("health"))["ok"] is True
        with pytest.raises(RequestError) as unknown:
            await gw.call("no.such.method")
        assert unknown.value.code == "INVALID_REQUEST" and "unknown method" in unknown.value.message
        with pytest.raises(RequestError) as bad_params:
            await gw.call("system-event", {})
        assert bad_params.value.reason == "INVALID_PARAMS"
        assert await gw.call("system-event", {"text": "hello events"}) == {"ok": True}
        event = await gw.next_event("presence", timeout=5)
        assert any(e.get("text") == "hello events" for e in event.payload["presence"])
        assert event.seq is not None and event.state_version is not None


async def test_handshake_errors_are_typed(gateway):
    with pytest.raises(HandshakeError) as refused:
        async with GatewayClient(url(gateway.port), token="wrong"):
            pass
    assert refused.value.reason == "AUTH_TOKEN_MISMATCH" and refused.value.close_code == 1008
    with pytest.raises(ConnectionLost):
        async with GatewayClient("ws://127.0.0.1:9", token=TOKEN, open_timeout=2):
            pass


async def test_device_identity_gets_and_reuses_its_device_token(gateway, tmp_path):
    identity = DeviceIdentity.load_or_create(tmp_path / "id" / "device.json")
    async with GatewayClient(
        url(gateway.port), token=TOKEN, identity=identity, scopes=["operator.read"]
    ) as gw:
        assert gw.hello["auth"]["method"] == "token" and gw.hello["auth"]["deviceToken"]
    # The token was remembered on disk; a new process connects with it alone.
    again = DeviceIdentity.load_or_create(tmp_path / "id" / "device.json")
    assert again.device_id == identity.device_id and again.token_for(url(gateway.port), "operator")
    async with GatewayClient(url(gateway.port), identity=again, scopes=["operator.read"]) as gw:
        assert gw.hello["auth"]["method"] == "device-token"
        assert (await gw.call("status"))["runtimeVersion"]


async def test_reconnects_with_backoff_after_a_gateway_restart(gateway_factory, tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    state = tmp_path / "state"
    async with gateway_factory(port=port, state_dir=state):
        client = GatewayClient(url(port), token=TOKEN, reconnect=True, max_backoff=0.5)
        await client.__aenter__()
        assert (await client.call("health"))["ok"]
    # The gateway stopped: calls fail fast with ConnectionLost instead of hanging.
    with pytest.raises(ConnectionLost):
        await client.call("health", timeout=2)
    try:
        async with gateway_factory(port=port, state_dir=state):
            with anyio.fail_after(10):
                while True:
                    try:
                        assert (await client.call("health", timeout=2))["ok"]
                        break
                    except ConnectionLost:
                        await anyio.sleep(0.1)
    finally:
        await client.__aexit__(None, None, None)
