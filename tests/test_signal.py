"""The Signal plugin at the wire: our adapter against a fake signal-cli HTTP daemon
(tests/fakes/signal_cli.py) speaking its JSON-RPC and server-sent events, in-process (external
mode) and as a child process the gateway starts and supervises (managed mode)."""

from __future__ import annotations

import base64
import os
import re
import signal
import stat
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import anyio
import openclaw_gateway_signal
import pytest
from openclaw_gateway_signal.adapter import SignalAdapter, sse_events
from openclaw_gateway_signal.config import SignalAccount, SignalConfig
from pydantic import ValidationError

from openclaw_gateway.api import (
    Attachment,
    AttachmentError,
    OutboundMessage,
    PermanentSendError,
    TransientSendError,
)

from adapter_harness import Harness, running
from fakes.signal_cli import BOT, FakeSignal, envelope
from wire import TOKEN, operator

pytestmark = pytest.mark.anyio

ALL = ["operator.read", "operator.write", "operator.admin", "operator.pairing"]
FAKE_CLI = Path(__file__).parent / "fakes" / "signal_cli.py"


@pytest.fixture
async def daemon() -> AsyncIterator[FakeSignal]:
    async with FakeSignal() as fake:
        yield fake


class Cursor:
    """What ``ctx.load_cursor``/``save_cursor`` persist (the core keeps it in SQLite)."""

    def __init__(self) -> None:
        self.value: str | None = None

    async def load(self) -> str | None:
        return self.value

    async def save(self, value: str) -> None:
        self.value = value


def external(daemon: FakeSignal, cursor: Cursor | None = None) -> tuple[Harness, SignalAdapter]:
    h = Harness("signal")
    ctx = h.context(SignalAccount(account=BOT, mode="external", url=daemon.base_url))
    if cursor is not None:
        ctx.load_cursor, ctx.save_cursor = cursor.load, cursor.save
    adapter = openclaw_gateway_signal.make_adapter(ctx)
    return h, adapter


def test_config_validation() -> None:
    ok = SignalConfig.model_validate(
        {
            "allow_from": ["+1 555 123 4567", "7CCAE375-CD51-4C82-8B1E-7BE3280AA485"],
            "accounts": {"default": {"account": "+1 (555) 010-0100"}},
        }
    )
    assert ok.allow_from == ["+15551234567", "7ccae375-cd51-4c82-8b1e-7be3280aa485"]
    assert ok.accounts["default"].account == "+15550100100"
    assert ok.accounts["default"].mode == "managed"
    with pytest.raises(ValidationError, match="needs url"):
        SignalAccount.model_validate({"account": BOT, "mode": "external"})
    with pytest.raises(ValidationError, match=r"E\.164"):
        SignalAccount.model_validate({"account": "bob"})


async def test_sse_parser_handles_comments_ids_and_multiline_data() -> None:
    async def lines():  # type: ignore[no-untyped-def]
        for line in [
            ":keepalive",
            "",
            "id: 7",
            "event: receive",
            'data: {"a":',
            "data: 1}",
            "",
            "data: x",
            "",
        ]:
            yield line

    assert [e async for e in sse_events(lines())] == [("7", '{"a":\n1}'), (None, "x")]


