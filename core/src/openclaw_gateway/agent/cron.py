"""Scheduled agent runs: cron jobs kept in SQLite, fired by one anyio loop through the RunManager.

Next-fire times come from ``cronsim`` (5 fields, or 6 with seconds first; ``@hourly``-style
aliases), evaluated in the job's IANA time zone (UTC by default), so ``0 9 * * *`` in
``Europe/Berlin`` follows daylight-saving changes.

Policy:

* **Missed fires are skipped, never replayed.** A fire that fell while the gateway was down is
  dropped at start (the next one is computed from *now*); a loop that wakes late fires a due job
  once and computes its next time from now, so a stall never turns into a burst.
* **One run per job at a time.** A job still running when it is due again skips that fire (a
  ``cron`` event with ``status: "skipped"`` says so); ``cron.run`` answers ``in_flight``.
* **One failing job never stops the loop.** Each fire is isolated; the error is recorded on the job.
* A run interrupted by a shutdown is recorded as an error on the next start.

The clock is injectable (:class:`Clock`): tests swap in a fake one with :meth:`CronScheduler.set_clock`
and advance it instead of waiting real minutes.
"""

from __future__ import annotations

import logging
import time
import uuid
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import anyio
from cronsim import CronSim, CronSimError

from ..errors import ErrorCode, GatewayError, invalid_request
from ..state import cron as store
from .sessions import DEFAULT_AGENT, canonical_session_key

if TYPE_CHECKING:
    from ..server.gateway import Gateway
    from .runs import Run

log = logging.getLogger("openclaw_gateway.cron")

ALIASES = {
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
    "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@hourly": "0 * * * *",
}

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


# --- schedules ----------------------------------------------------------------------------------


