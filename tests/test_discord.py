"""The Discord plugin against a fake Discord (REST v10 + Gateway WebSocket) on 127.0.0.1.

discord.py runs unmodified; only the REST base (``api_base``) points at the fake, and the gateway
URL comes from the fake's ``GET /gateway/bot``. The adapter is tested directly with a
ChannelContext that collects what it delivers, then end to end through a real gateway.
"""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import anyio
import openclaw_gateway_discord
import pydantic
import pytest
from openclaw_gateway_discord import DiscordAccount, DiscordConfig, make_adapter

from openclaw_gateway.channels.adapter import (
    AttachmentError,
    AuthError,
    ChannelContext,
    PermanentSendError,
    TransientSendError,
)
from openclaw_gateway.channels.model import Attachment, InboundMessage, OutboundMessage

from fakes.discord_api import INTENT_MESSAGE_CONTENT, FakeDiscord, user
from wire import TOKEN, operator

if TYPE_CHECKING:
    from openclaw_gateway_discord.adapter import DiscordAdapter

pytestmark = pytest.mark.anyio


@dataclass
class Harness:
    fake: FakeDiscord
    adapter: DiscordAdapter
    inbox: list[InboundMessage] = field(default_factory=list)
    statuses: list[tuple[str, str | None]] = field(default_factory=list)
    error: BaseException | None = None

    async def next_message(self, count: int = 1) -> InboundMessage:
        await self.fake.wait_for(lambda: len(self.inbox) >= count)
        return self.inbox[count - 1]

    async def status(self, state: str, after: int = 0) -> None:
        await self.fake.wait_for(lambda: any(s == state for s, _ in self.statuses[after:]))


def account(fake: FakeDiscord, **overrides: Any) -> DiscordAccount:
    return DiscordAccount(token=fake.token, api_base=fake.api_base, **overrides)


def context(fake: FakeDiscord, harness: Harness | None = None, **overrides: Any) -> ChannelContext:
    async def deliver(message: InboundMessage) -> None:
        assert harness is not None
        harness.inbox.append(message)

    def set_status(state: str, detail: str | None) -> None:
        if harness is not None:
            harness.statuses.append((state, detail))

    return ChannelContext(
        channel="discord",
        account="default",
        config=account(fake, **overrides),
        log=logging.getLogger("test.discord"),
        deliver=deliver,
        set_status=set_status,
    )


@asynccontextmanager
async def running(fake: FakeDiscord, **overrides: Any) -> AsyncIterator[Harness]:
    """The adapter's ``run()`` in a task, connected (READY seen) before the body starts."""
    harness = Harness(fake, None)  # type: ignore[arg-type]
    harness.adapter = make_adapter(context(fake, harness, **overrides))

    async def run() -> None:
        try:
            await harness.adapter.run()
        except Exception as exc:
            harness.error = exc

    async with anyio.create_task_group() as tg:
        tg.start_soon(run)
        await fake.wait_for(
            lambda: (
                harness.error is not None
                or ("connected", f"@{fake.bot['username']}") in harness.statuses
            )
        )
        if harness.error is not None:
            raise harness.error
        yield harness
        tg.cancel_scope.cancel()


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord() as server:
        yield server


# --- connecting ----------------------------------------------------------------------------------


async def test_connects_through_gateway_bot_with_the_needed_intents(fake: FakeDiscord) -> None:
    async with running(fake) as h:
        assert ("GET", "/gateway/bot") in fake.requests
        assert ("GET", "/users/@me") in fake.requests
        query = fake.gateway_queries[0]
        assert query["v"] == "10" and query["encoding"] == "json"
        assert query["compress"] == "zlib-stream"  # honoured by the fake: binary zlib frames
        identify = fake.identifies[0]
        assert identify["token"] == fake.token
        intents = identify["intents"]
        assert intents & INTENT_MESSAGE_CONTENT
        assert intents & (1 << 9) and intents & (1 << 12)  # GUILD_MESSAGES, DIRECT_MESSAGES
        assert not intents & (1 << 1) and not intents & (1 << 8)  # no members/presences
        assert h.statuses[0] == ("connecting", None)
        probe = await h.adapter.probe()
        assert probe["ok"] and probe["username"] == "clawbot" and probe["bot"] is True


# --- receiving -----------------------------------------------------------------------------------


