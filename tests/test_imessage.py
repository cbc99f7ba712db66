"""The iMessage plugin driving a fake ``imsg`` executable (tests/fakes/imsg.py, on a temp PATH)
that speaks imsg's line-delimited JSON-RPC over stdio: through a real gateway, end to end."""

from __future__ import annotations

import json
import re
import stat
import sys
from pathlib import Path

import anyio
import openclaw_gateway_imessage
import pytest
from openclaw_gateway_imessage.inbound import target_params, to_inbound

from wire import TOKEN, operator

pytestmark = pytest.mark.anyio

ALL = ["operator.read", "operator.write", "operator.admin", "operator.pairing"]
FAKE = Path(__file__).parent / "fakes" / "imsg.py"


class Bridge:
    """The fake imsg's control directory."""

    def __init__(self, root: Path) -> None:
        self.dir = root / "imsg"
        self.dir.mkdir()
        self.bin = root / "bin"
        self.bin.mkdir()
        exe = self.bin / "imsg"
        exe.write_text(
            f'#!/bin/sh\nFAKE_IMSG_DIR="{self.dir}" exec "{sys.executable}" "{FAKE}" "$@"\n'
        )
        exe.chmod(exe.stat().st_mode | stat.S_IXUSR)
        self.rowid = 100

    def message(
        self, text: str, *, sender: str = "+15551230001", group: int | None = None, **extra: object
    ) -> int:
        self.rowid += 1
        item = {
            "id": self.rowid,
            "chat_id": group or 7,
            "guid": f"GUID-{self.rowid}",
            "sender": sender,
            "is_from_me": False,
            "text": text,
            "created_at": "2026-12-04T01:00:00.000Z",
            "attachments": [],
            "reactions": [],
            "chat_identifier": sender,
            "chat_guid": f"iMessage;+;chat{group}" if group else f"iMessage;-;{sender}",
            "chat_name": "",
            "participants": [sender],
            "is_group": group is not None,
            **extra,
        }
        self.append(item)
        return self.rowid

    def append(self, item: dict) -> None:
        with (self.dir / "inbox.jsonl").open("a") as fh:
            fh.write(json.dumps(item) + "\n")

    def calls(self, method: str | None = None) -> list[dict]:
        path = self.dir / "calls.jsonl"
        lines = path.read_text().splitlines() if path.exists() else []
        calls = [json.loads(line) for line in lines]
        return [c for c in calls if method is None or c["method"] == method]

    def sent(self) -> list[dict]:
        return [c["params"] for c in self.calls("send")]


def plugins(bridge: Bridge, **shared: object) -> dict:
    account = {"cli_path": str(bridge.bin / "imsg"), "mention_names": ["claw"]}
    return {"imessage": {**shared, "accounts": {"default": account}}}


async def state(port: int) -> dict:
    peer = await operator(port, TOKEN, ALL)
    try:
        status = await peer.request("channels.status", {})
        return status["payload"]["channels"]["imessage"]["accounts"]["default"]
    finally:
        await peer.ws.close()


async def until(predicate, timeout: float = 15) -> None:  # type: ignore[no-untyped-def]
    with anyio.fail_after(timeout):
        while not predicate():
            await anyio.sleep(0.02)


def test_mapping_and_targets() -> None:
    base = {
        "id": 5,
        "guid": "G5",
        "sender": "ann@example.com",
        "text": "hi claw",
        "chat_id": 3,
        "is_group": True,
        "chat_guid": "iMessage;+;chat99",
        "created_at": "2026-12-04T01:00:00Z",
    }
    msg = to_inbound(base, account="default", mention_names=["claw"])
    assert (msg.chat_id, msg.sender_id, msg.is_group, msg.mentions_bot, msg.message_id) == (
        "iMessage;+;chat99",
        "ann@example.com",
        True,
        True,
        "G5",
    )
    assert (
        to_inbound({**base, "is_from_me": True}, account="d", mention_names=[]).reason
        == "skipped:self"
    )
    assert (
        to_inbound({**base, "is_reaction": True}, account="d", mention_names=[]).reason
        == "skipped:reaction"
    )
    assert (
        to_inbound({**base, "sender": None}, account="d", mention_names=[]).reason
        == "skipped:malformed"
    )
    assert target_params("chat:42") == {"chat_id": 42}
    assert target_params("iMessage;+;chat99") == {"chat_guid": "iMessage;+;chat99"}
    assert target_params("+15551230001") == {"to": "+15551230001"}


