"""From an inbound message to a reply: de-duplication, a per-sender rate limit, DM policy and
pairing codes, group gating, the attachments fetched for the agent, the peer's session, an agent
run with a typing indicator, and a chunked reply with retries.

A burst on one conversation is answered **one run per message, in order** (the reference's
``followup`` queue mode): each message takes a place in its conversation's :class:`Lanes` when it
arrives, is submitted to the agent only after the messages before it were, and its reply goes out
only after theirs — whatever each one's gating or attachment downloads cost. The run sees the
transcript as it was when its turn came (its own message last), and the transcript alternates.

Every message that is not answered is counted with its reason (``channels.status``); a reply that
cannot be delivered is reported (counter, log, ``channels.delivery`` event), never silently lost.

Why one file of ~530 lines: it is one flow, read top to bottom (deliver → gate → answer → send →
drain), and the ordering guarantees above hold only if every step keeps its place in the lane;
the pure pieces (chunking, the account state) already live beside it.
"""

from __future__ import annotations

import contextlib
import logging
import time
import uuid
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import anyio

from ..agent import media
from ..agent.media import StoredMedia, Unavailable
from ..agent.sessions import peer_session_key
from ..backoff import Backoff
from ..clock import now_ms
from ..state import channels as store
from ..state import sessions as session_store
from .adapter import AttachmentError, ChannelAdapter, PermanentSendError, TransientSendError
from .chunking import chunk_text
from .model import Attachment, InboundMessage, OutboundMessage, SendResult

if TYPE_CHECKING:
    from collections.abc import Callable

    from ..agent.runs import RunManager
    from ..runtime import Broadcast, Spawn
    from ..state.db import Database
    from .account import AccountState
    from .config import ChannelConfig

log = logging.getLogger("openclaw_gateway.channels.router")

SEND_ATTEMPTS = 5
SEND_RETRY = Backoff(first=0.5, cap=30.0)
"""Between attempts of a chunk: 0.5 s, 1 s, 2 s, 4 s (a 429's retry_after wins)."""
TYPING_EVERY = 4.0
DEDUPE_SIZE = 10_000
FETCH_TIMEOUT = 60.0
LIMITER_SIZE = 10_000


class Deduper:
    """Remembers the last ``size`` message keys (surfaces redeliver after reconnects)."""

    def __init__(self, size: int = DEDUPE_SIZE) -> None:
        self.size = size
        self._seen: OrderedDict[tuple[str, str, str, str], None] = OrderedDict()

    def first_time(self, msg: InboundMessage) -> bool:
        key = (msg.channel, msg.account, msg.chat_id, msg.message_id)
        if key in self._seen:
            return False
        self._seen[key] = None
        while len(self._seen) > self.size:
            self._seen.popitem(last=False)
        return True


@dataclass(eq=False)
class Place:
    """One message's place in its conversation: set when it was submitted, and when answered."""

    submitted: anyio.Event = field(default_factory=anyio.Event)
    replied: anyio.Event = field(default_factory=anyio.Event)


_DONE = Place()
_DONE.submitted.set()
_DONE.replied.set()


@dataclass(frozen=True)
class InFlight:
    """A message being answered: what shutdown needs to finish it or apologise."""

    state: AccountState
    adapter: ChannelAdapter
    msg: InboundMessage


class ShuttingDown(RuntimeError):
    """Raised to a surface delivering a message while the gateway stops: not accepted (a polling
    surface such as Telegram then leaves it unconfirmed, and gets it again after the restart)."""


class Lanes:
    """Arrival order per conversation (session key): a message waits for the one before it to be
    submitted before it submits, and for its reply before it replies. Only the last place of
    each conversation is remembered, and forgotten once answered. Also what is in flight, so a
    shutdown can let the replies finish (:func:`drain`)."""

    def __init__(self) -> None:
        self._last: dict[str, Place] = {}
        self.in_flight: dict[Place, InFlight] = {}
        self.closed = False
        self._idle = anyio.Event()
        self._idle.set()

    def join(self, key: str, flight: InFlight) -> tuple[Place, Place]:
        """``(before, mine)``: the place to wait for, and this message's own."""
        before = self._last.get(key, _DONE)
        mine = self._last[key] = Place()
        self.in_flight[mine] = flight
        if self._idle.is_set():
            self._idle = anyio.Event()
        return before, mine

    def leave(self, key: str, place: Place) -> None:
        """Mark ``place`` answered (or dropped); forget the conversation if it was the last."""
        place.submitted.set()
        place.replied.set()
        if self._last.get(key) is place:
            del self._last[key]
        self.in_flight.pop(place, None)
        if not self.in_flight:
            self._idle.set()

    async def idle(self) -> None:
        await self._idle.wait()

    def __len__(self) -> int:
        return len(self._last)


