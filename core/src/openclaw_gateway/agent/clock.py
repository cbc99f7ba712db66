"""The scheduler's clock and waker: wall time to compute fires, monotonic time to sleep, and a way
to wake the loop early. Injectable, so tests advance a fake clock instead of waiting minutes
(used by cron and the heartbeat)."""

from __future__ import annotations

import time
from typing import Protocol

import anyio

MAX_SLEEP_S = 60.0
"""The loop re-reads the clock at least this often (a wall-clock jump is noticed within a minute)."""


# --- the clock ----------------------------------------------------------------------------------


class Clock(Protocol):
    """Wall-clock time (epoch seconds) and a way to wait for it."""

    def now(self) -> float: ...

    async def sleep(self, seconds: float) -> None: ...


class SystemClock:
    def now(self) -> float:
        return time.time()

    async def sleep(self, seconds: float) -> None:
        await anyio.sleep(seconds)


class Waker:
    """Sleep on a clock until the time passes or :meth:`wake` is called (no wake-up is lost)."""

    def __init__(self) -> None:
        self._event = anyio.Event()

    def wake(self) -> None:
        self._event.set()

    async def sleep(self, clock: Clock, seconds: float) -> bool:
        """Returns True when woken early."""
        woken = False
        event = self._event
        async with anyio.create_task_group() as tg:

            async def sleeper() -> None:
                await clock.sleep(max(seconds, 0.0))
                tg.cancel_scope.cancel()

            async def waiter() -> None:
                nonlocal woken
                await event.wait()
                woken = True
                tg.cancel_scope.cancel()

            tg.start_soon(sleeper)
            tg.start_soon(waiter)
        if woken:
            self._event = anyio.Event()
        return woken
