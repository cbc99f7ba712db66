"""Slack Socket Mode over ``websockets``: events arrive on a WebSocket the gateway opens, so no
public URL is needed.

The protocol (https://docs.slack.dev/apis/events-api/using-socket-mode/)::

    POST apps.connections.open (app token)  → {"ok": true, "url": "wss://…/link/?ticket=…"}
    connect                                  ← {"type": "hello", "num_connections": 1, …}
                                             ← {"type": "events_api", "envelope_id": "…",
                                                "payload": {"type": "event_callback", "event": …}}
    ack every envelope                       → {"envelope_id": "…"}
                                             ← {"type": "disconnect", "reason": "refresh_requested"}

An envelope left unacknowledged is delivered again (``retry_attempt`` + 1), so we acknowledge
*after* handing the message to the core: a socket that drops in between costs a duplicate (the
core de-duplicates), never a lost message.

Why not slack-sdk's own ``slack_sdk.socket_mode.websockets.SocketModeClient``: it runs its work in
detached asyncio tasks outside our task group (no supervision, no cancellation), notices a dropped
socket only on its next ping-interval poll (10 s), logs and swallows every error — a revoked token
would be retried forever instead of surfacing as :class:`AuthError` — buffers frames in an
unbounded queue, handles each one in a fire-and-forget task (order lost), and its "optional" extra
pins ``websockets<17`` while the core runs 17. The protocol is four message types; this module is
the whole of it, with anyio structure and our own backoff.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import anyio
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import WebSocketException

from openclaw_gateway.api import AuthError, Backoff, TransientSendError

from .inbound import MalformedEvent

MAX_FRAME = 4 * 1024 * 1024
"""The largest frame we accept (Slack's envelopes are a few KiB; a message is at most 40k chars)."""


class Dropped(Exception):
    """Raised when the socket closes without Slack's ``disconnect`` message first."""


class SocketMode:
    """One account's Socket Mode link: :meth:`run` connects, acknowledges, reconnects — until
    cancelled, or until the credentials are refused (:class:`AuthError`).

    ``open_url()`` calls ``apps.connections.open``; ``handle(payload)`` gets each events_api
    payload, ``handle_command(payload)`` each slash command (other envelopes are only acked);
    ``count(reason)`` counts what was skipped (``channels status``); ``status(state, detail)`` reports. ``backoff`` is ``(first, max)`` seconds between
    failed attempts (doubled each time, with jitter; reset by a ``hello``).
    """

    def __init__(
        self,
        *,
        open_url: Callable[[], Awaitable[str]],
        handle: Callable[[Any], Awaitable[None]],
        handle_command: Callable[[Any], Awaitable[None]] | None = None,
        status: Callable[[str, str | None], None],
        log: logging.Logger,
        count: Callable[[str], None] = lambda reason: None,
        backoff: tuple[float, float] = (1.0, 60.0),
        ping_interval: float = 10.0,
    ) -> None:
        self.open_url = open_url
        self.handle = handle
        self.handle_command = handle_command
        self.status = status
        self.count = count
        self.log = log
        self.backoff = backoff
        self.ping_interval = ping_interval
        self.connections = 0
        """Sockets opened so far (for status and tests)."""
        self.hello: dict[str, Any] | None = None

    async def run(self) -> None:
        policy = Backoff(first=self.backoff[0], cap=self.backoff[1], jitter=True)
        failures = 0  # consecutive attempts without a healthy session (a ``hello`` resets it)
        while True:
            self.hello = None
            try:
                url = await self.open_url()
                async with connect(
                    url,
                    ping_interval=self.ping_interval,
                    ping_timeout=self.ping_interval,
                    open_timeout=15,
                    max_size=MAX_FRAME,
                ) as ws:
                    self.connections += 1
                    reason = await self._session(ws)
                detail = f"Slack asked us to reconnect ({reason})"
            except AuthError:
                raise
            except (TransientSendError, Dropped, WebSocketException, OSError, TimeoutError) as exc:
                detail = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
                retry_after = getattr(exc, "retry_after", None)
                failures = 1 if self.hello is not None else failures + 1
                pause = max(retry_after or 0.0, policy.delay(failures))
                self.log.warning("slack socket: %s; reconnecting in %.1fs", detail, pause)
                self.status("reconnecting", detail)
                await anyio.sleep(pause)
                continue
            # A requested reconnect: at once after a healthy session, else backed off, so a server
            # that answers every connection with "disconnect" cannot spin us.
            self.log.info("slack socket: %s", detail)
            self.status("reconnecting", detail)
            if self.hello is None:
                failures += 1
                await anyio.sleep(policy.delay(failures))
            else:
                failures = 0

    async def _session(self, ws: ClientConnection) -> str:
        """Serve one socket; returns the reason of Slack's ``disconnect``, raises on a drop."""
        async for raw in ws:
            frame = _parse(raw)
            if frame is None:
                self.log.warning("slack socket: skipped a frame that is not a JSON object")
                self.count("skipped:malformed")
                continue
            kind = frame.get("type")
            if kind == "hello":
                self.hello = frame
                self.status("connected", None)
                continue
            if kind == "disconnect":
                reason = str(frame.get("reason") or "unknown")
                if reason == "link_disabled":
                    raise AuthError(
                        "Socket Mode is turned off for this app (disconnect: link_disabled): turn"
                        " it on under Settings → Socket Mode, or use mode = 'events'"
                    )
                return reason
            envelope_id = frame.get("envelope_id")
            if not isinstance(envelope_id, str) or not envelope_id:
                self.log.debug("slack socket: ignored a %r frame without envelope_id", kind)
                continue
            handler = {"events_api": self.handle, "slash_commands": self.handle_command}.get(
                str(kind)
            )
            if handler is not None:
                try:
                    await handler(frame.get("payload"))
                except MalformedEvent as exc:
                    self.log.warning("slack socket: skipped a malformed event: %s", exc)
                    self.count("skipped:malformed")
                except Exception:
                    # A message we cannot take must not come back forever: log it, ack it.
                    self.count("skipped:error")
                    self.log.exception(
                        "slack socket: envelope %s could not be handled", envelope_id
                    )
            else:
                self.log.debug("slack socket: acknowledged a %r envelope (not handled)", kind)
            await ws.send(json.dumps({"envelope_id": envelope_id}))
        raise Dropped("the socket closed without a disconnect message")


def _parse(raw: str | bytes) -> dict[str, Any] | None:
    try:
        value = json.loads(raw)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None
