"""Streaming Chat Completions with tool calling, through the ``openai`` SDK.

One request per model turn: the conversation goes out as ``messages`` (with ``tools`` when the run
offers any), the answer streams back as SSE chunks. Text deltas are yielded as they arrive;
tool-call fragments (``index``, ``id``, ``function.name``, ``function.arguments`` pieces spread
over many chunks) are assembled into whole :class:`ToolCall` values and yielded once, at the end.
Usage is yielded when the server reports it (we ask with ``stream_options.include_usage``; a server
that rejects that option is asked again without it).

Every failure becomes a :class:`ProviderError` whose message says what happened and what to check:
HTTP errors (401, 404, 429 with its ``retry-after``, 5xx), an unreachable server, a silent one
(read timeout), a stream cut mid-answer, a malformed chunk. Nothing waits forever: connects and
reads are bounded here, the whole run by ``[agent] run_timeout_ms`` in the core.
"""

from __future__ import annotations

import base64
import os
import ssl
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import openai
from openai import AsyncOpenAI

from openclaw_gateway.api import (
    AgentProvider,
    Finished,
    Message,
    ProviderError,
    ProviderEvent,
    TextDelta,
    ToolCall,
    ToolCallsReady,
    ToolDefinition,
    Usage,
)

if TYPE_CHECKING:
    from openclaw_gateway.api import AgentConfig

DEFAULT_BASE_URL = "https://api.openai.com/v1"
PLACEHOLDER_KEY = "sk-no-key-required"
"""Sent when no key is configured: local servers (Ollama, llama.cpp, LM Studio) ignore it, and the
SDK refuses to build a client without one."""
CONNECT_TIMEOUT_S = 10.0
READ_TIMEOUT_S = 300.0
"""The longest silence between two bytes: a local model on a CPU may think for minutes before its
first token. The whole run is bounded separately by ``[agent] run_timeout_ms``."""
MAX_RETRIES = 2
"""The SDK's own retries of a request that failed before streaming began (connection errors, 408,
409, 429 and 5xx; it honours ``retry-after``). A stream cut part-way is never retried."""
MISSING_RESULT = "(no result: the run ended before this tool returned)"


