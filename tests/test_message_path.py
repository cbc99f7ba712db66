"""The message path under bursts and races, as users and flaky disks produce them: queued
messages answered each in turn, idempotent retries racing the first request, a turn written in
one transaction, and runs that end even when their bookkeeping fails."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Any

import anyio
import pytest

from openclaw_gateway.agent.provider import (
    AgentProvider,
    Finished,
    Message,
    TextDelta,
    ToolDefinition,
)
from openclaw_gateway.hooks import hookimpl
from openclaw_gateway.hooks.registry import AgentProviderSpec

from channel_fixture import FakeChatPlugin
from wire import TOKEN, operator

pytestmark = pytest.mark.anyio

ALL = ["operator.read", "operator.write", "operator.admin"]


class MirrorProvider(AgentProvider):
    """Answers with what it saw: how many user messages, and the last one. Counts its runs."""

    name = "mirror"
    model = "mirror-1"

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.calls = 0

    async def stream(
        self, messages: Sequence[Message], tools: Sequence[ToolDefinition]
    ) -> AsyncIterator[Any]:
        self.calls += 1
        users = [m.content for m in messages if m.role == "user"]
        await anyio.sleep(self.delay)
        yield TextDelta(f"answer to {users[-1]} (after {len(users)} user messages)")
        yield Finished("stop")


class MirrorPlugin:
    def __init__(self, delay: float = 0.05) -> None:
        self.provider = MirrorProvider(delay)

    @hookimpl
    def register_agent_providers(self, register: Callable[[AgentProviderSpec], None]) -> None:
        register(AgentProviderSpec(name="mirror", factory=lambda cfg: self.provider))


@asynccontextmanager
async def chat_with_mirror(
    gateway_factory: Any, chat: FakeChatPlugin, mirror: MirrorPlugin
) -> AsyncIterator[Any]:
    """A gateway with the in-memory surface (open DMs) and the mirror provider, surface ready."""
    async with gateway_factory(
        extra_plugins=(chat, mirror),
        agent={"provider": "mirror"},
        plugins={"fakechat": {"dm_policy": "open", "accounts": {"default": {"token": "ok"}}}},
    ) as gw:
        with anyio.fail_after(5):
            await chat.hub.ready.wait()
        yield gw


async def test_a_burst_is_answered_in_order_each_message_in_its_turn(gateway_factory):
    chat = FakeChatPlugin()
    async with chat_with_mirror(gateway_factory, chat, MirrorPlugin()) as gw:
        for i in range(1, 6):  # back to back, as a user typing fast
            await chat.hub.inbound(f"#{i}", sender="ada")
        sent = await chat.hub.wait_sent(5)
        assert [m.text for m in sent] == [
            f"answer to #{i} (after {i} user messages)" for i in range(1, 6)
        ]
        assert [m.reply_to for m in sent] == ["1", "2", "3", "4", "5"]
        admin = await operator(gw.port, TOKEN, ALL)
        history = await admin.request("chat.history", {"sessionKey": "agent:main:fakechat:dm:ada"})
        transcript = [(m["role"], m["content"][0]["text"]) for m in history["payload"]["messages"]]
        assert transcript == [
            row
            for i in range(1, 6)
            for row in (
                ("user", f"#{i}"),
                ("assistant", f"answer to #{i} (after {i} user messages)"),
            )
        ]


async def test_a_slow_download_does_not_let_a_later_message_overtake(gateway_factory):
    """Message 1 carries an attachment that takes a while to fetch; message 2 is plain text.
    Both are answered in the order they were sent."""
    from openclaw_gateway.channels.model import Attachment

    chat = FakeChatPlugin()
    mirror = MirrorPlugin(delay=0)
    chat.hub.files["f1"] = b"some notes"
    release = anyio.Event()
    async with chat_with_mirror(gateway_factory, chat, mirror) as gw:
        adapter = chat.hub.adapter
        assert adapter is not None
        fetch = adapter.fetch_attachment

        async def slow_fetch(attachment: Attachment, *, max_bytes: int) -> bytes:
            await release.wait()
            return await fetch(attachment, max_bytes=max_bytes)

        adapter.fetch_attachment = slow_fetch  # type: ignore[method-assign]
        att = Attachment(kind="document", file_id="f1", name="notes.txt", mime="text/plain")
        await chat.hub.inbound("#1 see file", sender="bo", attachments=[att])
        await chat.hub.inbound("#2", sender="bo")
        await anyio.sleep(0.3)
        assert chat.hub.sent == []  # #2 waits for #1
        release.set()
        sent = await chat.hub.wait_sent(2)
        assert sent[0].text.startswith("answer to #1 see file") and "after 1 user" in sent[0].text
        assert sent[1].text == "answer to #2 (after 2 user messages)"
        assert len(gw.channels.runtime.lanes) == 0  # nothing remembered once answered


async def race(gw: Any, method: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    a = await operator(gw.port, TOKEN, ALL)
    b = await operator(gw.port, TOKEN, ALL)
    results: list[dict[str, Any]] = [{}, {}]

    async def go(i: int, peer: Any) -> None:
        results[i] = await peer.request(method, params)

    async with anyio.create_task_group() as tg:
        tg.start_soon(go, 0, a)
        tg.start_soon(go, 1, b)
    return results


@pytest.mark.parametrize("method", ["agent", "chat.send"])
async def test_racing_duplicates_share_one_run(gateway_factory, method):
    mirror = MirrorPlugin(delay=0.2)
    # An attachment makes the first request's submit take a moment (stored to disk first):
    # the second arrives while the first is still starting.
    note = base64.b64encode(b"x" * 200_000).decode()
    params = {
        "sessionKey": "main",
        "message": "once",
        "idempotencyKey": "same-key",
        "attachments": [{"mimeType": "text/plain", "fileName": "n.txt", "content": note}],
    }
    async with gateway_factory(extra_plugins=(mirror,), agent={"provider": "mirror"}) as gw:
        first, second = await race(gw, method, params)
        assert first["ok"] and second["ok"], (first, second)
        peer = await operator(gw.port, TOKEN, ALL)
        waited = await peer.request("agent.wait", {"runId": "same-key", "timeoutMs": 5000})
        assert waited["payload"]["status"] == "ok"
        history = await peer.request("chat.history", {"sessionKey": "main"})
        roles = [m["role"] for m in history["payload"]["messages"]]
        assert roles == ["user", "assistant"]
        assert mirror.provider.calls == 1
        if method == "agent":
            assert first["payload"] == second["payload"]
        else:
            assert sorted(r["payload"]["status"] for r in (first, second)) == [
                "in_flight",
                "started",
            ]


async def failing_disk(db: Any, name: str, when: str, error: str) -> None:
    """Make the real database refuse a write, as a full or broken disk would (a trigger)."""
    await db.run(
        db.conn.execute, f"CREATE TRIGGER {name} {when} BEGIN SELECT RAISE(ABORT, '{error}'); END"
    )


async def test_a_turn_is_written_whole_or_not_at_all(gateway):
    db = gateway.db
    await failing_disk(
        db, "disk_full", "BEFORE INSERT ON messages WHEN NEW.role = 'user'", "disk full"
    )
    peer = await operator(gateway.port, TOKEN, ALL)
    res = await peer.request(
        "chat.send", {"sessionKey": "fresh", "message": "hello", "idempotencyKey": "t1"}
    )
    assert not res["ok"], res
    counts = await db.run(
        lambda: [
            db.conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
            for table in ("sessions", "runs", "messages")
        ]
    )
    assert counts == [0, 0, 0]  # no session, no run without its message
    await db.run(db.conn.execute, "DROP TRIGGER disk_full")
    res = await peer.request(
        "chat.send", {"sessionKey": "fresh", "message": "hello", "idempotencyKey": "t1"}
    )
    assert res["ok"] and res["payload"]["status"] == "started", res  # the retry works


async def test_a_run_whose_bookkeeping_fails_still_wakes_its_waiters(gateway):
    await failing_disk(gateway.db, "broken_disk", "BEFORE UPDATE ON runs", "disk I/O error")
    peer = await operator(gateway.port, TOKEN, ALL)
    res = await peer.request(
        "chat.send", {"sessionKey": "main", "message": "hi", "idempotencyKey": "b1"}
    )
    assert res["ok"], res
    with anyio.fail_after(5):
        waited = await peer.request("agent.wait", {"runId": "b1", "timeoutMs": 30_000})
    assert waited["payload"]["status"] == "error"
    assert "could not be stored" in waited["payload"]["error"]
    event = await peer.next_event("chat")
    while event["payload"]["state"] not in ("final", "error"):
        event = await peer.next_event("chat")
    assert event["payload"]["state"] == "error"


async def test_a_hanging_probe_times_out_and_status_still_answers(gateway_factory, monkeypatch):
    from openclaw_gateway.builtin import channels as channels_methods

    monkeypatch.setattr(channels_methods, "PROBE_TIMEOUT_S", 0.3)
    chat = FakeChatPlugin()
    async with gateway_factory(
        extra_plugins=(chat,),
        plugins={"fakechat": {"accounts": {"default": {"token": "ok"}, "b": {"token": "ok"}}}},
    ) as gw:
        with anyio.fail_after(5):
            while set(chat.hub.adapters) != {"default", "b"}:  # both accounts are up
                await anyio.sleep(0.01)
        chat.hub.probe_hangs = True
        peer = await operator(gw.port, TOKEN, ALL)
        with anyio.fail_after(10):  # without the probe timeout it would hang for good
            res = await peer.request("channels.status", {"probe": True})
        accounts = res["payload"]["channels"]["fakechat"]["accounts"]
        for account in ("default", "b"):
            assert accounts[account]["probe"]["ok"] is False
            assert "timed out" in accounts[account]["probe"]["error"]
