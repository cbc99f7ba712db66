"""A local gpsd speaking its JSON protocol (https://gpsd.io/gpsd_json.html) on 127.0.0.1.

It greets with VERSION, answers ``?WATCH=…`` with DEVICES and WATCH, then streams the reports the
test scripted (TPVs, SKYs, garbage lines), one every ``interval`` seconds.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import anyio
import orjson
from anyio.abc import SocketStream
from anyio.streams.buffered import BufferedByteReceiveStream

VERSION = {
    "class": "VERSION",
    "release": "3.25",
    "rev": "3.25",
    "proto_major": 3,
    "proto_minor": 15,
}


@dataclass
class FakeGpsd:
    reports: list[Any] = field(default_factory=list)
    interval: float = 0.01
    port: int = 0
    watches: list[bytes] = field(default_factory=list)

    async def handle(self, stream: SocketStream) -> None:
        async with stream:
            await stream.send(orjson.dumps(VERSION) + b"\n")
            reader = BufferedByteReceiveStream(stream)
            try:
                command = await reader.receive_until(b"\n", 4096)
            except (anyio.EndOfStream, anyio.IncompleteRead):
                return
            self.watches.append(command)
            await stream.send(
                b'{"class":"DEVICES","devices":[{"class":"DEVICE","path":"/dev/ttyUSB0"}]}\n'
            )
            await stream.send(b'{"class":"WATCH","enable":true,"json":true}\n')
            try:
                for report in self.reports:
                    line = report if isinstance(report, bytes) else orjson.dumps(report)
                    await stream.send(line + b"\n")
                    await anyio.sleep(self.interval)
                await anyio.sleep_forever()
            except (anyio.BrokenResourceError, anyio.ClosedResourceError):
                return


@asynccontextmanager
async def running_gpsd(reports: list[Any], interval: float = 0.01) -> AsyncIterator[FakeGpsd]:
    fake = FakeGpsd(list(reports), interval)
    listener = await anyio.create_tcp_listener(local_host="127.0.0.1", local_port=0)
    fake.port = listener.extra(anyio.abc.SocketAttribute.local_port)
    async with listener, anyio.create_task_group() as tg:
        tg.start_soon(listener.serve, fake.handle)
        try:
            yield fake
        finally:
            tg.cancel_scope.cancel()