async def test_dm_is_delivered_with_the_dm_channel_as_chat(fake: FakeDiscord) -> None:
    alice = user("alice")
    dm = fake.dm_channel(alice)
    async with running(fake) as h:
        payload = fake.message(dm, alice, "hello there")
        fake.dispatch("MESSAGE_CREATE", payload)
        msg = await h.next_message()
    assert msg.channel == "discord" and msg.account == "default"
    assert msg.chat_id == dm["id"] and not msg.is_group and msg.thread_id is None
    assert msg.sender_id == alice["id"] and msg.sender_name == "Alice"
    assert msg.text == "hello there" and msg.message_id == payload["id"]
    assert msg.ts_ms > 0


async def test_guild_messages_carry_mention_gating_facts(fake: FakeDiscord) -> None:
    guild = fake.add_guild()
    general = fake.add_channel(guild)
    alice, bob = user("alice"), user("bob")
    async with running(fake) as h:
        fake.dispatch("MESSAGE_CREATE", fake.message(general, alice, "just chatting"))
        plain = await h.next_message(1)
        fake.dispatch(
            "MESSAGE_CREATE",
            fake.message(
                general,
                alice,
                f"<@{fake.bot['id']}> what does <@!{bob['id']}> think?",
                mentions=[fake.bot, bob],
            ),
        )
        mentioned = await h.next_message(2)
        bot_said = fake.message(general, fake.bot, "an earlier answer")
        fake.dispatch(
            "MESSAGE_CREATE", fake.message(general, alice, "and then?", reply_to=bot_said)
        )
        reply = await h.next_message(3)
        other = fake.message(general, bob, "bob's message")
        fake.dispatch("MESSAGE_CREATE", fake.message(general, alice, "agreed", reply_to=other))
        reply_to_bob = await h.next_message(4)
        role, mods = guild["bot_role"], guild["roles"][2]
        fake.dispatch(
            "MESSAGE_CREATE",
            fake.message(general, alice, f"<@&{role['id']}> hi", mention_roles=[role["id"]]),
        )
        by_role = await h.next_message(5)
        fake.dispatch(
            "MESSAGE_CREATE",
            fake.message(general, alice, f"<@&{mods['id']}> hi", mention_roles=[mods["id"]]),
        )
        other_role = await h.next_message(6)
    assert by_role.mentions_bot and by_role.text == "hi"
    assert not other_role.mentions_bot
    assert plain.is_group and plain.chat_id == general["id"] and plain.thread_id is None
    assert not plain.mentions_bot
    assert mentioned.mentions_bot and mentioned.text == "what does @Bob think?"
    assert reply.mentions_bot and reply.reply_to == bot_said["id"]
    assert not reply_to_bob.mentions_bot and reply_to_bob.reply_to == other["id"]
    assert len(h.inbox) == 6  # the bot's own earlier message was never delivered


async def test_thread_messages_map_to_parent_channel_and_thread(fake: FakeDiscord) -> None:
    guild = fake.add_guild()
    general = fake.add_channel(guild)
    known = fake.add_thread(general, "known")  # in GUILD_CREATE
    alice = user("alice")
    async with running(fake) as h:
        unknown = fake.add_thread(general, "older", announce=False)  # only over REST
        fake.dispatch("MESSAGE_CREATE", fake.message(known, alice, "in a thread"))
        fake.dispatch("MESSAGE_CREATE", fake.message(unknown, alice, "in an older thread"))
        fake.dispatch("MESSAGE_CREATE", fake.message(unknown, alice, "again"))
        first, second, third = [await h.next_message(i) for i in (1, 2, 3)]
    assert (first.chat_id, first.thread_id) == (general["id"], known["id"])
    assert (second.chat_id, second.thread_id) == (general["id"], unknown["id"])
    assert (third.chat_id, third.thread_id) == (general["id"], unknown["id"])
    lookups = [r for r in fake.requests if r == ("GET", f"/channels/{unknown['id']}")]
    assert len(lookups) == 1  # cached after the first
    assert [m.text for m in h.inbox] == ["in a thread", "in an older thread", "again"]


