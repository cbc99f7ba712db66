"""WhatsApp's linked-device transport through the lowest seam we do not own: the neonize client
(tests/fakes/neonize_client.py). Events are neonize's own protobuf objects fed to the handlers the
adapter registered; sends are read off the client's calls. The host lock is tested with real
files and two real gateway processes.
"""

from __future__ import annotations

import base64
import os
import re
import signal
import stat
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import anyio
import openclaw_gateway_whatsapp
import pytest
from openclaw_gateway_whatsapp import linked as linked_module
from openclaw_gateway_whatsapp.config import WhatsAppAccount
from openclaw_gateway_whatsapp.linked import LinkedAdapter
from openclaw_gateway_whatsapp.lock import HostLock, SessionLocked

from openclaw_gateway.api import Attachment, AttachmentError, OutboundMessage, TransientSendError

from adapter_harness import Harness, running
from fakes.neonize_client import ME, Clients, group, image_event, text_event
from wire import TOKEN, operator

pytestmark = pytest.mark.anyio

ALL = ["operator.read", "operator.write", "operator.admin", "operator.pairing"]
GROUP = group("120363025246125888")


def linked(
    tmp_path: Path, clients: Clients, account: str = "default", **extra: object
) -> tuple[Harness, LinkedAdapter]:
    h = Harness("whatsapp", account)
    data_dir = tmp_path / "state" / "channels" / "whatsapp" / account
    data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    config = WhatsAppAccount.model_validate({"lock_path": str(tmp_path / "wa.lock"), **extra})
    adapter = LinkedAdapter(h.context(config, data_dir), client_factory=clients, lock_retry_s=0.05)
    return h, adapter


@pytest.fixture
async def paired(tmp_path: Path) -> AsyncIterator[tuple[Harness, LinkedAdapter, Clients]]:
    """A linked account, connected (the QR login already done)."""
    clients = Clients()
    h, adapter = linked(tmp_path, clients)
    async with running(h, adapter):
        await h.until(lambda: h.state == "needs-login")
        async with anyio.create_task_group() as tg:
            tg.start_soon(lambda: adapter.start_login(force=False, timeout=5))
            await h.until(lambda: clients.built and clients.last.running)
            await clients.last.show_qr("2@abc,def,ghi")
        await clients.last.pair()
        await h.until(lambda: h.state == "connected")
        yield h, adapter, clients


# --- login ---------------------------------------------------------------------------------------


async def test_qr_login_links_and_the_session_survives_a_restart(tmp_path: Path) -> None:
    clients = Clients()
    h, adapter = linked(tmp_path, clients)
    async with running(h, adapter):
        await h.until(lambda: h.state == "needs-login")
        assert "channels login whatsapp" in (h.detail or "")
        assert clients.built == []  # no session, nobody asked: nothing connects, no QR in logs

        results: dict[str, dict] = {}

        async def start() -> None:
            results["start"] = await adapter.start_login(force=False, timeout=5)

        async with anyio.create_task_group() as tg:
            tg.start_soon(start)
            await h.until(lambda: clients.built and clients.last.running)
            await clients.last.show_qr("2@first-code")
        start_result = results["start"]
        assert start_result["qrDataUrl"].startswith("data:image/png;base64,")
        assert (
            base64.b64decode(start_result["qrDataUrl"].split(",", 1)[1])[:8] == b"\x89PNG\r\n\x1a\n"
        )
        assert h.state == "linking"

        # The code rotates: a waiter holding the first one gets the new one.
        async with anyio.create_task_group() as tg:

            async def wait_new() -> None:
                results["rotated"] = await adapter.wait_login(
                    timeout=5, until_new_qr=lambda qr: qr != "2@first-code"
                )

            tg.start_soon(wait_new)
            await anyio.sleep(0.05)
            await clients.last.show_qr("2@second-code")
        assert results["rotated"] == {
            "connected": False,
            "message": "WhatsApp rotated the QR code.",
            "qr": "2@second-code",
        }

        async with anyio.create_task_group() as tg:

            async def wait_done() -> None:
                results["done"] = await adapter.wait_login(timeout=5)

            tg.start_soon(wait_done)
            await anyio.sleep(0.05)
            await clients.last.pair()
        assert results["done"] == {"connected": True, "message": "Linked as +15550100100."}
        assert h.state == "connected" and h.detail == "linked as +15550100100"
        assert (await adapter.start_login(force=False, timeout=1)) == {
            "message": "WhatsApp is already linked as +15550100100."
        }
    data_dir = adapter.data_dir
    assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700
    assert stat.S_IMODE((data_dir / "session.db").stat().st_mode) == 0o600
    assert clients.built[0].path == str(data_dir / "session.db")

    # A restart with the stored session connects at once, without a login.
    h2, again = linked(tmp_path, clients)
    async with running(h2, again):
        await h2.until(lambda: len(clients.built) == 2 and clients.last.running)
        await clients.last.fire(linked_module_connected(), linked_module_connected()(status=True))
        await h2.until(lambda: h2.state == "connected")


