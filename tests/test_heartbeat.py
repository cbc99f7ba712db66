"""The heartbeat: off by default, periodic main-session runs, ``heartbeat`` events to every socket,
``last-heartbeat``, ``set-heartbeats`` (admin) and the health snapshot."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

from openclaw_gateway.agent.heartbeat import format_every

from wire import TOKEN, Peer, operator

pytestmark = pytest.mark.anyio


async def heartbeat_event(peer: Peer, timeout: float = 5) -> dict[str, Any]:
    with anyio.fail_after(timeout):
        frame = await peer.next_event("heartbeat")
    assert isinstance(frame["seq"], int)  # a broadcast
    return frame["payload"]  # type: ignore[no-any-return]


def test_format_every():
    assert [format_every(ms) for ms in (1_800_000, 3_600_000, 45_000, 150)] == [
        "30m",
        "1h",
        "45s",
        "150ms",
    ]


async def test_off_by_default(gateway):
    peer = await operator(gateway.port, TOKEN, ["operator.read"])
    res = await peer.request("last-heartbeat", {})
    assert res["ok"] and res["payload"] is None
    health = (await peer.request("health", {}))["payload"]
    assert health["heartbeatSeconds"] == 0
    assert health["agents"][0]["heartbeat"] == {"enabled": False, "every": "off", "everyMs": None}


async def test_heartbeat_fires_and_reaches_every_socket(gateway_factory):
    async with gateway_factory(heartbeat={"every_ms": 150, "prompt": "anything new?"}) as gw:
        reader = await operator(gw.port, TOKEN, ["operator.read"])
        bare = await operator(gw.port, TOKEN, [])  # no scopes: still gets heartbeat events
        first = await heartbeat_event(reader)
        assert first["status"] == "ok" and first["runId"].startswith("heartbeat:")
        assert 'You said: "anything new?"' in first["text"]
        assert isinstance(first["ts"], int) and first["durationMs"] >= 0
        seen = await heartbeat_event(bare)
        assert seen["runId"] in {first["runId"]} | {gw.heartbeat.last["runId"]}
        second = await heartbeat_event(reader)
        assert second["runId"] != first["runId"]

        last = (await reader.request("last-heartbeat", {}))["payload"]
        assert last["runId"] in (second["runId"], gw.heartbeat.last["runId"])
        assert set(last) >= {"ts", "status", "runId", "durationMs"}
        health = (await reader.request("health", {"probe": True}))["payload"]
        assert health["agents"][0]["heartbeat"] == {
            "enabled": True,
            "every": "150ms",
            "everyMs": 150,
        }
        # The beats are runs on the main session.
        history = await reader.request("chat.history", {"sessionKey": "main"})
        prompts = [m for m in history["payload"]["messages"] if m["role"] == "user"]
        assert prompts and prompts[0]["content"][0]["text"] == "anything new?"


async def test_set_heartbeats_needs_admin_and_takes_effect(gateway):
    reader = await operator(gateway.port, TOKEN, ["operator.read"])
    admin = await operator(gateway.port, TOKEN, ["operator.admin"])
    res = await reader.request("set-heartbeats", {"enabled": True, "everyMs": 120})
    assert res["error"]["code"] == "FORBIDDEN"
    assert res["error"]["details"]["missingScope"] == "operator.admin"
    assert gateway.heartbeat.enabled is False
    res = await admin.request("set-heartbeats", {"everyMs": 120})
    assert res["error"]["code"] == "INVALID_REQUEST"  # enabled is required
    res = await admin.request("set-heartbeats", {"enabled": True, "everyMs": 5})
    assert res["error"]["code"] == "INVALID_REQUEST"

    res = await admin.request("set-heartbeats", {"enabled": True, "everyMs": 120})
    assert res["payload"] == {"ok": True, "enabled": True, "everyMs": 120}
    beat = await heartbeat_event(reader)
    assert beat["status"] == "ok"
    health = (await reader.request("health", {}))["payload"]
    assert health["agents"][0]["heartbeat"]["enabled"] is True
    assert health["agents"][0]["heartbeat"]["everyMs"] == 120

    res = await admin.request("set-heartbeats", {"enabled": False})
    assert res["payload"] == {"ok": True, "enabled": False, "everyMs": 120}
    health = (await reader.request("health", {}))["payload"]
    assert health["heartbeatSeconds"] == 0 and health["agents"][0]["heartbeat"]["enabled"] is False
    await anyio.sleep(0.05)  # a beat already in flight may still end
    count = len([f for f in reader.skipped if f.get("event") == "heartbeat"])
    last = gateway.heartbeat.last
    await anyio.sleep(0.4)
    assert gateway.heartbeat.last is last  # no more beats
    assert len([f for f in reader.skipped if f.get("event") == "heartbeat"]) == count


async def test_a_beat_is_skipped_while_the_main_session_is_busy(gateway_factory):
    from agent_plugins import PLUGIN

    async with gateway_factory(extra_plugins=(PLUGIN,), agent={"provider": "slow"}) as gw:
        peer = await operator(gw.port, TOKEN, ["operator.write"])
        res = await peer.request(
            "chat.send", {"sessionKey": "main", "message": "long one", "idempotencyKey": "k1"}
        )
        assert res["ok"]
        record = await gw.heartbeat.beat()
        assert record["status"] == "skipped" and record["runId"] is None
        beat = await heartbeat_event(peer)
        assert beat["status"] == "skipped"


def test_config_rejects_a_tiny_interval():
    from openclaw_gateway.config import load_config
    from openclaw_gateway.errors import ConfigError

    with pytest.raises(ConfigError) as info:
        load_config(heartbeat={"every_ms": 5}, state_dir="/nonexistent-x")
    assert info.value.problems[0][0] == "heartbeat.every_ms"
