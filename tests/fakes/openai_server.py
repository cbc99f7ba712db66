"""A fake OpenAI-compatible server on 127.0.0.1 that speaks the real Chat Completions wire.

``POST /v1/chat/completions`` with ``stream: true`` answers ``text/event-stream`` over HTTP/1.1
chunked encoding: ``data: {chunk JSON}`` lines, a usage chunk when asked for, ``data: [DONE]``.
Errors come as OpenAI does them: a JSON ``{"error": {...}}`` body and the status code. Because the
body is chunked, a connection cut before the final empty chunk is visible to the client as a
truncated stream, exactly as a real mid-stream disconnect is.

It runs ``http.server`` in a thread (no event loop to share with the test) and is scripted::

    with FakeOpenAI(api_key="sk-test") as fake:
        fake.script(text_reply("Hel", "lo"), tool_reply(("call_1", "echo", '{"text": "x"}')))
        ... point the client at fake.base_url ...
        fake.requests[0].body["messages"]

Replies are served in order; with the script empty, ``responder(request)`` decides (default: echo
the last user message). ``api_key`` / ``models`` make it check the key (401) and the model (404)
the way OpenAI does.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    """One scripted answer. ``events`` are SSE ``data:`` payloads (dicts are JSON-encoded)."""

    status: int = 200
    events: list[dict[str, Any] | str] = field(default_factory=list)
    body: dict[str, Any] | str | None = None  # a non-streamed (error) body
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before each event
    disconnect_after: int | None = None  # cut the connection after this many events
    stall_after: int | None = None  # stop sending (connection open) after this many events


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: Any


def chunk(
    delta: dict[str, Any] | None = None,
    *,
    finish_reason: str | None = None,
    model: str = "fake-model",
    usage: dict[str, int] | None = None,
    choices: bool = True,
) -> dict[str, Any]:
    """One ``chat.completion.chunk`` as OpenAI sends it."""
    out: dict[str, Any] = {
        "id": "chatcmpl-fake",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": model,
        "system_fingerprint": "fp_fake",
        "choices": (
            [{"index": 0, "delta": delta or {}, "logprobs": None, "finish_reason": finish_reason}]
            if choices
            else []
        ),
    }
    if usage is not None:
        out["usage"] = {**usage, "total_tokens": sum(usage.values())}
    return out


def usage_chunk(prompt_tokens: int, completion_tokens: int) -> dict[str, Any]:
    """The extra last chunk of ``stream_options.include_usage``: no choices, only usage."""
    return chunk(
        usage={"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens},
        choices=False,
    )


def text_reply(*pieces: str, usage: tuple[int, int] | None = (12, 5), **kw: Any) -> Reply:
    """A streamed assistant answer in ``pieces``, then ``finish_reason: stop``, usage, [DONE]."""
    events: list[dict[str, Any] | str] = [chunk({"role": "assistant", "content": ""})]
    events += [chunk({"content": p}) for p in pieces]
    events.append(chunk({}, finish_reason="stop"))
    if usage is not None:
        events.append(usage_chunk(*usage))
    events.append("[DONE]")
    return Reply(events=events, **kw)


def tool_reply(
    *calls: tuple[str, str, str], pieces: int = 3, usage: tuple[int, int] | None = (20, 9)
) -> Reply:
    """A streamed request for tool calls ``(id, name, arguments)``, each call's arguments split
    into ``pieces`` fragments across chunks, as OpenAI streams them."""
    events: list[dict[str, Any] | str] = [chunk({"role": "assistant", "content": None})]
    for index, (call_id, name, arguments) in enumerate(calls):
        events.append(
            chunk(
                {
                    "tool_calls": [
                        {
                            "index": index,
                            "id": call_id,
                            "type": "function",
                            "function": {"name": name, "arguments": ""},
                        }
                    ]
                }
            )
        )
        step = max(1, -(-len(arguments) // pieces))
        for start in range(0, len(arguments), step):
            events.append(
                chunk(
                    {
                        "tool_calls": [
                            {
                                "index": index,
                                "function": {"arguments": arguments[start : start + step]},
                            }
                        ]
                    }
                )
            )
    events.append(chunk({}, finish_reason="tool_calls"))
    if usage is not None:
        events.append(usage_chunk(*usage))
    events.append("[DONE]")
    return Reply(events=events)


def error_reply(
    status: int,
    message: str,
    *,
    type: str = "invalid_request_error",
    code: str | None = None,
    headers: dict[str, str] | None = None,
) -> Reply:
    """An OpenAI error: ``{"error": {"message", "type", "param", "code"}}`` with ``status``."""
    body = {"error": {"message": message, "type": type, "param": None, "code": code}}
    return Reply(status=status, body=body, headers=headers or {})


def echo_responder(request: Request) -> Reply:
    messages = request.body.get("messages", [])
    last = next((m for m in reversed(messages) if m.get("role") == "user"), {})
    return text_reply("You said: ", str(last.get("content", "")))


class FakeOpenAI:
    """The server; a context manager. ``base_url`` is what a client's ``base_url`` should be."""

    def __init__(
        self,
        *,
        api_key: str | None = None,
        models: tuple[str, ...] | None = None,
        responder: Callable[[Request], Reply] = echo_responder,
    ) -> None:
        self.api_key = api_key
        self.models = models
        self.responder = responder
        self.requests: list[Request] = []
        self._script: list[Reply] = []
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def script(self, *replies: Reply) -> None:
        with self._lock:
            self._script.extend(replies)

    def __enter__(self) -> FakeOpenAI:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._closing.set()  # releases stalled replies
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)

    # --- serving -------------------------------------------------------------------------------

    def _next_reply(self, request: Request) -> Reply:
        if self.api_key is not None:
            auth = request.headers.get("authorization", "")
            if auth != f"Bearer {self.api_key}":
                return error_reply(
                    401,
                    "Incorrect API key provided. You can find your API key at"
                    " https://platform.openai.com/account/api-keys.",
                    code="invalid_api_key",
                )
        if request.path != "/v1/chat/completions":
            return error_reply(404, f"Invalid URL (POST {request.path})")
        model = request.body.get("model") if isinstance(request.body, dict) else None
        if self.models is not None and model not in self.models:
            return error_reply(
                404,
                f"The model `{model}` does not exist or you do not have access to it.",
                code="model_not_found",
            )
        with self._lock:
            if self._script:
                return self._script.pop(0)
        return self.responder(request)

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                # GET /v1/models, as OpenAI, Ollama, vLLM and llama.cpp answer it.
                request = Request(
                    "GET", self.path, {k.lower(): v for k, v in self.headers.items()}, None
                )
                fake.requests.append(request)
                if self.path.rstrip("/") != "/v1/models":
                    self._send(error_reply(404, f"Invalid URL (GET {self.path})"))
                    return
                served = fake.models or ("gpt-4o-mini",)
                data = [
                    {"id": m, "object": "model", "created": 0, "owned_by": "fake"} for m in served
                ]
                self._send(Reply(body={"object": "list", "data": data}))

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length)
                try:
                    body = json.loads(raw) if raw else None
                except ValueError:
                    body = raw.decode(errors="replace")
                request = Request(
                    "POST", self.path, {k.lower(): v for k, v in self.headers.items()}, body
                )
                fake.requests.append(request)
                self._send(fake._next_reply(request))

            def _send(self, reply: Reply) -> None:
                if reply.body is not None or reply.status != 200:
                    payload = (
                        json.dumps(reply.body).encode()
                        if not isinstance(reply.body, str)
                        else reply.body.encode()
                    )
                    self.send_response(reply.status)
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(payload)))
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(payload)
                    return
                self.send_response(200)
                self.send_header("content-type", "text/event-stream; charset=utf-8")
                self.send_header("cache-control", "no-cache")
                self.send_header("transfer-encoding", "chunked")
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                for n, event in enumerate(reply.events):
                    if reply.disconnect_after is not None and n >= reply.disconnect_after:
                        self.connection.shutdown(socket.SHUT_RDWR)
                        self.close_connection = True
                        return
                    if reply.stall_after is not None and n >= reply.stall_after:
                        fake._closing.wait(60)
                        self.close_connection = True
                        return
                    if reply.delay:
                        time.sleep(reply.delay)
                    data = event if isinstance(event, str) else json.dumps(event)
                    self._chunk(f"data: {data}\n\n".encode())
                self.wfile.write(b"0\r\n\r\n")
                self.wfile.flush()

            def _chunk(self, data: bytes) -> None:
                self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
                self.wfile.flush()

        return Handler


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (connection refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