class OpenAIProvider(AgentProvider):
    """An :class:`~openclaw_gateway.agent.provider.AgentProvider` for any OpenAI-compatible server."""

    name = "openai"

    def __init__(
        self,
        *,
        model: str,
        base_url: str | None = None,
        api_key: str | None = None,
        connect_timeout: float = CONNECT_TIMEOUT_S,
        read_timeout: float = READ_TIMEOUT_S,
        max_retries: int = MAX_RETRIES,
        image_input: bool = True,
    ) -> None:
        self.model = model
        self.image_input = image_input
        self.base_url = (base_url or DEFAULT_BASE_URL).rstrip("/")
        self._api_key = api_key or os.environ.get("OPENAI_API_KEY") or PLACEHOLDER_KEY
        self._timeout = openai.Timeout(read_timeout, connect=connect_timeout)
        self.read_timeout = read_timeout
        self.max_retries = max_retries
        self.include_usage = True  # turned off for good once a server rejects stream_options
        self._tls: ssl.SSLContext | None = None

    @classmethod
    def from_config(cls, config: AgentConfig) -> OpenAIProvider:
        if not config.model:
            raise ProviderError(
                '[plugins.openai] model is not set: the openai provider needs one (e.g. model = "gpt-4o-mini",'
                " or the name of a model your Ollama / vLLM / llama.cpp / LM Studio server serves)"
            )
        return cls(
            model=config.model,
            base_url=config.base_url,
            api_key=config.api_key.get_secret_value() if config.api_key is not None else None,
            image_input=config.image_input,
        )

    def _tls_context(self) -> ssl.SSLContext:
        if self._tls is None:
            import httpx2

            self._tls = httpx2.create_ssl_context()
        return self._tls

    def __repr__(self) -> str:  # never shows the key
        return f"OpenAIProvider(model={self.model!r}, base_url={self.base_url!r})"

    # --- the turn ------------------------------------------------------------------------------

    async def stream(
        self, messages: Sequence[Message], tools: Sequence[ToolDefinition]
    ) -> AsyncIterator[ProviderEvent]:
        request: dict[str, Any] = {
            "model": self.model,
            "messages": to_api_messages(messages, images=self.image_input),
            "stream": True,
        }
        if tools:
            request["tools"] = to_api_tools(tools)
        # One client per turn: its connection closes with the turn (an abort cancels it at once)
        # and nothing outlives the gateway, which has no hook to close a provider. The TLS
        # context is the expensive part of a client (~30 ms: loading the CA bundle), so it is
        # built once and shared; it holds no connection and belongs to no event loop.
        async with AsyncOpenAI(
            base_url=self.base_url,
            api_key=self._api_key,
            timeout=self._timeout,
            max_retries=self.max_retries,
            http_client=openai.DefaultAsyncHttpxClient(verify=self._tls_context()),
        ) as client:
            chunks = await self._open(client, request)
            calls = ToolCallAccumulator()
            finish: str | None = None
            usage: Usage | None = None
            answered = False
            try:
                async with chunks:
                    async for chunk in chunks:
                        parsed = parse_chunk(chunk)
                        if parsed.usage is not None:
                            usage = parsed.usage
                        for fragment in parsed.tool_calls:
                            calls.add(*fragment)
                        finish = parsed.finish_reason or finish
                        if parsed.text:
                            answered = True
                            yield TextDelta(parsed.text)
            except openai.APIError as exc:
                raise self._error(exc, streaming=True) from exc
            except ValueError as exc:  # the SDK's json.loads of an SSE data line
                raise ProviderError(
                    f"the model server at {self.base_url} sent a malformed stream chunk: {exc}"
                ) from exc
        ready = calls.calls()
        if finish is None:
            if answered or ready:
                raise ProviderError(
                    f"the model server at {self.base_url} ended the stream before the answer was"
                    " complete (no finish_reason)"
                )
            raise ProviderError(
                f"the model server at {self.base_url} ended the stream without an answer"
                " (is it an OpenAI-compatible streaming Chat Completions endpoint?)"
            )
        if ready:
            yield ToolCallsReady(ready)
        if usage is not None:
            yield Usage(usage.input_tokens, usage.output_tokens)
        # Some servers say "stop" although they asked for tools; what counts is what they sent.
        yield Finished("tool_calls" if ready else finish)

    async def list_models(self) -> list[str]:
        """``GET /models`` of the server (OpenAI, Ollama, vLLM, llama.cpp and LM Studio all have
        it): the ids it serves. Errors propagate; the caller treats them as "cannot tell"."""
        async with AsyncOpenAI(
            base_url=self.base_url,
            api_key=self._api_key,
            timeout=self._timeout,
            max_retries=0,
            http_client=openai.DefaultAsyncHttpxClient(verify=self._tls_context()),
        ) as client:
            page = await client.models.list()
            return [model.id for model in page.data]

    async def _open(self, client: AsyncOpenAI, request: dict[str, Any]) -> Any:
        """Send the request; returns the SDK's ``AsyncStream`` once the server answered 200."""
        create: Any = client.chat.completions.create  # typed overloads do not take a dict
        if self.include_usage:
            try:
                return await create(**request, stream_options={"include_usage": True})
            except (openai.BadRequestError, openai.UnprocessableEntityError) as exc:
                if "stream_options" not in str(exc.body or exc.message).lower():
                    raise self._error(exc) from exc
                self.include_usage = False  # an older server: no usage, but it answers
            except openai.APIError as exc:
                raise self._error(exc) from exc
        try:
            return await create(**request)
        except openai.APIError as exc:
            raise self._error(exc) from exc

    # --- errors --------------------------------------------------------------------------------

    def _error(self, exc: openai.APIError, *, streaming: bool = False) -> ProviderError:
        where = f"the model server at {self.base_url}"
        if isinstance(exc, openai.APITimeoutError):
            if streaming:
                return ProviderError(
                    f"{where} stopped sending for {self.read_timeout:g} s in the middle of an answer"
                )
            return ProviderError(f"{where} did not answer in time ({exc.message})")
        if isinstance(exc, openai.APIConnectionError):
            cause = _root_cause(exc)
            if streaming:
                return ProviderError(f"the connection to {where} broke mid-answer: {cause}")
            return ProviderError(
                f"cannot reach {where}: {cause} (is it running? check [plugins.openai] base_url)"
            )
        if isinstance(exc, openai.APIStatusError):
            status = exc.status_code
            detail = _server_message(exc)
            if status == 401:
                return ProviderError(
                    f"{where} refused the API key (HTTP 401): {detail}. Set [plugins.openai] api_key"
                    " (or OPENCLAW_GATEWAY_PLUGINS__OPENAI__API_KEY)"
                )
            if status == 403:
                return ProviderError(f"{where} denied access (HTTP 403): {detail}")
            if status == 404:
                return ProviderError(
                    f"{where} answered 404 for model {self.model!r}: {detail}. Check [plugins.openai] model"
                    " and base_url (OpenAI-compatible servers serve under /v1)"
                )
            if status == 429:
                retry = exc.response.headers.get("retry-after")
                hint = f"; retry after {retry} s" if retry else ""
                return ProviderError(
                    f"{where} is rate limiting requests (HTTP 429): {detail}{hint}"
                )
            if status >= 500:
                return ProviderError(f"{where} failed (HTTP {status}): {detail}")
            return ProviderError(f"{where} rejected the request (HTTP {status}): {detail}")
        # An error event inside the stream ({"error": {...}} as a data line).
        return ProviderError(f"{where} reported an error mid-answer: {exc.message}")