def linked_module_connected() -> type:
    from neonize.aioze.events import ConnectedEv

    return ConnectedEv


async def test_logged_out_by_the_phone_forgets_the_session_and_says_how_to_relink(paired) -> None:
    h, adapter, clients = paired
    client = clients.last
    await client.logged_out(reason=4)  # MAIN_DEVICE_GONE: the phone unlinked us
    await h.until(lambda: h.state == "logged-out")
    assert "logged out by WhatsApp; link again:" in (h.detail or "")
    assert "channels login whatsapp" in (h.detail or "")
    assert not (adapter.data_dir / "linked.json").exists()
    assert not (adapter.data_dir / "session.db").exists()
    assert not client.running
    probe = await adapter.probe()
    assert probe["connected"] is False and "MAIN_DEVICE_GONE" in probe["lastError"]


# --- messages in ---------------------------------------------------------------------------------


async def test_dms_groups_and_our_own_messages(paired) -> None:
    h, adapter, clients = paired
    client = clients.last
    await client.receive(text_event("hi", sender="+15551230001", name="Alice"))
    [dm] = await h.received(1)
    assert (dm.chat_id, dm.sender_id, dm.sender_name, dm.is_group) == (
        "+15551230001",
        "+15551230001",
        "Alice",
        False,
    )

    # Never an input: written on the phone itself, or our own reply echoed back.
    await client.receive(text_event("note to self", sender="+15550100100", from_me=True))
    reply = await adapter.send(OutboundMessage(chat_id="+15551230001", text="an answer"))
    echo = text_event("an answer", sender="+15550100100", from_me=True, message_id=reply.message_id)
    await client.receive(echo)
    assert h.counts["skipped:own-device"] == 2 or (
        h.counts["skipped:own-device"] == 1 and h.counts["skipped:self"] == 1
    )

    # Groups: a mention of our number or a reply to us addresses the bot; plain chatter does not.
    await client.receive(text_event("lunch?", chat=GROUP, sender="+15551230002"))
    await client.receive(
        text_event(
            "@15550100100 what time is it",
            chat=GROUP,
            sender="+15551230002",
            mentions=[f"{ME.User}@s.whatsapp.net"],
        )
    )
    await client.receive(
        text_event(
            "and you?", chat=GROUP, sender="+15551230003", quoted_id="3EB0X", quoted_author=ME
        )
    )
    msgs = await h.received(4)
    chatter, mention, reply_to_bot = msgs[1:4]
    assert chatter.is_group and chatter.chat_id == "120363025246125888@g.us"
    assert not chatter.mentions_bot and mention.mentions_bot and reply_to_bot.mentions_bot
    assert reply_to_bot.reply_to == "3EB0X"
    assert len(h.inbox) == 4


async def test_a_stranger_answering_own_devices_when_configured(tmp_path: Path) -> None:
    clients = Clients()
    h, adapter = linked(tmp_path, clients, answer_own_devices=True)
    (adapter.data_dir / "linked.json").write_text('{"number": "+15550100100"}')
    async with running(h, adapter):
        await h.until(lambda: clients.built and clients.last.running)
        await clients.last.pair()
        await clients.last.receive(text_event("remind me", sender="+15550100100", from_me=True))
        [note] = await h.received(1)
        assert note.chat_id == "+15550100100"


# --- messages out --------------------------------------------------------------------------------


