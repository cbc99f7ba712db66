"""Webhook mode: Telegram POSTs each update to ``/telegram/webhook/<account>`` on the gateway's
HTTP listener (put a TLS reverse proxy in front: Telegram's cloud only calls https:// URLs).

Every request must carry ``X-Telegram-Bot-Api-Secret-Token`` equal to the account's
``webhook_secret`` (compared in constant time); anything else gets 401 and is not parsed. The
route answers 200 once the update is handed to the core, so Telegram's own retry covers a
gateway that is restarting (it re-sends until it gets a 2xx).
"""

from __future__ import annotations

import hmac
from typing import TYPE_CHECKING

import orjson

from openclaw_gateway.api import HttpRequest, HttpResponse

if TYPE_CHECKING:
    from .adapter import TelegramAdapter

PREFIX = "/telegram/webhook/"
SECRET_HEADER = "x-telegram-bot-api-secret-token"  # noqa: S105 (a header name)


def _match(request: HttpRequest, account: str, secret: str) -> TelegramAdapter | None:
    """The adapter of ``account`` on the gateway that got the request, if it is in webhook mode
    and ``secret`` is its webhook secret (compared in constant time)."""
    from .adapter import TelegramAdapter

    gateway = request.gateway
    adapter = gateway.channel_adapter("telegram", account) if gateway is not None else None
    if not isinstance(adapter, TelegramAdapter) or not adapter.webhook_live:
        return None
    expected = adapter.config.webhook_secret
    if expected is None or not hmac.compare_digest(
        expected.get_secret_value().encode(), secret.encode()
    ):
        return None
    return adapter


async def handle(request: HttpRequest) -> HttpResponse:
    account = request.path.removeprefix(PREFIX)
    adapter = _match(request, account, request.headers.get(SECRET_HEADER, ""))
    if adapter is None:
        return HttpResponse.json({"ok": False, "error": "unknown account or bad secret token"}, 401)
    try:
        raw = orjson.loads(request.body)
    except orjson.JSONDecodeError:
        adapter._drop("malformed", "webhook body is not JSON")
        return HttpResponse.json({"ok": True})  # a 4xx would only make Telegram re-send it
    await adapter.handle_raw_update(raw)
    return HttpResponse.json({"ok": True})