async def test_attachments_in_and_their_bytes_from_the_cdn(fake: FakeDiscord) -> None:
    alice = user("alice")
    dm = fake.dm_channel(alice)
    async with running(fake) as h:
        photo_bytes = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8
        photo = fake.attachment("cat.png", "image/png", data=photo_bytes, channel_id=dm["id"])
        doc = fake.attachment("notes.pdf", "application/pdf", 99)
        fake.dispatch("MESSAGE_CREATE", fake.message(dm, alice, "", attachments=[photo, doc]))
        msg = await h.next_message()
        fetch = h.adapter.fetch_attachment
        assert await fetch(msg.attachments[0], max_bytes=len(photo_bytes)) == photo_bytes
        assert await fetch(msg.attachments[1], max_bytes=1000) == fake.cdn[doc["id"]]
        # The signed CDN link is used as given (query included), and no token is sent there.
        assert [q for q, _ in fake.cdn_requests] == [
            photo["url"].split(str(fake.port), 1)[1],
            doc["url"].split(str(fake.port), 1)[1],
        ]
        assert [auth for _, auth in fake.cdn_requests] == [None, None]
    assert msg.text == ""
    assert msg.attachments == [
        Attachment(
            kind="image",
            url=photo["url"],
            file_id=photo["id"],
            name="cat.png",
            mime="image/png",
            size=len(photo_bytes),
        ),
        Attachment(
            kind="document",
            url=doc["url"],
            file_id=doc["id"],
            name="notes.pdf",
            mime="application/pdf",
            size=99,
        ),
    ]


async def test_fetch_attachment_too_large(fake: FakeDiscord) -> None:
    alice = user("alice")
    dm = fake.dm_channel(alice)
    async with running(fake) as h:
        big = fake.attachment("big.bin", "application/octet-stream", 5000)
        liar = fake.attachment("liar.bin", "application/octet-stream", 100, data=b"z" * 300_000)
        fake.dispatch("MESSAGE_CREATE", fake.message(dm, alice, "", attachments=[big, liar]))
        msg = await h.next_message()
        fetch = h.adapter.fetch_attachment
        big_att, liar_att = msg.attachments
        assert liar_att.size == 100
        with pytest.raises(AttachmentError, match="5000 bytes, over the 4096-byte limit"):
            await fetch(big_att, max_bytes=4096)  # Discord's size: no download at all
        assert fake.cdn_requests == []
        # Bigger than announced: caught by Content-Length, or (chunked) by counting the bytes.
        with pytest.raises(AttachmentError, match="300000 bytes, over the 65536-byte limit"):
            await fetch(liar_att, max_bytes=65536)
        fake.cdn_chunked = True
        with pytest.raises(AttachmentError, match=r"over the 65536-byte limit \(stopped reading\)"):
            await fetch(liar_att, max_bytes=65536)
        assert len(fake.cdn_requests) == 2
        assert await fetch(liar_att, max_bytes=300_000) == b"z" * 300_000


async def test_fetch_attachment_gone_or_unreachable(fake: FakeDiscord) -> None:
    alice = user("alice")
    dm = fake.dm_channel(alice)
    async with running(fake) as h:
        doc = fake.attachment("notes.pdf", "application/pdf", 50)
        fake.dispatch("MESSAGE_CREATE", fake.message(dm, alice, "", attachments=[doc]))
        [att] = (await h.next_message()).attachments
        fetch = h.adapter.fetch_attachment
        unsigned = att.model_copy(update={"url": att.url.split("?")[0] if att.url else None})
        with pytest.raises(AttachmentError, match=r"gone \(404\)"):
            await fetch(unsigned, max_bytes=1000)  # a link without (or past) its signature
        del fake.cdn[doc["id"]]  # the message was deleted
        with pytest.raises(AttachmentError, match=r"gone \(404\)"):
            await fetch(att, max_bytes=1000)
        with pytest.raises(AttachmentError, match="no URL"):
            await fetch(att.model_copy(update={"url": None}), max_bytes=1000)
        unreachable = att.model_copy(update={"url": "http://127.0.0.1:9/attachments/1/2/x"})
        with pytest.raises(AttachmentError, match="downloading from Discord failed"):
            await fetch(unreachable, max_bytes=1000)
    # After run() ended (discord.py's session closed) a download still works.
    fake.cdn[doc["id"]] = b"back"
    assert await h.adapter.fetch_attachment(att, max_bytes=100) == b"back"