async def test_replies_quote_media_goes_as_bytes_typing_and_receipts(paired) -> None:
    h, adapter, clients = paired
    client = clients.last
    question = text_event("question?", sender="+15551230001", message_id="3EB0Q1")
    await client.receive(question)
    await h.received(1)

    await adapter.typing("+15551230001", None)
    read = [c for c in client.calls if c.method == "mark_read"]
    assert read and read[0].args == ("3EB0Q1",) and read[0].kwargs["chat"].User == "15551230001"
    assert [c.method for c in client.calls][-1] == "send_chat_presence"

    await adapter.send(
        OutboundMessage(chat_id="+15551230001", text="the answer", reply_to="3EB0Q1")
    )
    [built] = [c for c in client.calls if c.method == "build_reply_message"]
    assert built.args[0] == "the answer" and built.args[1].Info.ID == "3EB0Q1"
    sent = client.sent("send_message")[-1]
    assert sent.args[0].User == "15551230001"
    assert sent.args[1].extendedTextMessage.contextInfo.stanzaID == "3EB0Q1"

    png = b"\x89PNG\r\n\x1a\n" + b"2" * 50
    await adapter.send(
        OutboundMessage(
            chat_id="120363025246125888@g.us",
            text="chart",
            attachments=[Attachment(kind="image", data=png, mime="image/png")],
        )
    )
    image = client.sent("send_image")[-1]
    assert image.args[0].Server == "g.us" and image.args[1] == png
    assert image.kwargs["caption"] == "chart"

    client.send_error = RuntimeError("websocket not connected")
    with pytest.raises(TransientSendError, match="websocket not connected"):
        await adapter.send(OutboundMessage(chat_id="+15551230001", text="x"))


async def test_no_read_receipts_when_turned_off(tmp_path: Path) -> None:
    clients = Clients()
    h, adapter = linked(tmp_path, clients, read_receipts=False)
    (adapter.data_dir / "linked.json").write_text('{"number": "+15550100100"}')
    async with running(h, adapter):
        await h.until(lambda: clients.built and clients.last.running)
        await clients.last.pair()
        await clients.last.receive(text_event("hi"))
        await h.received(1)
        await adapter.typing("+15551230001", None)
    assert [c.method for c in clients.last.calls].count("mark_read") == 0
    assert "send_chat_presence" in [c.method for c in clients.last.calls]


async def test_media_in_is_downloaded_by_message_and_capped(paired) -> None:
    h, adapter, clients = paired
    client = clients.last
    client.media["look"] = b"\xff\xd8\xff" + b"3" * 500
    await client.receive(image_event(503, caption="look", message_id="3EB0IMG"))
    [msg] = await h.received(1)
    [att] = msg.attachments
    assert (att.kind, att.mime, att.file_id, msg.text) == ("image", "image/jpeg", "3EB0IMG", "look")
    assert await adapter.fetch_attachment(att, max_bytes=10_000) == client.media["look"]
    with pytest.raises(AttachmentError, match="503 bytes, over the 100-byte limit"):
        await adapter.fetch_attachment(att, max_bytes=100)
    with pytest.raises(AttachmentError, match="no longer in memory"):
        await adapter.fetch_attachment(
            Attachment(kind="image", file_id="3EB0OLD"), max_bytes=10_000
        )


# --- one session per host ------------------------------------------------------------------------


def test_the_host_lock_names_its_holder_and_is_freed_when_released(tmp_path: Path) -> None:
    path = tmp_path / "wa.lock"
    first, second = HostLock(path), HostLock(path)
    first.acquire("/home/a/.openclaw-gateway")
    with pytest.raises(SessionLocked) as refused:
        second.acquire("/home/b/.openclaw-gateway")
    assert refused.value.holder.pid == os.getpid()
    assert refused.value.holder.state_dir == "/home/a/.openclaw-gateway"
    assert f"pid {os.getpid()}" in str(refused.value)
    first.release()
    second.acquire("/home/b/.openclaw-gateway")
    second.release()