class SenderLimiter:
    """A token bucket per sender (``rate_limit_per_minute``, bursts of ``rate_limit_burst``), so
    one chatty or hostile account can neither run up model costs nor make the bot spam pairing
    codes. Remembers the last ``size`` senders."""

    def __init__(self, size: int = LIMITER_SIZE) -> None:
        self.size = size
        self._buckets: OrderedDict[tuple[str, str, str], tuple[float, float, bool]] = OrderedDict()

    def allow(
        self, key: tuple[str, str, str], per_minute: int, burst: int, now: float | None = None
    ) -> tuple[bool, bool]:
        """``(allowed, first_refusal)``: the second is True once per run of refused messages."""
        if per_minute <= 0:
            return True, False
        now = time.monotonic() if now is None else now
        tokens, last, refused = self._buckets.pop(key, (float(burst), now, False))
        tokens = min(float(burst), tokens + (now - last) * per_minute / 60.0)
        allowed = tokens >= 1.0
        first_refusal = not allowed and not refused
        self._buckets[key] = (tokens - 1.0 if allowed else tokens, now, not allowed)
        while len(self._buckets) > self.size:
            self._buckets.popitem(last=False)
        return allowed, first_refusal


@dataclass
class ChannelRuntime:
    """What answering channel messages needs: the collaborators the router calls and its own
    state (dedupe window, per-sender limits, per-session lanes)."""

    db: Database
    runs: RunManager
    broadcast: Broadcast
    spawn: Spawn
    config_of: Callable[[str], ChannelConfig[Any] | None]
    dedupe: Deduper = field(default_factory=Deduper)
    limiter: SenderLimiter = field(default_factory=SenderLimiter)
    lanes: Lanes = field(default_factory=Lanes)


async def deliver_inbound(rt: ChannelRuntime, state: AccountState, msg: InboundMessage) -> None:
    """The ``ChannelContext.deliver`` of every account: decide, then answer in the background."""
    state.counters["received"] += 1
    if not rt.dedupe.first_time(msg):
        state.counters["dropped:duplicate"] += 1
        return
    adapter = state.adapter
    if adapter is None:
        state.counters["dropped:not-ready"] += 1
        return
    config = rt.config_of(msg.channel)
    if config is not None:
        allowed, first_refusal = rt.limiter.allow(
            (msg.channel, msg.account, msg.sender_id),
            config.rate_limit_per_minute,
            config.rate_limit_burst,
        )
        if not allowed:
            state.counters["dropped:rate-limited"] += 1
            if first_refusal and not msg.is_group:
                rt.spawn(lambda: _tell_slow_down(rt, state, adapter, msg))
            return
    if rt.lanes.closed:
        raise ShuttingDown("the gateway is stopping; not accepting messages")
    key = _session_key(msg)
    before, mine = rt.lanes.join(key, InFlight(state, adapter, msg))  # in arrival order
    rt.spawn(lambda: _handle(rt, state, adapter, msg, key, before, mine))


def _session_key(msg: InboundMessage) -> str:
    return peer_session_key(
        msg.channel,
        msg.chat_id,
        group=msg.is_group,
        account=None if msg.account == "default" else msg.account,
        thread_id=msg.thread_id,
    )


async def _tell_slow_down(
    rt: ChannelRuntime, state: AccountState, adapter: ChannelAdapter, msg: InboundMessage
) -> None:
    text = "You are sending messages faster than this assistant answers; please wait a minute."
    with contextlib.suppress(PermanentSendError):  # already counted and reported
        await send_text(rt, state, adapter, msg.chat_id, text, thread_id=msg.thread_id)


async def _handle(
    rt: ChannelRuntime,
    state: AccountState,
    adapter: ChannelAdapter,
    msg: InboundMessage,
    key: str,
    before: Place,
    mine: Place,
) -> None:
    try:
        reason = await _gate(rt, state, adapter, msg)
        if reason is not None:
            state.counters[f"dropped:{reason}"] += 1
            return
        await _answer(rt, state, adapter, msg, key, before, mine)
    except PermanentSendError:
        pass  # already counted, logged once and reported as a delivery failure by send_with_retry
    except Exception:
        state.counters["dropped:internal-error"] += 1
        log.exception("%s/%s: handling message %s failed", msg.channel, msg.account, msg.message_id)
    finally:
        rt.lanes.leave(key, mine)


