"""The Slack plugin at the wire: slack-sdk and our Socket Mode client against a fake Slack
(tests/fakes/slack_api.py) speaking the Web API and the Socket Mode WebSocket on 127.0.0.1.

First the adapter alone, with a ChannelContext whose ``deliver`` collects messages; then the whole
path through a real gateway: pairing, approval, the agent's (chunked) reply, operator events.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
import time
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from typing import Any

import anyio
import openclaw_gateway_slack
import pytest
from openclaw_gateway_slack import events_api
from openclaw_gateway_slack.adapter import SlackAdapter
from openclaw_gateway_slack.config import SlackAccount, SlackConfig
from openclaw_gateway_slack.inbound import escape
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

from fakes.slack_api import BOT_USER, SIGNING_SECRET, FakeSlack
from wire import TOKEN, operator

pytestmark = pytest.mark.anyio

ALL = ["operator.read", "operator.write", "operator.admin", "operator.pairing"]


@dataclass
class Harness:
    """An adapter with a context that records what it delivers and reports."""

    adapter: SlackAdapter
    inbox: list[InboundMessage] = field(default_factory=list)
    statuses: list[tuple[str, str | None]] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)
    changed: anyio.Event = field(default_factory=anyio.Event)
    hold: anyio.Event | None = None
    """When set, ``deliver`` blocks until it is (an envelope stays unacknowledged meanwhile)."""
    run_error: BaseException | None = None

    async def deliver(self, message: InboundMessage) -> None:
        if self.hold is not None:
            self.inbox.append(message)
            self._notify()
            await self.hold.wait()
            return
        self.inbox.append(message)
        self._notify()

    def status(self, state: str, detail: str | None) -> None:
        self.statuses.append((state, detail))
        self._notify()

    def _notify(self) -> None:
        self.changed.set()
        self.changed = anyio.Event()

    async def until(self, predicate: Any, timeout: float = 10) -> None:
        with anyio.fail_after(timeout):
            while not predicate():
                await self.changed.wait()

    async def received(self, count: int) -> list[InboundMessage]:
        await self.until(lambda: len(self.inbox) >= count)
        return self.inbox

    @property
    def state(self) -> str | None:
        return self.statuses[-1][0] if self.statuses else None


def harness(account: dict[str, Any], *, account_name: str = "default") -> Harness:
    h = Harness(adapter=None)  # type: ignore[arg-type]
    ctx = ChannelContext(
        channel="slack",
        account=account_name,
        config=SlackAccount.model_validate(account),
        log=logging.getLogger("test.slack"),
        deliver=h.deliver,
        set_status=h.status,
        count=lambda reason: h.counts.update([reason]),
    )
    h.adapter = openclaw_gateway_slack.make_adapter(ctx, backoff=(0.05, 0.2))
    return h


@asynccontextmanager
async def running(h: Harness) -> AsyncIterator[Harness]:
    async def run() -> None:
        try:
            await h.adapter.run()
        except Exception as exc:
            h.run_error = exc
            h._notify()

    async with anyio.create_task_group() as tg:
        tg.start_soon(run)
        try:
            yield h
        finally:
            tg.cancel_scope.cancel()


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    async with FakeSlack() as fake:
        yield fake


@pytest.fixture
async def bot(slack: FakeSlack) -> AsyncIterator[Harness]:
    """A Socket Mode adapter connected to the fake (hello received)."""
    async with running(harness(slack.account())) as h:
        await slack.wait_connected()
        await h.until(lambda: h.state == "connected")
        yield h


# --- receiving ----------------------------------------------------------------------------------


async def test_dm_is_delivered_then_acknowledged(slack: FakeSlack, bot: Harness) -> None:
    assert bot.statuses[-1] == ("connected", "@clawbot in Acme")
    assert [c.method for c in slack.calls[:2]] == ["auth.test", "apps.connections.open"]
    assert slack.calls_of("apps.connections.open")[0].token == slack.app_token

    event = slack.dm("hello <there> &amp; hi", user="U1")
    envelope = await slack.push(event)
    await slack.wait_acked(envelope)
    [msg] = await bot.received(1)
    assert msg.model_dump(exclude={"ts_ms"}) == {
        "channel": "slack",
        "account": "default",
        "message_id": event["ts"],
        "chat_id": "D0001",
        "is_group": False,
        "thread_id": None,
        "sender_id": "U1",
        "sender_name": "alice",  # users.info
        "text": "hello <there> & hi",
        "mentions_bot": False,
        "reply_to": None,
        "attachments": [],
        "command": None,
    }
    assert msg.ts_ms // 1000 == int(event["ts"].split(".")[0])
    assert {"envelope_id": envelope} in slack.frames_from_client

    # The display name is cached: a second message costs no users.info call.
    await slack.wait_acked(await slack.push(slack.dm("again", user="U1")))
    await bot.received(2)
    assert len(slack.calls_of("users.info")) == 1


async def test_channel_messages_carry_whether_the_bot_was_mentioned(
    slack: FakeSlack, bot: Harness
) -> None:
    await slack.push(slack.channel_message("just chatting", user="U2"))
    mentioned = slack.channel_message(f"<@{BOT_USER}> what's the time?", user="U2")
    await slack.push(mentioned)
    # Slack sends the same mention again as an app_mention event (same ts): delivered once.
    again = await slack.push(slack.mention(mentioned["text"], user="U2", ts=mentioned["ts"]))
    only_mention = await slack.push(slack.mention(f"hey <@{BOT_USER}>", channel="C0002"))
    await slack.wait_acked(again)
    await slack.wait_acked(only_mention)
    plain, mention, app_mention = await bot.received(3)
    assert len(bot.inbox) == 3
    assert plain.is_group and not plain.mentions_bot and plain.text == "just chatting"
    assert plain.sender_name == "bob" and plain.chat_id == "C0001"
    assert mention.mentions_bot and mention.text == "what's the time?"
    assert mention.message_id == mentioned["ts"]
    assert app_mention.is_group and app_mention.mentions_bot and app_mention.chat_id == "C0002"
    assert app_mention.text == "hey"


async def test_thread_messages_and_replies_into_the_thread(slack: FakeSlack, bot: Harness) -> None:
    root = "1700000000.000100"
    await slack.push(slack.channel_message(f"<@{BOT_USER}> and you?", thread_ts=root))
    [msg] = await bot.received(1)
    assert msg.thread_id == root

    result = await bot.adapter.send(
        OutboundMessage(
            chat_id=msg.chat_id,
            text="*bold* & <@U2> <!here>",
            thread_id=msg.thread_id,
            reply_to=msg.message_id,
        )
    )
    [posted] = await slack.wait_posted(1)
    assert posted["channel"] == "C0001" and posted["thread_ts"] == root
    # mrkdwn stays; the agent's text can never ping anyone or @here.
    assert posted["text"] == "*bold* &amp; &lt;@U2&gt; &lt;!here&gt;"
    assert posted["mrkdwn"] is True
    assert result.message_id == posted["ts"]

    # A DM is answered in the DM, not in a thread on the user's message.
    await bot.adapter.send(OutboundMessage(chat_id="D0001", text="hi", reply_to="1.2"))
    assert "thread_ts" not in (await slack.wait_posted(2))[1]


async def test_own_bot_and_edited_messages_are_ignored(slack: FakeSlack, bot: Harness) -> None:
    envelopes = [
        await slack.push(slack.dm("echo of myself", user=BOT_USER)),
        await slack.push(slack.dm("another bot", user="U9", bot_id="B0999")),
        await slack.push(slack.dm("edited", subtype="message_changed")),
        await slack.push(slack.dm("", subtype="channel_join")),
        await slack.push({"type": "reaction_added", "user": "U1", "reaction": "+1"}),
        await slack.push(slack.dm("the real one")),
    ]
    for envelope in envelopes:
        await slack.wait_acked(envelope)
    [msg] = await bot.received(1)
    assert msg.text == "the real one" and len(bot.inbox) == 1


async def test_empty_whitespace_and_non_string_text_is_not_a_message(
    slack: FakeSlack, bot: Harness
) -> None:
    """Before: each of these ran the agent with an empty message."""
    no_text = slack.dm("x")
    no_text.pop("text")
    number_text = {**slack.dm("x"), "text": 42}
    envelopes = [
        await slack.push(slack.dm("")),
        await slack.push(slack.dm("   \n\t ")),
        await slack.push(no_text),
        await slack.push(number_text),
        await slack.push(slack.dm(f"<@{BOT_USER}>")),  # only the mention: nothing asked
        await slack.push(slack.dm("the real one")),
    ]
    for envelope in envelopes:
        await slack.wait_acked(envelope)
    [msg] = await bot.received(1)
    assert msg.text == "the real one" and len(bot.inbox) == 1


async def test_files_in(slack: FakeSlack, bot: Harness) -> None:
    file = {
        "id": "F0101",
        "name": "report.pdf",
        "title": "Q3 report",
        "mimetype": "application/pdf",
        "filetype": "pdf",
        "size": 12345,
        "url_private": "https://files.slack.com/files-pri/T1-F0101/report.pdf",
        "url_private_download": "https://files.slack.com/files-pri/T1-F0101/download/report.pdf",
    }
    photo = {
        "id": "F0102",
        "name": "cat.png",
        "mimetype": "image/png",
        "size": 99,
        "url_private": "https://files.slack.com/files-pri/T1-F0102/cat.png",
    }
    await slack.push(slack.dm("see attached", subtype="file_share", files=[file, photo]))
    [msg] = await bot.received(1)
    assert msg.text == "see attached"
    assert msg.attachments == [
        Attachment(
            kind="document",
            url=file["url_private_download"],  # the download URL when there is one
            file_id="F0101",
            name="report.pdf",
            mime="application/pdf",
            size=12345,
        ),
        Attachment(
            kind="image",
            url=photo["url_private"],
            file_id="F0102",
            name="cat.png",
            mime="image/png",
            size=99,
        ),
    ]


async def test_fetch_attachment_downloads_with_the_bot_token(
    slack: FakeSlack, bot: Harness
) -> None:
    data = b"%PDF-1.7 " + bytes(range(256)) * 40
    file = slack.add_file(data, "report.pdf", "application/pdf")
    await slack.push(slack.dm("see attached", subtype="file_share", files=[file]))
    [msg] = await bot.received(1)
    [att] = msg.attachments
    assert att.url == file["url_private_download"] and att.size == len(data)
    assert await bot.adapter.fetch_attachment(att, max_bytes=len(data)) == data
    path = file["url_private_download"].split(str(slack.port), 1)[1]
    assert slack.downloads == [(path, slack.bot_token)]

    # url_private works the same; so does a download while the adapter is not running.
    only_private = att.model_copy(update={"url": file["url_private"]})
    assert await bot.adapter.fetch_attachment(only_private, max_bytes=len(data)) == data
    idle = harness(slack.account()).adapter
    assert await idle.fetch_attachment(att, max_bytes=len(data)) == data


async def test_fetch_attachment_too_large(slack: FakeSlack, bot: Harness) -> None:
    fetch = bot.adapter.fetch_attachment
    big = slack.add_file(b"x" * 5000, "big.bin")
    [att] = await _shared(slack, bot, big)
    with pytest.raises(AttachmentError, match="5000 bytes, over the 4096-byte limit"):
        await fetch(att, max_bytes=4096)  # the size Slack announced: no download at all
    assert slack.downloads == []

    # A file bigger than announced: Content-Length, or (chunked) the bytes as they arrive.
    liar = slack.add_file(b"y" * 300_000, "liar.bin", size=100)
    [att] = await _shared(slack, bot, liar, count=2)
    with pytest.raises(AttachmentError, match="300000 bytes, over the 65536-byte limit"):
        await fetch(att, max_bytes=65536)
    slack.chunked = True
    with pytest.raises(AttachmentError, match=r"over the 65536-byte limit \(stopped reading\)"):
        await fetch(att, max_bytes=65536)
    assert len(slack.downloads) == 2
    assert await fetch(att, max_bytes=300_000) == b"y" * 300_000


async def test_fetch_attachment_missing_file_and_refused_token(
    slack: FakeSlack, bot: Harness
) -> None:
    file = slack.add_file(b"secret plans", "plans.txt", "text/plain")
    [att] = await _shared(slack, bot, file)
    slack.files[file["id"]].deleted = True
    with pytest.raises(AttachmentError, match=r"gone \(404\)"):
        await bot.adapter.fetch_attachment(att, max_bytes=1000)
    slack.files[file["id"]].deleted = False

    # A token Slack does not accept for the file: 403 …
    wrong = harness(slack.account(bot_token="xoxb-someone-else")).adapter
    with pytest.raises(AttachmentError, match=r"refused the download \(403\).*files:read"):
        await wrong.fetch_attachment(att, max_bytes=1000)
    assert slack.downloads[-1][1] == "xoxb-someone-else"
    # … or, as slack.com does, its sign-in page with 200: never taken for the file.
    slack.login_page = True
    with pytest.raises(AttachmentError, match="sign-in page"):
        await wrong.fetch_attachment(att, max_bytes=1000)

    # The token is never sent to a host that is not Slack's (or the configured base_url's).
    before = len(slack.downloads)
    foreign = att.model_copy(update={"url": f"http://localhost:{slack.port}/files-pri/x/y"})
    for url in (foreign.url, "https://files.slack.com.evil.example/f", "http://files.slack.com/f"):
        with pytest.raises(AttachmentError, match="not a Slack file host"):
            await bot.adapter.fetch_attachment(att.model_copy(update={"url": url}), max_bytes=99)
    assert len(slack.downloads) == before

    # Slack unreachable.
    gone = harness(slack.account(base_url="http://127.0.0.1:9/api/")).adapter
    unreachable = att.model_copy(update={"url": "http://127.0.0.1:9/files-pri/T-F1/x"})
    with pytest.raises(AttachmentError, match="downloading from Slack failed"):
        await gone.fetch_attachment(unreachable, max_bytes=1000)


async def test_fetch_attachment_looks_up_a_file_shared_without_url(
    slack: FakeSlack, bot: Harness
) -> None:
    # Slack Connect: a file from another workspace arrives as {"id", "file_access"} only.
    file = slack.add_file(b"\x89PNG from afar", "far.png", "image/png")
    stub = {"id": file["id"], "file_access": "check_file_info"}
    [att] = await _shared(slack, bot, stub)
    assert att.url is None and att.file_id == file["id"]
    assert await bot.adapter.fetch_attachment(att, max_bytes=1000) == b"\x89PNG from afar"
    assert [c.params["file"] for c in slack.calls_of("files.info")] == [file["id"]]
    with pytest.raises(AttachmentError, match="14 bytes, over the 10-byte limit"):
        await bot.adapter.fetch_attachment(att, max_bytes=10)  # files.info's size
    slack.files[file["id"]].deleted = True
    with pytest.raises(AttachmentError, match="file_not_found"):
        await bot.adapter.fetch_attachment(att, max_bytes=1000)


async def _shared(
    slack: FakeSlack, bot: Harness, file: dict[str, Any], count: int = 1
) -> list[Attachment]:
    """Push a DM sharing ``file`` and return the attachments of the message delivered."""
    await slack.push(slack.dm("here", subtype="file_share", files=[file]))
    return (await bot.received(count))[count - 1].attachments


async def test_files_out_via_files_upload_v2(slack: FakeSlack, bot: Harness) -> None:
    result = await bot.adapter.send(
        OutboundMessage(
            chat_id="C0001",
            text="here you go <3",
            thread_id="1700000000.000100",
            attachments=[
                Attachment(name="notes.txt", data=b"line 1\nline 2\n", mime="text/plain"),
                Attachment(kind="image", data=b"\x89PNG fake"),
            ],
        )
    )
    assert [c.method for c in slack.calls if c.method.startswith("files.")] == [
        "files.getUploadURLExternal",
        "files.getUploadURLExternal",
        "files.completeUploadExternal",
    ]
    first, second = slack.shared
    assert (first.name, first.data, first.title) == ("notes.txt", b"line 1\nline 2\n", "notes.txt")
    assert (second.name, second.data) == ("file2", b"\x89PNG fake")
    assert first.channel == "C0001" and first.thread_ts == "1700000000.000100"
    assert first.initial_comment == "here you go &lt;3"  # the text rides along, escaped
    assert result.message_id == first.id
    assert slack.posted == []  # one message, not a text and then the files

    # Media we only have a URL for is linked, not re-hosted.
    await bot.adapter.send(
        OutboundMessage(chat_id="D0001", attachments=[Attachment(url="https://example.com/a.png")])
    )
    assert (await slack.wait_posted(1))[0]["text"] == "https://example.com/a.png"


async def test_slash_commands_become_commands(slack: FakeSlack, bot: Harness) -> None:
    envelope = await slack.push_command("/new", user="U2", channel="D0002")
    await slack.wait_acked(envelope)
    await slack.push_command("/Reset", "now &amp; here", channel="C0001")
    new, reset = await bot.received(2)
    assert (new.command, new.chat_id, new.is_group, new.sender_id) == ("new", "D0002", False, "U2")
    assert new.sender_name == "bob" and new.text == ""
    assert (reset.command, reset.is_group, reset.text) == ("reset", True, "now & here")


# --- the socket ---------------------------------------------------------------------------------


async def test_disconnect_message_reconnects(slack: FakeSlack, bot: Harness) -> None:
    await slack.disconnect("refresh_requested")
    await slack.wait_connected(2)
    await bot.until(lambda: bot.state == "connected")
    assert ("reconnecting", "Slack asked us to reconnect (refresh_requested)") in bot.statuses
    assert len(slack.calls_of("apps.connections.open")) == 2  # a fresh URL each time
    envelope = await slack.push(slack.dm("after the refresh"))
    await slack.wait_acked(envelope)
    assert (await bot.received(1))[0].text == "after the refresh"


async def test_abrupt_drop_reconnects_and_loses_nothing(slack: FakeSlack, bot: Harness) -> None:
    # A message pushed while the socket is down waits at Slack and arrives on the next socket.
    await slack.drop()
    queued = await slack.push(slack.dm("sent while you were away"))
    await slack.wait_connected(2)
    await slack.wait_acked(queued)
    assert (await bot.received(1))[0].text == "sent while you were away"
    assert any(state == "reconnecting" for state, _ in bot.statuses)

    # A drop while a message is being handed over (not yet acknowledged): Slack delivers it again
    # on the next socket; it reaches the core once, and the repeat is acknowledged.
    bot.hold = anyio.Event()
    in_flight = await slack.push(slack.dm("in flight"))
    await bot.received(2)
    await slack.drop()
    bot.hold.set()
    await slack.wait_connected(3)
    await slack.wait_acked(in_flight)
    bot.hold = None
    await slack.wait_acked(await slack.push(slack.dm("later")))
    assert [m.text for m in bot.inbox] == ["sent while you were away", "in flight", "later"]


async def test_malformed_frames_and_envelopes_are_skipped(slack: FakeSlack, bot: Harness) -> None:
    await slack.send_raw("this is not json")
    await slack.send_raw("[1, 2, 3]")
    await slack.send_raw('{"type": "events_api"}')  # no envelope_id: nothing to ack
    broken = [
        await slack.push_envelope({"envelope_id": "bad-1", "type": "events_api", "payload": "x"}),
        await slack.push({"type": "message", "text": "no user, channel or ts"}),
        await slack.push(slack.dm("x", ts=12345)),  # ts must be a string
        await slack.push_envelope(
            {"envelope_id": "bad-2", "type": "events_api", "payload": {"type": "event_callback"}}
        ),
        await slack.push(slack.dm("/deploy"), envelope_type="slash_commands"),
    ]
    good = await slack.push(slack.dm("still here"))
    for envelope in [*broken, good]:
        await slack.wait_acked(envelope)  # acked all the same: Slack must not resend them forever
    assert [m.text for m in await bot.received(1)] == ["still here"]
    assert bot.state == "connected" and slack.connections == 1
    assert bot.counts == {"skipped:malformed": 7}  # shown in `channels status`


async def test_link_disabled_is_an_auth_error(slack: FakeSlack, bot: Harness) -> None:
    await slack.disconnect("link_disabled")
    await bot.until(lambda: bot.run_error is not None)
    assert isinstance(bot.run_error, AuthError)
    assert bot.state == "auth-failed" and "Socket Mode" in (bot.statuses[-1][1] or "")


# --- credentials --------------------------------------------------------------------------------


async def test_revoked_bot_token_stops_run_with_a_clear_status(slack: FakeSlack) -> None:
    slack.revoked = "token_revoked"
    h = harness(slack.account())
    async with running(h):
        await h.until(lambda: h.run_error is not None)
    assert isinstance(h.run_error, AuthError)
    state, detail = h.statuses[-1]
    assert state == "auth-failed"
    assert detail == (
        "auth.test: token_revoked: the token was revoked (the app was uninstalled or the token"
        " rotated)"
    )
    assert slack.connections == 0

    # Sending with it: a permanent failure for that message (no retry), and the account says why.
    with pytest.raises(PermanentSendError, match="token_revoked"):
        await h.adapter.send(OutboundMessage(chat_id="D0001", text="hi"))
    assert h.statuses[-1][0] == "auth-failed"


async def test_revoked_app_token_on_reconnect_stops_run(slack: FakeSlack, bot: Harness) -> None:
    slack.app_revoked = "invalid_auth"
    await slack.drop()
    await bot.until(lambda: bot.run_error is not None)
    assert isinstance(bot.run_error, AuthError)
    assert bot.statuses[-1] == (
        "auth-failed",
        "apps.connections.open: invalid_auth: Slack refused the token",
    )


async def test_wrong_kind_of_app_token(slack: FakeSlack) -> None:
    h = harness(slack.account(app_token="xapp-not-the-right-one"))
    async with running(h):
        await h.until(lambda: h.run_error is not None)
    assert isinstance(h.run_error, AuthError)
    assert "apps.connections.open: not_allowed_token_type" in str(h.run_error)


async def test_apps_connections_open_rate_limit_and_5xx_are_retried(slack: FakeSlack) -> None:
    slack.fail("apps.connections.open", "ratelimited", status=429, retry_after=1)
    slack.fail("apps.connections.open", status=502, html=True)
    h = harness(slack.account())
    async with running(h):
        await slack.wait_connected()
    assert len(slack.calls_of("apps.connections.open")) == 3
    reasons = [detail for state, detail in h.statuses if state == "reconnecting"]
    assert "rate limited" in (reasons[0] or "") and "502" in (reasons[1] or "")


# --- sending errors -----------------------------------------------------------------------------


async def test_send_errors_map_to_transient_and_permanent(slack: FakeSlack, bot: Harness) -> None:
    out = OutboundMessage(chat_id="C0001", text="hello")
    slack.fail("chat.postMessage", "ratelimited", status=429, retry_after=7)
    with pytest.raises(TransientSendError) as limited:
        await bot.adapter.send(out)
    assert limited.value.retry_after == 7.0

    slack.fail("chat.postMessage", status=500, html=True)
    with pytest.raises(TransientSendError, match="500"):
        await bot.adapter.send(out)
    slack.fail("chat.postMessage", "service_unavailable", status=503)
    with pytest.raises(TransientSendError, match="service_unavailable"):
        await bot.adapter.send(out)

    for error in ("channel_not_found", "not_in_channel", "is_archived"):
        slack.fail("chat.postMessage", error)
        with pytest.raises(PermanentSendError, match=error):
            await bot.adapter.send(out)

    slack.fail("files.getUploadURLExternal", "ratelimited", status=429, retry_after=2)
    with pytest.raises(TransientSendError):
        await bot.adapter.send(
            OutboundMessage(chat_id="C0001", attachments=[Attachment(data=b"x")])
        )

    with pytest.raises(PermanentSendError, match="nothing to send"):
        await bot.adapter.send(OutboundMessage(chat_id="C0001", text="  "))

    # After all that the next send goes through (the core retried those that were transient).
    assert (await bot.adapter.send(out)).message_id == (await slack.wait_posted(1))[0]["ts"]


async def test_network_failure_is_transient(slack: FakeSlack) -> None:
    async with FakeSlack() as gone:
        account = gone.account()
    h = harness(account)  # nothing listens on that port any more
    with pytest.raises(TransientSendError, match=r"chat\.postMessage"):
        await h.adapter.send(OutboundMessage(chat_id="C0001", text="hi"))


async def test_probe_typing_logout(slack: FakeSlack, bot: Harness) -> None:
    probe = await bot.adapter.probe()
    assert probe == {
        "ok": True,
        "user_id": BOT_USER,
        "user": "clawbot",
        "bot_id": "BBOT0001",
        "team": "Acme",
        "team_id": "T0001",
        "mode": "socket",
    }
    calls = len(slack.calls)
    await bot.adapter.typing("D0001", None)  # Slack bots have no typing indicator: no call
    await bot.adapter.logout()
    assert len(slack.calls) == calls
    assert bot.adapter.text_limit == 4000 and bot.adapter.markup == "mrkdwn"


# --- Events API ---------------------------------------------------------------------------------


def signed(body: bytes, *, secret: str = SIGNING_SECRET, age: int = 0) -> dict[str, str]:
    timestamp = str(int(time.time()) - age)
    digest = hmac.new(secret.encode(), f"v0:{timestamp}:".encode() + body, hashlib.sha256)
    return {
        "x-slack-request-timestamp": timestamp,
        "x-slack-signature": "v0=" + digest.hexdigest(),
        "content-type": "application/json",
    }


class OneAccountGateway:
    """What the Events API route asks of the gateway (``GatewayAPI.channel_adapter``), answered
    by the harness's adapter; the end-to-end test below goes through a real gateway."""

    def __init__(self, adapter: Any) -> None:
        self.adapter = adapter

    def channel_adapter(self, channel: str, account: str) -> Any:
        if (channel, account) == ("slack", self.adapter.ctx.account):
            return self.adapter
        return None


