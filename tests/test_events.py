"""Broadcast events: tick, presence/health stateVersion, per-socket seq, shutdown (PROTOCOL.md §8)."""

from __future__ import annotations

import anyio
import pytest

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


async def events(peer, name: str, count: int, timeout: float = 3) -> list[dict]:
    out = []
    with anyio.fail_after(timeout):
        while len(out) < count:
            out.append(await peer.next_event(name))
    return out


async def test_tick_with_per_socket_seq(gateway_factory):
    async with gateway_factory(tick_interval_ms=200) as gw:
        reader = await operator(gw.port, TOKEN, scopes=["operator.read"])
        empty = await operator(gw.port, TOKEN, scopes=[])
        node, res = await device_connect(
            gw.port,
            DeviceKey(),
            token=TOKEN,
            role="node",
            scopes=[],
            client=client_info("node-host", "node"),
        )
        assert res["ok"]
        for peer in (reader, empty, node):
            ticks = await events(peer, "tick", 3)
            seqs = [t["seq"] for t in ticks]
            # Nothing else is broadcast meanwhile, so the per-socket counter has no gaps.
            assert seqs == list(range(seqs[0], seqs[0] + 3)), seqs
            assert all(isinstance(t["payload"]["ts"], int) for t in ticks)
            assert "stateVersion" not in ticks[0]
        # Broadcast seq is per socket: a socket connected later starts at 1.
        late = await operator(gw.port, TOKEN, scopes=[])
        (first,) = await events(late, "tick", 1)
        assert first["seq"] == 1
        for peer in (reader, empty, node, late):
            await peer.ws.close()


async def test_presence_event_and_state_version(gateway):
    reader = await operator(gateway.port, TOKEN, scopes=["operator.read"])
    empty = await operator(gateway.port, TOKEN, scopes=[])
    probe = await open_peer(gateway.port)
    hello = await connect_res(probe, connect_frame(token=TOKEN))
    start = hello["payload"]["snapshot"]["stateVersion"]["presence"]

    ui = await open_peer(gateway.port)
    ui_client = client_info("openclaw-macos", "ui", instanceId="mac-1", displayName="Mac")
    assert (await connect_res(ui, connect_frame(token=TOKEN, client=ui_client)))["ok"]
    (event,) = await events(reader, "presence", 1)
    assert event["stateVersion"]["presence"] > start
    assert isinstance(event["seq"], int)
    entry = next(e for e in event["payload"]["presence"] if e.get("instanceId") == "mac-1")
    assert entry["reason"] == "connect" and entry["mode"] == "ui"

    await ui.ws.close()
    (gone,) = await events(reader, "presence", 1)
    assert gone["stateVersion"]["presence"] > event["stateVersion"]["presence"]
    entry = next(e for e in gone["payload"]["presence"] if e.get("instanceId") == "mac-1")
    assert entry["reason"] == "disconnect"

    # scopes:[] operators never get presence (it needs operator.read).
    res = await empty.request("health")
    assert res["ok"]
    assert not any(f.get("event") == "presence" for f in empty.skipped)
    for peer in (reader, empty, probe):
        await peer.ws.close()


async def test_cli_clients_create_no_presence(gateway):
    reader = await operator(gateway.port, TOKEN, scopes=["operator.read"])
    before = (await reader.request("system-presence"))["payload"]
    cli = await operator(gateway.port, TOKEN)
    after = (await reader.request("system-presence"))["payload"]
    assert len(after) == len(before)
    assert not any(f.get("event") == "presence" for f in reader.skipped)
    await cli.ws.close()
    await reader.ws.close()


async def test_system_event_queues_and_broadcasts(gateway):
    admin = await operator(gateway.port, TOKEN, scopes=["operator.admin"])
    reader = await operator(gateway.port, TOKEN, scopes=["operator.read"])
    res = await admin.request("system-event", {"text": "deploy finished"})
    assert res["payload"] == {"ok": True}
    (event,) = await events(reader, "presence", 1)
    assert any(e.get("text") == "deploy finished" for e in event["payload"]["presence"])
    status = (await reader.request("status"))["payload"]
    assert "deploy finished" in status["queuedSystemEvents"]
    listing = (await reader.request("system-presence"))["payload"]
    assert isinstance(listing, list) and any(e.get("text") == "deploy finished" for e in listing)
    await admin.ws.close()
    await reader.ws.close()


async def test_health_probe_bumps_state_version(gateway):
    peer = await open_peer(gateway.port)
    hello = await connect_res(peer, connect_frame(token=TOKEN, scopes=[]))
    start = hello["payload"]["snapshot"]["stateVersion"]["health"]
    cached = await peer.request("health")
    assert cached["payload"]["ok"] is True
    assert not any(f.get("event") == "health" for f in peer.skipped)
    res = await peer.request("health", {"probe": True})
    assert res["ok"] and res["payload"]["ok"] is True
    (event,) = await events(peer, "health", 1)
    assert event["stateVersion"]["health"] == start + 1
    assert event["payload"]["ts"] >= cached["payload"]["ts"]
    assert isinstance(event["seq"], int)
    await peer.ws.close()


async def test_shutdown_event_then_1012(gateway_factory):
    async with gateway_factory() as gw:
        reader = await operator(gw.port, TOKEN, scopes=["operator.read"])
        node, res = await device_connect(
            gw.port,
            DeviceKey(),
            token=TOKEN,
            role="node",
            scopes=[],
            client=client_info("node-host", "node"),
        )
        assert res["ok"]
    for peer in (reader, node):
        with anyio.fail_after(5):
            frames, code, reason = await peer.drain()
        shutdown = [f for f in frames if f.get("event") == "shutdown"]
        assert len(shutdown) == 1 and shutdown[0]["payload"] == {"reason": "gateway stopping"}
        assert isinstance(shutdown[0]["seq"], int)
        assert frames[-1] is shutdown[0]  # nothing after it
        assert (code, reason) == (1012, "service restart")
