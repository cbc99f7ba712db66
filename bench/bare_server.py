"""The "ceiling of Python" baseline: the least a websockets server can do and still speak the protocol.

* sends a ``connect.challenge`` event on open (fresh uuid4 nonce, like a real gateway);
* answers the first frame — whatever it is — with a cached hello-ok (only its ``id`` is spliced in);
* answers every later frame with a cached ``health`` payload (no validation, no dispatch, no auth);
* on ``system-event`` (detected by a substring check) it also broadcasts a cached-shape ``presence``
  event to every connected socket, so the fan-out measurement has a floor to compare with.

Same stack as the gateway (asyncio + websockets + orjson, compression off), so the difference
between this and ``openclaw-gateway`` is the cost of our own code.

    .venv/bin/python bench/bare_server.py --port 18800
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import time
import uuid

import orjson
from websockets.asyncio.connection import broadcast
from websockets.asyncio.server import ServerConnection, serve

# Same shape and size as openclaw-gateway's cached health snapshot (~500 bytes).
HEALTH = orjson.dumps(
    {
        "ok": True,
        "ts": int(time.time() * 1000),
        "channels": {},
        "channelOrder": [],
        "channelLabels": {},
        "heartbeatSeconds": 0,
        "defaultAgentId": "main",
        "agents": [
            {
                "agentId": "main",
                "isDefault": True,
                "heartbeat": {"enabled": False, "every": "off", "everyMs": None},
                "sessions": {"path": "/tmp/bare/state.sqlite", "count": 0, "recent": []},
            }
        ],
        "sessions": {"path": "/tmp/bare/state.sqlite", "count": 0, "recent": []},
        "plugins": {"loaded": [], "errors": [], "unavailable": []},
        "gateway": {"version": "bare", "uptimeMs": 0, "connections": 0, "rssBytes": 0},
        "durationMs": 0,
    }
)

HELLO = orjson.dumps(
    {
        "type": "hello-ok",
        "protocol": 4,
        "server": {"version": "bare", "connId": "bare"},
        "features": {"methods": ["health", "system-event"], "events": ["presence", "tick"]},
        "snapshot": {
            "presence": [],
            "health": orjson.Fragment(HEALTH),
            "stateVersion": {"presence": 1, "health": 1},
            "uptimeMs": 0,
        },
        "auth": {"method": "token", "role": "operator", "scopes": ["operator.read"]},
        "policy": {"maxPayload": 26214400, "maxBufferedBytes": 52428800, "tickIntervalMs": 30000},
    }
)

CLIENTS: set[ServerConnection] = set()
PRESENCE: list[dict[str, object]] = []
SEQ = 0


def _res(rid: object, payload: bytes) -> bytes:
    return b'{"type":"res","id":' + orjson.dumps(rid) + b',"ok":true,"payload":' + payload + b"}"


async def handler(ws: ServerConnection) -> None:
    global SEQ
    challenge = {"nonce": str(uuid.uuid4()), "ts": int(time.time() * 1000)}
    await ws.send(
        orjson.dumps({"type": "event", "event": "connect.challenge", "payload": challenge}),
        text=True,
    )
    first = orjson.loads(await ws.recv())
    await ws.send(_res(first.get("id"), HELLO), text=True)
    CLIENTS.add(ws)
    try:
        async for data in ws:
            frame = orjson.loads(data)
            rid = frame.get("id")
            if frame.get("method") == "system-event":
                # the cheapest honest broadcast: encode once, queue to every socket, no await
                PRESENCE.append({"text": (frame.get("params") or {}).get("text"), "ts": 0})
                del PRESENCE[:-200]
                SEQ += 1
                event = orjson.dumps(
                    {
                        "type": "event",
                        "event": "presence",
                        "payload": {"presence": PRESENCE},
                        "seq": SEQ,
                    }
                )
                await ws.send(_res(rid, b'{"ok":true}'), text=True)
                broadcast(CLIENTS, event, text=True)
            else:
                await ws.send(_res(rid, HEALTH), text=True)
    finally:
        CLIENTS.discard(ws)


async def main(host: str, port: int) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_signal_handler(signal.SIGINT, stop.set)
    async with serve(handler, host, port, compression=None, server_header=None, max_size=2**20):
        print(f"bare server listening on ws://{host}:{port} (pid {os.getpid()})", flush=True)
        await stop.wait()


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=18800)
    args = ap.parse_args()
    asyncio.run(main(args.host, args.port))