def post(gateway: Any, path: str, body: bytes, headers: dict[str, str]) -> HttpRequest:
    return HttpRequest("POST", path, "", headers, body, "127.0.0.1", gateway=gateway)


async def test_events_api_mode(slack: FakeSlack) -> None:

    account = {
        "bot_token": slack.bot_token,
        "base_url": slack.base_url,
        "mode": "events",
        "signing_secret": SIGNING_SECRET,
    }
    h = harness(account, account_name="work")
    gw = OneAccountGateway(h.adapter)
    async with running(h):
        await h.until(lambda: h.state == "connected")
        assert h.statuses[-1][1] == "@clawbot in Acme, Events API at /slack/events/work"
        challenge = json.dumps({"type": "url_verification", "challenge": "c-123"}).encode()
        answer = await events_api.handle(
            post(gw, "/slack/events/work", challenge, signed(challenge))
        )
        assert answer.status == 200 and json.loads(answer.body) == {"challenge": "c-123"}

        payload = {"type": "event_callback", "event_id": "Ev1", "event": slack.dm("via http")}
        body = json.dumps(payload).encode()
        assert (
            await events_api.handle(post(gw, "/slack/events/work", body, signed(body)))
        ).status == 200
        assert (await h.received(1))[0].text == "via http"

        bad = await events_api.handle(
            post(gw, "/slack/events/work", body, signed(body, secret="x"))
        )
        stale = await events_api.handle(post(gw, "/slack/events/work", body, signed(body, age=600)))
        nobody = await events_api.handle(post(gw, "/slack/events", body, signed(body)))
        assert (bad.status, stale.status, nobody.status) == (401, 401, 404)
        broken = b'{"type": "event_callback", "event": {"type": "message"}}'
        assert (
            await events_api.handle(post(gw, "/slack/events/work", broken, signed(broken)))
        ).status == 200
        assert len(h.inbox) == 1
    assert slack.connections == 0  # no socket in events mode
    gone = await events_api.handle(post(gw, "/slack/events/work", body, signed(body)))
    assert gone.status == 404