async def test_own_bot_webhook_and_system_messages_are_skipped(fake: FakeDiscord) -> None:
    guild = fake.add_guild()
    general = fake.add_channel(guild)
    alice = user("alice")
    async with running(fake) as h:
        fake.dispatch("MESSAGE_CREATE", fake.message(general, fake.bot, "my own echo"))
        fake.dispatch("MESSAGE_CREATE", fake.message(general, user("otherbot", bot=True), "beep"))
        hook = fake.message(general, {**user("hook"), "bot": True}, "from a webhook")
        fake.dispatch("MESSAGE_CREATE", {**hook, "webhook_id": hook["author"]["id"]})
        fake.dispatch("MESSAGE_CREATE", fake.message(general, alice, "", type=7))  # member joined
        fake.dispatch("MESSAGE_CREATE", fake.message(general, alice, "a real one"))
        msg = await h.next_message()
        probe = await h.adapter.probe()
    assert msg.text == "a real one" and len(h.inbox) == 1
    assert probe["dropped"] == {"own-message": 1, "bot": 2, "system-message": 1}


async def test_malformed_dispatch_is_skipped_and_the_session_survives(fake: FakeDiscord) -> None:
    alice = user("alice")
    dm = fake.dm_channel(alice)
    async with running(fake) as h:
        fake.dispatch("MESSAGE_CREATE", {"id": "not-a-number", "channel_id": dm["id"]})
        fake.dispatch("MESSAGE_CREATE", {"channel_id": dm["id"], "content": "no id, no author"})
        fake.dispatch("MESSAGE_CREATE", fake.message(dm, alice, "still here"))
        msg = await h.next_message()
        probe = await h.adapter.probe()
    assert msg.text == "still here" and len(h.inbox) == 1
    assert probe["dropped"] == {"malformed:MESSAGE_CREATE": 2}
    assert len(fake.identifies) == 1 and not fake.resumes  # no reconnect was needed


async def test_commands_in_dms_and_when_mentioned(fake: FakeDiscord) -> None:
    guild = fake.add_guild()
    general = fake.add_channel(guild)
    alice = user("alice")
    dm = fake.dm_channel(alice)
    async with running(fake) as h:
        fake.dispatch("MESSAGE_CREATE", fake.message(dm, alice, "/new"))
        fake.dispatch("MESSAGE_CREATE", fake.message(general, alice, "/reset everything"))
        fake.dispatch(
            "MESSAGE_CREATE",
            fake.message(general, alice, f"<@{fake.bot['id']}> /reset", mentions=[fake.bot]),
        )
        dm_cmd, unaddressed, addressed = [await h.next_message(i) for i in (1, 2, 3)]
    assert dm_cmd.command == "new" and dm_cmd.text == ""
    assert unaddressed.command is None and unaddressed.text == "/reset everything"
    assert addressed.command == "reset"


# --- sending -------------------------------------------------------------------------------------


async def test_send_reply_into_channel_and_thread(fake: FakeDiscord) -> None:
    guild = fake.add_guild()
    general = fake.add_channel(guild)
    thread = fake.add_thread(general)
    async with running(fake) as h:
        result = await h.adapter.send(
            OutboundMessage(chat_id=general["id"], text="**hi** @everyone", reply_to="1234")
        )
        await h.adapter.send(
            OutboundMessage(chat_id=general["id"], thread_id=thread["id"], text="in the thread")
        )
    first, second = fake.sent
    assert first.channel_id == general["id"] and first.content == "**hi** @everyone"
    assert result.message_id == first.response["id"]
    assert first.payload["message_reference"] == {
        "type": 0,  # DEFAULT: a reply
        "message_id": 1234,
        "channel_id": int(general["id"]),
        "fail_if_not_exists": False,
    }
    # the asker is pinged by the reply, but an agent's "@everyone" must not ping the whole server
    assert first.payload["allowed_mentions"] == {"parse": ["users"], "replied_user": True}
    assert second.channel_id == thread["id"] and "message_reference" not in second.payload


