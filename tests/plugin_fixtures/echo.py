"""A well-behaved plugin touching most kinds: config, a method, an event, a node command, HTTP
routes and a service."""

from __future__ import annotations

from typing import Any

import anyio
from pydantic import BaseModel, ConfigDict

from openclaw_gateway.api import (
    ConfigSection,
    EventSpec,
    HttpRequest,
    HttpResponse,
    HttpRoute,
    MethodContext,
    MethodSpec,
    NodeCommandSpec,
    ServiceSpec,
    hookimpl,
)

service_seen: dict[str, Any] = {}


class EchoConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    greeting: str = "hello"


class SayParams(BaseModel):
    text: str


async def say(ctx: MethodContext, params: SayParams) -> dict[str, str]:
    config = ctx.gateway.plugin_config("echo", EchoConfig)
    ctx.gateway.broadcast("echo.said", {"text": params.text})
    return {"text": f"{config.greeting}, {params.text}"}


async def page(request: HttpRequest) -> HttpResponse:
    return HttpResponse.html("<h1>echo</h1>")


async def asset(request: HttpRequest) -> HttpResponse:
    return HttpResponse(request.path.encode(), content_type="text/css")


async def hook(request: HttpRequest) -> dict[str, Any]:
    return {"got": request.json(), "query": request.query_params}


async def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("route handler bug")


async def ticker(context: Any) -> None:
    service_seen.update(config=context.config, gateway=context.gateway, plugin=context.plugin)
    await anyio.sleep_forever()


@hookimpl
def register_config(register):
    register(ConfigSection(name="echo", model=EchoConfig))


@hookimpl
def register_methods(register):
    register(MethodSpec(name="echo.say", handler=say, params=SayParams))


@hookimpl
def register_events(register):
    register(EventSpec(name="echo.said"))


@hookimpl
def register_node_commands(register):
    register(NodeCommandSpec(name="echo.ping", description="answers pong"))


@hookimpl
def register_http_routes(register):
    register(HttpRoute(path="/echo", handler=page))
    register(HttpRoute(path="/echo/assets/*", handler=asset))
    register(HttpRoute(path="/echo/hook", handler=hook, methods=("POST",), max_body=2048))
    register(HttpRoute(path="/echo/boom", handler=boom))


@hookimpl
def register_services(register):
    register(ServiceSpec(name="echo.ticker", run=ticker))
