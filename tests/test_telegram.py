"""The Telegram plugin at the wire: python-telegram-bot pointed (base_url/base_file_url) at a fake
Bot API server on 127.0.0.1 (fakes/telegram_api.py) that speaks the real JSON.

First the adapter on its own (a ChannelContext whose deliver collects messages), then the whole
path through a real gateway: pairing, approval, agent replies chunked to 4096, operator events.
"""

from __future__ import annotations

import json
import logging
import os
import re
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
import openclaw_gateway_telegram as telegram_plugin
import pytest
from openclaw_gateway_telegram import webhook
from openclaw_gateway_telegram.adapter import TelegramAdapter
from openclaw_gateway_telegram.config import TelegramAccount, TelegramConfig
from openclaw_gateway_telegram.markup import telegram_html
from pydantic import ValidationError

from openclaw_gateway.api import HttpRequest
from openclaw_gateway.channels.adapter import (
    AttachmentError,
    AuthError,
    ChannelContext,
    PermanentSendError,
    TransientSendError,
)
from openclaw_gateway.channels.model import Attachment, InboundMessage, OutboundMessage

from fakes.telegram_api import BOT_ID, TOKEN, FakeBotAPI, check_html
from wire import TOKEN as GATEWAY_TOKEN
from wire import operator

pytestmark = [
    pytest.mark.anyio,
    # PTB 22 announces that RetryAfter.retry_after becomes a timedelta; the adapter reads both
    pytest.mark.filterwarnings("ignore:.*`retry_after` will be of type"),
]


@pytest.fixture
def api() -> Iterator[FakeBotAPI]:
    with FakeBotAPI() as fake:
        yield fake


class Harness:
    """The adapter with a collecting ChannelContext, and a recording sleep (no real backoff)."""

    def __init__(self, api: FakeBotAPI, **account: Any) -> None:
        self.api = api
        self.inbound: list[InboundMessage] = []
        self.statuses: list[tuple[str, str | None]] = []
        self.sleeps: list[float] = []
        self.counted: list[str] = []
        self.deliver_error: Exception | None = None
        config = TelegramAccount.model_validate(
            {"token": TOKEN, "base_url": api.base_url, "poll_timeout": 1, **account}
        )
        self.ctx = ChannelContext(
            channel="telegram",
            account="default",
            config=config,
            log=logging.getLogger("test.telegram"),
            deliver=self._deliver,
            set_status=lambda state, detail: self.statuses.append((state, detail)),
            count=self.counted.append,
        )
        self.adapter = TelegramAdapter(self.ctx, sleep=self._sleep, jitter=lambda: 0.5)

    async def _deliver(self, message: InboundMessage) -> None:
        if self.deliver_error is not None:
            error, self.deliver_error = self.deliver_error, None
            raise error
        self.inbound.append(message)

    async def _sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        await anyio.sleep(0.01)

    async def wait_inbound(self, count: int, timeout: float = 10.0) -> list[InboundMessage]:
        with anyio.fail_after(timeout):
            while len(self.inbound) < count:
                await anyio.sleep(0.01)
        return self.inbound

    async def wait_status(self, state: str, timeout: float = 10.0) -> str | None:
        with anyio.fail_after(timeout):
            while True:
                for seen, detail in self.statuses:
                    if seen == state:
                        return detail
                await anyio.sleep(0.01)


@asynccontextmanager
async def running(api: FakeBotAPI, **account: Any) -> AsyncIterator[Harness]:
    harness = Harness(api, **account)
    async with anyio.create_task_group() as tg:
        tg.start_soon(harness.adapter.run)
        await harness.wait_status("connected")
        yield harness
        tg.cancel_scope.cancel()


def dm(api: FakeBotAPI, text: str | None = "hello", user_id: int = 1001, **fields: Any) -> dict:
    user = api.user(user_id, username="ada", last_name="Lovelace")
    return api.push_message(api.private_chat(user), user, text, **fields)


# --- config and registration ------------------------------------------------------------------


def test_config_validation():
    account = TelegramAccount.model_validate({"token": "123:ABC"})
    assert account.base_url == "https://api.telegram.org/bot"
    assert account.file_url == "https://api.telegram.org/file/bot"
    assert "123:ABC" not in repr(account)
    local = TelegramAccount.model_validate(
        {"token": "1:x", "base_url": "http://127.0.0.1:8081/bot/"}
    )
    assert local.file_url == "http://127.0.0.1:8081/file/bot"
    with pytest.raises(ValidationError, match="token"):
        TelegramAccount.model_validate({"token": "not-a-token"})
    with pytest.raises(ValidationError, match="webhook_url"):
        TelegramAccount.model_validate({"token": "1:x", "mode": "webhook"})
    with pytest.raises(ValidationError, match="webhook_secret"):
        TelegramAccount.model_validate(
            {"token": "1:x", "mode": "webhook", "webhook_url": "https://bot.example.com/hook"}
        )
    with pytest.raises(ValidationError, match="extra"):
        TelegramConfig.model_validate({"accounts": {"default": {"token": "1:x", "tokn": "y"}}})
    config = TelegramConfig.model_validate({"accounts": {"default": {"token": "1:x"}}})
    assert config.dm_policy == "pairing" and config.accounts["default"].mode == "polling"


