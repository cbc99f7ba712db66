"""The channel router: DM pairing codes, allowlists, group gating, sessions, chunked replies,
retries and reporting — through a real gateway, with an in-memory surface (channel_fixture.py)."""

from __future__ import annotations

import re

import anyio
import pytest

from openclaw_gateway.channels.chunking import chunk_text
from openclaw_gateway.state.channels import CODE_ALPHABET

from channel_fixture import FakeChatPlugin
from wire import TOKEN, operator

pytestmark = pytest.mark.anyio

ALL = ["operator.read", "operator.write", "operator.admin", "operator.pairing"]


def channel_config(**overrides):
    return {"fakechat": {"accounts": {"default": {"token": "ok"}}, **overrides}}


async def started(gateway_factory, plugin, **config):
    cm = gateway_factory(extra_plugins=(plugin,), plugins=channel_config(**config))
    gw = await cm.__aenter__()
    with anyio.fail_after(5):
        await plugin.hub.ready.wait()
    return cm, gw


async def test_stranger_gets_a_code_then_is_approved_and_answered(gateway_factory):
    plugin = FakeChatPlugin()
    hub = plugin.hub
    cm, gw = await started(gateway_factory, plugin)
    try:
        admin = await operator(gw.port, TOKEN, ALL)
        await hub.inbound("hello?", sender="stranger")
        sent = await hub.wait_sent(1)
        code = re.search(r"pairing code: ([A-Z0-9]{8})", sent[0].text).group(1)
        assert set(code) <= set(CODE_ALPHABET)
        assert f"openclaw-gateway pairing approve fakechat {code}" in sent[0].text
        requested = await admin.next_event("channels.pairing.requested")
        assert requested["payload"]["code"] == code

        # Asking again reuses the same code instead of minting new ones.
        await hub.inbound("hello??", sender="stranger")
        assert code in (await hub.wait_sent(2))[1].text

        listing = await admin.request("pairing.list", {})
        assert [p["code"] for p in listing["payload"]["pending"]] == [code]
        approved = await admin.request(
            "pairing.approve", {"channel": "fakechat", "code": code.lower()}
        )
        assert (
            approved["payload"]["senderId"] == "stranger"
            and approved["payload"]["notified"] is True
        )
        assert "approved" in (await hub.wait_sent(3))[2].text

        await hub.inbound("what's up", sender="stranger")
        sent = await hub.wait_sent(4)
        assert 'You said: "what\'s up"' in "".join(m.text for m in sent[3:])
        agent_event = await admin.next_event("agent")
        assert agent_event["payload"]["sessionKey"] == "agent:main:fakechat:dm:stranger"
        again = await admin.request("pairing.approve", {"channel": "fakechat", "code": code})
        assert again["error"]["message"] == "unknown or expired pairing code"
    finally:
        await cm.__aexit__(None, None, None)


async def test_long_replies_are_chunked_to_the_surface_limit(gateway_factory):
    plugin = FakeChatPlugin()
    cm, _gw = await started(
        gateway_factory,
        plugin,
        dm_policy="open",
        accounts={"default": {"token": "ok", "text_limit": 60}},
    )
    try:
        await plugin.hub.inbound("x " * 100, sender="a")
        with anyio.fail_after(10):
            while not any('"' in m.text and m.text.rstrip().endswith('"') for m in plugin.hub.sent):
                await anyio.sleep(0.05)
        assert len(plugin.hub.sent) > 3
        assert all(0 < len(m.text) <= 60 for m in plugin.hub.sent)
        assert plugin.hub.sent[0].reply_to == "1" and plugin.hub.sent[1].reply_to is None
    finally:
        await cm.__aexit__(None, None, None)