# --- config and packaging -----------------------------------------------------------------------


def test_config_validation() -> None:
    ok = SlackConfig.model_validate(
        {"accounts": {"default": {"bot_token": "xoxb-1", "app_token": "xapp-1"}}}
    )
    account = ok.accounts["default"]
    assert account.mode == "socket" and account.base_url == "https://slack.com/api/"
    assert "xoxb-1" not in repr(ok)  # secrets never show in logs
    cases = {
        "must be a bot token": {"bot_token": "xapp-1", "app_token": "xapp-1"},
        "must be an app-level token": {"bot_token": "xoxb-1", "app_token": "xoxb-2"},
        "needs app_token": {"bot_token": "xoxb-1"},
        "needs signing_secret": {"bot_token": "xoxb-1", "mode": "events"},
        "absolute http": {"bot_token": "xoxb-1", "app_token": "xapp-1", "base_url": "slack.com"},
    }
    for message, bad in cases.items():
        with pytest.raises(ValidationError, match=message):
            SlackAccount.model_validate(bad)
    assert SlackAccount.model_validate(
        {"bot_token": "xoxb-1", "app_token": "xapp-1", "base_url": "http://127.0.0.1:1/api"}
    ).base_url.endswith("/api/")


def test_entry_point_and_escape() -> None:
    [ep] = [e for e in entry_points(group="openclaw_gateway") if e.name == "slack"]
    assert ep.value == "openclaw_gateway_slack" and ep.dist is not None
    assert ep.dist.name == "openclaw-gateway-slack"
    assert escape("a < b && c > d") == "a &lt; b &amp;&amp; c &gt; d"