async def test_inbound_to_agent_to_reply_and_pairing(gateway_factory, tmp_path: Path) -> None:
    bridge = Bridge(tmp_path)
    async with gateway_factory(
        extra_plugins=(openclaw_gateway_imessage,), plugins=plugins(bridge)
    ) as gw:
        await until(lambda: gw.channels.accounts.get(("imessage", "default")) is not None)
        with anyio.fail_after(15):
            while (await state(gw.port))["state"] != "connected":
                await anyio.sleep(0.05)
        bridge.message("hello?", sender="ann@example.com")
        await until(lambda: len(bridge.sent()) >= 1)
        pairing = bridge.sent()[0]
        assert pairing["to"] == "ann@example.com"
        code = re.search(r"pairing code: ([A-Z0-9]{8})", pairing["text"]).group(1)
        admin = await operator(gw.port, TOKEN, ALL)
        approved = await admin.request("pairing.approve", {"channel": "imessage", "code": code})
        assert approved["payload"]["senderId"] == "ann@example.com"
        await admin.ws.close()
        await until(lambda: len(bridge.sent()) >= 2)
        bridge.message("ping", sender="ann@example.com")
        await until(lambda: any('You said: "ping"' in s.get("text", "") for s in bridge.sent()))
        assert bridge.calls("typing") and bridge.calls("read")  # typing and the read receipt

        # a burst of five, each answered in order
        before = len(bridge.sent())
        for i in range(5):
            bridge.message(f"burst {i}", sender="ann@example.com")
        await until(lambda: len(bridge.sent()) >= before + 5)
        answers = [s["text"] for s in bridge.sent()[before:]]
        assert [re.search(r'"burst (\d)"', a).group(1) for a in answers] == list("01234")

        # a long reply, chunked in order
        words = " ".join(f"w{i}" for i in range(1700))
        bridge.message(words, sender="ann@example.com")
        await until(lambda: any(s["text"].rstrip().endswith('w1699"') for s in bridge.sent()))
        chunks = [s["text"] for s in bridge.sent()[before + 5 :]]
        assert len(chunks) >= 3 and all(len(c) <= 4000 for c in chunks)


async def test_groups_are_gated_by_name_and_own_messages_never_answered(
    gateway_factory, tmp_path: Path
) -> None:
    bridge = Bridge(tmp_path)
    config = plugins(bridge, dm_policy="open", groups=["iMessage;+;chat9"])
    async with gateway_factory(extra_plugins=(openclaw_gateway_imessage,), plugins=config) as gw:
        await until(lambda: gw.channels.accounts.get(("imessage", "default")) is not None)
        with anyio.fail_after(15):
            while (await state(gw.port))["state"] != "connected":
                await anyio.sleep(0.05)
        bridge.message("just chatting", group=9)
        bridge.message("what I wrote myself", is_from_me=True)
        bridge.message("claw, what time is it?", group=9)
        await until(lambda: len(bridge.sent()) >= 1)
        await anyio.sleep(0.3)
        [reply] = bridge.sent()
        assert reply == {
            **target_params("iMessage;+;chat9"),
            "text": reply["text"],
            "service": "auto",
        }
        assert "what time is it" in reply["text"]
        counters = (await state(gw.port))["counters"]
        assert counters["dropped:not-mentioned"] == 1 and counters["skipped:self"] == 1


async def test_a_bridge_crash_restarts_and_answers_nothing_twice_and_garbage_is_skipped(
    gateway_factory, tmp_path: Path
) -> None:
    bridge = Bridge(tmp_path)
    async with gateway_factory(
        extra_plugins=(openclaw_gateway_imessage,), plugins=plugins(bridge, dm_policy="open")
    ) as gw:
        await until(lambda: gw.channels.accounts.get(("imessage", "default")) is not None)
        with anyio.fail_after(15):
            while (await state(gw.port))["state"] != "connected":
                await anyio.sleep(0.05)
        bridge.message("first")
        await until(lambda: len(bridge.sent()) >= 1)
        bridge.append({"garbage": "Segmentation fault: 11 (not JSON)"})
        bridge.append({"crash": 3})
        with anyio.fail_after(30):
            while True:
                current = await state(gw.port)
                if current["restarts"] >= 1 and current["state"] == "connected":
                    break
                await anyio.sleep(0.1)
        assert "imsg rpc exited with code 3" in current["lastError"]
        assert "database is locked" in current["lastError"]
        assert current["counters"]["skipped:garbage"] == 1
        bridge.message("second")
        await until(lambda: len(bridge.sent()) >= 2)
        await anyio.sleep(0.3)
        texts = [s["text"] for s in bridge.sent()]
        assert len(texts) == 2 and '"first"' in texts[0] and '"second"' in texts[1]
        subscribes = bridge.calls("watch.subscribe")
        assert subscribes[-1]["params"]["since_rowid"] == 101  # resumed after the first message


async def test_missing_permissions_stop_with_the_fix_named(
    gateway_factory, tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.setenv("FAKE_IMSG_MODE", "denied")
    bridge = Bridge(tmp_path)
    async with gateway_factory(
        extra_plugins=(openclaw_gateway_imessage,), plugins=plugins(bridge)
    ) as gw:
        await until(lambda: gw.channels.accounts.get(("imessage", "default")) is not None)
        with anyio.fail_after(15):
            while (current := await state(gw.port))["state"] not in (
                "auth-failed",
                "permission-denied",
            ):
                await anyio.sleep(0.05)
        assert "Full Disk Access" in (current["detail"] or current["lastError"] or "")