async def test_messages_in_groups_mentions_and_what_is_never_an_input(daemon: FakeSignal) -> None:
    h, adapter = external(daemon)
    async with running(h, adapter):
        await h.until(lambda: h.state == "connected")
        daemon.push(envelope("hi", number="+15551230001", name="Alice", timestamp=1000))
        daemon.push(envelope("group chatter", group="R3JvdXA=", timestamp=1001))
        daemon.push(
            envelope(
                "@bot hi",
                group="R3JvdXA=",
                timestamp=1002,
                mentions=[{"number": BOT, "start": 0, "length": 1}],
            )
        )
        daemon.push(
            envelope(
                "reply",
                group="R3JvdXA=",
                timestamp=1003,
                quote={"id": 999, "authorNumber": BOT, "text": "x"},
            )
        )
        sync = envelope("from my phone", number=BOT)
        sync["syncMessage"] = sync.pop("dataMessage")
        daemon.push(sync)
        daemon.push(
            {
                "source": "+15551230001",
                "sourceNumber": "+15551230001",
                "timestamp": 5,
                "typingMessage": {"action": "STARTED", "timestamp": 5},
            }
        )
        daemon.garbage("{not json")
        daemon.garbage('{"no": "envelope"}')
        dm, chatter, mention, quoted = await h.received(4)
        assert (dm.chat_id, dm.sender_id, dm.sender_name, dm.message_id) == (
            "+15551230001",
            "+15551230001",
            "Alice",
            "1000:+15551230001",
        )
        assert chatter.is_group and chatter.chat_id == "group:R3JvdXA=" and not chatter.mentions_bot
        assert mention.mentions_bot and quoted.mentions_bot and quoted.reply_to == "999"
        await h.until(lambda: h.counts["skipped:malformed"] == 2)
        assert h.counts["skipped:own-device"] == 1 and h.counts["skipped:typingMessage"] == 1
        assert len(h.inbox) == 4


async def test_sends_quotes_attachments_receipts_and_errors(daemon: FakeSignal) -> None:
    h, adapter = external(daemon)
    async with running(h, adapter):
        await h.until(lambda: h.state == "connected")
        daemon.push(envelope("question", number="+15551230001", timestamp=2000))
        await h.received(1)
        result = await adapter.send(
            OutboundMessage(chat_id="+15551230001", text="answer", reply_to="2000:+15551230001")
        )
        assert result.message_id and result.message_id.endswith(f":{BOT}")
        [sent] = daemon.sent()
        assert sent["recipient"] == ["+15551230001"] and sent["message"] == "answer"
        assert (sent["quoteTimestamp"], sent["quoteAuthor"]) == (2000, "+15551230001")

        png = b"\x89PNG\r\n\x1a\n" + b"5" * 20
        await adapter.send(
            OutboundMessage(
                chat_id="group:R3JvdXA=",
                text="chart",
                attachments=[Attachment(kind="image", data=png, mime="image/png", name="c.png")],
            )
        )
        group_send = daemon.sent()[-1]
        assert group_send["groupId"] == "R3JvdXA=" and "recipient" not in group_send
        [url] = group_send["attachments"]
        assert url.startswith("data:image/png;filename=c.png;base64,")
        assert base64.b64decode(url.split(",", 1)[1]) == png

        await adapter.typing("+15551230001", None)
        assert daemon.sent("sendReceipt") == [
            {"recipient": ["+15551230001"], "targetTimestamp": [2000], "type": "read"}
        ]
        assert daemon.sent("sendTyping") == [{"recipient": ["+15551230001"]}]

        daemon.fail("send", "RateLimitException: Too many requests")
        with pytest.raises(TransientSendError):
            await adapter.send(OutboundMessage(chat_id="+15551230001", text="x"))
        daemon.fail("send", 'Unregistered user "+15551230009"')
        with pytest.raises(PermanentSendError):
            await adapter.send(OutboundMessage(chat_id="+15551230009", text="x"))


async def test_attachments_in_are_fetched_with_a_cap(daemon: FakeSignal) -> None:
    h, adapter = external(daemon)
    daemon.attachments["att-1"] = b"%PDF-1.7 " + b"6" * 300
    async with running(h, adapter):
        await h.until(lambda: h.state == "connected")
        daemon.push(
            envelope(
                "see attached",
                attachments=[
                    {
                        "id": "att-1",
                        "contentType": "application/pdf",
                        "filename": "r.pdf",
                        "size": 309,
                    }
                ],
            )
        )
        [msg] = await h.received(1)
        [att] = msg.attachments
        assert (att.kind, att.name, att.size) == ("document", "r.pdf", 309)
        assert await adapter.fetch_attachment(att, max_bytes=10_000) == daemon.attachments["att-1"]
        with pytest.raises(AttachmentError, match="over the 100-byte limit"):
            await adapter.fetch_attachment(att, max_bytes=100)
        with pytest.raises(AttachmentError, match="not found"):
            await adapter.fetch_attachment(Attachment(file_id="att-gone"), max_bytes=10_000)


