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

import base64
import binascii
import hashlib
import math
import time
import uuid
from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

import anyio
import orjson
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from openclaw_gateway.api import (
    AgentReply,
    ConfigSection,
    GatewayAPI,
    HttpRequest,
    HttpResponse,
    HttpRoute,
    hookimpl,
    require_operator,
)

if TYPE_CHECKING:
    from .wire import ChatCompletionRequest, ChatMessage

MAX_BODY = 20 * 1024 * 1024
DEFAULT_AGENT = "main"
RESERVED_SESSION_PREFIXES = ("subagent:", "cron:", "acp:")


class OpenAiApiConfig(BaseModel):
    """``[plugins.openai_api]``: its presence turns the endpoint on."""

    model_config = ConfigDict(extra="forbid")

    max_images: int = Field(8, ge=0, le=64, description="image parts in the newest user message")
    max_image_bytes: int = Field(
        20 * 1024 * 1024, ge=0, description="decoded image data per request, in all"
    )
    allowed_mimes: list[str] = Field(
        default_factory=lambda: [
            "image/jpeg",
            "image/png",
            "image/gif",
            "image/webp",
            "image/heic",
            "image/heif",
        ]
    )
    timeout_s: float = Field(600, gt=0, description="longest a request waits for the agent")


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


# --- models --------------------------------------------------------------------------------------


def agent_for(model: str) -> str:
    """The agent a ``model`` value targets; RequestProblem(404) for any other."""
    target = model.strip()
    if target in ("openclaw", "openclaw/default"):
        return DEFAULT_AGENT
    for prefix in ("openclaw/", "openclaw:", "agent:"):
        if target.startswith(prefix):
            agent = target[len(prefix) :]
            if agent in (DEFAULT_AGENT, "default"):
                return DEFAULT_AGENT
            break
    raise RequestProblem(
        404,
        f"The model `{model}` does not exist: models are agent targets"
        " (openclaw, openclaw/default, openclaw/main; GET /v1/models lists them)",
        "invalid_request_error",
        "model_not_found",
    )


MODEL_IDS = ("openclaw", "openclaw/default", f"openclaw/{DEFAULT_AGENT}")


def _model(model_id: str, created: int) -> dict[str, Any]:
    return {"id": model_id, "object": "model", "created": created, "owned_by": "openclaw"}


def _authorized(request: HttpRequest) -> tuple[GatewayAPI, OpenAiApiConfig]:
    gateway = request.gateway
    if gateway is None:  # pragma: no cover - the listener always passes the gateway
        raise RequestProblem(503, "no gateway", "api_error")
    refused = require_operator(request)
    if refused is not None:
        raise _Refused(refused)
    return gateway, gateway.plugin_config("openai_api", OpenAiApiConfig)


class _Refused(Exception):
    def __init__(self, response: HttpResponse) -> None:
        self.response = response


async def list_models(request: HttpRequest) -> HttpResponse:
    try:
        _authorized(request)
    except _Refused as refused:
        return refused.response
    created = int(time.time())
    return HttpResponse.json({"object": "list", "data": [_model(m, created) for m in MODEL_IDS]})


async def get_model(request: HttpRequest) -> HttpResponse:
    try:
        _authorized(request)
        model_id = unquote(request.path.removeprefix("/v1/models/"))  # SDKs encode the slash
        agent_for(model_id)
    except _Refused as refused:
        return refused.response
    except RequestProblem as problem:
        return problem.response()
    return HttpResponse.json(_model(model_id, int(time.time())))


# --- chat completions ----------------------------------------------------------------------------


async def chat_completions(request: HttpRequest) -> HttpResponse:
    try:
        gateway, config = _authorized(request)
        body = _parse(request)
        agent = agent_for(request.headers.get("x-openclaw-agent-id") or body.model)
        session_key, continuing = _session_key(request, body, agent)
        prompt = _prompt(body.messages, continuing)
        images = _images(body.messages, config)
    except _Refused as refused:
        return refused.response
    except RequestProblem as problem:
        return problem.response()
    turn = _Turn(gateway, config, body.model, prompt, session_key, images)
    if body.stream:
        return HttpResponse(
            content_type="text/event-stream",
            headers={"x-openclaw-session-key": session_key},
            stream=turn.events(),
        )
    return await turn.complete()


def _parse(request: HttpRequest) -> ChatCompletionRequest:
    from .wire import ChatCompletionRequest  # the models load at the first request, not at start

    try:
        return ChatCompletionRequest.model_validate_json(request.body)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        where = ".".join(str(part) for part in first["loc"]) or "body"
        raise RequestProblem(400, f"invalid request: {where}: {first['msg']}") from None


def _session_key(request: HttpRequest, body: ChatCompletionRequest, agent: str) -> tuple[str, bool]:
    """The session to run in, and whether it continues an earlier one."""
    explicit = request.headers.get("x-openclaw-session-key", "").strip()
    if explicit:
        bare = explicit.split(":", 2)[2] if explicit.startswith("agent:") else explicit
        if bare.startswith(RESERVED_SESSION_PREFIXES) or explicit.startswith(
            RESERVED_SESSION_PREFIXES
        ):
            raise RequestProblem(400, f"session key {explicit!r} is in a reserved namespace")
        if len(explicit) > 256 or not explicit.isprintable():
            raise RequestProblem(400, "x-openclaw-session-key must be printable, at most 256 chars")
        return (explicit if explicit.startswith("agent:") else f"agent:{agent}:{explicit}"), True
    if body.user:
        digest = hashlib.sha256(body.user.encode()).hexdigest()[:24]
        return f"agent:{agent}:openai-user:{digest}", True
    return f"agent:{agent}:openai:{uuid.uuid4().hex}", False


