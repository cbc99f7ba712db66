"""The HTTP listener for plugin routes (pages, assets, webhook POSTs), on its own port.

It starts only when some plugin registers an :class:`~openclaw_gateway.hooks.registry.HttpRoute`,
so the WebSocket path stays exactly as it is. Why h11 on anyio rather than a framework: h11 is the
same sans-I/O shape as our protocol layer, pure Python with no dependencies, maintained
(python-hyper; httpx is built on it, so plugins using httpx already have it), and costs ~20 ms to
import, paid only when routes exist (uvicorn+starlette: ~265 ms, aiohttp: ~460 ms, measured here).

Behaviour: exact paths, or ``/prefix/*`` for a subtree; 404 for no route, 405 (with ``Allow``) for
a wrong method, HEAD served by GET routes; bodies over the limit get 413 before they are read; a
handler that raises gets a 500 and is logged, and the listener carries on. Keep-alive is supported.

Slow clients (slowloris): a request head must arrive whole within ``head_timeout`` (10 s; also the
keep-alive idle limit), its body within ``body_timeout`` (30 s); one client (the loopback range is
one) holds at most ``max_per_client`` connections and everyone together ``max_connections``;
beyond either, the connection gets an immediate 503 and is closed — it never waits for a slot.
"""

from __future__ import annotations

import contextlib
import logging
import ssl
from collections import Counter
from collections.abc import Iterable, Mapping
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

import anyio
import h11
from anyio.abc import ByteStream, TaskStatus

from ..auth.ratelimit import client_key
from ..hooks.http_types import HttpRequest, HttpResponse
from ..hooks.specs import HttpRoute

if TYPE_CHECKING:
    from ..hooks.gateway_api import GatewayAPI

log = logging.getLogger("openclaw_gateway.http")

HEAD_TIMEOUT = 10.0
BODY_TIMEOUT = 30.0
MAX_CONNECTIONS = 256
MAX_PER_CLIENT = 32
_BUSY = (
    b"HTTP/1.1 503 Service Unavailable\r\ncontent-type: text/plain\r\n"
    b"content-length: 20\r\nconnection: close\r\n\r\ntoo many connections"
)


async def _lingering_close(stream: ByteStream) -> None:
    """Half-close, then read (and drop) what the client already sent before closing: closing a
    socket with unread input sends a TCP reset, which can reach the client before the response
    it was about to read (RFC 9112 §9.6). Bounded by the caller's timeout and 64 KiB."""
    with contextlib.suppress(NotImplementedError):  # TLS below 1.3 cannot half-close
        await stream.send_eof()
    drained = 0
    with contextlib.suppress(anyio.EndOfStream, anyio.BrokenResourceError, OSError):
        while drained < 65536:
            drained += len(await stream.receive())


def _error(status: HTTPStatus, headers: Mapping[str, str] | None = None) -> HttpResponse:
    return HttpResponse(
        f"{status.value} {status.phrase}\n".encode(), status.value, headers=headers or {}
    )


def _quiet_tls_listener(
    tcp: anyio.abc.Listener[Any], context: ssl.SSLContext, timeout: float
) -> anyio.abc.Listener[Any]:
    """anyio's TLS listener, but a failed handshake (a scanner, plain HTTP to the TLS port, a
    client that rejects our self-signed certificate) is a debug line, not an ERROR traceback."""
    from anyio.streams.tls import TLSListener

    class QuietTLSListener(TLSListener):
        @staticmethod
        async def handle_handshake_error(exc: BaseException, stream: Any) -> None:
            await anyio.aclose_forcefully(stream)
            if isinstance(exc, anyio.get_cancelled_exc_class()) or not isinstance(exc, Exception):
                raise exc
            log.debug("TLS handshake failed: %r", exc)

    return QuietTLSListener(tcp, context, handshake_timeout=timeout)


class Router:
    """Exact paths first, then the longest matching ``/prefix/*``."""

    def __init__(self, routes: Iterable[HttpRoute]) -> None:
        self.exact: dict[str, HttpRoute] = {}
        self.prefixes: list[tuple[str, HttpRoute]] = []
        for route in routes:
            if route.path.endswith("/*"):
                self.prefixes.append((route.path[:-1], route))
            else:
                self.exact[route.path] = route
        self.prefixes.sort(key=lambda item: -len(item[0]))

    def match(self, path: str) -> HttpRoute | None:
        route = self.exact.get(path)
        if route is not None:
            return route
        return next((r for prefix, r in self.prefixes if path.startswith(prefix)), None)