async def test_a_stream_that_dies_resumes_after_the_last_event_and_a_restart_replays_nothing(
    daemon: FakeSignal,
) -> None:
    cursor = Cursor()
    h, adapter = external(daemon, cursor)
    async with running(h, adapter):
        await h.until(lambda: h.state == "connected")
        first = daemon.push(envelope("one", timestamp=3001))
        await h.received(1)
        daemon.drop()  # the connection dies mid-stream
        daemon.push(envelope("two", timestamp=3002))
        await h.received(2)
        assert daemon.streams >= 2 and str(first) in daemon.last_event_ids
    assert [m.text for m in h.inbox] == ["one", "two"]
    # The gateway restarts: the saved cursor is sent back, nothing is delivered twice.
    h2, again = external(daemon, cursor)
    async with running(h2, again):
        await h2.until(lambda: h2.state == "connected")
        daemon.push(envelope("three", timestamp=3003))
        await h2.received(1)
    assert [m.text for m in h2.inbox] == ["three"]


# --- managed mode: the gateway runs signal-cli -----------------------------------------------------


def fake_cli(tmp_path: Path) -> Path:
    """A ``signal-cli`` on disk: a wrapper running the fake daemon with this Python."""
    path = tmp_path / "signal-cli"
    path.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{FAKE_CLI}" "$@"\n')
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


async def _account_state(port: int) -> dict:
    peer = await operator(port, TOKEN, ALL)
    try:
        status = await peer.request("channels.status", {})
        return status["payload"]["channels"]["signal"]["accounts"]["default"]
    finally:
        await peer.ws.close()


async def test_managed_daemon_is_started_restarted_when_it_dies_and_stopped(
    gateway_factory, tmp_path: Path
) -> None:
    cli = fake_cli(tmp_path)
    plugins = {
        "signal": {
            "dm_policy": "open",
            "accounts": {"default": {"account": BOT, "cli_path": str(cli)}},
        }
    }
    async with gateway_factory(extra_plugins=(openclaw_gateway_signal,), plugins=plugins) as gw:
        with anyio.fail_after(20):
            while (await _account_state(gw.port))["state"] != "connected":
                await anyio.sleep(0.1)
        adapter = gw.channels.accounts[("signal", "default")].adapter
        assert adapter.process is not None
        pid = adapter.process.pid
        os.kill(pid, signal.SIGKILL)  # the child dies
        with anyio.fail_after(30):
            while True:
                state = await _account_state(gw.port)
                if state["restarts"] >= 1 and state["state"] == "connected":
                    break
                await anyio.sleep(0.1)
        assert "signal-cli exited with code" in state["lastError"]
        new = gw.channels.accounts[("signal", "default")].adapter
        assert new.process is not None and new.process.pid != pid
        last = new.process
    assert last.returncode is not None  # stopped with the gateway


async def test_an_unregistered_number_says_so(gateway_factory, tmp_path: Path) -> None:
    cli = fake_cli(tmp_path)
    plugins = {
        "signal": {"accounts": {"default": {"account": "+15559999999", "cli_path": str(cli)}}}
    }
    async with gateway_factory(extra_plugins=(openclaw_gateway_signal,), plugins=plugins) as gw:
        with anyio.fail_after(20):
            while "not registered" not in str((await _account_state(gw.port)).get("lastError")):
                await anyio.sleep(0.1)


