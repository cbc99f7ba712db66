"""Prometheus metrics for openclaw-gateway: ``GET /metrics`` (and the reference's
``GET /api/diagnostics/prometheus``) on the plugin HTTP port, for operators only.

Off until configured (``[plugins.metrics]``), as the reference ships its exporter as an opt-in
plugin. Never public: every scrape needs ``Authorization: Bearer <gateway token>`` (the shared
secret is full operator access, which includes ``operator.read``); failures count against the
gateway's auth rate limit.

Nothing is counted here. The core keeps cheap counters (``GatewayAPI.metrics()``); a scrape
copies them into a fresh ``CollectorRegistry`` (no global registry, so several gateways in one
process never mix) and renders the text exposition format. ``prometheus_client`` is imported at
the first scrape, so an installed, idle exporter costs nothing at start-up.
"""

from __future__ import annotations

from collections.abc import Callable

from pydantic import BaseModel, ConfigDict

from openclaw_gateway.api import (
    ConfigSection,
    HttpRequest,
    HttpResponse,
    HttpRoute,
    hookimpl,
    require_operator,
)

PATHS = ("/metrics", "/api/diagnostics/prometheus")


class MetricsConfig(BaseModel):
    """``[plugins.metrics]``: its presence turns the exporter on."""

    model_config = ConfigDict(extra="forbid")

    process: bool = True
    """Include the process collector (RSS, CPU seconds, open file descriptors)."""


@hookimpl
def register_config(register: Callable[[ConfigSection], None]) -> None:
    register(ConfigSection(name="metrics", model=MetricsConfig, required=True))


@hookimpl
def register_http_routes(register: Callable[[HttpRoute], None]) -> None:
    for path in PATHS:
        register(HttpRoute(path=path, handler=scrape))


async def scrape(request: HttpRequest) -> HttpResponse:
    gateway = request.gateway
    if gateway is None:  # pragma: no cover - the listener always passes the gateway
        return HttpResponse.text("no gateway", 503)
    refused = require_operator(request)
    if refused is not None:
        return refused
    from .exposition import render

    config = gateway.plugin_config("metrics", MetricsConfig)
    body, content_type = render(gateway.metrics(), process=config.process)
    return HttpResponse(body, 200, content_type)