async def _gate(
    rt: ChannelRuntime, state: AccountState, adapter: ChannelAdapter, msg: InboundMessage
) -> str | None:
    """None when the message may reach the agent, else the reason it is dropped."""
    config = rt.config_of(msg.channel)
    if config is None:
        return "not-configured"
    if msg.is_group:
        if config.group_policy == "disabled":
            return "groups-disabled"
        if config.group_policy == "allowlist" and msg.chat_id not in config.groups:
            return "group-not-allowed"
        if config.require_mention and not msg.mentions_bot and msg.command is None:
            return "not-mentioned"
        return None
    policy = config.dm_policy
    if policy == "disabled":
        return "dms-disabled"
    if policy == "open" or msg.sender_id in config.allow_from:
        return None
    db = rt.db
    if await db.run(store.is_allowed, db.conn, msg.channel, msg.sender_id):
        return None
    if policy == "allowlist":
        return "sender-not-allowed"
    code, fresh = await db.run(
        store.issue_code,
        db.conn,
        channel=msg.channel,
        account=msg.account,
        sender_id=msg.sender_id,
        sender_name=msg.sender_name,
        chat_id=msg.chat_id,
        now_ms=now_ms(),
    )
    if code is None:
        return "pairing-limit"
    if fresh:
        rt.broadcast(
            "channels.pairing.requested",
            {
                "channel": msg.channel,
                "code": code.code,
                "senderId": msg.sender_id,
                "senderName": msg.sender_name,
                "expiresAtMs": code.expires_at_ms,
            },
        )
    text = (
        "This assistant only answers people its operator approved.\n"
        f"Your pairing code: {code.code} (valid for 1 hour).\n"
        f"Ask the operator to run: openclaw-gateway pairing approve {msg.channel} {code.code}"
    )
    await send_text(rt, state, adapter, msg.chat_id, text, thread_id=msg.thread_id)
    return "pairing-required"


async def _answer(
    rt: ChannelRuntime,
    state: AccountState,
    adapter: ChannelAdapter,
    msg: InboundMessage,
    session_key: str,
    before: Place,
    mine: Place,
) -> None:
    config = rt.config_of(msg.channel)
    limit = config.max_inbound_chars if config is not None else None
    if limit is not None and len(msg.text) > limit:
        # Not for the agent (cost, context window); the sender learns why and what to do.
        state.counters["dropped:too-long"] += 1
        await before.replied.wait()
        await send_text(
            rt,
            state,
            adapter,
            msg.chat_id,
            f"That message is too long for this assistant ({len(msg.text):,} characters; the"
            f" limit is {limit:,}). Please shorten it, or send it as a file.",
            thread_id=msg.thread_id,
            reply_to=msg.message_id,
        )
        return
    reset = msg.command in ("new", "reset")
    greeting = msg.command == "start" and not msg.text.strip()
    # Downloads run in parallel, but messages reach the session in the order they arrived.
    fetched = [] if reset or greeting else await _fetch_media(rt, state, adapter, msg)
    await before.submitted.wait()
    try:
        if reset:
            db = rt.db
            await db.run(session_store.reset_session, db.conn, session_key)
            reply = "Started a new conversation."
            reply_to = None
        elif greeting:
            reply = "Hi! Send me a message and the assistant will answer."
            reply_to = None
        else:
            run = await rt.runs.submit(
                run_id=f"{msg.channel}:{msg.account}:{msg.chat_id}:{msg.message_id}:{uuid.uuid4().hex[:8]}",
                session_key=session_key,
                message=msg.text,
                kind="channel",
                media=fetched,
            )
            mine.submitted.set()
            async with anyio.create_task_group() as tg:
                tg.start_soon(_keep_typing, adapter, msg)
                await run.done.wait()
                tg.cancel_scope.cancel()
            reply = (
                run.text
                if run.status == "ok"
                else (run.text or f"Sorry, that failed: {run.error or run.status}")
            )
            reply_to = msg.message_id
    finally:
        mine.submitted.set()
    await before.replied.wait()  # replies go out in the order the messages came
    if reply.strip():
        await send_text(
            rt, state, adapter, msg.chat_id, reply, thread_id=msg.thread_id, reply_to=reply_to
        )


def _expected_mime(att: Attachment) -> str:
    mime = media.guess_mime(att.name, att.mime)
    if mime == "application/octet-stream" and att.kind in ("image", "sticker"):
        return "image/jpeg"  # e.g. Telegram photos: JPEG without a name or type
    return mime