async def test_a_missing_signal_cli_is_named(gateway_factory, tmp_path: Path) -> None:
    plugins = {
        "signal": {"accounts": {"default": {"account": BOT, "cli_path": str(tmp_path / "nope")}}}
    }
    async with gateway_factory(extra_plugins=(openclaw_gateway_signal,), plugins=plugins) as gw:
        with anyio.fail_after(10):
            while (state := await _account_state(gw.port))["state"] != "not-installed":
                await anyio.sleep(0.05)
        assert "install signal-cli" in state["detail"]


# --- through a real gateway ---------------------------------------------------------------------


async def test_pairing_burst_and_long_replies_through_the_gateway(
    gateway_factory, daemon: FakeSignal
) -> None:
    plugins = {
        "signal": {
            "accounts": {"default": {"account": BOT, "mode": "external", "url": daemon.base_url}}
        }
    }
    async with gateway_factory(extra_plugins=(openclaw_gateway_signal,), plugins=plugins) as gw:
        with anyio.fail_after(10):
            while (await _account_state(gw.port))["state"] != "connected":
                await anyio.sleep(0.05)
        admin = await operator(gw.port, TOKEN, ALL)

        async def sends(count: int) -> list[dict]:
            with anyio.fail_after(15):
                while len(daemon.sent()) < count:
                    await anyio.sleep(0.02)
            return daemon.sent()

        daemon.push(envelope("hello?", number="+15551230002", name="Bob"))
        [pairing] = await sends(1)
        code = re.search(r"pairing code: ([A-Z0-9]{8})", pairing["message"]).group(1)
        approved = await admin.request("pairing.approve", {"channel": "signal", "code": code})
        assert approved["payload"]["senderId"] == "+15551230002"
        await admin.ws.close()
        assert "approved" in (await sends(2))[1]["message"]

        words = " ".join(f"w{i}" for i in range(1700))
        daemon.push(envelope(words, number="+15551230002", timestamp=4000))
        with anyio.fail_after(15):
            while not any(s["message"].rstrip().endswith('w1699"') for s in daemon.sent()):
                await anyio.sleep(0.02)
        chunks = [s["message"] for s in daemon.sent()[2:]]
        assert len(chunks) >= 3 and all(len(c) <= 4000 for c in chunks)
        joined = " ".join(chunks)
        assert joined.index("w0 ") < joined.index("w900 ") < joined.index('w1699"')
        assert daemon.sent()[2]["quoteTimestamp"] == 4000

        before = len(daemon.sent())
        for i in range(5):
            daemon.push(envelope(f"burst {i}", number="+15551230002", timestamp=5000 + i))
        answers = [s["message"] for s in (await sends(before + 5))[before:]]
        assert [re.search(r'"burst (\d)"', a).group(1) for a in answers] == list("01234")


def test_channels_login_signal_runs_the_link_flow(tmp_path: Path) -> None:
    """``openclaw-gateway channels login signal`` runs ``signal-cli link`` and shows its URI as a
    QR code (a stand-in signal-cli prints the URI, as the real one does, then succeeds)."""
    import subprocess

    cli = tmp_path / "signal-cli"
    uri = "sgnl://linkdevice?uuid=AbCd&pub_key=BQxyz"
    cli.write_text(
        f'#!/bin/sh\n[ "$1" = link ] || exit 9\necho "{uri}"\nsleep 0.2\necho "Associated with: +15550100100"\n'
    )
    cli.chmod(0o755)
    home = tmp_path / "home"
    state = home / ".openclaw-gateway"
    state.mkdir(parents=True)
    (state / "config.toml").write_text(
        f'[plugins.signal.accounts.default]\naccount = "{BOT}"\ncli_path = "{cli}"\n'
    )
    done = subprocess.run(
        [sys.executable, "-m", "openclaw_gateway.cli.main", "channels", "login", "signal"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "HOME": str(home), "OPENCLAW_GATEWAY_SECRETS_BACKEND": "file"},
    )
    assert done.returncode == 0, done.stderr
    assert uri in done.stdout and "\u2588" in done.stdout  # the URI, and drawn as a QR code
    assert "Linked." in done.stdout