async def test_policies_and_group_gating_drop_and_count(gateway_factory):
    plugin = FakeChatPlugin()
    hub = plugin.hub
    cm, gw = await started(
        gateway_factory,
        plugin,
        dm_policy="allowlist",
        allow_from=["friend"],
        groups=["g1"],
        require_mention=True,
    )
    try:
        admin = await operator(gw.port, TOKEN, ALL)
        await hub.inbound("hi", sender="nobody")
        await hub.inbound("hi", sender="u2", chat="g2", is_group=True, mentions_bot=True)
        await hub.inbound("hi all", sender="u2", chat="g1", is_group=True)
        await hub.inbound("hi all", sender="u2", chat="g1", is_group=True, message_id="dup")
        await hub.inbound("hi all", sender="u2", chat="g1", is_group=True, message_id="dup")
        await hub.inbound("@bot hi", sender="u2", chat="g1", is_group=True, mentions_bot=True)
        await hub.inbound("yo", sender="friend")
        sent = await hub.wait_sent(2)
        assert {m.chat_id for m in sent} == {"g1", "friend"}
        status = await admin.request("channels.status", {"probe": True})
        account = status["payload"]["channels"]["fakechat"]["accounts"]["default"]
        counters = account["counters"]
        assert counters["dropped:sender-not-allowed"] == 1
        assert counters["dropped:group-not-allowed"] == 1
        assert counters["dropped:not-mentioned"] == 2
        assert counters["dropped:duplicate"] == 1
        assert account["state"] == "connected" and account["probe"] == {
            "ok": True,
            "bot": "@fakebot",
        }
        health = await admin.request("health", {"probe": True})
        assert health["payload"]["channelOrder"] == ["fakechat"]
    finally:
        await cm.__aexit__(None, None, None)


async def test_at_most_three_pending_codes_per_channel(gateway_factory):
    plugin = FakeChatPlugin()
    cm, gw = await started(gateway_factory, plugin)
    try:
        for sender in ("a", "b", "c", "d"):
            await plugin.hub.inbound("hi", sender=sender)
        await plugin.hub.wait_sent(3)
        await anyio.sleep(0.2)
        assert len(plugin.hub.sent) == 3
        admin = await operator(gw.port, TOKEN, ALL)
        status = await admin.request("channels.status", {})
        assert (
            status["payload"]["channels"]["fakechat"]["accounts"]["default"]["counters"][
                "dropped:pairing-limit"
            ]
            == 1
        )
    finally:
        await cm.__aexit__(None, None, None)


async def test_transient_failures_are_retried_and_permanent_ones_reported(gateway_factory):
    plugin = FakeChatPlugin()
    hub = plugin.hub
    cm, gw = await started(gateway_factory, plugin, dm_policy="open")
    try:
        admin = await operator(gw.port, TOKEN, ALL)
        hub.failures = ["transient", "transient"]
        res = await admin.request(
            "send", {"to": "someone", "message": "ping", "idempotencyKey": "s1"}
        )
        assert res["ok"] and res["payload"]["channel"] == "fakechat"
        assert [m.text for m in hub.sent] == ["ping"]
        repeat = await admin.request(
            "send", {"to": "someone", "message": "ping", "idempotencyKey": "s1"}
        )
        assert repeat["payload"] == res["payload"] and len(hub.sent) == 1  # deduplicated
        hub.failures = ["permanent"]
        res = await admin.request("send", {"to": "gone", "message": "ping", "idempotencyKey": "s2"})
        assert res["error"]["details"]["code"] == "DELIVERY_FAILED"
        delivery = await admin.next_event("channels.delivery")
        assert delivery["payload"]["ok"] is False and delivery["payload"]["to"] == "gone"
        unknown = await admin.request(
            "send", {"to": "x", "message": "m", "idempotencyKey": "s3", "channel": "nope"}
        )
        assert unknown["error"]["message"] == "unsupported channel: nope"
    finally:
        await cm.__aexit__(None, None, None)


