"""Agent runs and chat over the wire: ack + final, events, sessions, queueing, abort, failures, tools."""

from __future__ import annotations

import json

import anyio
import pytest
from test_nodes import approve_pending, connect_node, next_event

from openclaw_gateway.errors import ConfigError

from agent_plugins import PLUGIN
from wire import TOKEN, DeviceKey, Peer, connect_frame, open_peer, operator

pytestmark = pytest.mark.anyio

ALL = ["operator.read", "operator.write", "operator.admin", "operator.pairing"]


async def events_until(peer: Peer, predicate, timeout: float = 10) -> list[dict]:
    """Collect frames until ``predicate(frame)`` is true (inclusive)."""
    frames = []
    while peer.skipped:  # events that arrived while a response was awaited come first
        frame = peer.skipped.pop(0)
        frames.append(frame)
        if predicate(frame):
            return frames
    with anyio.fail_after(timeout):
        while True:
            frame = await peer.recv()
            frames.append(frame)
            if predicate(frame):
                return frames


def run_events(frames: list[dict], run_id: str) -> list[tuple[str, str]]:
    out = []
    for f in frames:
        if (
            f.get("type") == "event"
            and f["event"] in ("agent", "chat")
            and f["payload"]["runId"] == run_id
        ):
            p = f["payload"]
            out.append((f["event"], p.get("stream") or p.get("state")))
    return out


async def test_agent_acks_streams_and_finishes(gateway):
    peer = await operator(gateway.port, TOKEN, ALL)
    await peer.send(
        {
            "type": "req",
            "id": "a1",
            "method": "agent",
            "params": {"message": "hello", "idempotencyKey": "run-1"},
        }
    )
    frames = await events_until(
        peer, lambda f: f.get("type") == "res" and f["payload"].get("status") != "accepted"
    )
    responses = [f for f in frames if f.get("type") == "res"]
    assert (
        responses[0]["payload"]["status"] == "accepted"
        and responses[0]["payload"]["runId"] == "run-1"
    )
    final = responses[-1]
    assert final["id"] == "a1" and final["ok"] is True
    assert final["payload"]["status"] == "ok" and final["payload"]["summary"] == "completed"
    text = final["payload"]["result"]["payloads"][0]["text"]
    assert "No model is configured" in text and 'You said: "hello"' in text
    events = run_events(frames, "run-1")
    assert events[0] == ("agent", "lifecycle") and ("chat", "delta") in events
    kinds = [e for e in frames if e.get("event") == "agent"]
    assert kinds[0]["payload"]["data"]["phase"] == "start"
    assert kinds[0]["payload"]["sessionKey"] == "agent:main:explicit:run-1"
    assert [k["payload"]["seq"] for k in kinds] == sorted(k["payload"]["seq"] for k in kinds)
    # A repeat of the key returns the stored result without a second run.
    again = await peer.request("agent", {"message": "hello", "idempotencyKey": "run-1"})
    assert (
        again["payload"]["status"] == "ok"
        and again["payload"]["result"]["payloads"][0]["text"] == text
    )
    history = await peer.request("chat.history", {"sessionKey": "agent:main:explicit:run-1"})
    assert [m["role"] for m in history["payload"]["messages"]] == ["user", "assistant"]


