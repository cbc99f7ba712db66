"""Slow consumers: a peer that stops reading is closed, memory stays bounded, others keep working."""

from __future__ import annotations

import asyncio
import json
import socket
import time

import anyio
import pytest
from websockets.asyncio.client import connect

from wire import TOKEN, Peer, connect_frame, connect_res, operator

pytestmark = pytest.mark.anyio

MAX_BUFFERED = 256 * 1024
EVENT_PAD = 100_000


async def stalled_peer(port: int) -> tuple[Peer, str]:
    """An authenticated operator whose socket reads as little as possible once we stop reading."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.setblocking(False)
    await asyncio.get_running_loop().sock_connect(sock, ("127.0.0.1", port))
    ws = await connect(f"ws://127.0.0.1:{port}", sock=sock, max_queue=1)
    challenge = json.loads(await ws.recv())
    peer = Peer(ws, challenge)
    res = await connect_res(peer, connect_frame(token=TOKEN, scopes=[]))
    assert res["ok"]
    return peer, res["payload"]["server"]["connId"]


def server_buffer(gw, conn_id: str) -> int:
    conn = gw.hub.connections.get(conn_id)
    if conn is None or conn.ws.transport is None:
        return 0
    return int(conn.ws.transport.get_write_buffer_size())


async def _flood(gw, slow_id: str, count: int) -> int:
    """Broadcast ``count`` big tick events; return the largest server-side buffer seen for slow."""
    peak = 0
    for i in range(count):
        gw.broadcast("tick", {"ts": i, "pad": "x" * EVENT_PAD})
        peak = max(peak, server_buffer(gw, slow_id))
        await anyio.sleep(0.001)
    return peak


async def test_slow_consumer_closed_and_bounded(gateway_factory):
    async with gateway_factory(max_buffered_bytes=MAX_BUFFERED) as gw:
        slow, slow_id = await stalled_peer(gw.port)
        good = await operator(gw.port, TOKEN, scopes=[])
        received: list[int] = []

        async def read_good() -> None:
            while len(received) < 200:
                frame = await good.recv()
                if frame.get("event") == "tick":
                    received.append(frame["seq"])

        async with anyio.create_task_group() as tg:
            tg.start_soon(read_good)
            peak = await _flood(gw, slow_id, 200)
            with anyio.fail_after(10):
                while len(received) < 200:
                    await anyio.sleep(0.01)

        # The good peer got every event, in order, without gaps.
        assert received == list(range(received[0], received[0] + 200))
        # The slow peer's server-side buffer never went past the limit (plus one frame).
        assert peak <= MAX_BUFFERED + EVENT_PAD + 1024
        slow_conn = gw.hub.connections.get(slow_id)
        assert slow_conn is None or slow_conn.dropped
        # Once dropped, nothing more is queued for it.
        assert gw.broadcast("tick", {"ts": 0}) == 1 or slow_conn is None

        # When the slow peer finally reads, it finds a 1008 "slow consumer" close.
        with anyio.fail_after(10):
            frames, code, reason = await slow.drain()
        assert (code, reason) == (1008, "slow consumer")
        assert len(frames) < 200  # it did not get everything
        with anyio.fail_after(3):
            while slow_id in gw.hub.connections:
                await anyio.sleep(0.01)
        assert (await good.request("health"))["ok"]
        await good.ws.close()


async def test_stalled_consumer_is_disconnected_even_if_it_never_reads(gateway_factory):
    async with gateway_factory(max_buffered_bytes=MAX_BUFFERED) as gw:
        gw.hub.close_grace_s = 0.5
        slow, slow_id = await stalled_peer(gw.port)
        await _flood(gw, slow_id, 100)
        assert gw.hub.connections[slow_id].dropped
        # The gateway must not keep a never-reading peer (and its buffer) forever: after the
        # close grace period the TCP connection is aborted.
        started = time.monotonic()
        with anyio.fail_after(5):
            while slow_id in gw.hub.connections:
                await anyio.sleep(0.02)
        assert time.monotonic() - started < 3
        slow.ws.transport.abort()


async def test_pipelining_without_reading_gets_backpressure(gateway):
    peer, conn_id = await stalled_peer(gateway.port)
    frame = json.dumps({"type": "req", "id": "x", "method": "health", "params": {"probe": False}})
    with anyio.move_on_after(3):  # our own send may block too, once the kernel buffers fill
        for _ in range(3000):
            await peer.send(frame)
    await anyio.sleep(0.3)
    # The gateway stopped reading from this peer instead of queueing thousands of responses.
    assert server_buffer(gateway, conn_id) < 2 * 1024 * 1024
    other = await operator(gateway.port, TOKEN)
    assert (await other.request("health"))["ok"]
    await other.ws.close()
    peer.ws.transport.abort()
