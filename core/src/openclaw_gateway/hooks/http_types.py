"""The request a plugin's HTTP route handler gets and the response it returns."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

import orjson

if TYPE_CHECKING:
    from .gateway_api import GatewayAPI


@dataclass(frozen=True)
class HttpRequest:
    """What a route handler gets. Header names are lower-case. ``gateway`` is the live gateway
    serving the route (its WS ``port``, ``registry``, ``broadcast`` …)."""

    method: str
    path: str
    query: str
    headers: Mapping[str, str]
    body: bytes
    client: str
    gateway: GatewayAPI | None = None

    @property
    def query_params(self) -> dict[str, str]:
        return dict(parse_qsl(self.query))

    def json(self) -> Any:
        """The body parsed as JSON (raises ``orjson.JSONDecodeError``, a ``ValueError``)."""
        return orjson.loads(self.body)


@dataclass(frozen=True)
class HttpResponse:
    """What a route handler returns (``str``, ``bytes``, ``dict`` and ``list`` are converted).

    ``stream`` (instead of ``body``) sends each chunk as it is produced, chunked: server-sent
    events, long downloads. A client that goes away stops the iterator (``aclose``)."""

    body: bytes = b""
    status: int = 200
    content_type: str = "text/plain; charset=utf-8"
    headers: Mapping[str, str] = field(default_factory=dict)
    stream: AsyncIterator[bytes] | None = None

    @classmethod
    def text(cls, text: str, status: int = 200) -> HttpResponse:
        return cls(text.encode(), status)

    @classmethod
    def html(cls, html: str, status: int = 200) -> HttpResponse:
        return cls(html.encode(), status, "text/html; charset=utf-8")

    @classmethod
    def json(
        cls, value: Any, status: int = 200, *, headers: Mapping[str, str] | None = None
    ) -> HttpResponse:
        return cls(orjson.dumps(value), status, "application/json", headers or {})

    @classmethod
    def coerce(cls, value: Any) -> HttpResponse:
        if isinstance(value, HttpResponse):
            return value
        if isinstance(value, str):
            return cls.text(value)
        if isinstance(value, bytes):
            return cls(value, content_type="application/octet-stream")
        if isinstance(value, dict | list):
            return cls.json(value)
        raise TypeError(f"a route handler returned {type(value).__name__}, not an HttpResponse")