async def test_send_files_and_links(fake: FakeDiscord) -> None:
    alice = user("alice")
    dm = fake.dm_channel(alice)
    async with running(fake) as h:
        await h.adapter.send(
            OutboundMessage(
                chat_id=dm["id"],
                text="here you go",
                attachments=[
                    Attachment(name="report.txt", data=b"line 1\nline 2\n"),
                    Attachment(url="https://example.com/cat.png"),
                ],
            )
        )
        many = [Attachment(name=f"f{i}.bin", data=bytes([i])) for i in range(12)]
        await h.adapter.send(OutboundMessage(chat_id=dm["id"], attachments=many))
    first = fake.sent[0]
    assert first.content == "here you go\nhttps://example.com/cat.png"
    assert [(name, data) for name, _mime, data in first.files] == [
        ("report.txt", b"line 1\nline 2\n")
    ]
    assert first.response["attachments"][0]["filename"] == "report.txt"
    # Discord takes 10 files per message: the rest follow in a second one
    assert [len(s.files) for s in fake.sent[1:]] == [10, 2]
    assert [f[0] for s in fake.sent[1:] for f in s.files] == [f"f{i}.bin" for i in range(12)]


async def test_send_to_a_user_opens_a_dm(fake: FakeDiscord) -> None:
    carol = {**user("carol")}
    async with running(fake) as h:
        await h.adapter.send(OutboundMessage(chat_id=f"user:{carol['id']}", text="hello carol"))
        await h.adapter.send(OutboundMessage(chat_id=f"<@{carol['id']}>", text="again"))
        with pytest.raises(PermanentSendError, match="not a Discord target"):
            await h.adapter.send(OutboundMessage(chat_id="#general", text="x"))
    dm = fake.dms[carol["id"]]
    assert [s.channel_id for s in fake.sent] == [dm["id"], dm["id"]]
    assert fake.requests.count(("POST", "/users/@me/channels")) == 1  # discord.py caches the DM


async def test_typing_goes_to_the_thread_or_channel(fake: FakeDiscord) -> None:
    guild = fake.add_guild()
    general = fake.add_channel(guild)
    thread = fake.add_thread(general)
    async with running(fake) as h:
        await h.adapter.typing(general["id"], None)
        await h.adapter.typing(general["id"], thread["id"])
    assert fake.typing == [general["id"], thread["id"]]


async def test_429_then_success(fake: FakeDiscord) -> None:
    dm = fake.dm_channel(user("alice"))
    async with running(fake) as h:
        fake.rate_limit("POST", r"/channels/\d+/messages", 0.2)
        with anyio.fail_after(5):
            result = await h.adapter.send(OutboundMessage(chat_id=dm["id"], text="patience"))
    posts = [r for r in fake.requests if r == ("POST", f"/channels/{dm['id']}/messages")]
    assert len(posts) == 2 and result.message_id == fake.sent[0].response["id"]


async def test_long_global_429_surfaces_as_transient_instead_of_waiting(fake: FakeDiscord) -> None:
    dm = fake.dm_channel(user("alice"))
    async with running(fake) as h:
        fake.rate_limit("POST", r"/channels/\d+/messages", 120.0, is_global=True)
        with anyio.fail_after(5), pytest.raises(TransientSendError) as caught:
            await h.adapter.send(OutboundMessage(chat_id=dm["id"], text="x"))
        assert caught.value.retry_after == 120.0
        fake.rate_limit("POST", r"/channels/\d+/messages", 0.01, times=5)  # all 5 tries
        with anyio.fail_after(5), pytest.raises(TransientSendError, match="429") as caught:
            await h.adapter.send(OutboundMessage(chat_id=dm["id"], text="x"))
        assert caught.value.retry_after == 1.0  # from Retry-After
        await h.adapter.send(OutboundMessage(chat_id=dm["id"], text="through at last"))
    assert [s.content for s in fake.sent] == ["through at last"]


async def test_a_send_timed_out_in_a_global_rate_limit_does_not_block_later_sends(
    fake: FakeDiscord,
) -> None:
    dm = fake.dm_channel(user("alice"))
    async with running(fake, send_timeout=0.5) as h:
        fake.rate_limit("POST", r"/channels/\d+/messages", 20.0, is_global=True)
        with anyio.fail_after(5), pytest.raises(TransientSendError, match="in time"):
            await h.adapter.send(OutboundMessage(chat_id=dm["id"], text="x"))
        with anyio.fail_after(5):  # not 20 s: the global lock was released
            await h.adapter.send(OutboundMessage(chat_id=dm["id"], text="y"))
    assert [s.content for s in fake.sent] == ["y"]