async def test_send_without_channels(gateway):
    admin = await operator(gateway.port, TOKEN, ALL)
    res = await admin.request("send", {"to": "x", "message": "m", "idempotencyKey": "k"})
    assert res["error"]["message"] == "Error: Channel is required (no configured channels detected)"
    res = await admin.request("send", {"message": "m", "idempotencyKey": "k"})
    assert res["error"]["message"] == "invalid send params: must have required property 'to'"


async def test_crashing_adapter_restarts_and_revoked_token_stops(gateway_factory):
    plugin = FakeChatPlugin()
    cm, gw = await started(gateway_factory, plugin, accounts={"default": {"token": "crashy"}})
    try:
        admin = await operator(gw.port, TOKEN, ALL)
        status = await admin.request("channels.status", {})
        account = status["payload"]["channels"]["fakechat"]["accounts"]["default"]
        assert account["restarts"] == 2 and "socket dropped" in account["lastError"]
    finally:
        await cm.__aexit__(None, None, None)
    plugin = FakeChatPlugin()
    async with gateway_factory(
        extra_plugins=(plugin,), plugins=channel_config(accounts={"default": {"token": "revoked"}})
    ) as gw:
        admin = await operator(gw.port, TOKEN, ALL)
        with anyio.fail_after(5):
            while True:
                status = await admin.request("channels.status", {})
                account = status["payload"]["channels"]["fakechat"]["accounts"]["default"]
                if account["state"] == "auth-failed":
                    break
                await anyio.sleep(0.05)
        assert "token revoked" in account["detail"]
        assert plugin.hub.runs == 1  # no hammering with a refused token


async def test_unconfigured_channel_is_idle(gateway_factory):
    plugin = FakeChatPlugin()
    async with gateway_factory(extra_plugins=(plugin,)) as gw:
        admin = await operator(gw.port, TOKEN, ALL)
        status = await admin.request("channels.status", {})
        assert "fakechat" not in status["payload"]["channels"]
        plugins = (await admin.request("health", {}))["payload"]["plugins"]
        idle = [p for p in plugins["details"] if p["state"] == "idle"]
        assert idle and "fakechat" in idle[0]["reason"]
        assert plugin.hub.runs == 0


async def test_new_command_resets_the_peer_session(gateway_factory):
    plugin = FakeChatPlugin()
    cm, gw = await started(gateway_factory, plugin, dm_policy="open")
    try:
        admin = await operator(gw.port, TOKEN, ALL)
        await plugin.hub.inbound("remember me", sender="p")
        await plugin.hub.wait_sent(1)
        history = await admin.request("chat.history", {"sessionKey": "agent:main:fakechat:dm:p"})
        assert history["payload"]["totalMessages"] == 2
        await plugin.hub.inbound("/new", sender="p", command="new")
        assert "new conversation" in (await plugin.hub.wait_sent(2))[1].text
        history = await admin.request("chat.history", {"sessionKey": "agent:main:fakechat:dm:p"})
        assert history["payload"]["totalMessages"] == 0
    finally:
        await cm.__aexit__(None, None, None)


def test_chunking_prefers_natural_breaks():
    text = "First paragraph here.\n\nSecond one is a bit longer. It has two sentences."
    assert chunk_text(text, 40) == [
        "First paragraph here.",
        "Second one is a bit longer.",
        "It has two sentences.",
    ]
    assert chunk_text("x" * 25, 10) == ["x" * 10, "x" * 10, "x" * 5]
    with pytest.raises(ValueError):
        chunk_text("x", 0)


