"""WhatsApp's Cloud API transport at the wire: our adapter (httpx) against a fake Graph API
(tests/fakes/whatsapp_cloud.py) on 127.0.0.1, and webhook posts signed as Meta signs them.

First the adapter alone, then the whole path through a real gateway and its HTTP listener:
pairing, approval, chunked replies in order, a burst, media both ways.
"""

from __future__ import annotations

import re
import time
from collections.abc import AsyncIterator

import anyio
import openclaw_gateway_whatsapp
import pytest
from openclaw_gateway_whatsapp import webhook
from openclaw_gateway_whatsapp.cloud import CloudAdapter
from openclaw_gateway_whatsapp.config import WhatsAppAccount, WhatsAppConfig
from pydantic import ValidationError

from openclaw_gateway.api import (
    Attachment,
    AttachmentError,
    AuthError,
    HttpRequest,
    OutboundMessage,
    PermanentSendError,
    TransientSendError,
)

from adapter_harness import Harness, running
from fakes.whatsapp_cloud import (
    VERIFY_TOKEN,
    FakeGraph,
    encode,
    message,
    signed,
)
from wire import TOKEN, operator

pytestmark = pytest.mark.anyio

ALL = ["operator.read", "operator.write", "operator.admin", "operator.pairing"]


@pytest.fixture
async def graph() -> AsyncIterator[FakeGraph]:
    async with FakeGraph() as fake:
        yield fake


def cloud(
    graph: FakeGraph, account: str = "default", **extra: object
) -> tuple[Harness, CloudAdapter]:
    h = Harness("whatsapp", account)
    adapter = openclaw_gateway_whatsapp.make_adapter(
        h.context(WhatsAppAccount.model_validate(graph.account(**extra)))
    )
    assert isinstance(adapter, CloudAdapter)
    return h, adapter


class OneAccountGateway:
    """What the webhook route asks of the gateway (``GatewayAPI.channel_adapter``)."""

    def __init__(self, adapter: CloudAdapter) -> None:
        self.adapter = adapter

    def channel_adapter(self, channel: str, account: str) -> object:
        if (channel, account) == ("whatsapp", self.adapter.ctx.account):
            return self.adapter
        return None


def post(
    gw: object, body: bytes, headers: dict[str, str], path: str = "/whatsapp/webhook"
) -> HttpRequest:
    return HttpRequest("POST", path, "", headers, body, "127.0.0.1", gateway=gw)  # type: ignore[arg-type]


# --- config -------------------------------------------------------------------------------------


def test_config_validation() -> None:
    ok = WhatsAppConfig.model_validate(
        {"allow_from": ["+1 (555) 123-4567", "0044 20 7946 0018"], "accounts": {"default": {}}}
    )
    assert ok.allow_from == ["+15551234567", "+442079460018"]
    assert ok.accounts["default"].transport == "linked"
    with pytest.raises(ValidationError, match=r"not a phone number in E\.164"):
        WhatsAppConfig.model_validate({"allow_from": ["alice"]})
    with pytest.raises(ValidationError, match="needs access_token, app_secret, verify_token"):
        WhatsAppAccount.model_validate({"transport": "cloud", "phone_number_id": "1"})
    with pytest.raises(ValidationError, match="one linked WhatsApp session per host"):
        WhatsAppConfig.model_validate({"accounts": {"a": {}, "b": {"transport": "linked"}}})
    secret = WhatsAppAccount.model_validate(
        {
            "transport": "cloud",
            "phone_number_id": "1",
            "access_token": "EAAtok",
            "app_secret": "s3cret",
            "verify_token": "v",
        }
    )
    assert "EAAtok" not in repr(secret) and "s3cret" not in repr(secret)


# --- the adapter alone --------------------------------------------------------------------------