def test_importing_the_plugin_does_not_import_the_sdk():
    code = (
        "import sys, openclaw_gateway_telegram;"
        "print('telegram' in sys.modules, 'openclaw_gateway_telegram.adapter' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_telegram_html_escapes_text_and_keeps_supported_tags():
    assert telegram_html("a < b & c > d") == "a &lt; b &amp; c &gt; d"
    assert telegram_html('<b>bold</b> &amp; <a href="https://x.y">l</a>') == (
        '<b>bold</b> &amp; <a href="https://x.y">l</a>'
    )
    assert telegram_html("<script>x</script>") == "&lt;script&gt;x&lt;/script&gt;"
    # Unbalanced supported tags (plain text that looks like markup, a cut chunk): all escaped.
    assert telegram_html("if a<b and b>c") == "if a&lt;b and b&gt;c"
    assert telegram_html("a <b>cut in the") == "a &lt;b&gt;cut in the"
    assert telegram_html("<b><i>x</b></i>") == "&lt;b&gt;&lt;i&gt;x&lt;/b&gt;&lt;/i&gt;"
    code = '<pre><code class="language-python">x<y</code></pre>'
    assert telegram_html(code) == '<pre><code class="language-python">x&lt;y</code></pre>'
    for text in ("if a<b and b>c: print('&')", "<i>x</i> <unknown> 1 &lt; 2", code, "<b>x"):
        check_html(telegram_html(text))  # what the server accepts
        assert telegram_html(telegram_html(text)) == telegram_html(text)


# --- receiving -------------------------------------------------------------------------------------


async def test_dm_is_delivered_with_sender_and_status(api):
    async with running(api) as h:
        sent = dm(api, "hello there")
        [msg] = await h.wait_inbound(1)
        assert msg.channel == "telegram" and msg.account == "default"
        assert msg.chat_id == "1001" and msg.sender_id == "1001" and not msg.is_group
        assert msg.message_id == str(sent["message_id"]) and msg.text == "hello there"
        assert msg.sender_name == "Ada Lovelace" and msg.ts_ms > 0
        assert ("connected", "@claw_bot") in h.statuses
        probe = await h.adapter.probe()
        assert probe["ok"] and probe["username"] == "claw_bot" and probe["id"] == BOT_ID
        assert probe["can_read_all_group_messages"] is False
        assert probe["counters"]["received"] == 1
    [poll, *_] = api.calls("getUpdates")
    assert poll.params["allowed_updates"] == ["message"] and poll.params["timeout"] == 1
    assert api.calls("deleteWebhook")  # a leftover webhook would make every poll a 409


async def test_group_mentions_replies_commands_and_threads(api):
    group = api.group_chat(-100200, forum=True)
    ada = api.user(1001)
    async with running(api) as h:
        api.push_message(group, ada, "just chatting")
        api.push_message(group, ada, "hey @claw_bot what's up")
        api.push_message(
            group,
            ada,
            "hey you",
            entities=[{"type": "text_mention", "offset": 4, "length": 3, "user": api.bot}],
        )
        bot_message = api.message(group, api.bot, "an earlier answer")
        api.push_message(group, ada, "thanks", reply_to_message=bot_message)
        api.push_message(group, ada, "in a topic", message_thread_id=7, is_topic_message=True)
        api.push_message(group, ada, "/start@other_bot")  # for another bot: skipped
        api.push_message(group, ada, "@someone_else look")
        msgs = await h.wait_inbound(6)
        assert all(m.is_group and m.chat_id == "-100200" for m in msgs)
        assert [m.mentions_bot for m in msgs] == [False, True, True, True, False, False]
        assert msgs[3].reply_to == str(bot_message["message_id"])
        assert msgs[4].thread_id == "7" and msgs[0].thread_id is None
        await anyio.sleep(0.1)
        assert len(h.inbound) == 6
        assert h.adapter.counters["dropped:other-bot"] == 1


async def test_commands_start_and_new(api):
    group = api.group_chat()
    async with running(api) as h:
        dm(api, "/start")
        dm(api, "/new@claw_bot")
        dm(api, "/start hello bot")
        api.push_message(group, api.user(1002), "/new@Claw_Bot")
        msgs = await h.wait_inbound(4)
        assert [(m.command, m.text) for m in msgs] == [
            ("start", ""),
            ("new", ""),
            ("start", "hello bot"),
            ("new", ""),
        ]
        assert msgs[3].mentions_bot  # /cmd@ourbot in a group addresses us


async def test_photo_and_document_inbound_and_download(api):
    photo = api.add_file(b"\x89PNG fake image", "photo.jpg", "image/jpeg", "photos")
    doc = api.add_file(b"%PDF-1.7 report", "report.pdf", "application/pdf")
    async with running(api) as h:
        dm(api, None, photo=api.photo_field(photo), caption="look at this")
        dm(api, None, document=api.document_field(doc))
        first, second = await h.wait_inbound(2)
        assert first.text == "look at this"
        assert first.attachments == [
            Attachment(kind="image", file_id=photo.file_id, mime="image/jpeg", size=len(photo.data))
        ]
        assert second.text == ""
        assert second.attachments == [
            Attachment(
                kind="document",
                file_id=doc.file_id,
                name="report.pdf",
                mime="application/pdf",
                size=len(doc.data),
            )
        ]
        fetch = h.adapter.fetch_attachment
        assert await fetch(first.attachments[0], max_bytes=1024) == photo.data
        assert await fetch(second.attachments[0], max_bytes=len(doc.data)) == doc.data
        assert [c.params["file_id"] for c in api.calls("getFile")] == [photo.file_id, doc.file_id]
        assert api.downloads == [photo.path, doc.path]
        with pytest.raises(AttachmentError, match=r"(?i)invalid file_id"):
            await fetch(Attachment(file_id="nope"), max_bytes=1024)


async def test_fetch_attachment_too_large(api):
    doc = api.add_file(b"x" * 5000, "big.bin", "application/octet-stream")
    h = Harness(api)
    fetch = h.adapter.fetch_attachment
    # The size the message announced: refused before any request.
    with pytest.raises(AttachmentError, match="5000 bytes, over the 4096-byte limit"):
        await fetch(Attachment(file_id=doc.file_id, size=5000), max_bytes=4096)
    assert api.calls("getFile") == []
    # No size on the message: getFile's file_size is checked before downloading.
    with pytest.raises(AttachmentError, match="5000 bytes, over the 4096-byte limit"):
        await fetch(Attachment(file_id=doc.file_id), max_bytes=4096)
    assert len(api.calls("getFile")) == 1 and api.downloads == []
    # The cloud Bot API refuses files over 20 MB at getFile.
    api.download_limit = 4000
    with pytest.raises(AttachmentError, match="over 20 MB"):
        await fetch(Attachment(file_id=doc.file_id), max_bytes=10_000)
    assert api.downloads == []


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
async def test_fetch_attachment_bigger_than_declared_stops_at_the_limit(api, chunked):
    # Telegram (or a proxy) announces 100 bytes and sends 200 KB: the download is cut off at the
    # limit, by Content-Length when there is one, else by counting what arrives.
    liar = api.add_file(b"y" * 200_000, "liar.bin", "application/octet-stream", declared_size=100)
    api.chunked = chunked
    h = Harness(api)
    attachment = Attachment(file_id=liar.file_id, size=100)
    with pytest.raises(AttachmentError, match="over the 65536-byte limit"):
        await h.adapter.fetch_attachment(attachment, max_bytes=65536)
    assert api.downloads == [liar.path]
    # Within the limit the same file downloads whole, chunked or not.
    assert await h.adapter.fetch_attachment(attachment, max_bytes=200_000) == liar.data


async def test_fetch_attachment_local_mode_reads_the_servers_disk(api, tmp_path):
    # A --local Bot API server answers getFile with a path on its (our) disk, not a URL.
    on_disk = tmp_path / "voice.ogg"
    on_disk.write_bytes(b"OggS" + b"v" * 996)
    stored = api.add_file(b"", "voice.ogg", "audio/ogg", "voice")
    stored.path, stored.declared_size = str(on_disk), 10  # getFile under-reports: stat tells
    h = Harness(api, local_mode=True)
    attachment = Attachment(kind="audio", file_id=stored.file_id)
    assert await h.adapter.fetch_attachment(attachment, max_bytes=1000) == on_disk.read_bytes()
    with pytest.raises(AttachmentError, match="1000 bytes, over the 999-byte limit"):
        await h.adapter.fetch_attachment(attachment, max_bytes=999)
    assert api.downloads == []


async def test_fetch_attachment_missing_or_refused(api):
    doc = api.add_file(b"%PDF-1.7 gone", "gone.pdf", "application/pdf")
    h = Harness(api)
    fetch = h.adapter.fetch_attachment
    with pytest.raises(AttachmentError, match="no Telegram file_id"):
        await fetch(Attachment(url="https://example.com/x"), max_bytes=100)
    # getFile knows the file, but the download link is gone (expired): 404.
    doc.expired = True
    with pytest.raises(AttachmentError, match=r"gone \(404\)"):
        await fetch(Attachment(file_id=doc.file_id), max_bytes=100)
    assert api.downloads == [doc.path]
    # A revoked token: getFile is refused.
    api.revoke()
    with pytest.raises(AttachmentError, match="401"):
        await fetch(Attachment(file_id=doc.file_id), max_bytes=100)
    # Telegram unreachable (a fresh adapter: no kept-alive connection to the stopped server).
    api.stop()
    with pytest.raises(AttachmentError, match="getFile: NetworkError"):
        await Harness(api).adapter.fetch_attachment(Attachment(file_id=doc.file_id), max_bytes=100)


async def test_malformed_and_service_updates_are_skipped_and_counted(api):
    async with running(api) as h:
        api.push_update({"message": {"message_id": "x", "text": "no chat, no date"}})
        api.push_update({"message": "not an object"})
        user = api.user(1001)
        edited = api.message(api.private_chat(user), user, "edited", edit_date=1)
        api.push_update({"edited_message": edited})  # not a new message
        api.push_message(api.private_chat(user), user, None, new_chat_title="renamed")
        good = dm(api, "still alive")
        [msg] = await h.wait_inbound(1)
        assert msg.message_id == str(good["message_id"])
        counters = h.adapter.counters
        assert counters["dropped:malformed"] == 2 and counters["dropped:unsupported"] == 1
        assert counters["dropped:service-message"] == 1 and counters["received"] == 1
        assert sorted(h.counted) == sorted(
            ["dropped:malformed"] * 2 + ["dropped:unsupported", "dropped:service-message"]
        )
        last = api.pending[-1] if api.pending else 0
        await api.wait_confirmed(last)  # the loop moved past all of them
        assert (await h.adapter.probe())["counters"]["dropped:malformed"] == 2


async def test_deliver_failure_is_not_confirmed_and_comes_again(api):
    first = Harness(api)
    first.deliver_error = RuntimeError("router hiccup")
    dm(api, "important")
    with pytest.raises(RuntimeError, match="hiccup"):  # run() raises: the core restarts it
        await first.adapter.run()
    assert len(api.pending) == 1  # never confirmed
    async with running(api) as again:
        [msg] = await again.wait_inbound(1)
        assert msg.text == "important"


async def test_429_on_get_updates_waits_retry_after(api):
    api.rate_limit("getUpdates", retry_after=3)
    async with running(api) as h:
        dm(api, "after the flood")
        [msg] = await h.wait_inbound(1)
        assert msg.text == "after the flood"
        assert 3.0 in h.sleeps
        assert ("reconnecting", "429 Too Many Requests: retry after 3s") in h.statuses


async def test_5xx_and_409_back_off_with_jitter_and_lose_nothing(api):
    api.fail("getUpdates", 500, "Internal Server Error", times=2)
    api.fail("getUpdates", 502, "Bad Gateway")
    api.fail(
        "getUpdates",
        409,
        "Conflict: terminated by other getUpdates request; make sure that only one bot instance"
        " is running",
    )
    first = dm(api, "queued before the outage")
    h = Harness(api, backoff_initial=0.5, backoff_max=1.5)
    async with anyio.create_task_group() as tg:
        tg.start_soon(h.adapter.run)
        [msg] = await h.wait_inbound(1)
        tg.cancel_scope.cancel()
    assert msg.message_id == str(first["message_id"])
    assert h.sleeps == [0.5, 1.0, 1.5, 1.5]  # doubling, capped; jitter 0.5 → x1.0
    details = [d for s, d in h.statuses if s == "reconnecting"]
    assert any("Internal Server Error" in d for d in details)
    assert any(d.startswith("409 Conflict") and "another poller" in d for d in details)
    assert h.statuses[-1] == ("connected", "@claw_bot")


async def test_two_pollers_conflict_and_both_keep_receiving(api):
    def conflicted(h: Harness) -> bool:
        return any(s == "reconnecting" and "409" in (d or "") for s, d in h.statuses)

    fast = {"backoff_initial": 0.05, "backoff_max": 0.2}
    async with running(api, **fast) as a, running(api, **fast) as b:
        for i in range(3):
            dm(api, f"m{i}")
        with anyio.fail_after(10):
            # each new poll ends the other's with 409 Conflict; both back off and go on
            while len({m.text for m in a.inbound + b.inbound}) < 3 or not (
                conflicted(a) or conflicted(b)
            ):
                await anyio.sleep(0.01)
        # nothing lost; the same update may reach both (each has its own offset): the router
        # de-duplicates by message id
        assert {m.text for m in a.inbound + b.inbound} == {"m0", "m1", "m2"}


async def test_dropped_connection_mid_long_poll(api):
    api.drop("getUpdates", after=0.3)  # the server hangs up mid-poll, no answer
    sent = dm(api, "sent while the line was down")
    async with running(api) as h:
        [msg] = await h.wait_inbound(1)
        assert msg.message_id == str(sent["message_id"])
    assert any(s == "reconnecting" and "NetworkError" in (d or "") for s, d in h.statuses)
    assert h.sleeps == [1.0]  # backoff_initial, jitter x1.0


async def test_revoked_token_raises_auth_error_with_a_clear_status(api):
    h = Harness(api)
    errors: list[Exception] = []

    async def run() -> None:
        try:
            await h.adapter.run()
        except AuthError as exc:
            errors.append(exc)

    async with anyio.create_task_group() as tg:
        tg.start_soon(run)
        await h.wait_status("connected")
        polls = len(api.calls("getUpdates"))
        api.revoke()  # while a long poll is waiting
        with anyio.fail_after(10):
            while not errors:
                await anyio.sleep(0.01)
    assert len(api.calls("getUpdates")) <= polls + 1  # no retry after the 401
    detail = dict(h.statuses)["auth-failed"]
    assert "401" in detail and "@BotFather" in detail
    assert "plugins.telegram.accounts.default.token" in detail
    assert TOKEN not in detail
    h2 = Harness(api)
    with pytest.raises(AuthError, match="rejected the bot token"):
        await h2.adapter.run()  # getMe refused at start: no retry loop
    assert h2.statuses[-1][0] == "auth-failed"


async def test_token_never_reaches_the_logs(api, caplog):
    caplog.set_level(logging.DEBUG)
    async with running(api) as h:
        dm(api, "x")
        await h.wait_inbound(1)
        await h.adapter.send(OutboundMessage(chat_id="1001", text="y"))
    assert any("/bot<redacted>/getUpdates" in r.getMessage() for r in caplog.records)
    assert not [r for r in caplog.records if TOKEN in r.getMessage()]


# --- sending ----------------------------------------------------------------------------------------


async def test_send_text_html_reply_and_thread(api):
    group = api.group_chat(-100300, forum=True)
    h = Harness(api)
    adapter = h.adapter
    assert adapter.text_limit == 4096 and adapter.markup == "html"
    result = await adapter.send(
        OutboundMessage(chat_id="-100300", text="x < y & <b>bold</b>", thread_id="7", reply_to="42")
    )
    [call] = api.calls("sendMessage")
    assert call.params["text"] == "x &lt; y &amp; <b>bold</b>"
    assert call.params["parse_mode"] == "HTML" and call.params["message_thread_id"] == 7
    assert call.params["chat_id"] == group["id"]
    assert call.params["reply_parameters"]["message_id"] == 42
    assert call.params["reply_parameters"]["allow_sending_without_reply"] is True
    assert result.message_id is not None and int(result.message_id) > 0
    await adapter.typing("-100300", "7")
    [action] = api.calls("sendChatAction")
    assert action.params == {"chat_id": -100300, "action": "typing", "message_thread_id": 7}


async def test_send_rejected_html_falls_back_to_plain_text(api):
    api.private_chat(api.user(1001))
    h = Harness(api)
    api.fail("sendMessage", 400, "Bad Request: can't parse entities: unsupported start tag")
    await h.adapter.send(OutboundMessage(chat_id="1001", text="<b>odd</b> markup"))
    first, second = api.calls("sendMessage")
    assert first.params["parse_mode"] == "HTML"
    assert "parse_mode" not in second.params
    assert second.params["text"] == "<b>odd</b> markup"


async def test_send_errors_map_to_transient_and_permanent(api):
    api.private_chat(api.user(1001))
    api.private_chat(api.user(1002))
    api.blocked.add(1002)
    h = Harness(api)
    out = OutboundMessage(chat_id="1001", text="hi")
    api.rate_limit("sendMessage", retry_after=1)
    with pytest.raises(TransientSendError) as rate:
        await h.adapter.send(out)
    assert rate.value.retry_after == 1.0
    api.fail("sendMessage", 500, "Internal Server Error")
    with pytest.raises(TransientSendError) as err:
        await h.adapter.send(out)
    assert err.value.retry_after is None
    api.drop("sendMessage", after=0.05)
    with pytest.raises(TransientSendError):
        await h.adapter.send(out)
    assert (await h.adapter.send(out)).message_id  # then it goes through
    with pytest.raises(PermanentSendError, match=r"(?i)chat not found"):
        await h.adapter.send(OutboundMessage(chat_id="999", text="hi"))
    with pytest.raises(PermanentSendError, match="blocked"):
        await h.adapter.send(OutboundMessage(chat_id="1002", text="hi"))
    api.revoke()
    with pytest.raises(PermanentSendError, match="401"):
        await h.adapter.send(out)


async def test_send_photo_and_document_bytes_url_and_file_id(api):
    api.private_chat(api.user(1001))
    h = Harness(api)
    png = b"\x89PNG\r\n\x1a\n fake"
    await h.adapter.send(
        OutboundMessage(
            chat_id="1001",
            text="a chart <3",
            reply_to="5",
            attachments=[Attachment(kind="image", data=png, name="chart.png", mime="image/png")],
        )
    )
    [photo] = api.calls("sendPhoto")
    assert photo.files["photo"][0] == "chart.png" and photo.files["photo"][2] == png
    assert photo.params["caption"] == "a chart &lt;3" and photo.params["parse_mode"] == "HTML"
    assert photo.params["reply_parameters"]["message_id"] == 5
    assert not api.calls("sendMessage")  # a short text rides as the caption

    stored = api.add_file(b"data", "old.pdf", "application/pdf")
    result = await h.adapter.send(
        OutboundMessage(
            chat_id="1001",
            text="two files follow " * 70,  # too long for a caption: a message first
            attachments=[
                Attachment(kind="document", url="https://example.com/files/report.pdf"),
                Attachment(kind="document", file_id=stored.file_id),
                Attachment(kind="document", data=b"col1,col2\n", name="table.csv"),
            ],
        )
    )
    [text] = api.calls("sendMessage")
    docs = api.calls("sendDocument")
    assert result.message_id == str(text.params and result.message_id)
    assert docs[0].params["document"] == "https://example.com/files/report.pdf"
    assert docs[1].params["document"] == stored.file_id
    assert docs[2].files["document"][0] == "table.csv"
    assert docs[2].files["document"][2] == b"col1,col2\n"
    with pytest.raises(PermanentSendError):
        await h.adapter.send(OutboundMessage(chat_id="1001", attachments=[Attachment()]))


# --- webhook mode -------------------------------------------------------------------------------


class OneAccountGateway:
    """What the webhook route asks of the gateway (``GatewayAPI.channel_adapter``), answered by
    the harness's one adapter; the end-to-end tests below go through a real gateway."""

    def __init__(self, adapter: TelegramAdapter) -> None:
        self.adapter = adapter

    def channel_adapter(self, channel: str, account: str) -> TelegramAdapter | None:
        if (channel, account) == ("telegram", self.adapter.ctx.account):
            return self.adapter
        return None


def webhook_request(
    body: bytes, secret: str, gateway: Any, account: str = "default"
) -> HttpRequest:
    return HttpRequest(
        method="POST",
        path=f"{webhook.PREFIX}{account}",
        query="",
        headers={webhook.SECRET_HEADER: secret, "content-type": "application/json"},
        body=body,
        client="127.0.0.1",
        gateway=gateway,
    )


async def test_webhook_mode_registers_and_checks_the_secret(api):
    account = {
        "mode": "webhook",
        "webhook_url": "https://bot.example.com/telegram/webhook/default",
        "webhook_secret": "s3cret-token_1",
    }
    async with running(api, **account) as h:
        [hook] = api.calls("setWebhook")
        assert hook.params["url"] == account["webhook_url"]
        assert hook.params["secret_token"] == "s3cret-token_1"
        assert not api.calls("getUpdates")
        assert h.statuses[-1] == ("connected", "@claw_bot (webhook)")
        user = api.user(1001)
        update = {"update_id": 77, "message": api.message(api.private_chat(user), user, "hook")}
        body = json.dumps(update).encode()
        gw = OneAccountGateway(h.adapter)
        denied = await webhook.handle(webhook_request(body, "wrong", gw))
        assert denied.status == 401 and not h.inbound
        ok = await webhook.handle(webhook_request(body, "s3cret-token_1", gw))
        assert ok.status == 200
        [msg] = h.inbound
        assert msg.text == "hook"
        elsewhere = await webhook.handle(webhook_request(body, "s3cret-token_1", gw, "other"))
        assert elsewhere.status == 401
        junk = await webhook.handle(webhook_request(b"{not json", "s3cret-token_1", gw))
        assert junk.status == 200 and h.adapter.counters["dropped:malformed"] == 1
    # stopped: its webhook is no longer served
    assert (await webhook.handle(webhook_request(body, "s3cret-token_1", gw))).status == 401


# --- through a real gateway ---------------------------------------------------------------------

ALL = ["operator.read", "operator.write", "operator.admin", "operator.pairing"]


def gateway_plugins(api: FakeBotAPI, **channel: Any) -> dict[str, Any]:
    account = {"token": TOKEN, "base_url": api.base_url, "poll_timeout": 1}
    return {"telegram": {"accounts": {"default": account}, **channel}}


async def wait_for(predicate: Any, timeout: float = 15.0) -> None:
    with anyio.fail_after(timeout):
        while not predicate():
            await anyio.sleep(0.02)


async def test_unconfigured_plugin_is_idle(gateway_factory, api):
    async with gateway_factory(extra_plugins=(telegram_plugin,)) as gw:
        admin = await operator(gw.port, GATEWAY_TOKEN, ALL)
        plugins = (await admin.request("health", {}))["payload"]["plugins"]
        idle = [p for p in plugins["details"] if p["state"] == "idle"]
        assert idle and "telegram" in idle[0]["reason"]
    assert not api.calls()


async def test_end_to_end_pairing_then_agent_reply_chunked(gateway_factory, api, tmp_path):
    async with gateway_factory(
        extra_plugins=(telegram_plugin,), plugins=gateway_plugins(api)
    ) as gw:
        admin = await operator(gw.port, GATEWAY_TOKEN, ALL)
        stranger = api.user(4242, "Grace")
        chat = api.private_chat(stranger)
        api.push_update({"message": {"message_id": 1, "text": "no chat, no date"}})
        api.push_message(chat, stranger, "hi, who are you?")
        [pairing] = await api.wait_calls("sendMessage", 1)
        code = re.search(r"pairing code: ([A-Z0-9]{8})", pairing.params["text"]).group(1)
        assert pairing.params["chat_id"] == 4242
        assert f"openclaw-gateway pairing approve telegram {code}" in pairing.params["text"]

        # The operator approves through the CLI, talking to the running gateway.
        cli = await anyio.run_process(
            [
                sys.executable,
                "-m",
                "openclaw_gateway.cli.main",
                "pairing",
                "approve",
                "telegram",
                code,
                "--url",
                f"ws://127.0.0.1:{gw.port}",
                "--token",
                GATEWAY_TOKEN,
            ],
            check=False,
            env={**os.environ, "HOME": str(tmp_path), "OPENCLAW_GATEWAY_STATE_DIR": str(tmp_path)},
        )
        assert cli.returncode == 0, cli.stderr.decode() + cli.stdout.decode()
        notified = await api.wait_calls("sendMessage", 2)
        assert "approved" in notified[1].params["text"]

        long_text = " ".join(f"word{i}" for i in range(1200))  # ~8 KB: the echo needs 3 chunks
        asked = api.push_message(chat, stranger, long_text)
        await wait_for(
            lambda: "word1199" in "".join(c.params["text"] for c in api.calls("sendMessage"))
        )
        replies = api.calls("sendMessage")[2:]
        assert len(replies) >= 3
        assert all(len(c.params["text"]) <= 4096 for c in replies)
        assert replies[0].params["reply_parameters"]["message_id"] == asked["message_id"]
        assert "reply_parameters" not in replies[1].params
        reply = " ".join(c.params["text"] for c in replies)
        assert "offline agent" in reply and "word0" in reply
        assert api.calls("sendChatAction")  # typing while the agent ran

        event = await admin.next_event("agent")
        assert event["payload"]["sessionKey"] == "agent:main:telegram:dm:4242"

        status = await admin.request("channels.status", {"probe": True})
        account = status["payload"]["channels"]["telegram"]["accounts"]["default"]
        assert account["state"] == "connected" and account["detail"] == "@claw_bot"
        assert account["probe"]["ok"] and account["probe"]["username"] == "claw_bot"
        assert account["counters"]["dropped:pairing-required"] == 1
        assert account["counters"]["dropped:malformed"] == 1  # counted by the adapter


async def test_end_to_end_revoked_token_shows_auth_failed(gateway_factory, api):
    api.revoke()
    async with gateway_factory(
        extra_plugins=(telegram_plugin,), plugins=gateway_plugins(api)
    ) as gw:
        admin = await operator(gw.port, GATEWAY_TOKEN, ALL)
        with anyio.fail_after(10):
            while True:
                status = await admin.request("channels.status", {})
                account = status["payload"]["channels"]["telegram"]["accounts"]["default"]
                if account["state"] == "auth-failed":
                    break
                await anyio.sleep(0.05)
        assert "@BotFather" in account["detail"] and TOKEN not in str(status)
        await anyio.sleep(0.3)
        assert len(api.calls("getMe")) == 1  # no hammering


async def test_end_to_end_photo_and_text_file_reach_the_agent(gateway_factory, api):
    """A DM with a photo and a .txt document: the bytes are downloaded through the Bot API, the
    agent sees the image and the text, and polling mode opens no HTTP port for the webhook."""
    jpeg = b"\xff\xd8\xff\xe0" + bytes(300)
    photo = api.add_file(jpeg, "photo.jpg", "image/jpeg", "photos")
    notes = api.add_file(b"remember the milk", "notes.txt", "text/plain")
    async with gateway_factory(
        extra_plugins=(telegram_plugin,), plugins=gateway_plugins(api, dm_policy="open")
    ) as gw:
        assert "http" not in gw.plugin_report  # polling: the webhook route is not served
        dm(api, None, photo=api.photo_field(photo), caption="what is this?")
        await wait_for(lambda: api.calls("sendMessage"))
        reply = api.calls("sendMessage")[0].params["text"]
        assert f"You sent 1 image(s): image/jpeg {len(jpeg)} bytes" in reply
        dm(api, None, document=api.document_field(notes))
        await wait_for(lambda: len(api.calls("sendMessage")) >= 2)
        admin = await operator(gw.port, GATEWAY_TOKEN, ALL)
        history = await admin.request("chat.history", {"sessionKey": "agent:main:telegram:dm:1001"})
        user_parts = [m["content"] for m in history["payload"]["messages"] if m["role"] == "user"]
        assert user_parts[0][1]["type"] == "image" and user_parts[0][1]["size"] == len(jpeg)
        assert user_parts[1][1]["fileName"] == "notes.txt"
        run = [r for r in gw.runs.runs.values() if r.session_key.endswith(":1001")][-1]
        # As the second run saw the conversation: its own message last.
        conversation = await gw.runs._conversation(run)
        assert "remember the milk" in conversation[-1].content  # the .txt is inlined for the model


# --- restarts, bots, shutdown, limits (issue 11) -----------------------------------------------


async def test_an_update_served_again_after_a_restart_is_not_answered_twice(
    gateway_factory, api, tmp_path
):
    state = tmp_path / "tg-state"
    plugins = gateway_plugins(api, dm_policy="open")
    user = api.user(4242, "Grace")
    message = api.message(api.private_chat(user), user, "hello once")
    update_id = api.push_update({"message": message})
    async with gateway_factory(state_dir=state, extra_plugins=(telegram_plugin,), plugins=plugins):
        await api.wait_calls("sendMessage", 1)
    answered = len(api.calls("sendMessage"))
    polls = len(api.calls("getUpdates"))
    # Telegram serves an update again when it never heard the next offset (a stop mid-batch).
    api.push_update({"update_id": update_id, "message": message})
    async with gateway_factory(state_dir=state, extra_plugins=(telegram_plugin,), plugins=plugins):
        await wait_for(lambda: len(api.calls("getUpdates")) >= polls + 2)
        first_poll = api.calls("getUpdates")[polls]
        assert first_poll.params["offset"] == update_id + 1  # resumed from the stored cursor
    assert len(api.calls("sendMessage")) == answered


async def test_shutdown_confirms_the_handled_updates(gateway_factory, api, tmp_path):
    user = api.user(4243, "Lin")
    async with gateway_factory(
        extra_plugins=(telegram_plugin,), plugins=gateway_plugins(api, dm_policy="open")
    ):
        update_id = api.push_update({"message": api.message(api.private_chat(user), user, "hi")})
        await api.wait_calls("sendMessage", 1)
    assert api.confirmed_offset >= update_id + 1


async def test_messages_from_other_bots_are_ignored_unless_allowed(gateway_factory, api):
    other_bot = api.user(777, "Helper", is_bot=True, username="helper_bot")
    human = api.user(4244, "Ana")
    async with gateway_factory(
        extra_plugins=(telegram_plugin,), plugins=gateway_plugins(api, dm_policy="open")
    ) as gw:
        api.push_message(api.private_chat(other_bot), other_bot, "ping from a bot")
        api.push_message(api.private_chat(human), human, "hello")
        [reply] = await api.wait_calls("sendMessage", 1)
        assert reply.params["chat_id"] == 4244
        admin = await operator(gw.port, GATEWAY_TOKEN, ALL)
        status = await admin.request("channels.status", {})
        counters = status["payload"]["channels"]["telegram"]["accounts"]["default"]["counters"]
        assert counters["dropped:bot-sender"] == 1
    assert len(api.calls("sendMessage")) == 1
    plugins = gateway_plugins(api, dm_policy="open")
    plugins["telegram"]["accounts"]["default"]["allow_bots"] = True
    async with gateway_factory(extra_plugins=(telegram_plugin,), plugins=plugins):
        api.push_message(api.private_chat(other_bot), other_bot, "ping again")
        await api.wait_calls("sendMessage", 2)


async def test_a_reply_being_generated_at_shutdown_is_finished(gateway_factory, api):
    from agent_plugins import PLUGIN as AGENT_PLUGIN

    user = api.user(4245, "Kim")
    async with gateway_factory(
        extra_plugins=(telegram_plugin, AGENT_PLUGIN),
        plugins=gateway_plugins(api, dm_policy="open"),
        agent={"provider": "slow"},
    ) as gw:
        api.push_message(api.private_chat(user), user, "take your time")
        await wait_for(lambda: any(r.active for r in gw.runs.runs.values()))
    # the gateway stopped while the run streamed: the reply still went out
    [reply] = api.calls("sendMessage")
    assert reply.params["text"].startswith("w0 w1")


async def test_a_reply_that_cannot_finish_in_the_grace_is_apologised_for(
    gateway_factory, api, caplog
):
    from test_message_path import MirrorPlugin

    user = api.user(4246, "Sam")
    async with gateway_factory(
        extra_plugins=(telegram_plugin, MirrorPlugin(delay=60)),  # far slower than the grace
        plugins=gateway_plugins(api, dm_policy="open"),
        agent={"provider": "mirror"},
        shutdown_grace_ms=0,
    ) as gw:
        api.push_message(api.private_chat(user), user, "take your time")
        await wait_for(lambda: any(r.active for r in gw.runs.runs.values()))
    [reply] = api.calls("sendMessage")
    assert "restarting" in reply.params["text"] and "send it again" in reply.params["text"]
    assert any("shutting down before the reply" in r.getMessage() for r in caplog.records)


async def test_too_long_message_gets_a_clear_reply_not_a_run(gateway_factory, api):
    user = api.user(4247, "Max")
    async with gateway_factory(
        extra_plugins=(telegram_plugin,),
        plugins=gateway_plugins(api, dm_policy="open", max_inbound_chars=100),
    ) as gw:
        api.push_message(api.private_chat(user), user, "x" * 101)
        [reply] = await api.wait_calls("sendMessage", 1)
        assert "too long" in reply.params["text"] and "100" in reply.params["text"]
        assert gw.runs.runs == {}  # the agent never saw it
        api.push_message(api.private_chat(user), user, "x" * 100)
        await api.wait_calls("sendMessage", 2)
        assert len(gw.runs.runs) == 1


async def test_an_undeliverable_reply_is_logged_once_as_a_delivery_failure(
    gateway_factory, api, caplog
):
    user = api.user(4248, "Blocked")
    async with gateway_factory(
        extra_plugins=(telegram_plugin,), plugins=gateway_plugins(api, dm_policy="open")
    ) as gw:
        api.fail("sendMessage", 403, "Forbidden: bot was blocked by the user")
        api.push_message(api.private_chat(user), user, "hi")
        await wait_for(lambda: api.calls("sendMessage"))
        admin = await operator(gw.port, GATEWAY_TOKEN, ALL)
        await wait_for(lambda: any("undeliverable" in r.getMessage() for r in caplog.records))
        status = await admin.request("channels.status", {})
        counters = status["payload"]["channels"]["telegram"]["accounts"]["default"]["counters"]
        assert counters["undeliverable"] == 1
        assert "dropped:internal-error" not in counters
    errors = [r for r in caplog.records if r.levelname == "ERROR"]
    assert len(errors) == 1 and "undeliverable" in errors[0].getMessage()
    assert errors[0].exc_info is None


def test_the_plugin_adds_a_check_command_to_the_cli(api, tmp_path):
    """``register_commands``: ``openclaw-gateway telegram check`` asks Telegram who the token is."""
    home = tmp_path / "home"
    state = home / ".openclaw-gateway"
    state.mkdir(parents=True)
    (state / "config.toml").write_text(
        f'[plugins.telegram.accounts.default]\ntoken = "{TOKEN}"\nbase_url = "{api.base_url}"\n'
    )
    env = {**os.environ, "HOME": str(home), "OPENCLAW_GATEWAY_SECRETS_BACKEND": "file"}
    cli = [sys.executable, "-m", "openclaw_gateway.cli.main"]
    listed = subprocess.run([*cli, "--help"], capture_output=True, text=True, env=env, timeout=60)
    assert "telegram" in listed.stdout
    ok = subprocess.run(
        [*cli, "telegram", "check"], capture_output=True, text=True, env=env, timeout=60
    )
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.strip() == f"default: @claw_bot (id {BOT_ID})"
    api.revoke()
    refused = subprocess.run(
        [*cli, "telegram", "check", "--account", "default"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert refused.returncode == 4 and "default:" in refused.stderr
