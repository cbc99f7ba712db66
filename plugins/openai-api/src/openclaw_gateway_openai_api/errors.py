"""Refusals in the OpenAI error shape, and the operator check every route makes first."""

from __future__ import annotations

from typing import Any

from openclaw_gateway.api import GatewayAPI, HttpRequest, HttpResponse, require_operator

from .config import OpenAiApiConfig


class RequestProblem(Exception):
    """A request the endpoint refuses: becomes an OpenAI-shaped error response."""

    def __init__(
        self,
        status: int,
        message: str,
        kind: str = "invalid_request_error",
        code: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status, self.kind, self.code = status, kind, code

    def response(self) -> HttpResponse:
        return HttpResponse.json(error_body(str(self), self.kind, self.code), self.status)


def error_body(
    message: str, kind: str = "invalid_request_error", code: str | None = None
) -> dict[str, Any]:
    return {"error": {"message": message, "type": kind, "param": None, "code": code}}


class Refused(Exception):
    """The request is not an operator's: ``response`` is the 401/429 to send."""

    def __init__(self, response: HttpResponse) -> None:
        self.response = response


def authorized(request: HttpRequest) -> tuple[GatewayAPI, OpenAiApiConfig]:
    gateway = request.gateway
    if gateway is None:  # pragma: no cover - the listener always passes the gateway
        raise RequestProblem(503, "no gateway", "api_error")
    refused = require_operator(request)
    if refused is not None:
        raise Refused(refused)
    return gateway, gateway.plugin_config("openai_api", OpenAiApiConfig)
