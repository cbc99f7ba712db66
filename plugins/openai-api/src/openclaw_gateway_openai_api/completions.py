"""``POST /v1/chat/completions``: one agent turn per request, whole or as server-sent events."""

from __future__ import annotations

import base64
import binascii
import hashlib
import math
import time
import uuid
from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING, Any

import anyio
import orjson
from pydantic import ValidationError

from openclaw_gateway.api import AgentReply, GatewayAPI, HttpRequest, HttpResponse

from .config import RESERVED_SESSION_PREFIXES, OpenAiApiConfig
from .errors import Refused, RequestProblem, authorized, error_body
from .models import agent_for

if TYPE_CHECKING:
    from .wire import ChatCompletionRequest, ChatMessage


async def chat_completions(request: HttpRequest) -> HttpResponse:
    try:
        gateway, config = authorized(request)
        body = _parse(request)
        agent = agent_for(request.headers.get("x-openclaw-agent-id") or body.model)
        session_key, continuing = _session_key(request, body, agent)
        prompt = _prompt(body.messages, continuing)
        images = _images(body.messages, config)
    except Refused as refused:
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
