"""The Cloud API webhook on the gateway's HTTP listener: ``/whatsapp/webhook[/<account>]``.

- ``GET`` is Meta's verification handshake: ``hub.mode=subscribe`` with the account's
  ``verify_token`` is answered with ``hub.challenge``; anything else gets 403.
- ``POST`` must carry ``X-Hub-Signature-256: sha256=<HMAC-SHA256 of the raw body with the app
  secret>``: unsigned or wrongly signed posts get 401 and nothing is read from them. A verified
  post is answered 200 once its messages were handed to the core (a 5xx would make Meta retry).

The route asks the gateway that received the request for that account's adapter
(``GatewayAPI.channel_adapter``): no process-global registry.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import TYPE_CHECKING

import orjson

from openclaw_gateway.api import HttpRequest, HttpResponse

from .config import WEBHOOK_PATH

if TYPE_CHECKING:
    from .cloud import CloudAdapter


def signature_ok(body: bytes, header: str | None, app_secret: str) -> bool:
    if not header or not header.startswith("sha256="):
        return False
    expected = hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(header.removeprefix("sha256=").lower(), expected)


def _adapter(request: HttpRequest) -> CloudAdapter | None:
    from .cloud import CloudAdapter

    account = request.path.removeprefix(WEBHOOK_PATH).strip("/") or "default"
    gateway = request.gateway
    found = gateway.channel_adapter("whatsapp", account) if gateway is not None else None
    return found if isinstance(found, CloudAdapter) and found.live else None


async def handle(request: HttpRequest) -> HttpResponse:
    adapter = _adapter(request)
    if adapter is None:
        return HttpResponse.text("no such WhatsApp Cloud account\n", 404)
    config = adapter.config
    assert config.verify_token is not None and config.app_secret is not None
    if request.method in ("GET", "HEAD"):
        params = request.query_params
        token = params.get("hub.verify_token", "")
        if params.get("hub.mode") == "subscribe" and hmac.compare_digest(
            token.encode(), config.verify_token.get_secret_value().encode()
        ):
            return HttpResponse.text(params.get("hub.challenge", ""))
        return HttpResponse.text("verification refused\n", 403)
    header = request.headers.get("x-hub-signature-256")
    if not signature_ok(request.body, header, config.app_secret.get_secret_value()):
        adapter.ctx.count("webhook:bad-signature")
        return HttpResponse.text("bad signature\n", 401)
    try:
        payload = orjson.loads(request.body)
    except orjson.JSONDecodeError:
        adapter.ctx.count("skipped:malformed")
        return HttpResponse.text("ok\n")  # signed but unreadable: retrying will not help
    await adapter.handle_post(payload)
    return HttpResponse.text("ok\n")