async def test_several_accounts_answer_on_their_own_account(gateway_factory):
    plugin = FakeChatPlugin()
    hub = plugin.hub
    accounts = {"default": {"token": "ok"}, "work": {"token": "ok"}}
    async with gateway_factory(
        extra_plugins=(plugin,), plugins=channel_config(dm_policy="open", accounts=accounts)
    ) as gw:
        with anyio.fail_after(5):
            while len(hub.adapters) < 2:
                await anyio.sleep(0.02)
        await hub.inbound("from work", sender="w1", account="work")
        await hub.wait_sent(1)
        assert [acc for acc, _ in hub.sent_by] == ["work"]
        admin = await operator(gw.port, TOKEN, ALL)
        history = await admin.request(
            "chat.history", {"sessionKey": "agent:main:fakechat:work:dm:w1"}
        )
        assert history["payload"]["totalMessages"] == 2
        status = await admin.request("channels.status", {})
        assert set(status["payload"]["channels"]["fakechat"]["accounts"]) == {"default", "work"}


async def test_send_with_media(gateway_factory):
    from test_media_security import PNG as PNG_BYTES
    from test_media_security import FileServer

    plugin = FakeChatPlugin()
    with FileServer("127.0.0.2").running() as files:
        files.files["/pics/cat.png"] = ("image/png", PNG_BYTES)
        files.files["/report.pdf"] = ("application/pdf", b"%PDF-1.4 report")
        cm, gw = await started(gateway_factory, plugin)
        gw.config.media.allow_private_hosts.append("127.0.0.2")
        try:
            admin = await operator(gw.port, TOKEN, ALL)
            res = await admin.request(
                "send",
                {
                    "to": "c1",
                    "message": "a cat",
                    "mediaUrl": f"{files.base}/pics/cat.png?s=1",
                    "idempotencyKey": "m1",
                },
            )
            assert res["ok"], res
            sent = plugin.hub.sent[0]
            assert sent.text == "a cat" and len(sent.attachments) == 1
            media = sent.attachments[0]
            assert (media.kind, media.mime, media.name) == ("image", "image/png", "cat.png")
            assert media.data == PNG_BYTES and media.url is None  # bytes, never the string
            res = await admin.request(
                "send",
                {"to": "c1", "mediaUrl": f"{files.base}/report.pdf", "idempotencyKey": "m2"},
            )
            assert res["ok"] and plugin.hub.sent[1].attachments[0].kind == "document"
            res = await admin.request("send", {"to": "c1", "idempotencyKey": "m3"})
            assert (
                res["error"]["message"]
                == "invalid send params: a message or a mediaUrl is required"
            )
        finally:
            await cm.__aexit__(None, None, None)


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 120


async def test_inbound_attachments_reach_the_agent_and_the_transcript(gateway_factory, tmp_path):
    from openclaw_gateway.channels.model import Attachment

    plugin = FakeChatPlugin()
    hub = plugin.hub
    hub.files = {"photo-1": PNG, "notes-1": b"buy milk\n"}
    cm, gw = await started(gateway_factory, plugin, dm_policy="open")
    try:
        await hub.inbound(
            "look at these",
            sender="u9",
            attachments=[
                Attachment(kind="image", file_id="photo-1"),  # no name, no type: sniffed
                Attachment(kind="document", file_id="notes-1", name="notes.txt"),
                Attachment(kind="document", file_id="gone", name="old.pdf"),
                Attachment(kind="video", file_id="huge", name="big.mp4", size=10**9),
            ],
        )
        reply = "".join(m.text for m in await hub.wait_sent(1))
        assert f"You sent 1 image(s): image/png {len(PNG)} bytes" in reply
        # The declared-too-large file was never downloaded; the image was capped at the image limit.
        assert [f for f, _ in hub.fetched] == ["photo-1", "notes-1", "gone"]
        assert hub.fetched[0][1] == 6_291_456

        admin = await operator(gw.port, TOKEN, ALL)
        history = await admin.request("chat.history", {"sessionKey": "agent:main:fakechat:dm:u9"})
        parts = history["payload"]["messages"][0]["content"]
        assert parts[0] == {"type": "text", "text": "look at these"}
        image, notes, gone, huge = parts[1:]
        assert (image["type"], image["mimeType"], image["size"]) == ("image", "image/png", len(PNG))
        assert (notes["type"], notes["fileName"], notes["mimeType"]) == (
            "file",
            "notes.txt",
            "text/plain",
        )
        assert gone == {"type": "file", "fileName": "old.pdf", "unavailable": "404 file not found"}
        assert "over the 19464192-byte limit" in huge["unavailable"]
        stored = gw.config.state_dir / "media" / image["media"]
        assert stored.read_bytes() == PNG

        # The model sees the text file inline and is told which files it could not read.
        conversation = await gw.runs._conversation(
            next(r for r in gw.runs.runs.values() if r.session_key.endswith(":u9"))
        )
        user = conversation[1]
        assert "buy milk" in user.content and "old.pdf could not be read" in user.content
        assert [i.data for i in user.images] == [PNG]
        status = await admin.request("channels.status", {})
        counters = status["payload"]["channels"]["fakechat"]["accounts"]["default"]["counters"]
        assert counters["attachments:fetched"] == 2
        assert counters["attachments:failed"] == 1
        assert counters["attachments:too-large"] == 1
    finally:
        await cm.__aexit__(None, None, None)