async def test_run_reports_the_number_and_webhook_posts_are_delivered(graph: FakeGraph) -> None:
    h, adapter = cloud(graph)
    gw = OneAccountGateway(adapter)
    async with running(h, adapter):
        await h.until(lambda: h.state == "connected")
        assert h.detail == "+1 555-010-0100 (Claw), webhook at /whatsapp/webhook"

        body = encode(message("hi there", sender="15551230001", name="Alice", context="wamid.X"))
        answer = await webhook.handle(post(gw, body, signed(body)))
        assert answer.status == 200
        [msg] = await h.received(1)
        assert (msg.sender_id, msg.chat_id, msg.sender_name) == ("+15551230001",) * 2 + ("Alice",)
        assert msg.text == "hi there" and msg.reply_to == "wamid.X" and not msg.is_group


async def test_webhook_verification_and_refused_posts(graph: FakeGraph) -> None:
    h, adapter = cloud(graph)
    gw = OneAccountGateway(adapter)

    def get(query: str) -> HttpRequest:
        return HttpRequest("GET", "/whatsapp/webhook", query, {}, b"", "127.0.0.1", gateway=gw)  # type: ignore[arg-type]

    async with running(h, adapter):
        await h.until(lambda: h.state == "connected")
        ok = await webhook.handle(
            get(f"hub.mode=subscribe&hub.verify_token={VERIFY_TOKEN}&hub.challenge=1158201444")
        )
        assert (ok.status, ok.body) == (200, b"1158201444")
        wrong = await webhook.handle(
            get("hub.mode=subscribe&hub.verify_token=nope&hub.challenge=1")
        )
        assert wrong.status == 403

        body = encode(message("sneaky"))
        unsigned = await webhook.handle(post(gw, body, {"content-type": "application/json"}))
        forged = await webhook.handle(post(gw, body, signed(body, secret="not-the-app-secret")))
        tampered = await webhook.handle(post(gw, body + b" ", signed(body)))
        assert (unsigned.status, forged.status, tampered.status) == (401, 401, 401)
        assert h.counts["webhook:bad-signature"] == 3

        stale = encode(message("from yesterday", timestamp=time.time() - 86_400))
        other_number = encode(message("not ours", phone_number_id="999"))
        reaction = encode(message(None, kind="reaction", media={"emoji": "👍"}))
        garbage = b'{"object": "whatsapp_business_account", "entry": [{"changes": [7]}]}'
        for raw in (stale, other_number, reaction, garbage, b"not json"):
            assert (await webhook.handle(post(gw, raw, signed(raw)))).status == 200
        assert h.inbox == []
        assert h.counts["skipped:stale"] == 1 and h.counts["skipped:reaction"] == 1
        assert h.counts["skipped:malformed"] == 1

        nobody = await webhook.handle(post(gw, body, signed(body), path="/whatsapp/webhook/other"))
        assert nobody.status == 404
    gone = await webhook.handle(post(gw, body, signed(body)))
    assert gone.status == 404  # a stopped adapter takes no posts


async def test_sends_text_replies_and_media_and_maps_graph_errors(graph: FakeGraph) -> None:
    h, adapter = cloud(graph)
    async with running(h, adapter):
        await h.until(lambda: h.state == "connected")
        result = await adapter.send(
            OutboundMessage(chat_id="+15551230001", text="hello", reply_to="wamid.IN1")
        )
        assert result.message_id and result.message_id.startswith("wamid.OUT")
        [sent] = graph.sent
        assert sent["to"] == "15551230001" and sent["text"] == {
            "body": "hello",
            "preview_url": False,
        }
        assert sent["context"] == {"message_id": "wamid.IN1"}

        png = b"\x89PNG\r\n\x1a\n" + b"0" * 64
        await adapter.send(
            OutboundMessage(
                chat_id="+15551230001",
                text="the chart",
                attachments=[Attachment(kind="image", data=png, mime="image/png", name="c.png")],
            )
        )
        media_id, uploaded, mime = graph.uploads[0]
        assert uploaded == png and mime == "image/png"
        assert graph.sent[1]["image"] == {"id": media_id, "caption": "the chart"}

        graph.fail(429, 130429, "Rate limit hit", retry_after=7)
        with pytest.raises(TransientSendError) as throttled:
            await adapter.send(OutboundMessage(chat_id="+15551230001", text="x"))
        assert throttled.value.retry_after == 7.0
        graph.fail(500, 1, "An unknown error occurred")
        with pytest.raises(TransientSendError):
            await adapter.send(OutboundMessage(chat_id="+15551230001", text="x"))
        graph.fail(400, 131047, "Re-engagement message")
        with pytest.raises(PermanentSendError, match="24 hours"):
            await adapter.send(OutboundMessage(chat_id="+15551230001", text="x"))
        graph.fail(401, 190, "Error validating access token")
        with pytest.raises(PermanentSendError, match="access token was refused"):
            await adapter.send(OutboundMessage(chat_id="+15551230001", text="x"))
        with pytest.raises(PermanentSendError, match="4096"):  # the fake enforces Graph's limit
            await adapter.send(OutboundMessage(chat_id="+15551230001", text="y" * 5000))