class _TooLarge(Exception):
    """Raised when a request body exceeds the route's limit."""


class HttpServer:
    """Serves ``routes`` on one TCP port; :meth:`serve` runs until cancelled."""

    def __init__(
        self,
        routes: Iterable[HttpRoute],
        *,
        max_body: int,
        gateway: GatewayAPI | None = None,
        head_timeout: float = HEAD_TIMEOUT,
        body_timeout: float = BODY_TIMEOUT,
        max_connections: int = MAX_CONNECTIONS,
        max_per_client: int = MAX_PER_CLIENT,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self.router = Router(routes)
        self.ssl_context = ssl_context
        self.max_body = max_body
        self.gateway = gateway
        self.port = 0
        self.head_timeout = head_timeout
        self.body_timeout = body_timeout
        self.max_connections = max_connections
        self.max_per_client = max_per_client
        self.open: Counter[str] = Counter()  # client key -> open connections

    async def serve(
        self, host: str, port: int, *, task_status: TaskStatus[int] = anyio.TASK_STATUS_IGNORED
    ) -> None:
        tcp = await anyio.create_tcp_listener(local_host=host, local_port=port)
        self.port = tcp.extra(anyio.abc.SocketAttribute.local_port)  # noqa: S610
        listener: anyio.abc.Listener[Any] = tcp
        if self.ssl_context is not None:
            # The TLS handshake counts against the head timeout (a stalled handshake is a
            # slowloris too); a failed one is logged at debug and the listener carries on.
            listener = _quiet_tls_listener(tcp, self.ssl_context, self.head_timeout)
        task_status.started(self.port)
        async with listener:
            await listener.serve(self._connection)

    async def _connection(self, stream: ByteStream) -> None:
        client = str(stream.extra(anyio.abc.SocketAttribute.remote_address, ("?",))[0])  # noqa: S610
        key = client_key(client)
        async with stream:
            if self.open.total() >= self.max_connections or self.open[key] >= self.max_per_client:
                with anyio.move_on_after(1), contextlib.suppress(Exception):
                    await stream.send(_BUSY)
                    await _lingering_close(stream)
                return
            self.open[key] += 1
            try:
                await self._serve_connection(stream, client)
            finally:
                self.open[key] -= 1
                if self.open[key] <= 0:
                    del self.open[key]

    async def _serve_connection(self, stream: ByteStream, client: str) -> None:
        conn = h11.Connection(h11.SERVER)
        while True:
            try:
                request = await self._read(conn, stream, client)
            except (TimeoutError, anyio.BrokenResourceError, anyio.ClosedResourceError):
                return
            except _TooLarge:
                await self._send(
                    conn, stream, _error(HTTPStatus.REQUEST_ENTITY_TOO_LARGE), close=True
                )
                return
            except h11.RemoteProtocolError as exc:
                if conn.our_state in (h11.IDLE, h11.SEND_RESPONSE):
                    status = HTTPStatus(exc.error_status_hint)
                    await self._send(conn, stream, _error(status), close=True)
                return
            if request is None:
                return
            response = await self._respond(request)
            await self._send(conn, stream, response, head=request.method == "HEAD")
            if conn.our_state is h11.MUST_CLOSE or conn.their_state is h11.MUST_CLOSE:
                return
            try:
                conn.start_next_cycle()
            except h11.LocalProtocolError:
                return

    async def _read(
        self, conn: h11.Connection, stream: ByteStream, client: str
    ) -> HttpRequest | None:
        head: h11.Request | None = None
        limit, body = self.max_body, bytearray()
        # The head must arrive whole within head_timeout (a slowloris trickles it byte by byte);
        # the body then gets its own, longer deadline.
        deadline = anyio.current_time() + self.head_timeout
        while True:
            if anyio.current_time() > deadline:
                raise TimeoutError
            with anyio.fail_after(max(0.0, deadline - anyio.current_time())):
                event = await self._next_event(conn, stream)
            if isinstance(event, h11.Request):
                head = event
                deadline = anyio.current_time() + self.body_timeout
                route = self.router.match(event.target.decode("latin-1").partition("?")[0])
                if route is not None and route.max_body is not None:
                    limit = route.max_body
                for name, value in event.headers:
                    if name == b"content-length" and int(value) > limit:
                        raise _TooLarge
                if conn.they_are_waiting_for_100_continue:
                    await stream.send(
                        conn.send(h11.InformationalResponse(status_code=100, headers=[])) or b""
                    )
            elif isinstance(event, h11.Data):
                body += event.data
                if len(body) > limit:
                    raise _TooLarge
            elif isinstance(event, h11.EndOfMessage) and head is not None:
                path, _, query = head.target.decode("latin-1").partition("?")
                return HttpRequest(
                    method=head.method.decode("ascii"),
                    path=path,
                    query=query,
                    headers={k.decode("latin-1"): v.decode("latin-1") for k, v in head.headers},
                    body=bytes(body),
                    client=client,
                    gateway=self.gateway,
                )
            else:  # ConnectionClosed, or a stray event
                return None

    @staticmethod
    async def _next_event(conn: h11.Connection, stream: ByteStream) -> Any:
        """The next h11 event, reading from the socket as needed."""
        while True:
            event = conn.next_event()
            if event is not h11.NEED_DATA:
                return event
            try:
                conn.receive_data(await stream.receive(65536))
            except anyio.EndOfStream:
                conn.receive_data(b"")

    async def _respond(self, request: HttpRequest) -> HttpResponse:
        route = self.router.match(request.path)
        if route is None:
            return _error(HTTPStatus.NOT_FOUND)
        method = "GET" if request.method == "HEAD" else request.method
        if method not in route.methods:
            allow = ", ".join(
                sorted({*route.methods, *(("HEAD",) if "GET" in route.methods else ())})
            )
            return _error(HTTPStatus.METHOD_NOT_ALLOWED, {"allow": allow})
        try:
            return HttpResponse.coerce(await route.handler(request))
        except Exception:
            log.exception(
                "HTTP route %s %s (plugin %s) raised", request.method, request.path, route.plugin
            )
            return _error(HTTPStatus.INTERNAL_SERVER_ERROR)

    async def _send(
        self,
        conn: h11.Connection,
        stream: ByteStream,
        response: HttpResponse,
        *,
        head: bool = False,
        close: bool = False,
    ) -> None:
        if response.stream is not None:
            await self._send_stream(conn, stream, response, head=head)
            return
        headers = [
            ("content-type", response.content_type),
            ("content-length", str(len(response.body))),
            *response.headers.items(),
        ]
        if close:
            headers.append(("connection", "close"))
        try:
            data = conn.send(h11.Response(status_code=response.status, headers=headers)) or b""
            if not head:
                data += conn.send(h11.Data(data=response.body)) or b""
            data += conn.send(h11.EndOfMessage()) or b""
            await stream.send(data)
        except (h11.LocalProtocolError, anyio.BrokenResourceError, anyio.ClosedResourceError):
            log.debug("could not send the HTTP response", exc_info=True)

    @staticmethod
    async def _send_stream(
        conn: h11.Connection, stream: ByteStream, response: HttpResponse, *, head: bool
    ) -> None:
        """Chunked transfer: each chunk is written as the handler yields it (SSE)."""
        assert response.stream is not None
        chunks = response.stream
        headers = [
            ("content-type", response.content_type),
            ("cache-control", "no-cache"),
            *response.headers.items(),
        ]
        try:
            await stream.send(
                conn.send(h11.Response(status_code=response.status, headers=headers)) or b""
            )
            if not head:
                async for chunk in chunks:
                    if chunk:
                        await stream.send(conn.send(h11.Data(data=chunk)) or b"")
            await stream.send(conn.send(h11.EndOfMessage()) or b"")
        except (h11.LocalProtocolError, anyio.BrokenResourceError, anyio.ClosedResourceError):
            log.debug("the client went away during a streamed response", exc_info=True)
        except Exception:
            log.exception("a streamed HTTP response failed part-way")
            with contextlib.suppress(Exception):  # the client sees a truncated chunked body
                await stream.aclose()
        finally:
            aclose = getattr(chunks, "aclose", None)
            if aclose is not None:
                with anyio.CancelScope(shield=True):
                    await aclose()