# --- end to end through a gateway ---------------------------------------------------------------


async def test_pairing_then_agent_reply_through_the_gateway(
    gateway_factory, slack: FakeSlack
) -> None:
    plugins = {"slack": {"accounts": {"default": slack.account()}}}
    async with gateway_factory(extra_plugins=(openclaw_gateway_slack,), plugins=plugins) as gw:
        assert "http" not in gw.plugin_report  # Socket Mode: the Events API route is not served
        await slack.wait_connected()
        admin = await operator(gw.port, TOKEN, ALL)

        # A stranger's DM gets a pairing code with the exact approve command.
        await slack.push(slack.dm("hello?", user="U2", channel="D0002"))
        [pairing] = await slack.wait_posted(1)
        assert pairing["channel"] == "D0002"
        code = re.search(r"pairing code: ([A-Z0-9]{8})", pairing["text"]).group(1)
        assert f"openclaw-gateway pairing approve slack {code}" in pairing["text"]
        requested = await admin.next_event("channels.pairing.requested")
        assert requested["payload"]["senderName"] == "bob"

        approved = await admin.request("pairing.approve", {"channel": "slack", "code": code})
        assert approved["ok"] and approved["payload"]["senderId"] == "U2"
        assert "approved" in (await slack.wait_posted(2))[1]["text"]

        # The next DM reaches the agent; its long reply comes back chunked to Slack's limit, and
        # a rate limit on the way is waited out and retried.
        slack.fail("chat.postMessage", "ratelimited", status=429, retry_after=1)
        words = " ".join(f"w{i}" for i in range(1500))  # ~8.4k characters: the echo needs 3 chunks
        await slack.push(slack.dm(words, user="U2", channel="D0002"))
        await slack.until(lambda: any(p["text"].rstrip().endswith('"') for p in slack.posted[2:]))
        replies = slack.posted[2:]
        assert len(replies) >= 3 and all(len(p["text"]) <= 4000 for p in replies)
        assert all(p["channel"] == "D0002" and "thread_ts" not in p for p in replies)
        joined = " ".join(p["text"] for p in replies)
        assert 'You said: "w0 w1 ' in joined and 'w1499"' in joined
        assert len(slack.calls_of("chat.postMessage")) == len(slack.posted) + 1  # the 429

        event = await admin.next_event("agent")
        assert event["payload"]["sessionKey"] == "agent:main:slack:dm:D0002"

        # /new (a slash command registered in the manifest) starts a fresh session.
        await slack.push_command("/new", user="U2", channel="D0002")
        await slack.until(lambda: "Started a new conversation." in slack.posted[-1]["text"])

        status = await admin.request("channels.status", {"probe": True})
        account = status["payload"]["channels"]["slack"]["accounts"]["default"]
        assert account["state"] == "connected" and account["detail"] == "@clawbot in Acme"
        assert account["counters"]["send-retries"] == 1


