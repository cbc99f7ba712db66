"""Operator access over HTTP: ``Authorization: Bearer <shared secret>``, rate limited.

The metrics and OpenAI-compatible routes are operator surfaces (the reference treats a bearer
shared secret as full operator access). Failures count against the same per-client limiter as
WebSocket handshakes, loopback included, so a local process cannot guess the token over HTTP
either; while locked out a client gets 429 with ``Retry-After`` and its guesses are not checked.
"""

from __future__ import annotations

import orjson

from ..hooks.http_types import HttpRequest, HttpResponse


def _refusal(status: int, message: str, kind: str, headers: dict[str, str]) -> HttpResponse:
    # The OpenAI error shape: what the clients of these routes (SDKs, scrapers) can show.
    body = orjson.dumps({"error": {"message": message, "type": kind, "code": None}})
    return HttpResponse(body, status, "application/json", headers)


def require_operator(request: HttpRequest) -> HttpResponse | None:
    """None when ``request`` carries the gateway's shared secret as a bearer token, else the
    response to send: 401 with ``WWW-Authenticate``, or 429 with ``Retry-After`` while locked."""
    if request.gateway is None:
        return _refusal(503, "no gateway behind this route", "unavailable", {})
    check = request.gateway.check_bearer(request.headers.get("authorization"), request.client)
    if check.ok:
        return None
    if check.retry_after_s is not None:
        return _refusal(
            429,
            "too many failed authentication attempts; retry later",
            "rate_limit_exceeded",
            {"retry-after": str(check.retry_after_s)},
        )
    return _refusal(
        401,
        "missing or wrong bearer token: send `Authorization: Bearer <gateway token>`"
        " (`openclaw-gateway token` prints it)",
        "unauthorized",
        {"www-authenticate": 'Bearer realm="openclaw-gateway"'},
    )
