"""The Events API alternative to Socket Mode: Slack POSTs each event to the gateway's HTTP listener.

Request URL (set it under Event Subscriptions): ``https://<public host>/slack/events`` for the
account ``default``, ``/slack/events/<account>`` for any other. Each request is verified with the
account's ``signing_secret`` (HMAC-SHA256 of ``v0:<timestamp>:<body>``, at most five minutes old);
anything unsigned or stale gets 401. The ``url_verification`` handshake Slack sends when you enter
the URL is answered with its challenge. Slack wants an answer within 3 seconds: the event is handed
to the core (which records it and answers later) and we reply 200 at once.

The route asks the gateway that received the request for that account's adapter
(``GatewayAPI.channel_adapter``) and serves it while it runs in events mode: no process-global
registry, so two gateways in one process never take each other's events.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import parse_qsl

import orjson

from openclaw_gateway.api import HttpRequest, HttpResponse

from .config import EVENTS_PATH as PATH
from .inbound import MalformedEvent

MAX_BODY = 1024 * 1024

log = logging.getLogger("openclaw_gateway_slack.events")


async def handle(request: HttpRequest) -> HttpResponse:
    from .adapter import SlackAdapter  # slack_sdk loads on the first request, not at start

    account = request.path.removeprefix(PATH).strip("/") or "default"
    gateway = request.gateway
    found = gateway.channel_adapter("slack", account) if gateway is not None else None
    candidates: list[SlackAdapter] = (
        [found] if isinstance(found, SlackAdapter) and found.events_live else []
    )
    if not candidates:
        return HttpResponse.text(f"no Slack account {account!r} is running in events mode\n", 404)
    timestamp = request.headers.get("x-slack-request-timestamp", "")
    signature = request.headers.get("x-slack-signature", "")
    adapter = next((a for a in candidates if a.verify(request.body, timestamp, signature)), None)
    if adapter is None:
        return HttpResponse.text("bad or stale Slack signature\n", 401)
    if request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        form = dict(parse_qsl(request.body.decode("utf-8", "replace")))
        if "command" in form:  # a slash command whose Request URL points here
            try:
                await adapter.handle_command(form)
            except MalformedEvent as exc:
                log.warning("slack events: skipped a malformed slash command: %s", exc)
                adapter.ctx.count("skipped:malformed")
        return HttpResponse.text("")  # interactivity payloads: acknowledged, not handled
    try:
        payload: Any = orjson.loads(request.body)
    except orjson.JSONDecodeError:
        adapter.ctx.count("skipped:malformed")
        return HttpResponse.text("the body is not JSON\n", 400)
    if isinstance(payload, dict) and payload.get("type") == "url_verification":
        return HttpResponse.json({"challenge": payload.get("challenge")})
    try:
        await adapter.handle_payload(payload)
    except MalformedEvent as exc:
        # Answered 200 all the same: Slack would retry a 4xx, and no retry makes it well-formed.
        log.warning("slack events: skipped a malformed event: %s", exc)
        adapter.ctx.count("skipped:malformed")
    return HttpResponse.text("")