async def test_channel_mentions_in_a_thread_through_the_gateway(
    gateway_factory, slack: FakeSlack
) -> None:
    plugins = {
        "slack": {
            "dm_policy": "open",
            "groups": ["C0001"],
            "accounts": {"default": slack.account()},
        }
    }
    async with gateway_factory(extra_plugins=(openclaw_gateway_slack,), plugins=plugins) as gw:
        await slack.wait_connected()
        admin = await operator(gw.port, TOKEN, ALL)
        await slack.push(slack.channel_message("no mention, no answer"))
        await slack.push(slack.channel_message("other channel", channel="C0999"))
        root = slack.channel_message(f"<@{BOT_USER}> ping")
        await slack.push(root)
        [reply] = await slack.wait_posted(1)
        assert reply["channel"] == "C0001" and reply["text"].endswith('You said: "ping"')
        assert "thread_ts" not in reply

        ts = root["ts"]
        await slack.push(slack.channel_message(f"<@{BOT_USER}> in thread", thread_ts=ts))
        threaded = (await slack.wait_posted(2))[1]
        assert threaded["thread_ts"] == ts and "in thread" in threaded["text"]
        status = await admin.request("channels.status", {})
        counters = status["payload"]["channels"]["slack"]["accounts"]["default"]["counters"]
        assert counters["dropped:not-mentioned"] == 1
        assert counters["dropped:group-not-allowed"] == 1