def _prompt(messages: list[ChatMessage], continuing: bool) -> str:
    """The newest user message; for a fresh session, the conversation before it as context."""
    last_user = next(
        (i for i in range(len(messages) - 1, -1, -1) if messages[i].role == "user"), None
    )
    if last_user is None:
        raise RequestProblem(400, "messages must contain a user message")
    question = messages[last_user].text()
    if continuing:
        return question
    context = [m for m in messages[:last_user] if m.text().strip()]
    if not context:
        return question
    lines = [f"{m.role.capitalize()}: {m.text().strip()}" for m in context]
    return "Conversation so far:\n" + "\n\n".join(lines) + f"\n\nUser: {question}"


def _images(messages: list[ChatMessage], config: OpenAiApiConfig) -> list[tuple[bytes, str]]:
    last_user = next(m for m in reversed(messages) if m.role == "user")
    urls = last_user.images()
    if len(urls) > config.max_images:
        raise RequestProblem(
            400, f"at most {config.max_images} images per request ({len(urls)} given)"
        )
    images, total = [], 0
    for index, url in enumerate(urls):
        if not url.startswith("data:"):
            raise RequestProblem(
                400,
                f"image {index}: only data: URLs are accepted (remote image URLs are not fetched)",
            )
        header, _, payload = url[5:].partition(",")
        mime, _, encoding = header.partition(";")
        if encoding != "base64" or mime.lower() not in config.allowed_mimes:
            raise RequestProblem(
                400, f"image {index}: expected data:<{'|'.join(config.allowed_mimes)}>;base64,…"
            )
        try:
            data = base64.b64decode(payload, validate=True)
        except (binascii.Error, ValueError):
            raise RequestProblem(400, f"image {index}: invalid base64") from None
        total += len(data)
        if total > config.max_image_bytes:
            raise RequestProblem(413, f"images over {config.max_image_bytes} bytes in all")
        images.append((data, mime.lower()))
    return images


class _Turn:
    """One chat completion: the agent run and its OpenAI rendering (whole, or as SSE chunks)."""

    def __init__(
        self,
        gateway: GatewayAPI,
        config: OpenAiApiConfig,
        model: str,
        prompt: str,
        session_key: str,
        images: list[tuple[bytes, str]],
    ) -> None:
        self.gateway, self.config, self.model = gateway, config, model
        self.prompt, self.session_key, self.images = prompt, session_key, images
        self.id = f"chatcmpl-{uuid.uuid4().hex}"
        self.created = int(time.time())

    async def _ask(self, on_delta: Callable[[str], None] | None = None) -> AgentReply:
        try:
            return await self.gateway.ask_agent(
                self.prompt,
                session_key=self.session_key,
                on_delta=on_delta,
                timeout_s=self.config.timeout_s,
                images=self.images,
            )
        except ValueError as exc:  # an image the media store refused
            raise RequestProblem(400, str(exc)) from None

    async def complete(self) -> HttpResponse:
        try:
            reply = await self._ask()
        except RequestProblem as problem:
            return problem.response()
        failure = _failure(reply)
        if failure is not None:
            return failure.response()
        return HttpResponse.json(
            {
                "id": self.id,
                "object": "chat.completion",
                "created": self.created,
                "model": self.model,
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": reply.text},
                        "finish_reason": "stop",
                    }
                ],
                "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
            },
            headers={"x-openclaw-session-key": self.session_key},
        )

    def _chunk(self, delta: dict[str, Any], finish: str | None = None) -> bytes:
        chunk = {
            "id": self.id,
            "object": "chat.completion.chunk",
            "created": self.created,
            "model": self.model,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        }
        return b"data: " + orjson.dumps(chunk) + b"\n\n"

    async def events(self) -> AsyncIterator[bytes]:
        """Server-sent events: a role chunk, a chunk per streamed piece, the finish, ``[DONE]``.

        The run goes on in the gateway's task group, so a client that disconnects mid-answer does
        not cut the agent off half-way: the session keeps a whole reply."""
        send, receive = anyio.create_memory_object_stream[str](math.inf)
        outcome: list[AgentReply | RequestProblem] = []

        async def run() -> None:
            try:
                outcome.append(await self._ask(send.send_nowait))
            except RequestProblem as problem:
                outcome.append(problem)
            finally:
                send.close()

        self.gateway.spawn(run)
        yield self._chunk({"role": "assistant", "content": ""})
        async with receive:
            async for piece in receive:
                yield self._chunk({"content": piece})
        result = outcome[0] if outcome else RequestProblem(500, "the agent run ended", "api_error")
        problem = result if isinstance(result, RequestProblem) else _failure(result)
        if problem is not None:
            yield (
                b"data: "
                + orjson.dumps(error_body(str(problem), problem.kind, problem.code))
                + b"\n\n"
            )
        else:
            yield self._chunk({}, "stop")
        yield b"data: [DONE]\n\n"


def _failure(reply: AgentReply) -> RequestProblem | None:
    if reply.status == "ok":
        return None
    if reply.status == "timeout":
        return RequestProblem(504, "the agent did not answer in time", "api_error", "timeout")
    return RequestProblem(500, f"the agent run failed: {reply.error or reply.status}", "api_error")