async def test_typing_marks_read_only_with_read_receipts(graph: FakeGraph) -> None:
    for receipts in (True, False):
        h, adapter = cloud(graph, read_receipts=receipts)
        gw = OneAccountGateway(adapter)
        async with running(h, adapter):
            await h.until(lambda h=h: h.state == "connected")
            body = encode(message("hi", message_id=f"wamid.R{receipts}"))
            await webhook.handle(post(gw, body, signed(body)))
            await adapter.typing("+15551230001", None)
    assert graph.reads == [
        {
            "messaging_product": "whatsapp",
            "status": "read",
            "message_id": "wamid.RTrue",
            "typing_indicator": {"type": "text"},
        }
    ]


async def test_fetch_attachment_downloads_with_the_token_and_a_cap(graph: FakeGraph) -> None:
    h, adapter = cloud(graph)
    async with running(h, adapter):
        await h.until(lambda: h.state == "connected")
        pdf = b"%PDF-1.7\n" + b"x" * 1000
        media_id = graph.add_media(pdf, "application/pdf")
        att = Attachment(kind="document", file_id=media_id, name="r.pdf", mime="application/pdf")
        assert await adapter.fetch_attachment(att, max_bytes=10_000) == pdf
        with pytest.raises(AttachmentError, match="over the 100-byte limit"):
            await adapter.fetch_attachment(att, max_bytes=100)
        with pytest.raises(AttachmentError):
            await adapter.fetch_attachment(Attachment(file_id="media-gone"), max_bytes=10_000)


async def test_a_refused_token_stops_the_account_with_the_fix_named(graph: FakeGraph) -> None:
    h, adapter = cloud(graph, access_token="EAAG-revoked")
    async with running(h, adapter):
        await h.until(lambda: h.run_error is not None)
    assert isinstance(h.run_error, AuthError)
    assert h.state == "auth-failed" and "accounts.default.access_token" in (h.detail or "")


# --- through a real gateway ---------------------------------------------------------------------