async def test_events_api_through_the_gateway_http_listener(
    gateway_factory, slack: FakeSlack
) -> None:
    import aiohttp

    account = {
        "bot_token": slack.bot_token,
        "base_url": slack.base_url,
        "mode": "events",
        "signing_secret": SIGNING_SECRET,
    }
    plugins = {"slack": {"dm_policy": "open", "accounts": {"default": account}}}
    async with gateway_factory(extra_plugins=(openclaw_gateway_slack,), plugins=plugins) as gw:
        url = f"http://127.0.0.1:{gw.plugin_report['http']['port']}/slack/events"
        admin = await operator(gw.port, TOKEN, ALL)
        with anyio.fail_after(5):
            while True:
                status = await admin.request("channels.status", {})
                if (
                    status["payload"]["channels"]["slack"]["accounts"]["default"]["state"]
                    == "connected"
                ):
                    break
                await anyio.sleep(0.02)
        body = json.dumps(
            {
                "type": "event_callback",
                "event_id": "Ev9",
                "event": slack.dm("over https", user="U2"),
            }
        ).encode()
        # An operator that stops reading (its queue full of agent events) would hold up shutdown.
        await admin.ws.close()
        async with aiohttp.ClientSession() as http:
            async with http.post(url, data=body, headers=signed(body)) as res:
                assert res.status == 200
            async with http.post(url, data=body, headers=signed(body, secret="nope")) as res:
                assert res.status == 401
            [reply] = await slack.wait_posted(1)
            assert reply["channel"] == "D0001" and reply["text"].endswith('You said: "over https"')

            command = b"command=%2Fnew&text=&user_id=U2&channel_id=D0001&trigger_id=1.2.3"
            form = {**signed(command), "content-type": "application/x-www-form-urlencoded"}
            async with http.post(url, data=command, headers=form) as res:
                assert res.status == 200
            assert (await slack.wait_posted(2))[1]["text"] == "Started a new conversation."
        assert slack.connections == 0


async def test_slack_unreachable_at_start_is_retried(slack: FakeSlack) -> None:
    slack.fail("auth.test", status=503, html=True, times=2)
    h = harness(slack.account())
    async with running(h):
        await slack.wait_connected()
        await h.until(lambda: h.state == "connected")
    assert len(slack.calls_of("auth.test")) == 3
    assert [s for s, _ in h.statuses].count("reconnecting") == 2
