"""Running one channel adapter on its own: a :class:`ChannelContext` whose ``deliver`` collects
messages and whose status and counters are recorded, so a test can wait for what the adapter did."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio
from pydantic import BaseModel

from openclaw_gateway.api import ChannelAdapter, ChannelContext, InboundMessage


@dataclass
class Harness:
    channel: str
    account: str = "default"
    inbox: list[InboundMessage] = field(default_factory=list)
    statuses: list[tuple[str, str | None]] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)
    run_error: BaseException | None = None
    adapter: Any = None
    _changed: anyio.Event = field(default_factory=anyio.Event)

    def context(self, config: BaseModel, data_dir: Path | None = None) -> ChannelContext:
        return ChannelContext(
            channel=self.channel,
            account=self.account,
            config=config,
            log=logging.getLogger(f"test.{self.channel}"),
            deliver=self.deliver,
            set_status=self.status,
            count=self.count,
            data_dir=data_dir,
        )

    async def deliver(self, message: InboundMessage) -> None:
        self.inbox.append(message)
        self.notify()

    def status(self, state: str, detail: str | None) -> None:
        self.statuses.append((state, detail))
        self.notify()

    def count(self, reason: str) -> None:
        self.counts[reason] += 1
        self.notify()

    def notify(self) -> None:
        self._changed.set()
        self._changed = anyio.Event()

    async def until(self, predicate: Any, timeout: float = 10) -> None:
        with anyio.fail_after(timeout):
            while not predicate():
                await self._changed.wait()

    async def received(self, count: int) -> list[InboundMessage]:
        await self.until(lambda: len(self.inbox) >= count)
        return self.inbox

    @property
    def state(self) -> str | None:
        return self.statuses[-1][0] if self.statuses else None

    @property
    def detail(self) -> str | None:
        return self.statuses[-1][1] if self.statuses else None


@asynccontextmanager
async def running(h: Harness, adapter: ChannelAdapter) -> AsyncIterator[Harness]:
    """Run ``adapter.run()`` in the background for the block (a raised error lands in
    ``h.run_error``)."""
    h.adapter = adapter

    async def run() -> None:
        try:
            await adapter.run()
        except Exception as exc:
            h.run_error = exc
            h.notify()

    async with anyio.create_task_group() as tg:
        tg.start_soon(run)
        try:
            yield h
        finally:
            tg.cancel_scope.cancel()