async def test_chat_send_history_and_restart(gateway_factory, tmp_path):
    state = tmp_path / "persist"
    async with gateway_factory(state_dir=state) as gw:
        peer = await operator(gw.port, TOKEN, ALL)
        res = await peer.request(
            "chat.send", {"sessionKey": "main", "message": "first", "idempotencyKey": "c1"}
        )
        assert res["payload"] == {"runId": "c1", "status": "started"}
        done = await peer.request("agent.wait", {"runId": "c1", "timeoutMs": 5000})
        assert done["payload"]["status"] == "ok"
        final = await next_event(peer, "chat")
        assert final["payload"]["sessionKey"] == "agent:main:main"
    async with gateway_factory(state_dir=state) as gw:
        peer = await operator(gw.port, TOKEN, ALL)
        history = await peer.request("chat.history", {"sessionKey": "main"})
        messages = history["payload"]["messages"]
        assert messages[0]["content"][0]["text"] == "first" and messages[1]["role"] == "assistant"
        assert (
            history["payload"]["sessionKey"] == "main" and history["payload"]["totalMessages"] == 2
        )
        # The idempotency of chat.send survives the restart too.
        repeat = await peer.request(
            "chat.send", {"sessionKey": "main", "message": "first", "idempotencyKey": "c1"}
        )
        assert repeat["payload"]["status"] == "ok"
        listed = await peer.request("sessions.list", {})
        assert listed["payload"]["sessions"][0]["key"] == "agent:main:main"


async def test_runs_on_one_session_never_interleave(gateway_factory):
    async with gateway_factory(extra_plugins=(PLUGIN,), agent={"provider": "slow"}) as gw:
        peer = await operator(gw.port, TOKEN, ALL)
        assert (
            await peer.request(
                "chat.send", {"sessionKey": "s", "message": "a", "idempotencyKey": "q1"}
            )
        )["ok"]
        in_flight = await peer.request(
            "chat.send", {"sessionKey": "s", "message": "a", "idempotencyKey": "q1"}
        )
        assert in_flight["payload"]["status"] == "in_flight"
        assert (
            await peer.request(
                "chat.send", {"sessionKey": "s", "message": "b", "idempotencyKey": "q2"}
            )
        )["ok"]
        frames = await events_until(
            peer,
            lambda f: (
                f.get("event") == "chat"
                and f["payload"]["runId"] == "q2"
                and f["payload"]["state"] == "final"
            ),
        )
        order = [f["payload"]["runId"] for f in frames if f.get("event") == "agent"]
        last_q1 = max(i for i, r in enumerate(order) if r == "q1")
        first_q2 = min(i for i, r in enumerate(order) if r == "q2")
        assert last_q1 < first_q2


async def test_abort_a_running_chat(gateway_factory):
    async with gateway_factory(extra_plugins=(PLUGIN,), agent={"provider": "slow"}) as gw:
        peer = await operator(gw.port, TOKEN, ALL)
        await peer.request(
            "chat.send", {"sessionKey": "s", "message": "go", "idempotencyKey": "ab1"}
        )
        await next_event(peer, "chat")  # first delta: the run is streaming
        res = await peer.request("chat.abort", {"sessionKey": "s"})
        assert res["payload"] == {"ok": True, "aborted": True, "runIds": ["ab1"]}
        await events_until(
            peer, lambda f: f.get("event") == "chat" and f["payload"]["state"] == "aborted"
        )
        waited = await peer.request("agent.wait", {"runId": "ab1", "timeoutMs": 2000})
        assert waited["payload"]["status"] == "aborted"
        nothing = await peer.request("chat.abort", {"sessionKey": "s"})
        assert nothing["payload"] == {"ok": True, "aborted": False, "runIds": []}


async def test_provider_failure_is_a_final_error_not_a_hang(gateway_factory):
    async with gateway_factory(extra_plugins=(PLUGIN,), agent={"provider": "broken"}) as gw:
        peer = await operator(gw.port, TOKEN, ALL)
        await peer.send(
            {
                "type": "req",
                "id": "b1",
                "method": "agent",
                "params": {"message": "x", "idempotencyKey": "br1"},
            }
        )
        frames = await events_until(
            peer, lambda f: f.get("type") == "res" and f["payload"].get("status") != "accepted"
        )
        final = frames[-1]
        assert final["ok"] is False
        assert final["error"]["code"] == "UNAVAILABLE" and "500" in final["error"]["message"]
        assert final["payload"] == {
            "runId": "br1",
            "status": "error",
            "summary": "the model backend answered 500",
        }
        assert ("chat", "error") in run_events(frames, "br1") or any(
            f.get("event") == "chat"
            for f in await events_until(peer, lambda f: f.get("event") == "chat")
        )
        history = await peer.request("chat.history", {"sessionKey": "agent:main:explicit:br1"})
        # The user's message and the partial reply are both kept.
        assert [m["role"] for m in history["payload"]["messages"]] == ["user", "assistant"]