async def test_a_plugin_that_raises_while_fetching_still_gets_an_answer(gateway_factory):
    from openclaw_gateway.channels.model import Attachment

    plugin = FakeChatPlugin()
    hub = plugin.hub

    async def broken(attachment, *, max_bytes):
        raise RuntimeError("plugin bug")

    cm, _gw = await started(gateway_factory, plugin, dm_policy="open")
    try:
        hub.adapter.fetch_attachment = broken
        await hub.inbound("hi", sender="u8", attachments=[Attachment(file_id="x", name="a.png")])
        reply = "".join(m.text for m in await hub.wait_sent(1))
        assert 'You said: "hi' in reply
        assert "a.png could not be read: download failed (RuntimeError)" in reply
    finally:
        await cm.__aexit__(None, None, None)


async def test_a_flooding_sender_is_rate_limited_and_told_once(gateway_factory):
    plugin = FakeChatPlugin()
    hub = plugin.hub
    cm, gw = await started(
        gateway_factory, plugin, dm_policy="open", rate_limit_per_minute=1, rate_limit_burst=2
    )
    try:
        for i in range(6):
            await hub.inbound(f"msg {i}", sender="spammer")
        await hub.inbound("me too", sender="calm")  # another sender is not affected
        sent = await hub.wait_sent(4)
        await anyio.sleep(0.3)
        texts = [m.text for m in hub.sent]
        assert sum("faster than this assistant answers" in t for t in texts) == 1
        answered = [t for t in texts if "You said" in t]
        assert len(answered) == 3 and any('"me too"' in t for t in answered)
        assert len(sent) == 4
        admin = await operator(gw.port, TOKEN, ALL)
        status = await admin.request("channels.status", {})
        counters = status["payload"]["channels"]["fakechat"]["accounts"]["default"]["counters"]
        assert counters["dropped:rate-limited"] == 4
    finally:
        await cm.__aexit__(None, None, None)


def test_sender_limiter_refills_over_time():
    from openclaw_gateway.channels.router import SenderLimiter

    limiter = SenderLimiter(size=2)
    key = ("c", "a", "s")
    assert limiter.allow(key, 60, 1, now=0.0) == (True, False)
    assert limiter.allow(key, 60, 1, now=0.1) == (False, True)
    assert limiter.allow(key, 60, 1, now=0.2) == (False, False)  # told once per episode
    assert limiter.allow(key, 60, 1, now=1.3) == (True, False)  # one token a second
    assert limiter.allow(key, 0, 1, now=1.3) == (True, False)  # 0 = off
    for n in range(5):
        limiter.allow(("c", "a", str(n)), 60, 1, now=2.0)
    assert len(limiter._buckets) == 2


