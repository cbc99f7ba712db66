"""An instant OpenAI-compatible fake model server for benchmarks (Chat Completions, streaming).

    .venv/bin/python bench/fake_llm.py --port 18900          # prints "fake-llm listening on …"

Every ``POST /v1/chat/completions`` gets the same short reply, "Hello from the fake model.", as
Server-Sent Events in 4 content chunks (plus a role chunk, a finish chunk, a usage chunk when the
request asks for ``stream_options.include_usage``, and ``data: [DONE]``), each its own HTTP chunk,
written at once: the model costs nothing, so what a benchmark measures is the gateway around it.
``"stream": false`` gets the same text as one JSON completion. ``GET /v1/models`` lists the model.

Plain asyncio + hand-written HTTP/1.1 (keep-alive, chunked responses, Content-Length or chunked
request bodies): 0.7 to 1 ms of CPU per request, far below either gateway's cost per run. Used by
``bench/node_agent_bench.py`` for both ours (``[agent] provider = "openai"``) and the reference
(custom provider ``fake``, ``api: "openai-completions"``).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import time

REPLY_CHUNKS = ("Hello", " from", " the fake", " model.")
MODEL = "fake-model"


def _sse(obj: object) -> bytes:
    return b"data: " + json.dumps(obj, separators=(",", ":")).encode() + b"\n\n"


def _http_chunk(data: bytes) -> bytes:
    return b"%x\r\n%s\r\n" % (len(data), data)


def stream_body(model: str, usage: bool, n_prompt: int) -> list[bytes]:
    """The SSE events of one streamed completion, in order."""
    cid = f"chatcmpl-fake-{time.monotonic_ns()}"
    created = int(time.time())

    def chunk(delta: dict, finish: str | None = None) -> dict:
        return {
            "id": cid,
            "object": "chat.completion.chunk",
            "created": created,
            "model": model,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        }

    events = [_sse(chunk({"role": "assistant", "content": ""}))]
    events += [_sse(chunk({"content": c})) for c in REPLY_CHUNKS]
    events.append(_sse(chunk({}, "stop")))
    if usage:
        events.append(
            _sse(
                {
                    "id": cid,
                    "object": "chat.completion.chunk",
                    "created": created,
                    "model": model,
                    "choices": [],
                    "usage": {
                        "prompt_tokens": n_prompt,
                        "completion_tokens": len(REPLY_CHUNKS),
                        "total_tokens": n_prompt + len(REPLY_CHUNKS),
                    },
                }
            )
        )
    events.append(b"data: [DONE]\n\n")
    return events


def completion_json(model: str, n_prompt: int) -> bytes:
    return json.dumps(
        {
            "id": f"chatcmpl-fake-{time.monotonic_ns()}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": model,
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": "".join(REPLY_CHUNKS)},
                    "finish_reason": "stop",
                }
            ],
            "usage": {
                "prompt_tokens": n_prompt,
                "completion_tokens": len(REPLY_CHUNKS),
                "total_tokens": n_prompt + len(REPLY_CHUNKS),
            },
        }
    ).encode()


class FakeLLM:
    """The server. ``requests`` counts completions served; ``last_body`` is the last request."""

    def __init__(self, verbose: bool = False) -> None:
        self.requests = 0
        self.last_body: dict | None = None
        self.verbose = verbose

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, ConnectionError):
                    return
                lines = head.decode("latin-1").split("\r\n")
                method, path, _ = [*lines[0].split(" ", 2), "", ""][:3]
                headers = {}
                for line in lines[1:]:
                    k, sep, v = line.partition(":")
                    if sep:
                        headers[k.strip().lower()] = v.strip()
                body = b""
                if "content-length" in headers:
                    body = await reader.readexactly(int(headers["content-length"]))
                elif headers.get("transfer-encoding", "").lower() == "chunked":
                    parts = []
                    while True:
                        size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
                        data = await reader.readexactly(size + 2)
                        if size == 0:
                            break
                        parts.append(data[:-2])
                    body = b"".join(parts)
                keep = headers.get("connection", "").lower() != "close"
                self.respond(writer, method, path.split("?")[0], body, keep)
                await writer.drain()
                if not keep:
                    return
        finally:
            with contextlib.suppress(Exception):
                writer.close()

    def respond(
        self, writer: asyncio.StreamWriter, method: str, path: str, body: bytes, keep: bool
    ) -> None:
        conn = b"keep-alive" if keep else b"close"
        if method == "GET" and path.rstrip("/").endswith("/models"):
            data = json.dumps(
                {"object": "list", "data": [{"id": MODEL, "object": "model", "owned_by": "bench"}]}
            ).encode()
            writer.write(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n"
                b"Connection: %s\r\n\r\n%s" % (len(data), conn, data)
            )
            return
        if method != "POST" or not path.rstrip("/").endswith("/chat/completions"):
            data = b'{"error":{"message":"not found","type":"invalid_request_error"}}'
            writer.write(
                b"HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\n"
                b"Content-Length: %d\r\nConnection: %s\r\n\r\n%s" % (len(data), conn, data)
            )
            return
        try:
            req = json.loads(body or b"{}")
        except ValueError:
            req = {}
        self.requests += 1
        self.last_body = req
        if self.verbose:
            print(f"{len(body)} bytes: {json.dumps(req)[:2000]}", flush=True)
        model = str(req.get("model") or MODEL)
        n_prompt = sum(len(str(m.get("content", "")).split()) for m in req.get("messages", []))
        if not req.get("stream"):
            data = completion_json(model, n_prompt)
            writer.write(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n"
                b"Connection: %s\r\n\r\n%s" % (len(data), conn, data)
            )
            return
        usage = bool((req.get("stream_options") or {}).get("include_usage"))
        out = [
            b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n"
            b"Transfer-Encoding: chunked\r\nConnection: %s\r\n\r\n" % conn
        ]
        out += [_http_chunk(e) for e in stream_body(model, usage, n_prompt)]
        out.append(b"0\r\n\r\n")
        writer.writelines(out)


async def serve(host: str, port: int, verbose: bool = False) -> None:
    fake = FakeLLM(verbose)
    server = await asyncio.start_server(fake.handle, host, port, reuse_address=True)
    bound = server.sockets[0].getsockname()[1]
    print(f"fake-llm listening on http://{host}:{bound}/v1 model={MODEL}", flush=True)
    async with server:
        await server.serve_forever()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0, help="0 = any free port (printed)")
    ap.add_argument("--verbose", action="store_true", help="print each request body")
    args = ap.parse_args()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(args.host, args.port, args.verbose))


if __name__ == "__main__":
    main()