async def _fetch_media(
    rt: ChannelRuntime, state: AccountState, adapter: ChannelAdapter, msg: InboundMessage
) -> list[StoredMedia | Unavailable]:
    """Download and store each attachment for the agent. A failure never drops the message: the
    agent is told which file it could not read and why."""
    fetch = adapter.fetch_attachment
    out: list[StoredMedia | Unavailable] = []
    for att in msg.attachments[: media.MAX_ATTACHMENTS]:
        name = att.name or att.kind
        mime = _expected_mime(att)
        limit = media.limit_for(mime)
        if att.size is not None and att.size > limit:
            state.counters["attachments:too-large"] += 1
            out.append(Unavailable(name, f"{att.size} bytes is over the {limit}-byte limit"))
            continue
        try:
            with anyio.fail_after(FETCH_TIMEOUT):
                data = await fetch(att, max_bytes=limit)
            out.append(await rt.runs.media.save(data, name=att.name, mime=mime))
            state.counters["attachments:fetched"] += 1
        except (AttachmentError, media.MediaRejected) as exc:
            state.counters["attachments:failed"] += 1
            out.append(Unavailable(name, str(exc)))
        except TimeoutError:
            state.counters["attachments:failed"] += 1
            out.append(Unavailable(name, f"the download took over {FETCH_TIMEOUT:g} s"))
        except Exception as exc:  # a plugin bug must not lose the message
            state.counters["attachments:failed"] += 1
            log.warning("%s/%s: fetching %s failed: %r", msg.channel, msg.account, name, exc)
            out.append(Unavailable(name, f"download failed ({type(exc).__name__})"))
    return out


async def _keep_typing(adapter: ChannelAdapter, msg: InboundMessage) -> None:
    while True:
        try:
            await adapter.typing(msg.chat_id, msg.thread_id)
        except Exception as exc:  # a typing indicator is best effort
            log.debug("typing indicator failed: %s", exc)
        await anyio.sleep(TYPING_EVERY)


async def send_text(
    rt: ChannelRuntime,
    state: AccountState,
    adapter: ChannelAdapter,
    chat_id: str,
    text: str,
    *,
    thread_id: str | None = None,
    reply_to: str | None = None,
    attachments: list[Attachment] | None = None,
) -> list[SendResult]:
    """Send ``text`` chunked to the surface's limit; each chunk retried on transient failures.
    ``attachments`` ride on the first message (the surface may caption them with its text).

    Raises :class:`PermanentSendError` (after reporting it) when a chunk cannot be delivered.
    """
    results = []
    chunks = chunk_text(text, adapter.text_limit) or [""]
    for i, chunk in enumerate(chunks):
        out = OutboundMessage(
            chat_id=chat_id,
            text=chunk,
            thread_id=thread_id,
            reply_to=reply_to if i == 0 else None,
            attachments=(attachments or []) if i == 0 else [],
        )
        results.append(await send_with_retry(rt, state, adapter, out))
    return results


async def send_with_retry(
    rt: ChannelRuntime, state: AccountState, adapter: ChannelAdapter, out: OutboundMessage
) -> SendResult:
    for attempt in range(1, SEND_ATTEMPTS + 1):
        try:
            result = await adapter.send(out)
            state.counters["sent"] += 1
            return result
        except TransientSendError as exc:
            state.counters["send-retries"] += 1
            if attempt == SEND_ATTEMPTS:
                _report_undelivered(rt, state, out, f"gave up after {attempt} attempts: {exc}")
                raise PermanentSendError(str(exc)) from exc
            wait = exc.retry_after if exc.retry_after is not None else SEND_RETRY.delay(attempt)
            await anyio.sleep(min(wait, 60.0))
        except PermanentSendError as exc:
            _report_undelivered(rt, state, out, str(exc))
            raise
    raise AssertionError("unreachable")


def _report_undelivered(
    rt: ChannelRuntime, state: AccountState, out: OutboundMessage, reason: str
) -> None:
    state.counters["undeliverable"] += 1
    state.last_error = f"undeliverable to {out.chat_id}: {reason}"
    log.error(
        "%s/%s: reply to %s undeliverable: %s", state.channel, state.account, out.chat_id, reason
    )
    rt.broadcast(
        "channels.delivery",
        {
            "channel": state.channel,
            "accountId": state.account,
            "to": out.chat_id,
            "ok": False,
            "error": reason,
        },
    )


RESTART_APOLOGY = (
    "Sorry, the assistant was restarting and could not finish answering your last message."
    " Please send it again in a minute."
)


async def drain(rt: ChannelRuntime, grace_s: float) -> int:
    """At shutdown: accept no new messages, let the ones in flight be answered for up to
    ``grace_s``, then tell each sender still waiting that the reply was lost (and log it).
    Returns how many could not be finished."""
    lanes = rt.lanes
    lanes.closed = True
    with anyio.move_on_after(grace_s):
        await lanes.idle()
    unfinished = list(lanes.in_flight.values())
    for flight in unfinished:
        msg = flight.msg
        log.warning(
            "%s/%s: shutting down before the reply to %s in %s was sent; telling the sender",
            msg.channel,
            msg.account,
            msg.message_id,
            msg.chat_id,
        )
        flight.state.counters["dropped:shutdown"] += 1
        with anyio.move_on_after(3), contextlib.suppress(Exception):
            await flight.adapter.send(
                OutboundMessage(
                    chat_id=msg.chat_id,
                    text=RESTART_APOLOGY,
                    thread_id=msg.thread_id,
                    reply_to=msg.message_id,
                )
            )
    return len(unfinished)