async def test_reference_channels_pairing_methods(gateway_factory):
    """``channels.pairing.list|approve|dismiss`` as the reference's Control UI calls them."""
    plugin = FakeChatPlugin()
    hub = plugin.hub
    cm, gw = await started(gateway_factory, plugin)
    try:
        admin = await operator(gw.port, TOKEN, ALL)
        pairer = await operator(gw.port, TOKEN, ["operator.pairing"])
        await hub.inbound("hi", sender="alice")
        await hub.inbound("hello", sender="bob")
        await hub.wait_sent(2)
        listing = (await pairer.request("channels.pairing.list", {}))["payload"]
        assert listing["accounts"] == [
            {
                "channel": "fakechat",
                "channelLabel": "Fake Chat",
                "accountId": "default",
                "notifySupported": True,
            }
        ]
        assert listing["limits"] == {"pendingPerAccount": 3, "ttlMs": 3_600_000}
        assert listing["commandOwnerConfigured"] is False
        by_sender = {r["senderId"]: r for r in listing["requests"]}
        alice, bob = by_sender["alice"], by_sender["bob"]
        assert alice["channel"] == "fakechat" and alice["accountId"] == "default"
        assert alice["createdAt"].endswith("Z") and alice["expiresAt"] > alice["createdAt"]
        assert alice["metadata"] == {"code": alice["requestId"], "name": "User alice"}

        approve = {"channel": "fakechat", "accountId": "default", "requestId": alice["requestId"]}
        res = await pairer.request("channels.pairing.approve", {**approve, "notify": True})
        assert res["payload"] == {
            "requestId": alice["requestId"],
            "senderId": "alice",
            "notification": "sent",
            "commandOwnerBootstrap": "not-requested",
        }
        assert "approved" in (await hub.wait_sent(3))[2].text
        again = await pairer.request("channels.pairing.approve", approve)
        assert again["error"]["message"] == "pending DM access request no longer exists"

        owner = {"channel": "fakechat", "accountId": "default", "requestId": bob["requestId"]}
        res = await pairer.request(
            "channels.pairing.approve", {**owner, "bootstrapCommandOwner": True}
        )
        assert res["error"]["details"]["missingScope"] == "operator.admin"
        res = await pairer.request("channels.pairing.dismiss", owner)
        assert res["payload"] == {"requestId": bob["requestId"], "senderId": "bob"}
        assert (await pairer.request("channels.pairing.list", {}))["payload"]["requests"] == []

        res = await pairer.request("channels.pairing.list", {"channel": "nope"})
        assert res["error"]["message"] == "unknown pairing channel: nope"
        res = await pairer.request("channels.pairing.dismiss", {**owner, "accountId": "other"})
        assert res["error"]["message"] == (
            "channel account does not use DM pairing: fakechat:other"
        )
        res = await pairer.request("channels.pairing.list", {"bogus": 1})
        assert res["error"]["code"] == "INVALID_REQUEST"
        # Alice is allowed now: her next message reaches the agent.
        await hub.inbound("now?", sender="alice")
        assert 'You said: "now?"' in (await hub.wait_sent(4))[3].text
        status = await admin.request("channels.status", {})
        assert status["ok"]
    finally:
        await cm.__aexit__(None, None, None)


async def test_an_approved_sender_can_be_revoked(gateway_factory):
    plugin = FakeChatPlugin()
    hub = plugin.hub
    cm, gw = await started(gateway_factory, plugin)
    try:
        admin = await operator(gw.port, TOKEN, ALL)
        await hub.inbound("hi", sender="eve")
        code = re.search(r"pairing code: ([A-Z0-9]{8})", (await hub.wait_sent(1))[0].text)
        assert code is not None
        approved = await admin.request("pairing.approve", {"channel": "fakechat", "code": code[1]})
        assert approved["ok"]
        await hub.inbound("now?", sender="eve")
        sent = await hub.wait_sent(3)  # the approval notice, then the answer
        assert "approved" in sent[1].text and "You said" in sent[2].text
        health = await admin.request("health", {"probe": True})
        assert health["payload"]["sessions"]["count"] == 1  # counted, not a hard-coded 0

        revoked = await admin.request("pairing.revoke", {"channel": "fakechat", "senderId": "eve"})
        assert revoked["ok"] and revoked["payload"]["senderId"] == "eve"
        await hub.inbound("still there?", sender="eve")
        again = await hub.wait_sent(4)
        assert "pairing code" in again[3].text  # back to asking for approval
        twice = await admin.request("pairing.revoke", {"channel": "fakechat", "senderId": "eve"})
        assert twice["error"]["message"] == "eve is not an approved sender on fakechat"
    finally:
        await cm.__aexit__(None, None, None)