class ScheduleError(ValueError):
    """Raised when a cron expression or time zone is invalid; ``field`` names the param."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


def normalize_schedule(expr: str) -> str:
    return " ".join(expr.split())


def zone(tz: str) -> ZoneInfo:
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise ScheduleError(
            "tz", f"unknown time zone {tz!r} (use an IANA name such as 'Europe/Berlin')"
        ) from None


def next_fire_ms(expr: str, tz: str, after_ms: int) -> int:
    """The first fire strictly after ``after_ms``; raises :class:`ScheduleError`."""
    expr = normalize_schedule(expr)
    start = datetime.fromtimestamp(after_ms / 1000, zone(tz))
    try:
        fire = next(CronSim(ALIASES.get(expr.lower(), expr), start))
    except CronSimError as exc:
        raise ScheduleError("schedule", f"invalid cron expression {expr!r}: {exc}") from None
    except (StopIteration, ValueError, OverflowError):
        raise ScheduleError("schedule", f"cron expression {expr!r} never fires") from None
    return int(fire.timestamp() * 1000)


def schedule_error(method: str, exc: ScheduleError) -> GatewayError:
    return invalid_request(
        f"invalid {method} params: {exc.field}: {exc.reason}",
        code="INVALID_PARAMS",
        path=f"/{exc.field}",
        reason=exc.reason,
    )


# --- the scheduler ------------------------------------------------------------------------------


def job_payload(job: store.CronJobRecord, running_run_id: str | None = None) -> dict[str, Any]:
    return {
        "id": job.job_id,
        "name": job.name,
        "schedule": job.schedule,
        "tz": job.tz,
        "message": job.message,
        "sessionKey": job.session_key,
        "enabled": job.enabled,
        "createdAtMs": job.created_at_ms,
        "nextRunAtMs": job.next_run_at_ms,
        "lastRunId": job.last_run_id,
        "lastStatus": job.last_status,
        "lastRunAtMs": job.last_run_at_ms,
        "lastError": job.last_error,
        "runningRunId": running_run_id,
    }


class CronScheduler:
    """The cron jobs of one gateway (loaded at construction, before serving) and their loop."""

    def __init__(self, gateway: Gateway) -> None:
        self.gateway = gateway
        self.clock: Clock = SystemClock()
        self.jobs: dict[str, store.CronJobRecord] = {}
        self.running: dict[str, str] = {}
        """job id → id of its run in flight."""
        self._waker = Waker()
        self._load()

    # --- clock and lifecycle -------------------------------------------------------------------

    def now_ms(self) -> int:
        return int(self.clock.now() * 1000)

    def set_clock(self, clock: Clock) -> None:
        """Use another clock from now on (tests); the loop re-reads it at once."""
        self.clock = clock
        self.wake()

    def wake(self) -> None:
        self._waker.wake()

    def _load(self) -> None:
        conn = self.gateway.db.conn
        now = self.now_ms()
        missed = 0
        for job in store.list_jobs(conn):
            if job.last_status == "running" and job.last_run_id:
                error = "interrupted by a gateway shutdown"
                store.finish_run(conn, job.job_id, job.last_run_id, "error", error)
                job = replace(job, last_status="error", last_error=error)
            if job.enabled and (job.next_run_at_ms is None or job.next_run_at_ms <= now):
                missed += job.next_run_at_ms is not None
                try:
                    next_ms: int | None = next_fire_ms(job.schedule, job.tz, now)
                except ScheduleError as exc:  # e.g. a time zone gone from this host's tzdata
                    log.error("cron job %s (%s) cannot be scheduled: %s", job.job_id, job.name, exc)
                    next_ms = None
                store.set_next_run(conn, job.job_id, next_ms)
                job = replace(job, next_run_at_ms=next_ms)
            self.jobs[job.job_id] = job
        if missed:
            log.info("%d cron fire(s) missed while the gateway was down were skipped", missed)

    async def run(self) -> None:
        """The loop: fire what is due, sleep until the next fire (or a change), repeat."""
        if not self.gateway.config.cron.enabled:
            log.info("cron scheduler disabled (cron.enabled = false); cron.run still works")
            return
        while True:
            try:
                delay = await self.fire_due()
            except Exception:
                log.exception("cron scheduler pass failed")
                delay = 1.0
            await self._waker.sleep(self.clock, delay)

    async def fire_due(self) -> float:
        """Fire every due job once; return the seconds until the next one is due."""
        now = self.now_ms()
        for job in list(self.jobs.values()):
            if not job.enabled or job.next_run_at_ms is None or job.next_run_at_ms > now:
                continue
            try:
                await self._advance(job.job_id, now)
                if job.job_id in self.running:
                    log.warning("cron job %s is still running: this fire is skipped", job.job_id)
                    self._event(
                        "finished",
                        job,
                        runId=None,
                        status="skipped",
                        error="the previous run is still in progress",
                    )
                    continue
                await self.fire(job.job_id, reason="schedule")
            except Exception:
                log.exception("cron job %s (%s) could not be fired", job.job_id, job.name)
        upcoming = [j.next_run_at_ms for j in self.jobs.values() if j.enabled and j.next_run_at_ms]
        if not upcoming:
            return MAX_SLEEP_S
        return min(max((min(upcoming) - self.now_ms()) / 1000, 0.0), MAX_SLEEP_S)

    async def _advance(self, job_id: str, now_ms: int) -> None:
        job = self.jobs[job_id]
        try:
            next_ms: int | None = next_fire_ms(job.schedule, job.tz, now_ms)
        except ScheduleError:
            next_ms = None
        self.jobs[job_id] = replace(job, next_run_at_ms=next_ms)
        db = self.gateway.db
        await db.run(store.set_next_run, db.conn, job_id, next_ms)

    # --- operations ----------------------------------------------------------------------------

    async def add(
        self,
        *,
        name: str | None,
        schedule: str,
        tz: str,
        message: str,
        session_key: str | None,
        enabled: bool,
    ) -> store.CronJobRecord:
        """Validate, persist and schedule a job; raises :class:`ScheduleError` or GatewayError."""
        limit = self.gateway.config.cron.max_jobs
        if len(self.jobs) >= limit:
            raise invalid_request(f"too many cron jobs (cron.max_jobs = {limit})")
        schedule = normalize_schedule(schedule)
        now = self.now_ms()
        next_ms = next_fire_ms(schedule, tz, now)  # validates both fields
        job_id = uuid.uuid4().hex[:12]
        if session_key is None or not session_key.strip():
            key = f"agent:{DEFAULT_AGENT}:cron:{job_id}"
        else:
            key = canonical_session_key(session_key, job_id)
        job = store.CronJobRecord(
            job_id=job_id,
            name=(name or "").strip() or f"cron {job_id}",
            schedule=schedule,
            tz=tz,
            message=message,
            session_key=key,
            enabled=enabled,
            created_at_ms=now,
            next_run_at_ms=next_ms if enabled else None,
        )
        db = self.gateway.db
        await db.run(store.insert_job, db.conn, job)
        self.jobs[job_id] = job
        self.wake()
        self._event("added", job, job=job_payload(job))
        return job

    async def remove(self, job_id: str) -> bool:
        job = self.jobs.pop(job_id, None)
        db = self.gateway.db
        deleted = await db.run(store.delete_job, db.conn, job_id)
        if job is None:
            return deleted
        self.wake()
        self._event("removed", job)
        return True

    async def fire(self, job_id: str, *, reason: str) -> tuple[str, str]:
        """Start a run of the job now: ``(runId, "started")``, or ``(runId, "in_flight")`` when it
        is already running. A run that cannot be started is recorded, reported, and raised."""
        job = self.jobs[job_id]
        current = self.running.get(job_id)
        if current is not None:
            return current, "in_flight"
        run_id = f"cron:{job_id}:{uuid.uuid4().hex[:12]}"
        self.running[job_id] = run_id
        gw, db = self.gateway, self.gateway.db
        now = self.now_ms()
        try:
            await db.run(store.record_run, db.conn, job_id, run_id, "running", now, None)
            self._update(job_id, last_run_id=run_id, last_status="running", last_run_at_ms=now)
            run = await gw.runs.submit(
                run_id=run_id, session_key=job.session_key, message=job.message, kind="cron"
            )
        except Exception as exc:
            self.running.pop(job_id, None)
            error = f"{type(exc).__name__}: {exc}"
            with anyio.CancelScope(shield=True):
                await db.run(store.finish_run, db.conn, job_id, run_id, "error", error)
            self._update(job_id, last_status="error", last_error=error)
            self._event("finished", job, runId=run_id, runAtMs=now, status="error", error=error)
            raise GatewayError(
                ErrorCode.UNAVAILABLE, f"cron job {job_id} could not start: {error}"
            ) from exc
        self._event(
            "started", job, runId=run_id, runAtMs=now, reason=reason, sessionKey=job.session_key
        )
        gw.spawn(lambda: self._watch(job_id, run, now))
        return run_id, "started"

    async def _watch(self, job_id: str, run: Run, started_ms: int) -> None:
        await run.done.wait()
        if self.running.get(job_id) == run.run_id:
            del self.running[job_id]
        job = self.jobs.get(job_id)
        error = run.error if run.status != "ok" else None
        try:
            db = self.gateway.db
            await db.run(store.finish_run, db.conn, job_id, run.run_id, run.status, error)
        except Exception:
            log.exception("cron job %s: could not record the end of run %s", job_id, run.run_id)
        if job is not None and job.last_run_id == run.run_id:
            self._update(job_id, last_status=run.status, last_error=error)
        payload: dict[str, Any] = {
            "runId": run.run_id,
            "runAtMs": started_ms,
            "status": run.status,
            "durationMs": (run.ended_at_ms or 0) - (run.started_at_ms or run.accepted_at_ms),
            "sessionKey": run.session_key,
        }
        if error:
            payload["error"] = error
        if job is None:
            self.gateway.broadcast(
                "cron", {"action": "finished", "jobId": job_id, "ts": self.now_ms(), **payload}
            )
        else:
            self._event("finished", self.jobs.get(job_id, job), **payload)

    def _update(self, job_id: str, **changes: Any) -> None:
        job = self.jobs.get(job_id)
        if job is not None:
            self.jobs[job_id] = replace(job, **changes)

    def _event(self, action: str, record: store.CronJobRecord, /, **extra: Any) -> None:
        payload: dict[str, Any] = {
            "action": action,
            "jobId": record.job_id,
            "name": record.name,
            "ts": self.now_ms(),
        }
        current = self.jobs.get(record.job_id)
        if current is not None and action != "removed":
            payload["nextRunAtMs"] = current.next_run_at_ms
        payload.update(extra)
        self.gateway.broadcast("cron", payload)

    def payloads(self) -> list[dict[str, Any]]:
        return [job_payload(job, self.running.get(job.job_id)) for job in self.jobs.values()]
