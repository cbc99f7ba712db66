"""The heartbeat: a periodic agent run on the main session with a configured prompt.

Off by default (``[heartbeat] every_ms = 0``); ``set-heartbeats`` turns it on or off at runtime
(not persisted: a restart goes back to the config). Each beat ends in a record
``{ts, status, runId, text?, error?, durationMs}``, broadcast as a ``heartbeat`` event to every socket
and returned by ``last-heartbeat``. A beat that comes while the main session is busy is skipped
(status ``skipped``) rather than queued behind the conversation; beats never overlap, and the
interval counts from the end of the previous beat.
"""

from __future__ import annotations

import logging
import time
import uuid
from typing import TYPE_CHECKING, Any

from .clock import Clock, SystemClock, Waker
from .sessions import MAIN_SESSION

if TYPE_CHECKING:
    from ..config import HeartbeatConfig
    from ..runtime import Broadcast
    from .runs import RunManager

log = logging.getLogger("openclaw_gateway.heartbeat")

DEFAULT_EVERY_MS = 30 * 60 * 1000
"""The interval ``set-heartbeats {enabled: true}`` uses when none was ever configured."""
MAX_TEXT = 4000
IDLE_RECHECK_S = 3600.0


def format_every(ms: int) -> str:
    """``1800000`` → ``30m`` (as the reference shows intervals)."""
    for unit, size in (("h", 3_600_000), ("m", 60_000), ("s", 1000)):
        if ms % size == 0:
            return f"{ms // size}{unit}"
    return f"{ms}ms"


class Heartbeat:
    """A periodic agent run on the main session (off unless configured or switched on)."""

    def __init__(self, cfg: HeartbeatConfig, *, runs: RunManager, broadcast: Broadcast) -> None:
        self.runs = runs
        self.broadcast = broadcast
        self.enabled = cfg.every_ms > 0
        self.every_ms = cfg.every_ms or DEFAULT_EVERY_MS
        self.prompt = cfg.prompt
        self.last: dict[str, Any] | None = None
        self.clock: Clock = SystemClock()
        self._waker = Waker()

    def set_clock(self, clock: Clock) -> None:
        self.clock = clock
        self._waker.wake()

    def configure(self, enabled: bool, every_ms: int | None = None) -> None:
        """Turn it on/off (and change the interval); the interval restarts from now."""
        if every_ms is not None:
            self.every_ms = every_ms
        self.enabled = enabled
        self._waker.wake()

    def settings(self) -> dict[str, Any]:
        """The ``heartbeat`` object of the health snapshot's agent entry."""
        if not self.enabled:
            return {"enabled": False, "every": "off", "everyMs": None}
        return {"enabled": True, "every": format_every(self.every_ms), "everyMs": self.every_ms}

    @property
    def seconds(self) -> int:
        """``heartbeatSeconds`` of the health snapshot (0 when off)."""
        return self.every_ms // 1000 if self.enabled else 0

    async def run(self) -> None:
        while True:
            if not self.enabled:
                await self._waker.sleep(self.clock, IDLE_RECHECK_S)
                continue
            if await self._waker.sleep(self.clock, self.every_ms / 1000):
                continue  # settings changed: start the interval again
            try:
                await self.beat()
            except Exception:
                log.exception("heartbeat failed")

    async def beat(self) -> dict[str, Any]:
        """One heartbeat run, awaited to its end; returns (and broadcasts) its record."""
        started = time.monotonic()
        record: dict[str, Any]
        if self.runs.active_in(MAIN_SESSION):
            record = {"status": "skipped", "runId": None, "reason": "main session busy"}
        else:
            run_id = f"heartbeat:{uuid.uuid4().hex[:12]}"
            try:
                run = await self.runs.submit(
                    run_id=run_id, session_key=MAIN_SESSION, message=self.prompt, kind="heartbeat"
                )
                await run.done.wait()
                record = {"status": run.status, "runId": run_id}
                if run.text:
                    record["text"] = run.text[:MAX_TEXT]
                if run.error:
                    record["error"] = run.error
            except Exception as exc:
                log.exception("heartbeat run %s could not start", run_id)
                record = {
                    "status": "error",
                    "runId": run_id,
                    "error": f"{type(exc).__name__}: {exc}",
                }
        record["ts"] = int(self.clock.now() * 1000)
        record["durationMs"] = int((time.monotonic() - started) * 1000)
        self.last = record
        self.broadcast("heartbeat", record)
        return record