async def test_channels_stop_and_start_one_account_by_hand(gateway_factory):
    """The reference's recovery path: stop an account (credentials and pairing kept), start it
    again; admin only; a stopped account stays stopped (no restart), even from backoff."""
    plugin = FakeChatPlugin()
    hub = plugin.hub
    cm, gw = await started(gateway_factory, plugin)
    try:
        admin = await operator(gw.port, TOKEN, ALL)
        reader = await operator(gw.port, TOKEN, ["operator.read"])
        key = {"channel": "fakechat", "accountId": "default"}
        denied = await reader.request("channels.stop", key)
        assert denied["error"]["details"]["missingScope"] == "operator.admin"
        stopped = await admin.request("channels.stop", key)
        assert stopped["payload"] == {**key, "stopped": True}
        status = await admin.request("channels.status", {})
        account = status["payload"]["channels"]["fakechat"]["accounts"]["default"]
        assert account["state"] == "stopped" and account["detail"] == "stopped by an operator"
        runs = hub.runs
        await anyio.sleep(0.2)
        assert hub.runs == runs  # not restarted behind the operator's back
        again = await admin.request("channels.stop", key)
        assert again["payload"]["stopped"] is True

        hub.ready = anyio.Event()
        started_res = await admin.request("channels.start", key)
        assert started_res["payload"]["outcome"] == {"status": "handed-off"}
        await hub.ready.wait()
        assert hub.runs == runs + 1
        status = await admin.request("channels.status", {})
        assert status["payload"]["channels"]["fakechat"]["accounts"]["default"]["state"] in (
            "running",
            "connected",
        )
        twice = await admin.request("channels.start", key)
        assert twice["payload"]["outcome"] == {"status": "retry", "reason": "task-owned"}
        assert hub.runs == runs + 1
        # It answers messages again.
        await hub.inbound("back?", sender="u1")
        assert await hub.wait_sent(1)
        unknown = await admin.request("channels.stop", {"channel": "fakechat", "accountId": "nope"})
        assert unknown["error"]["code"] == "INVALID_REQUEST"
        await admin.ws.close()
        await reader.ws.close()
    finally:
        await cm.__aexit__(None, None, None)


async def test_channels_stop_cancels_a_restart_backoff(gateway_factory):
    plugin = FakeChatPlugin()
    cm = gateway_factory(
        extra_plugins=(plugin,),
        plugins={"fakechat": {"accounts": {"default": {"token": "crashy"}}}},
    )
    gw = await cm.__aenter__()
    try:
        admin = await operator(gw.port, TOKEN, ALL)
        key = {"channel": "fakechat", "accountId": "default"}
        with anyio.fail_after(5):
            while gw.channels.accounts[("fakechat", "default")].state != "restarting":
                await anyio.sleep(0.01)
        with anyio.fail_after(2):  # does not wait out the backoff
            stopped = await admin.request("channels.stop", key)
        assert stopped["payload"]["stopped"] is True
        runs = plugin.hub.runs
        await anyio.sleep(1.5)
        assert plugin.hub.runs == runs
        await admin.ws.close()
    finally:
        await cm.__aexit__(None, None, None)