async def test_5xx_then_success_and_5xx_until_the_send_timeout(fake: FakeDiscord) -> None:
    dm = fake.dm_channel(user("alice"))
    async with running(fake, send_timeout=2.5) as h:
        fake.fail("POST", r"/channels/\d+/messages", 502)
        await h.adapter.send(OutboundMessage(chat_id=dm["id"], text="second try"))
        assert [s.content for s in fake.sent] == ["second try"]
        fake.fail("POST", r"/channels/\d+/messages", 500, times=100)
        with anyio.fail_after(6), pytest.raises(TransientSendError, match="in time"):
            await h.adapter.send(OutboundMessage(chat_id=dm["id"], text="never"))


async def test_forbidden_and_unknown_channels_are_permanent(fake: FakeDiscord) -> None:
    guild = fake.add_guild()
    locked = fake.add_channel(guild, "locked")
    fake.forbidden.add(locked["id"])
    async with running(fake) as h:
        with pytest.raises(PermanentSendError, match=r"403.*Missing Permissions"):
            await h.adapter.send(OutboundMessage(chat_id=locked["id"], text="x"))
        with pytest.raises(PermanentSendError, match=r"404.*Unknown Channel"):
            await h.adapter.send(OutboundMessage(chat_id="42", text="x"))
        with pytest.raises(PermanentSendError, match="2000"):
            await h.adapter.send(OutboundMessage(chat_id=locked["id"], text="x" * 2001))
    assert h.adapter.text_limit == 2000 and h.adapter.markup == "markdown"


# --- the gateway connection ----------------------------------------------------------------------


async def test_dropped_socket_resumes_and_replays_missed_events(fake: FakeDiscord) -> None:
    alice = user("alice")
    dm = fake.dm_channel(alice)
    async with running(fake) as h:
        fake.dispatch("MESSAGE_CREATE", fake.message(dm, alice, "before"))
        await h.next_message(1)
        mark = len(h.statuses)
        await fake.drop()
        fake.dispatch("MESSAGE_CREATE", fake.message(dm, alice, "while away"))  # buffered
        await h.status("reconnecting", mark)
        await fake.wait_for(lambda: fake.resumes)
        await h.next_message(2)
        await h.status("connected", mark)
        fake.dispatch("MESSAGE_CREATE", fake.message(dm, alice, "after"))
        await h.next_message(3)
    assert [m.text for m in h.inbox] == ["before", "while away", "after"]
    assert len(fake.identifies) == 1  # resumed, not re-identified
    resume = fake.resumes[0]
    session = next(iter(fake.sessions.values()))
    assert resume["session_id"] == session.id and resume["token"] == fake.token
    assert resume["seq"] == 2  # READY (1), "before" (2)
    states = [s for s, _ in h.statuses[mark:]]
    assert states.index("reconnecting") < states.index("connected")


async def test_invalid_session_re_identifies(fake: FakeDiscord) -> None:
    alice = user("alice")
    dm = fake.dm_channel(alice)
    async with running(fake) as h:
        fake.invalidate_resumes = True
        await fake.drop()
        await fake.wait_identified(count=2)
        fake.dispatch("MESSAGE_CREATE", fake.message(dm, alice, "new session"))
        msg = await h.next_message()
    assert msg.text == "new session"
    assert len(fake.resumes) == 1 and len(fake.identifies) == 2
    # after INVALID_SESSION the client goes back to the gateway named by GET /gateway/bot
    assert len(fake.gateway_queries) == 3


async def test_reconnect_opcode_resumes(fake: FakeDiscord) -> None:
    alice = user("alice")
    dm = fake.dm_channel(alice)
    async with running(fake) as h:
        fake.send_raw({"op": 7, "d": None, "s": None, "t": None})
        await fake.wait_for(lambda: fake.resumes)
        fake.dispatch("MESSAGE_CREATE", fake.message(dm, alice, "after reconnect"))
        assert (await h.next_message()).text == "after reconnect"
    assert len(fake.identifies) == 1


async def test_heartbeats_are_acked_and_carry_the_last_sequence() -> None:
    async with FakeDiscord(heartbeat_interval_ms=100) as fake:
        alice = user("alice")
        dm = fake.dm_channel(alice)
        async with running(fake) as h:
            fake.dispatch("MESSAGE_CREATE", fake.message(dm, alice, "tick"))
            await h.next_message()
            await fake.wait_for(lambda: len(fake.heartbeats) >= 4 and fake.heartbeats[-1] == 2)
            probe = await h.adapter.probe()
        assert fake.heartbeats[0] is None  # the first beat goes out right after HELLO
        assert probe["gatewayConnected"] and probe["latencyMs"] is not None
        assert len(fake.identifies) == 1  # ACKs kept the connection alive