def _server_message(exc: openai.APIStatusError) -> str:
    """The server's own words: ``error.message`` of an OpenAI-style body, else the body text."""
    body = exc.body
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict) and isinstance(inner.get("message"), str):
            return _clip(inner["message"])
        if isinstance(inner, str):
            return _clip(inner)
    if isinstance(body, str) and body.strip():
        return _clip(body.strip())
    return exc.response.reason_phrase or "no details"


def _root_cause(exc: BaseException) -> str:
    while exc.__cause__ is not None:
        exc = exc.__cause__
    text = str(exc) or type(exc).__name__
    return _clip(text)


def _clip(text: str, limit: int = 300) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- request shape ---------------------------------------------------------------------------


def to_api_tools(tools: Sequence[ToolDefinition]) -> list[dict[str, Any]]:
    return [
        {
            "type": "function",
            "function": {
                "name": tool.name,
                "description": tool.description,
                "parameters": tool.parameters,
            },
        }
        for tool in tools
    ]


def user_content(message: Message, *, images: bool = True) -> str | list[dict[str, Any]]:
    """A user message's content: plain text, or text and ``image_url`` parts (data URLs) when it
    carries images and the model takes them; a text-only model reads a line per image instead."""
    if not message.images:
        return message.content
    if not images:
        notes = [
            f"[an image was attached ({i.mime}, {len(i.data)} bytes); this model cannot see images]"
            for i in message.images
        ]
        return "\n\n".join([message.content, *notes]).strip()
    parts: list[dict[str, Any]] = (
        [{"type": "text", "text": message.content}] if message.content else []
    )
    for image in message.images:
        url = f"data:{image.mime};base64,{base64.b64encode(image.data).decode('ascii')}"
        parts.append({"type": "image_url", "image_url": {"url": url}})
    return parts


def to_api_messages(messages: Sequence[Message], *, images: bool = True) -> list[dict[str, Any]]:
    """Provider-neutral messages in the Chat Completions shape, made acceptable to strict servers.

    A stored history may be cut between an assistant's tool calls and their results (the history
    limit), or hold calls whose results never came (a crash mid-tool). OpenAI rejects both, so a
    tool result without its call is dropped and a call without its result gets a stand-in result.
    """
    out: list[dict[str, Any]] = []
    pending: list[str] = []  # call ids of the last assistant message still owed a result

    def settle() -> None:
        for call_id in pending:
            out.append({"role": "tool", "tool_call_id": call_id, "content": MISSING_RESULT})
        pending.clear()

    for message in messages:
        if message.role == "tool":
            if message.tool_call_id is None or message.tool_call_id not in pending:
                continue  # its call is not in the conversation: strict servers answer 400
            pending.remove(message.tool_call_id)
            out.append(
                {"role": "tool", "tool_call_id": message.tool_call_id, "content": message.content}
            )
            continue
        settle()
        if message.role == "assistant" and message.tool_calls:
            out.append(
                {
                    "role": "assistant",
                    "content": message.content or None,
                    "tool_calls": [
                        {
                            "id": call.id,
                            "type": "function",
                            "function": {"name": call.name, "arguments": call.arguments or "{}"},
                        }
                        for call in message.tool_calls
                    ],
                }
            )
            pending.extend(call.id for call in message.tool_calls)
        elif message.role == "user":
            out.append({"role": "user", "content": user_content(message, images=images)})
        elif message.role in ("system", "assistant"):
            out.append({"role": message.role, "content": message.content})
    settle()
    return out