def test_a_planted_symlink_is_not_followed(tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    link = tmp_path / "wa.lock"
    link.symlink_to(victim)
    with pytest.raises(OSError):
        HostLock(link).acquire("/x")
    assert victim.read_text() == "precious"


async def test_a_second_adapter_waits_for_the_lock_and_takes_over(tmp_path: Path) -> None:
    clients = Clients()
    h1, first = linked(tmp_path / "one", clients)
    other_dir = tmp_path / "two"
    h2 = Harness("whatsapp")
    data = other_dir / "state" / "channels" / "whatsapp" / "default"
    data.mkdir(parents=True)
    config = WhatsAppAccount.model_validate({"lock_path": str(tmp_path / "one" / "wa.lock")})
    second = LinkedAdapter(h2.context(config, data), client_factory=clients, lock_retry_s=0.05)
    async with running(h1, first):
        await h1.until(lambda: h1.state == "needs-login")
        async with running(h2, second):
            await h2.until(lambda: h2.state == "locked")
            assert f"pid {os.getpid()}" in (h2.detail or "")
            assert str(tmp_path / "one" / "state") in (h2.detail or "")
            # ... the first gateway stops (here: its adapter), and the second takes over.
            await first.logout()
    async with running(h2, second):
        await h2.until(lambda: h2.state == "needs-login")


def _start_gateway(home: Path, lock: Path) -> tuple[subprocess.Popen[str], int]:
    env = {
        **os.environ,
        "HOME": str(home),
        "OPENCLAW_GATEWAY_SECRETS_BACKEND": "file",
        "OPENCLAW_GATEWAY_TOKEN": TOKEN,
        "OPENCLAW_GATEWAY_PLUGINS__WHATSAPP__ACCOUNTS__DEFAULT__LOCK_PATH": str(lock),
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "openclaw_gateway.cli.main", "run", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    assert proc.stdout is not None
    deadline, lines = time.monotonic() + 30, []
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        lines.append(line)
        if match := re.search(r"listening on ws://127\.0\.0\.1:(\d+)", line):
            return proc, int(match.group(1))
    proc.kill()
    raise AssertionError("".join(lines))


async def _whatsapp_state(port: int) -> dict:
    peer = await operator(port, TOKEN, ALL)
    try:
        with anyio.fail_after(10):
            while True:
                status = await peer.request("channels.status", {})
                accounts = status["payload"]["channels"].get("whatsapp", {}).get("accounts", {})
                account = accounts.get("default")
                if account and account["state"] not in ("starting", "running", "connecting"):
                    return account
                await anyio.sleep(0.05)
    finally:
        await peer.ws.close()


async def test_two_real_gateways_one_whatsapp_session(tmp_path: Path) -> None:
    lock = tmp_path / "wa.lock"
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first, port_a = _start_gateway(tmp_path / "a", lock)
    try:
        assert (await _whatsapp_state(port_a))["state"] == "needs-login"
        second, port_b = _start_gateway(tmp_path / "b", lock)
        try:
            refused = await _whatsapp_state(port_b)
            assert refused["state"] == "locked"
            assert f"pid {first.pid}" in refused["detail"]
            assert str(tmp_path / "a" / ".openclaw-gateway") in refused["detail"]
            # The rest of the second gateway runs.
            peer = await operator(port_b, TOKEN, ALL)
            assert (await peer.request("health", {}))["ok"]
            # The holder dies without cleaning up: the kernel frees the lock, the second takes it.
            first.send_signal(signal.SIGKILL)
            first.wait(10)
            with anyio.fail_after(60):
                while (await _whatsapp_state(port_b))["state"] != "needs-login":
                    await anyio.sleep(0.2)
        finally:
            second.kill()
            second.wait(10)
    finally:
        if first.poll() is None:
            first.kill()
            first.wait(10)


# --- through a real gateway: login over the protocol, pairing, gating, replies ---------------------


async def test_login_pairing_and_group_gating_through_the_gateway(
    gateway_factory, tmp_path: Path, monkeypatch
) -> None:
    clients = Clients()
    monkeypatch.setattr(linked_module, "neonize_client", clients)
    plugins = {
        "whatsapp": {
            "groups": ["120363025246125888@g.us"],
            "accounts": {"default": {"lock_path": str(tmp_path / "wa.lock")}},
        }
    }
    async with gateway_factory(extra_plugins=(openclaw_gateway_whatsapp,), plugins=plugins) as gw:
        admin = await operator(gw.port, TOKEN, ALL)
        assert (await _whatsapp_state(gw.port))["state"] == "needs-login"
        reader = await operator(gw.port, TOKEN, ["operator.read"])
        refused = await reader.request("web.login.start", {})
        assert not refused["ok"] and "operator.admin" in refused["error"]["message"]
        await reader.ws.close()

        async with anyio.create_task_group() as tg:
            answers: dict[str, dict] = {}

            async def start() -> None:
                answers["start"] = await admin.request("web.login.start", {"timeoutMs": 5000})

            tg.start_soon(start)
            with anyio.fail_after(5):
                while not (clients.built and clients.last.running):
                    await anyio.sleep(0.01)
            await clients.last.show_qr("2@code-one")
        start = answers["start"]
        assert start["ok"] and start["payload"]["qrDataUrl"].startswith("data:image/png;base64,")

        async with anyio.create_task_group() as tg:

            async def wait() -> None:
                answers["wait"] = await admin.request(
                    "web.login.wait",
                    {"timeoutMs": 5000, "currentQrDataUrl": start["payload"]["qrDataUrl"]},
                )

            tg.start_soon(wait)
            await anyio.sleep(0.1)
            await clients.last.pair()
        assert answers["wait"]["payload"] == {
            "connected": True,
            "message": "Linked as +15550100100.",
        }
        client = clients.last

        # A stranger's DM gets a pairing code; once approved, the agent answers, quoting.
        await client.receive(text_event("hello?", sender="+15551230002", name="Bob"))
        with anyio.fail_after(5):
            while not client.sent("send_message"):
                await anyio.sleep(0.01)
        pairing = client.sent("send_message")[0].args[1]
        code = re.search(r"pairing code: ([A-Z0-9]{8})", pairing).group(1)
        approved = await admin.request("pairing.approve", {"channel": "whatsapp", "code": code})
        assert approved["payload"]["senderId"] == "+15551230002"
        await admin.ws.close()  # left unread, the agent's events would hold up shutdown
        await client.receive(text_event("ping", sender="+15551230002", message_id="3EB0PING"))
        with anyio.fail_after(5):
            while not [c for c in client.calls if c.method == "build_reply_message"]:
                await anyio.sleep(0.01)
        [quote] = [c for c in client.calls if c.method == "build_reply_message"]
        assert quote.args[1].Info.ID == "3EB0PING" and 'You said: "ping"' in quote.args[0]

        # A long message: the echo comes back chunked under the limit, in order, the first
        # chunk quoting it; then a burst of five, each answered in order.
        words = " ".join(f"w{i}" for i in range(1700))
        await client.receive(text_event(words, sender="+15551230002", message_id="3EB0LONG"))

        def texts() -> list[str]:
            out = []
            for call in client.sent("send_message"):
                body = call.args[1]
                out.append(body if isinstance(body, str) else body.extendedTextMessage.text)
            return out

        with anyio.fail_after(10):
            while not any(x.rstrip().endswith('w1699"') for x in texts()):
                await anyio.sleep(0.02)
        long_reply = texts()[-3:]
        assert all(len(x) <= 4000 for x in texts()) and len(long_reply) == 3
        joined = " ".join(long_reply)
        assert joined.index("w0 ") < joined.index("w900 ") < joined.index('w1699"')
        count = len(texts())
        for i in range(5):
            await client.receive(
                text_event(f"burst {i}", sender="+15551230002", message_id=f"3EB0B{i}")
            )
        with anyio.fail_after(10):
            while len(texts()) < count + 5:
                await anyio.sleep(0.02)
        burst = [re.search(r'"burst (\d)"', x).group(1) for x in texts()[count:]]
        assert burst == list("01234")

        # Media in: the agent is told what arrived (whatsmeow decrypts it; here, the fake).
        client.media["see this"] = b"\xff\xd8\xff" + b"4" * 200
        count = len(texts())
        await client.receive(image_event(203, caption="see this", sender="+15551230002"))
        with anyio.fail_after(10):
            while len(texts()) == count:
                await anyio.sleep(0.02)
        assert "image/jpeg" in texts()[-1] and [
            c for c in client.calls if c.method == "download_any"
        ]

        # Groups: only the allowed group, and only when the bot is mentioned.
        before = len(client.sent())
        await client.receive(text_event("chatter", chat=GROUP, sender="+15551230003"))
        await client.receive(
            text_event(
                "@15550100100 hi",
                chat=group("999"),
                sender="+15551230003",
                mentions=[f"{ME.User}@s.whatsapp.net"],
            )
        )
        await client.receive(
            text_event(
                "@15550100100 hi bot",
                chat=GROUP,
                sender="+15551230003",
                mentions=[f"{ME.User}@s.whatsapp.net"],
            )
        )
        with anyio.fail_after(5):
            while len(client.sent()) == before and not [
                c for c in client.calls[before:] if c.method == "build_reply_message"
            ]:
                await anyio.sleep(0.01)
        account = await _whatsapp_state(gw.port)
        assert account["state"] == "connected" and account["detail"] == "linked as +15550100100"
        assert account["counters"]["dropped:not-mentioned"] == 1
        assert account["counters"]["dropped:group-not-allowed"] == 1


async def test_channels_login_draws_the_qr_and_reports_the_link(
    gateway_factory, tmp_path: Path, monkeypatch
) -> None:
    clients = Clients()
    monkeypatch.setattr(linked_module, "neonize_client", clients)
    plugins = {"whatsapp": {"accounts": {"default": {"lock_path": str(tmp_path / "wa.lock")}}}}
    async with gateway_factory(extra_plugins=(openclaw_gateway_whatsapp,), plugins=plugins) as gw:
        assert (await _whatsapp_state(gw.port))["state"] == "needs-login"
        command = [
            sys.executable,
            "-m",
            "openclaw_gateway.cli.main",
            "channels",
            "login",
            "whatsapp",
            "--url",
            f"ws://127.0.0.1:{gw.port}",
            "--token",
            TOKEN,
        ]
        async with await anyio.open_process(command) as proc:
            with anyio.fail_after(20):
                while not (clients.built and clients.last.running):
                    await anyio.sleep(0.02)
                await clients.last.show_qr("2@terminal-code")
                assert proc.stdout is not None
                seen = b""
                while b"\xe2\x96" not in seen:  # the first half-block of the drawing
                    seen += await proc.stdout.receive()
                await clients.last.show_qr("2@rotated-code")
                while b"The code changed" not in seen:
                    seen += await proc.stdout.receive()
                await clients.last.pair()
                while b"Linked as +15550100100." not in seen:
                    seen += await proc.stdout.receive()
                assert await proc.wait() == 0
        text = seen.decode()
        assert text.startswith("Scan this QR code in WhatsApp")
        assert text.count("\u2588") > 100  # drawn, twice


async def test_channels_login_by_phone_number_prints_the_pair_code(
    gateway_factory, tmp_path: Path, monkeypatch
) -> None:
    clients = Clients()
    monkeypatch.setattr(linked_module, "neonize_client", clients)
    plugins = {"whatsapp": {"accounts": {"default": {"lock_path": str(tmp_path / "wa.lock")}}}}
    async with gateway_factory(extra_plugins=(openclaw_gateway_whatsapp,), plugins=plugins) as gw:
        assert (await _whatsapp_state(gw.port))["state"] == "needs-login"
        admin = await operator(gw.port, TOKEN, ALL)
        bad = await admin.request("whatsapp.login.pairCode", {"phone": "call me maybe"})
        assert not bad["ok"] and "E.164" in bad["error"]["message"]
        await admin.ws.close()
        command = [
            sys.executable,
            "-m",
            "openclaw_gateway.cli.main",
            "channels",
            "login",
            "whatsapp",
            "--phone",
            "+1 (555) 010-0100",
            "--url",
            f"ws://127.0.0.1:{gw.port}",
            "--token",
            TOKEN,
        ]
        async with await anyio.open_process(command) as proc:
            with anyio.fail_after(20):
                while not (clients.built and clients.last.running):
                    await anyio.sleep(0.02)
                await clients.last.show_qr("2@socket-is-up")
                assert proc.stdout is not None
                seen = b""
                while b"ABCD-EFGH" not in seen:
                    seen += await proc.stdout.receive()
                await anyio.sleep(0.2)
                await clients.last.pair()
                while b"Linked as +15550100100." not in seen:
                    seen += await proc.stdout.receive()
                assert await proc.wait() == 0
        [call] = [c for c in clients.last.calls if c.method == "PairPhone"]
        assert call.args == ("15550100100", True)
        assert "\u2588" not in seen.decode()  # no QR code drawn
