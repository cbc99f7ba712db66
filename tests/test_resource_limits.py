"""Resource limits as a hostile or broken client meets them: a slowloris on the HTTP listener,
a state dir that another tool left world-readable, and sockets that stop reading."""

from __future__ import annotations

import os
import socket
import stat
import time
from pathlib import Path

import anyio
import openclaw_gateway_webchat as webchat
import pytest

from wire import TOKEN, operator

pytestmark = pytest.mark.anyio


def http_get(port: int, path: str = "/", timeout: float = 5.0) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def partial_head(port: int, source: str = "127.0.0.1") -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=10, source_address=(source, 0))
    sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")  # and never the blank line
    return sock


async def test_slowloris_heads_are_cut_off_and_pages_keep_loading(gateway_factory):
    async with gateway_factory(
        extra_plugins=(webchat,), http_head_timeout_ms=500, http_max_connections_per_client=64
    ) as gw:
        port = gw.plugin_report["http"]["port"]
        slow = [
            partial_head(port, f"127.0.{1 + i // 200}.{1 + i % 200}")
            for i in range(260)  # more than the 256 connections the listener takes in all
        ]
        started = time.monotonic()
        page = await anyio.to_thread.run_sync(http_get, port)
        # Before: every page waited the old 30 s read timeout. Now: at most the 0.5 s head
        # timeout plus scheduling (generous bounds: a loaded CI box is slow, not 30 s slow).
        assert page.startswith(b"HTTP/1.1 ") and time.monotonic() - started < 15
        assert b" 200 " in page.split(b"\r\n", 1)[0] or b" 503 " in page.split(b"\r\n", 1)[0]

        def closed_by_server(sock: socket.socket) -> bool:
            try:  # a 503 (over the 256 in all) or a timeout close, then end of stream
                while sock.recv(1024):
                    pass
                return True
            except OSError:
                return True

        closed = await anyio.to_thread.run_sync(lambda: [closed_by_server(s) for s in slow])
        assert all(closed)
        assert time.monotonic() - started < 20
        for sock in slow:
            sock.close()
        page = await anyio.to_thread.run_sync(http_get, port)
        assert page.split(b"\r\n", 1)[0] == b"HTTP/1.1 200 "


async def test_one_client_cannot_take_every_connection(gateway_factory):
    async with gateway_factory(
        extra_plugins=(webchat,), http_head_timeout_ms=5000, http_max_connections_per_client=4
    ) as gw:
        port = gw.plugin_report["http"]["port"]
        # 127.0.0.x are all one client (the loopback range): rotating addresses does not help.
        held = [partial_head(port, f"127.0.0.{i + 2}") for i in range(4)]
        refused = await anyio.to_thread.run_sync(http_get, port)
        assert refused.split(b"\r\n", 1)[0] == b"HTTP/1.1 503 Service Unavailable"
        for sock in held:
            sock.close()
        with anyio.fail_after(15):
            while True:  # the server notices the closes
                page = await anyio.to_thread.run_sync(http_get, port)
                if page.startswith(b"HTTP/1.1 200"):
                    break
                await anyio.sleep(0.05)


async def test_a_world_readable_state_dir_is_made_private_at_start(gateway_factory, tmp_path):
    state = tmp_path / "loose"
    state.mkdir(mode=0o755)
    os.chmod(state, 0o755)
    media = state / "media"
    media.mkdir()
    os.chmod(media, 0o755)
    async with gateway_factory(state_dir=state):
        pass  # a first start creates state.db
    os.chmod(state, 0o755)
    os.chmod(state / "state.db", 0o644)
    async with gateway_factory(state_dir=state) as gw:
        peer = await operator(gw.port, TOKEN, ["operator.write", "operator.read"])
        res = await peer.request(
            "chat.send", {"sessionKey": "main", "message": "hi", "idempotencyKey": "p1"}
        )
        assert res["ok"]
        await peer.request("agent.wait", {"runId": "p1", "timeoutMs": 5000})

        def mode(p: Path) -> int:
            return stat.S_IMODE(p.stat().st_mode)

        assert mode(state) == 0o700
        assert mode(media) == 0o700
        assert mode(state / "state.db") == 0o600
        assert (state / "state.db-wal").exists() and mode(state / "state.db-wal") == 0o600
        assert mode(state / "logs") == 0o700


async def test_stalled_sockets_share_a_total_budget_worst_shed_first(gateway_factory):
    budget = 2 * 1024 * 1024
    async with gateway_factory(max_total_buffered_bytes=budget) as gw:
        healthy = await operator(gw.port, TOKEN, ["operator.read"])
        stalled = [await operator(gw.port, TOKEN, ["operator.read"], max_queue=1) for _ in range(2)]
        # Match server-side connections to the stalled peers by their local ports.
        by_port = {c.ws.remote_address[1]: c for c in gw.hub.connections.values()}
        server_side = [by_port[p.ws.local_address[1]] for p in stalled]
        for conn in server_side:
            sock = conn.ws.transport.get_extra_info("socket")
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
        chunk = {"blob": "x" * 64 * 1024}

        def fill(conn, target: int) -> None:
            for _ in range(2000):
                if conn.dropped or conn.buffered() >= target:
                    return
                gw.hub.send_event(conn, "health", chunk)

        worst, other = server_side
        fill(worst, int(budget * 0.7))
        assert not worst.dropped
        fill(other, int(budget * 0.5))  # together over the budget: the worst goes first
        assert worst.dropped and not other.dropped
        assert gw.hub.buffer_budget.used() <= budget
        res = await healthy.request("health", {})  # the gateway keeps serving
        assert res["ok"]
        with anyio.fail_after(15):
            while worst.conn_id in gw.hub.connections:
                await anyio.sleep(0.05)
        for peer in stalled:
            peer.ws.transport.abort()
        with anyio.fail_after(15):
            while len(gw.hub.connections) > 1:
                await anyio.sleep(0.05)
        assert gw.hub.buffer_budget.used() == 0 and not gw.hub.buffer_budget.laggards