# --- credentials ---------------------------------------------------------------------------------


async def test_revoked_token_at_login_is_an_auth_error(fake: FakeDiscord) -> None:
    h = Harness(fake, None)  # type: ignore[arg-type]
    adapter = make_adapter(context(fake, h))
    fake.revoke_token()
    with anyio.fail_after(5), pytest.raises(AuthError, match="401"):
        await adapter.run()
    assert h.statuses == [("connecting", None)]
    assert not fake.identifies


async def test_token_revoked_while_connected_is_an_auth_error(fake: FakeDiscord) -> None:
    h = Harness(fake, None)  # type: ignore[arg-type]
    adapter = make_adapter(context(fake, h))
    with anyio.fail_after(10):
        async with anyio.create_task_group() as tg:

            async def revoke() -> None:
                await fake.wait_identified()
                fake.revoke_token()
                await fake.close_gateway(4004)

            tg.start_soon(revoke)
            with pytest.raises(AuthError, match="4004"):
                await adapter.run()


async def test_missing_message_content_intent_is_an_auth_error_with_the_fix() -> None:
    async with FakeDiscord(message_content_allowed=False) as fake:
        adapter = make_adapter(context(fake))
        with anyio.fail_after(5), pytest.raises(AuthError, match="Message Content intent"):
            await adapter.run()


async def test_send_before_login_is_transient(fake: FakeDiscord) -> None:
    adapter = make_adapter(context(fake))
    with pytest.raises(TransientSendError, match="not logged in"):
        await adapter.send(OutboundMessage(chat_id="1", text="x"))
    assert (await adapter.probe())["ok"] is False


# --- config --------------------------------------------------------------------------------------


def test_config_model() -> None:
    config = DiscordConfig.model_validate(
        {"groups": ["123"], "accounts": {"default": {"token": "abc"}}}
    )
    account = config.accounts["default"]
    assert account.api_base == "https://discord.com/api/v10" and account.gateway_url is None
    assert "abc" not in repr(account)  # the token is a SecretStr
    assert config.require_mention and config.dm_policy == "pairing"
    with pytest.raises(pydantic.ValidationError, match="api_base"):
        DiscordAccount.model_validate({"token": "x", "api_base": "discord.com"})
    with pytest.raises(pydantic.ValidationError, match="gateway_url"):
        DiscordAccount.model_validate({"token": "x", "gateway_url": "https://gateway.discord.gg"})
    with pytest.raises(pydantic.ValidationError, match="tokn"):
        DiscordAccount.model_validate({"tokn": "x"})


# --- end to end: a real gateway, the router, the offline agent -----------------------------------

OPERATOR_SCOPES = ["operator.read", "operator.write", "operator.admin", "operator.pairing"]


def gateway_plugins(fake: FakeDiscord, **overrides: Any) -> dict[str, Any]:
    account = {"token": fake.token, "api_base": fake.api_base}
    return {"discord": {"accounts": {"default": account}, **overrides}}


async def discord_status(admin: Any, *, probe: bool = False) -> dict[str, Any]:
    status = await admin.request("channels.status", {"probe": probe})
    return status["payload"]["channels"]["discord"]["accounts"]["default"]


