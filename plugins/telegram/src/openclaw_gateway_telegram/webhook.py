"""Webhook mode: Telegram POSTs each update to ``/telegram/webhook/<account>`` on the gateway's
HTTP listener (put a TLS reverse proxy in front: Telegram's cloud only calls https:// URLs).

Every request must carry ``X-Telegram-Bot-Api-Secret-Token`` equal to the account's
``webhook_secret`` (compared in constant time); anything else gets 401 and is not parsed. The
route answers 200 once the update is handed to the core, so Telegram's own retry covers a
gateway that is restarting (it re-sends until it gets a 2xx).
"""

from __future__ import annotations

import hmac
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import orjson

from openclaw_gateway.api import HttpRequest, HttpResponse

if TYPE_CHECKING:
    from .adapter import TelegramAdapter

PREFIX = "/telegram/webhook/"
SECRET_HEADER = "x-telegram-bot-api-secret-token"  # noqa: S105 (a header name)

_live: dict[str, list[TelegramAdapter]] = {}
"""Adapters in webhook mode, by account name (several gateways may share a process in tests)."""


@contextmanager
def registered(adapter: TelegramAdapter) -> Iterator[None]:
    _live.setdefault(adapter.ctx.account, []).append(adapter)
    try:
        yield
    finally:
        _live[adapter.ctx.account].remove(adapter)


def _match(account: str, secret: str) -> TelegramAdapter | None:
    for adapter in _live.get(account, []):
        expected = adapter.config.webhook_secret
        if expected is not None and hmac.compare_digest(
            expected.get_secret_value().encode(), secret.encode()
        ):
            return adapter
    return None


async def handle(request: HttpRequest) -> HttpResponse:
    account = request.path.removeprefix(PREFIX)
    adapter = _match(account, request.headers.get(SECRET_HEADER, ""))
    if adapter is None:
        return HttpResponse.json({"ok": False, "error": "unknown account or bad secret token"}, 401)
    try:
        raw = orjson.loads(request.body)
    except orjson.JSONDecodeError:
        adapter._drop("malformed", "webhook body is not JSON")
        return HttpResponse.json({"ok": True})  # a 4xx would only make Telegram re-send it
    await adapter.handle_raw_update(raw)
    return HttpResponse.json({"ok": True})
