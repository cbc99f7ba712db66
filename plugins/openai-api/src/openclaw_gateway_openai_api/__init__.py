"""An OpenAI-compatible HTTP API for the gateway's agent: ``POST /v1/chat/completions``
(streaming and not) and ``GET /v1/models`` on the plugin HTTP port.

As in the reference (docs/gateway/openai-http-api.md): off until configured
(``[plugins.openai_api]``); the bearer is the gateway token or password, which makes the caller a
full operator — keep the port on loopback, a tailnet or private ingress; the OpenAI ``model`` is an
*agent target* (``openclaw``, ``openclaw/default``, ``openclaw/<agentId>``, ``openclaw:<agentId>``,
``agent:<agentId>``), not a provider model; every request is a normal agent run (transcript,
``agent``/``chat`` events, tools).

Sessions: stateless by default (a new session per request, the whole ``messages`` history given to
the agent as context); the OpenAI ``user`` field, or ``x-openclaw-session-key``, continues one
session, and then only the newest user message is sent (the session already holds the rest).

Limits: 20 MB request bodies, 8 images from the newest user message, 20 MB of decoded image data,
images only as ``data:`` URLs of an allowed type (remote image URLs are never fetched).
"""

from __future__ import annotations

from collections.abc import Callable

from openclaw_gateway.api import ConfigSection, HttpRequest, HttpResponse, HttpRoute, hookimpl

from .config import MAX_BODY, OpenAiApiConfig

__all__ = ["OpenAiApiConfig"]


@hookimpl
def register_config(register: Callable[[ConfigSection], None]) -> None:
    register(ConfigSection(name="openai_api", model=OpenAiApiConfig, required=True))


@hookimpl
def register_http_routes(register: Callable[[HttpRoute], None]) -> None:
    register(
        HttpRoute(
            path="/v1/chat/completions",
            handler=chat_completions,
            methods=("POST",),
            max_body=MAX_BODY,
        )
    )
    register(HttpRoute(path="/v1/models", handler=list_models))
    register(HttpRoute(path="/v1/models/*", handler=get_model))


# The handlers load on the first request: an installed, idle (or unused) API costs no start-up.


async def chat_completions(request: HttpRequest) -> HttpResponse:
    from .completions import chat_completions as handle

    return await handle(request)


async def list_models(request: HttpRequest) -> HttpResponse:
    from .models import list_models as handle

    return await handle(request)


async def get_model(request: HttpRequest) -> HttpResponse:
    from .models import get_model as handle

    return await handle(request)