# --- response shape --------------------------------------------------------------------------

Fragment = tuple[int | None, str | None, str | None, str | None]
"""One tool-call delta: ``(index, id, function.name, function.arguments piece)``."""


@dataclass
class ParsedChunk:
    text: str = ""
    tool_calls: list[Fragment] = field(default_factory=list)
    finish_reason: str | None = None
    usage: Usage | None = None


def parse_chunk(chunk: Any) -> ParsedChunk:
    """Read one ``ChatCompletionChunk``; anything not shaped like one is a :class:`ProviderError`.

    The SDK builds chunk objects without validation, so a stray shape shows up here as a missing
    attribute or a wrong type.
    """
    try:
        parsed = ParsedChunk()
        usage = getattr(chunk, "usage", None)
        if usage is not None:
            parsed.usage = Usage(
                input_tokens=int(usage.prompt_tokens or 0),
                output_tokens=int(usage.completion_tokens or 0),
            )
        choices = chunk.choices or []
        if not isinstance(choices, list):
            raise TypeError("choices is not a list")
        for choice in choices[:1]:  # we ask for one completion (n = 1)
            delta = choice.delta
            if delta is not None:
                content = delta.content
                if content is not None and not isinstance(content, str):
                    raise TypeError("delta.content is not a string")
                parsed.text = content or ""
                for call in delta.tool_calls or []:
                    function = call.function
                    parsed.tool_calls.append(
                        (
                            _opt_int(getattr(call, "index", None)),
                            _opt_str(getattr(call, "id", None)),
                            _opt_str(function.name) if function is not None else None,
                            _opt_str(function.arguments) if function is not None else None,
                        )
                    )
            parsed.finish_reason = _opt_str(choice.finish_reason)
        return parsed
    except (AttributeError, TypeError, ValueError) as exc:
        raise ProviderError(f"the model server sent a malformed stream chunk ({exc})") from exc


def _opt_str(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise TypeError(f"expected a string, got {type(value).__name__}")


def _opt_int(value: Any) -> int | None:
    if value is None or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    raise TypeError(f"expected an integer index, got {type(value).__name__}")


@dataclass
class _Partial:
    id: str | None = None
    name: str = ""
    arguments: list[str] = field(default_factory=list)


class ToolCallAccumulator:
    """Assembles streamed tool-call fragments into whole calls, in the order they started.

    The OpenAI wire: the first fragment of a call carries ``index``, ``id`` and ``function.name``,
    the following ones only ``index`` and a piece of ``function.arguments``. Tolerated deviations
    seen in compatible servers: no ``index`` (a fragment continues the last call unless it brings
    a new ``id``), several whole calls under the same ``index`` with different ids, a name repeated
    in every fragment.
    """

    def __init__(self) -> None:
        self._calls: dict[int, _Partial] = {}
        self._last: int | None = None
        self._next = 0

    def add(
        self, index: int | None, call_id: str | None, name: str | None, arguments: str | None
    ) -> None:
        key = self._key(index, call_id)
        partial = self._calls.setdefault(key, _Partial())
        self._last = key
        if call_id and partial.id is None:
            partial.id = call_id
        if name and name != partial.name:
            partial.name += name
        if arguments:
            partial.arguments.append(arguments)

    def _key(self, index: int | None, call_id: str | None) -> int:
        if index is None:
            last = self._last
            if last is not None and (not call_id or self._calls[last].id in (None, call_id)):
                return last
            return self._fresh()
        existing = self._calls.get(index)
        if existing is not None and call_id and existing.id and existing.id != call_id:
            return self._fresh()  # a new call reusing an index
        self._next = max(self._next, index + 1)
        return index

    def _fresh(self) -> int:
        while self._next in self._calls:
            self._next += 1
        key = self._next
        self._next += 1
        return key

    def calls(self) -> tuple[ToolCall, ...]:
        out = []
        for n, (_, partial) in enumerate(sorted(self._calls.items())):
            if not partial.name:
                raise ProviderError(
                    "the model server sent a tool call without a function name"
                    f" (call {partial.id or n})"
                )
            out.append(
                ToolCall(
                    id=partial.id or f"call_{n}",
                    name=partial.name,
                    arguments="".join(partial.arguments) or "{}",
                )
            )
        return tuple(out)