async def test_pairing_then_replies_in_order_through_the_gateway(
    gateway_factory, graph: FakeGraph, tmp_path
) -> None:
    import aiohttp

    outbox = tmp_path / "outbox"
    outbox.mkdir()
    (outbox / "report.pdf").write_bytes(b"%PDF-1.7\nreport")
    plugins = {"whatsapp": {"accounts": {"default": graph.account()}}}
    async with gateway_factory(
        extra_plugins=(openclaw_gateway_whatsapp,),
        plugins=plugins,
        media={"local_roots": [str(outbox)]},
    ) as gw:
        url = f"http://127.0.0.1:{gw.plugin_report['http']['port']}/whatsapp/webhook"
        admin = await operator(gw.port, TOKEN, ALL)
        with anyio.fail_after(5):
            while gw.channels.accounts[("whatsapp", "default")].state != "connected":
                await anyio.sleep(0.02)

        async with aiohttp.ClientSession() as http:

            async def deliver(payload: dict) -> None:
                body = encode(payload)
                async with http.post(url, data=body, headers=signed(body)) as res:
                    assert res.status == 200

            # A stranger gets a pairing code naming the exact approve command.
            await deliver(message("hello?", sender="15551230002", name="Bob"))
            [pairing] = await graph.wait_sent(1)
            code = re.search(r"pairing code: ([A-Z0-9]{8})", pairing["text"]["body"]).group(1)
            assert f"pairing approve whatsapp {code}" in pairing["text"]["body"]
            approved = await admin.request("pairing.approve", {"channel": "whatsapp", "code": code})
            assert approved["ok"] and approved["payload"]["senderId"] == "+15551230002"
            assert "approved" in (await graph.wait_sent(2))[1]["text"]["body"]

            # A 10,000-character message: its echo comes back in order, in chunks under the limit,
            # the first quoting the message it answers.
            words = " ".join(f"w{i}" for i in range(1700))
            await deliver(message(words, sender="15551230002", message_id="wamid.LONG"))
            await graph.until(
                lambda: any(
                    s["text"]["body"].rstrip().endswith('"')
                    for s in graph.sent[2:]
                    if s["type"] == "text"
                )
            )
            replies = [s for s in graph.sent[2:]]
            assert len(replies) >= 3 and all(len(r["text"]["body"]) <= 4000 for r in replies)
            joined = " ".join(r["text"]["body"] for r in replies)
            assert joined.index("w0 ") < joined.index("w800 ") < joined.index('w1699"')
            assert replies[0]["context"] == {"message_id": "wamid.LONG"}

            # A burst of five: each answered, in order.
            before = len(graph.sent)
            for i in range(5):
                await deliver(message(f"burst {i}", sender="15551230002", message_id=f"wamid.B{i}"))
            await graph.until(lambda: len(graph.sent) >= before + 5)
            answers = [s["text"]["body"] for s in graph.sent[before:]]
            assert [re.search(r'"burst (\d)"', a).group(1) for a in answers] == list("01234")

            # Media in: the agent is told about the image (the offline agent says what it got).
            image = graph.add_media(b"\x89PNG\r\n\x1a\n" + b"1" * 100, "image/png")
            before = len(graph.sent)
            await deliver(
                message(
                    None,
                    sender="15551230002",
                    kind="image",
                    media={"id": image, "mime_type": "image/png", "caption": "look"},
                )
            )
            await graph.until(lambda: len(graph.sent) > before)
            assert "image/png" in graph.sent[before]["text"]["body"]

        # Media out: an operator sends a local file from media.local_roots.
        sent = await admin.request(
            "send",
            {
                "channel": "whatsapp",
                "to": "+15551230002",
                "mediaUrl": str(outbox / "report.pdf"),
                "message": "the report",
                "idempotencyKey": "wa-media-1",
            },
        )
        assert sent["ok"], sent
        document = graph.sent[-1]
        assert document["type"] == "document" and document["document"]["caption"] == "the report"
        assert any(u[1] == b"%PDF-1.7\nreport" for u in graph.uploads)

        status = await admin.request("channels.status", {"probe": True})
        account = status["payload"]["channels"]["whatsapp"]["accounts"]["default"]
        assert account["state"] == "connected"
        event = await admin.next_event("agent")
        assert event["payload"]["sessionKey"].startswith("agent:main:whatsapp:dm:")
        await admin.ws.close()  # a socket left unread (full of agent events) holds up shutdown


async def test_the_webhook_is_not_served_without_a_cloud_account(gateway_factory, tmp_path) -> None:
    plugins = {"whatsapp": {"accounts": {"default": {"lock_path": str(tmp_path / "wa.lock")}}}}
    async with gateway_factory(extra_plugins=(openclaw_gateway_whatsapp,), plugins=plugins) as gw:
        assert "http" not in gw.plugin_report  # linked only: no HTTP port is opened for WhatsApp