async def test_missing_provider_names_the_extra(gateway_factory):
    # Checked before the gateway starts (as `config validate` does), not at the first run.
    with pytest.raises(ConfigError) as info:
        async with gateway_factory(agent={"provider": "nosuch"}):
            pass
    assert info.value.problems == [
        (
            "agent.provider",
            "agent provider 'nosuch' is not installed (pip install 'openclaw-gateway[nosuch]')",
        )
    ]


async def test_chat_send_errors(gateway):
    peer = await operator(gateway.port, TOKEN, ALL)
    res = await peer.request("chat.send", {"message": "x", "idempotencyKey": "e1"})
    assert res["error"]["details"] == {
        "code": "SESSION_MUTATION_TARGET_REQUIRED",
        "method": "chat.send",
    }
    res = await peer.request("chat.send", {"sessionKey": "main", "message": "x"})
    assert (
        res["error"]["message"]
        == "invalid chat.send params: must have required property 'idempotencyKey'"
    )
    reader = await operator(gateway.port, TOKEN, ["operator.read"])
    res = await reader.request(
        "chat.send", {"sessionKey": "main", "message": "x", "idempotencyKey": "e2"}
    )
    assert res["error"]["details"]["missingScope"] == "operator.write"
    res = await peer.request("agent.wait", {"runId": "never", "timeoutMs": 100})
    assert res["payload"] == {"runId": "never", "status": "timeout"}


async def test_plugin_tool_call_streams_as_agent_events(gateway_factory):
    async with gateway_factory(extra_plugins=(PLUGIN,), agent={"provider": "slow"}) as gw:
        peer = await operator(gw.port, TOKEN, ALL)
        res = await peer.request(
            "chat.send",
            {"sessionKey": "t", "message": '/tool echo {"text": "hi"}', "idempotencyKey": "t1"},
        )
        assert res["ok"]
        frames = await events_until(
            peer, lambda f: f.get("event") == "chat" and f["payload"]["state"] == "final"
        )
        tool_events = [
            f["payload"]["data"]
            for f in frames
            if f.get("event") == "agent" and f["payload"]["stream"] == "tool"
        ]
        assert [t["phase"] for t in tool_events] == ["start", "result"]
        assert tool_events[1]["result"] == {"echo": "HI"} and tool_events[1]["ok"] is True
        final = [f for f in frames if f.get("event") == "chat"][-1]
        assert final["payload"]["message"]["content"][0]["text"] == 'tool said {"echo": "HI"}'


async def test_node_commands_become_agent_tools(gateway_factory):
    async with gateway_factory(extra_plugins=(PLUGIN,), agent={"provider": "slow"}) as gw:
        admin = await operator(gw.port, TOKEN, ALL)
        key = DeviceKey()
        node, _ = await connect_node(gw.port, key, ["location.get", "system.which"])
        await next_event(admin, "node.pair.requested")
        await approve_pending(admin)
        await next_event(node, "node.pair.resolved")

        async def answer() -> None:
            request = (await next_event(node, "node.invoke.request"))["payload"]
            assert request["command"] == "location.get"
            await node.send(
                {
                    "type": "req",
                    "id": "loc",
                    "method": "node.invoke.result",
                    "params": {
                        "id": request["id"],
                        "ok": True,
                        "payloadJSON": json.dumps({"lat": 1.5, "lon": 2.5}),
                    },
                }
            )

        async with anyio.create_task_group() as tg:
            tg.start_soon(answer)
            await admin.request(
                "chat.send",
                {
                    "sessionKey": "n",
                    "message": "/tool node_location_get {}",
                    "idempotencyKey": "n1",
                },
            )
            frames = await events_until(
                admin, lambda f: f.get("event") == "chat" and f["payload"]["state"] == "final"
            )
        final = [f for f in frames if f.get("event") == "chat"][-1]
        assert (
            final["payload"]["message"]["content"][0]["text"]
            == 'tool said {"lat": 1.5, "lon": 2.5}'
        )
        # system.which is admin-level: never offered as a tool under the default "safe" policy.
        res = await admin.request(
            "chat.send",
            {"sessionKey": "n2", "message": "/tool node_system_which {}", "idempotencyKey": "n2"},
        )
        assert res["ok"]
        frames = await events_until(
            admin, lambda f: f.get("event") == "chat" and f["payload"]["state"] == "final"
        )
        assert (
            "unknown tool"
            in [f for f in frames if f.get("event") == "chat"][-1]["payload"]["message"]["content"][
                0
            ]["text"]
        )


PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(64))


async def test_attachments_reach_the_agent_and_bad_ones_are_refused(gateway):
    import base64

    peer = await open_peer(gateway.port)
    frame = connect_frame(token=TOKEN, scopes=ALL)
    await peer.send(frame)
    hello = await peer.recv_res(frame["id"])
    assert hello["payload"]["policy"]["attachments"] == {
        "maxBytes": 19_464_192,
        "maxImageBytes": 6_291_456,
    }
    png = base64.b64encode(PNG).decode()
    res = await peer.request(
        "chat.send",
        {
            "sessionKey": "main",
            "message": "what is this?",
            "idempotencyKey": "img-1",
            "attachments": [
                {"type": "image", "mimeType": "image/png", "fileName": "dot.png", "content": png},
                {
                    "mimeType": "text/csv",
                    "fileName": "t.csv",
                    "content": "data:text/csv;base64," + base64.b64encode(b"a,b\n1,2\n").decode(),
                },
            ],
        },
    )
    assert res["payload"]["status"] == "started", res
    done = await peer.request("agent.wait", {"runId": "img-1", "timeoutMs": 5000})
    assert done["payload"]["status"] == "ok"
    history = await peer.request("chat.history", {"sessionKey": "main"})
    user, assistant = history["payload"]["messages"]
    assert [p["type"] for p in user["content"]] == ["text", "image", "file"]
    assert user["content"][1]["fileName"] == "dot.png" and "content" not in user["content"][1]
    assert f"You sent 1 image(s): image/png {len(PNG)} bytes" in assistant["content"][0]["text"]
    stored = gateway.config.state_dir / "media" / user["content"][1]["media"]
    assert stored.read_bytes() == PNG

    bad = await peer.request(
        "agent",
        {
            "message": "x",
            "idempotencyKey": "img-2",
            "attachments": [{"mimeType": "image/png", "content": "not base64!"}],
        },
    )
    assert bad["error"]["code"] == "INVALID_REQUEST"
    assert bad["error"]["details"]["path"] == "/attachments/0/content"
    assert "not valid base64" in bad["error"]["message"]
    big = base64.b64encode(b"\xff\xd8\xff" + bytes(6_291_456)).decode()
    bad = await peer.request(
        "agent",
        {
            "message": "x",
            "idempotencyKey": "img-3",
            "attachments": [{"mimeType": "image/jpeg", "content": big}],
        },
    )
    assert bad["error"]["code"] == "INVALID_REQUEST"
    assert "over 6291456" in bad["error"]["message"]
    # Declared as a file but the bytes are an image: the image limit applies.
    bad = await peer.request(
        "agent",
        {
            "message": "x",
            "idempotencyKey": "img-4",
            "attachments": [{"fileName": "blob", "content": big}],
        },
    )
    assert bad["error"]["details"]["path"] == "/attachments/0", bad
    too_many = [{"mimeType": "text/plain", "content": "eA=="}] * 11
    bad = await peer.request(
        "agent", {"message": "x", "idempotencyKey": "img-5", "attachments": too_many}
    )
    assert bad["error"]["details"]["path"] == "/attachments"