async def test_end_to_end_pairing_then_chunked_agent_replies(
    fake: FakeDiscord, gateway_factory
) -> None:
    stranger = user("stranger")
    dm = fake.dm_channel(stranger)
    async with gateway_factory(
        extra_plugins=(openclaw_gateway_discord,), plugins=gateway_plugins(fake)
    ) as gw:
        assert "openclaw_gateway_discord" in gw.plugin_report["loaded"]
        admin = await operator(gw.port, TOKEN, OPERATOR_SCOPES)
        await fake.wait_identified()
        with anyio.fail_after(10):
            while (await discord_status(admin))["state"] != "connected":
                await anyio.sleep(0.05)

        fake.dispatch("MESSAGE_CREATE", fake.message(dm, stranger, "hello?"))
        await fake.wait_for(lambda: fake.sent)
        pairing = fake.sent[0]
        assert pairing.channel_id == dm["id"]
        code = re.search(r"pairing code: ([A-Z0-9]{8})", pairing.content).group(1)  # type: ignore[union-attr]
        assert f"openclaw-gateway pairing approve discord {code}" in pairing.content
        requested = await admin.next_event("channels.pairing.requested")
        assert requested["payload"]["senderId"] == stranger["id"]
        assert requested["payload"]["senderName"] == "Stranger"

        approved = await admin.request("pairing.approve", {"channel": "discord", "code": code})
        assert approved["payload"]["notified"] is True
        await fake.wait_for(lambda: len(fake.sent) == 2)
        assert "approved" in fake.sent[1].content and fake.sent[1].channel_id == dm["id"]

        long_text = "word " * 500  # the offline agent echoes it: the reply is > 2000 characters
        question = fake.message(dm, stranger, long_text)
        fake.dispatch("MESSAGE_CREATE", question)
        await fake.wait_for(
            lambda: fake.sent[-1].content.rstrip().endswith('"') and len(fake.sent) > 3
        )
        replies = fake.sent[2:]
        assert len(replies) >= 2 and all(0 < len(r.content) <= 2000 for r in replies)
        assert "You said:" in "".join(r.content for r in replies)
        assert replies[0].payload["message_reference"]["message_id"] == int(question["id"])
        assert all("message_reference" not in r.payload for r in replies[1:])
        assert fake.typing and set(fake.typing) == {dm["id"]}

        agent = await admin.next_event("agent")
        assert agent["payload"]["sessionKey"] == f"agent:main:discord:dm:{dm['id']}"

        status = await discord_status(admin, probe=True)
        assert status["state"] == "connected" and status["detail"] == "@clawbot"
        assert status["probe"]["ok"] and status["probe"]["username"] == "clawbot"
        assert status["counters"]["dropped:pairing-required"] == 1


async def test_end_to_end_guild_thread_mention_and_operator_send(
    fake: FakeDiscord, gateway_factory
) -> None:
    guild = fake.add_guild()
    general = fake.add_channel(guild)
    thread = fake.add_thread(general)
    alice = user("alice")
    async with gateway_factory(
        extra_plugins=(openclaw_gateway_discord,),
        plugins=gateway_plugins(fake, groups=[general["id"]]),
    ) as gw:
        admin = await operator(gw.port, TOKEN, OPERATOR_SCOPES)
        await fake.wait_identified()
        with anyio.fail_after(10):
            while (await discord_status(admin))["state"] != "connected":
                await anyio.sleep(0.05)
        fake.dispatch("MESSAGE_CREATE", fake.message(thread, alice, "talking among ourselves"))
        mention = fake.message(thread, alice, f"<@{fake.bot['id']}> ping", mentions=[fake.bot])
        fake.dispatch("MESSAGE_CREATE", mention)
        await fake.wait_for(lambda: fake.sent)
        reply = fake.sent[0]
        assert reply.channel_id == thread["id"]  # answered in the thread
        assert 'You said: "ping"' in reply.content
        assert reply.payload["message_reference"]["message_id"] == int(mention["id"])
        status = await discord_status(admin)
        assert status["counters"]["dropped:not-mentioned"] == 1

        sent = await admin.request(
            "send",
            {
                "to": f"user:{alice['id']}",
                "message": "hi from the operator",
                "channel": "discord",
                "idempotencyKey": "k1",
            },
        )
        assert sent.get("ok"), sent
        assert fake.sent[-1].channel_id == fake.dms[alice["id"]]["id"]


async def test_end_to_end_revoked_token_stops_the_account(
    fake: FakeDiscord, gateway_factory
) -> None:
    fake.revoke_token()
    async with gateway_factory(
        extra_plugins=(openclaw_gateway_discord,),
        plugins=gateway_plugins(
            fake, accounts={"default": {"token": "old-token", "api_base": fake.api_base}}
        ),
    ) as gw:
        admin = await operator(gw.port, TOKEN, OPERATOR_SCOPES)
        with anyio.fail_after(10):
            while (status := await discord_status(admin))["state"] != "auth-failed":
                await anyio.sleep(0.05)
        assert "refused the bot token" in status["detail"]
        assert status["restarts"] == 0
        assert "old-token" not in str(status)
    assert fake.requests.count(("GET", "/users/@me")) == 1  # no hammering
