"""Scheduled agent runs: cron jobs kept in SQLite, fired by one anyio loop through the RunManager.

A job's schedule is one of three kinds (the reference gateway's schedule objects):

* ``cron``: next-fire times come from ``cronsim`` (5 fields, or 6 with seconds first;
  ``@hourly``-style aliases), evaluated in the job's IANA time zone (UTC by default), so
  ``0 9 * * *`` in ``Europe/Berlin`` follows daylight-saving changes;
* ``every``: every ``everyMs`` milliseconds, counted from ``anchorMs`` (default: when it was set);
* ``at``: once, at an instant; the job is disabled once that fire has happened (or was missed).

Policy:

* **Missed fires are skipped, never replayed.** A fire that fell while the gateway was down is
  dropped at start (the next one is computed from *now*); a loop that wakes late fires a due job
  once and computes its next time from now, so a stall never turns into a burst.
* **One run per job at a time.** A job still running when it is due again skips that fire (a
  ``cron`` event with ``status: "skipped"`` says so); ``cron.run`` answers ``in_flight``.
* **One failing job never stops the loop.** Each fire is isolated; the error is recorded on the job.
* A run interrupted by a shutdown is recorded as an error on the next start.
* Each run is kept in the job's history (``cron.runs``), the newest ``run_history`` per job.

The clock is injectable (:class:`~openclaw_gateway.agent.clock.Clock`): tests swap in a fake one
with :meth:`CronScheduler.set_clock` and advance it instead of waiting real minutes. Schedules
themselves (parsing, next-fire times) are pure code in :mod:`openclaw_gateway.agent.schedule`.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import anyio

from ..errors import ErrorCode, GatewayError, invalid_request
from ..state import cron as store
from .clock import MAX_SLEEP_S, Clock, SystemClock, Waker
from .cron_wire import WIRE_TO_STORED, job_payload, own_session_key, run_payload
from .schedule import Schedule, ScheduleError
from .sessions import canonical_session_key

if TYPE_CHECKING:
    from ..config import CronConfig
    from ..runtime import Broadcast, Spawn
    from ..state.db import Database
    from .run import Run
    from .runs import RunManager

log = logging.getLogger("openclaw_gateway.cron")


# --- the scheduler ------------------------------------------------------------------------------

SUMMARY_CHARS = 500
"""A run's history entry keeps the first this many characters of the reply as its summary."""
INTERRUPTED = "interrupted by a gateway shutdown"


def session_key_for(job_id: str, session_key: str | None) -> str:
    """The job's own session by default, else the canonical form of the given key."""
    if session_key is None or not session_key.strip():
        return own_session_key(job_id)
    return canonical_session_key(session_key, job_id)


class CronScheduler:
    """The cron jobs of one gateway (loaded at construction, before serving) and their loop."""

    def __init__(
        self,
        *,
        db: Database,
        config: CronConfig,
        runs: RunManager,
        broadcast: Broadcast,
        spawn: Spawn,
    ) -> None:
        self.db = db
        self.config = config
        self.agent_runs = runs
        self.broadcast = broadcast
        self.spawn = spawn
        self.clock: Clock = SystemClock()
        self.jobs: dict[str, store.CronJobRecord] = {}
        self.running: dict[str, str] = {}
        """job id → id of its run in flight."""
        self.run_history = store.MAX_RUNS_PER_JOB
        """Runs kept per job in the history (``cron.runs``)."""
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
        conn = self.db.conn
        now = self.now_ms()
        missed = 0
        for job in store.list_jobs(conn):
            if job.last_status == "running" and job.last_run_id:
                store.finish_run(
                    conn, job.job_id, job.last_run_id, "error", INTERRUPTED, ended_at_ms=now
                )
                job = replace(job, last_status="error", last_error=INTERRUPTED)
            if job.enabled and (job.next_run_at_ms is None or job.next_run_at_ms <= now):
                missed += job.next_run_at_ms is not None
                next_ms, enabled = self._next(job, now)
                store.set_next_run(conn, job.job_id, next_ms, enabled)
                job = replace(job, next_run_at_ms=next_ms, enabled=enabled)
            self.jobs[job.job_id] = job
        store.interrupt_runs(conn, INTERRUPTED, now)
        if missed:
            log.info("%d cron fire(s) missed while the gateway was down were skipped", missed)

    @staticmethod
    def _next(job: store.CronJobRecord, now_ms: int) -> tuple[int | None, bool]:
        """The job's next fire after ``now_ms`` and whether it stays enabled (a one-shot whose
        instant has passed does not)."""
        try:
            next_ms = Schedule.of(job).next_after(now_ms)
        except ScheduleError as exc:  # e.g. a time zone gone from this host's tzdata
            log.error("cron job %s (%s) cannot be scheduled: %s", job.job_id, job.name, exc)
            return None, job.enabled
        return next_ms, job.enabled and (next_ms is not None or job.schedule_kind != "at")

    async def run(self) -> None:
        """The loop: fire what is due, sleep until the next fire (or a change), repeat."""
        if not self.config.enabled:
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
        upcoming = self.next_wake_ms()
        if upcoming is None:
            return MAX_SLEEP_S
        return min(max((upcoming - self.now_ms()) / 1000, 0.0), MAX_SLEEP_S)

    def next_wake_ms(self) -> int | None:
        """When the next enabled job is due (None: none is)."""
        upcoming = [j.next_run_at_ms for j in self.jobs.values() if j.enabled and j.next_run_at_ms]
        return min(upcoming, default=None)

    async def _advance(self, job_id: str, now_ms: int) -> None:
        job = self.jobs[job_id]
        next_ms, enabled = self._next(job, now_ms)
        self.jobs[job_id] = replace(job, next_run_at_ms=next_ms, enabled=enabled)
        db = self.db
        await db.run(store.set_next_run, db.conn, job_id, next_ms, enabled)

    # --- operations ----------------------------------------------------------------------------

    async def add(
        self,
        *,
        name: str | None,
        schedule: Schedule,
        message: str,
        session_key: str | None,
        enabled: bool,
    ) -> store.CronJobRecord:
        """Persist and schedule a job (``schedule`` comes from :func:`parse_schedule`)."""
        limit = self.config.max_jobs
        if len(self.jobs) >= limit:
            raise invalid_request(f"too many cron jobs (cron.max_jobs = {limit})")
        now = self.now_ms()
        next_ms = schedule.next_after(now)
        job_id = uuid.uuid4().hex[:12]
        job = store.CronJobRecord(
            job_id=job_id,
            name=(name or "").strip() or f"cron {job_id}",
            message=message,
            session_key=session_key_for(job_id, session_key),
            enabled=enabled,
            created_at_ms=now,
            updated_at_ms=now,
            next_run_at_ms=next_ms if enabled else None,
            **schedule.columns(),
        )
        db = self.db
        await db.run(store.insert_job, db.conn, job)
        self.jobs[job_id] = job
        self.wake()
        self._event("added", job, job=job_payload(job))
        return job

    async def update(
        self,
        job_id: str,
        *,
        name: str | None = None,
        schedule: Schedule | None = None,
        message: str | None = None,
        session_key: str | None = None,
        enabled: bool | None = None,
    ) -> store.CronJobRecord | None:
        """Change a job (None: leave as is) and reschedule it when its schedule or ``enabled``
        changes; None when there is no such job. Enabling a one-shot whose instant has passed
        raises :class:`ScheduleError` (field ``enabled``)."""
        job = self.jobs.get(job_id)
        if job is None:
            return None
        changes: dict[str, Any] = {}
        if name is not None:
            changes["name"] = name.strip() or f"cron {job_id}"
        if message is not None:
            changes["message"] = message
        if session_key is not None:
            changes["session_key"] = session_key_for(job_id, session_key)
        if schedule is not None:
            changes.update(schedule.columns())
        if enabled is not None:
            changes["enabled"] = enabled
        updated = replace(job, **changes, updated_at_ms=self.now_ms())
        if schedule is not None or updated.enabled != job.enabled:
            next_ms = Schedule.of(updated).next_after(self.now_ms()) if updated.enabled else None
            if updated.enabled and next_ms is None and updated.schedule_kind == "at":
                raise ScheduleError("enabled", "the one-shot time has passed: give a new schedule")
            updated = replace(updated, next_run_at_ms=next_ms)
        self.jobs[job_id] = updated
        db = self.db
        await db.run(store.update_job, db.conn, updated)
        self.wake()
        current = self.jobs.get(job_id, updated)
        self._event("updated", current, job=job_payload(current, self.running.get(job_id)))
        return current

    async def remove(self, job_id: str) -> bool:
        job = self.jobs.pop(job_id, None)
        db = self.db
        deleted = await db.run(store.delete_job, db.conn, job_id)
        if job is None:
            return deleted
        self.wake()
        self._event("removed", job)
        return True

    async def run_now(self, job_id: str, mode: str = "force") -> tuple[str | None, str]:
        """``cron.run``: ``force`` runs the job now; ``due`` only when its fire is due (and then
        counts as that fire); ``if-enabled`` only when it is enabled. Returns ``(runId, status)``,
        status one of ``started``, ``in_flight``, ``not-due``, ``disabled``."""
        job = self.jobs[job_id]
        if mode == "if-enabled" and not job.enabled:
            return None, "disabled"
        if mode == "due":
            now = self.now_ms()
            if not job.enabled or job.next_run_at_ms is None or job.next_run_at_ms > now:
                return None, "not-due"
            if job_id not in self.running:
                await self._advance(job_id, now)
        return await self.fire(job_id, reason="manual")

    async def fire(self, job_id: str, *, reason: str) -> tuple[str, str]:
        """Start a run of the job now: ``(runId, "started")``, or ``(runId, "in_flight")`` when it
        is already running. A run that cannot be started is recorded, reported, and raised."""
        job = self.jobs[job_id]
        current = self.running.get(job_id)
        if current is not None:
            return current, "in_flight"
        run_id = f"cron:{job_id}:{uuid.uuid4().hex[:12]}"
        self.running[job_id] = run_id
        db = self.db
        now = self.now_ms()
        try:
            await db.run(
                store.record_run,
                db.conn,
                job_id,
                run_id,
                "running",
                now,
                None,
                reason=reason,
                session_key=job.session_key,
                keep=self.run_history,
            )
            self._update(job_id, last_run_id=run_id, last_status="running", last_run_at_ms=now)
            run = await self.agent_runs.submit(
                run_id=run_id, session_key=job.session_key, message=job.message, kind="cron"
            )
        except Exception as exc:
            self.running.pop(job_id, None)
            error = f"{type(exc).__name__}: {exc}"
            with anyio.CancelScope(shield=True):
                await db.run(
                    store.finish_run,
                    db.conn,
                    job_id,
                    run_id,
                    "error",
                    error,
                    ended_at_ms=self.now_ms(),
                    duration_ms=0,
                )
            self._update(job_id, last_status="error", last_error=error)
            self._event("finished", job, runId=run_id, runAtMs=now, status="error", error=error)
            raise GatewayError(
                ErrorCode.UNAVAILABLE, f"cron job {job_id} could not start: {error}"
            ) from exc
        self._event(
            "started", job, runId=run_id, runAtMs=now, reason=reason, sessionKey=job.session_key
        )
        self.spawn(lambda: self._watch(job_id, run, now))
        return run_id, "started"

    async def _watch(self, job_id: str, run: Run, started_ms: int) -> None:
        await run.done.wait()
        if self.running.get(job_id) == run.run_id:
            del self.running[job_id]
        job = self.jobs.get(job_id)
        error = run.error if run.status != "ok" else None
        duration = (run.ended_at_ms or 0) - (run.started_at_ms or run.accepted_at_ms)
        try:
            db = self.db
            await db.run(
                store.finish_run,
                db.conn,
                job_id,
                run.run_id,
                run.status,
                error,
                ended_at_ms=self.now_ms(),
                duration_ms=max(duration, 0),
                summary=run.text.strip()[:SUMMARY_CHARS] or None,
            )
        except Exception:
            log.exception("cron job %s: could not record the end of run %s", job_id, run.run_id)
        if job is not None and job.last_run_id == run.run_id:
            self._update(job_id, last_status=run.status, last_error=error)
        payload: dict[str, Any] = {
            "runId": run.run_id,
            "runAtMs": started_ms,
            "status": run.status,
            "durationMs": duration,
            "sessionKey": run.session_key,
        }
        if error:
            payload["error"] = error
        if job is None:
            self.broadcast(
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
        self.broadcast("cron", payload)

    # --- queries -------------------------------------------------------------------------------

    def payloads(self) -> list[dict[str, Any]]:
        return [job_payload(job, self.running.get(job.job_id)) for job in self.jobs.values()]

    def payload(self, job_id: str) -> dict[str, Any] | None:
        job = self.jobs.get(job_id)
        return None if job is None else job_payload(job, self.running.get(job_id))

    def status(self) -> dict[str, Any]:
        enabled = self.config.enabled
        path = str(self.db.path)
        return {
            "enabled": enabled,
            "jobs": len(self.jobs),
            "enabledJobs": sum(job.enabled for job in self.jobs.values()),
            "running": len(self.running),
            "nextWakeAtMs": self.next_wake_ms() if enabled else None,
            "triggersEnabled": False,
            "storage": "sqlite",
            "sqlitePath": path,
            "storePath": path,
        }

    async def runs(
        self,
        job_id: str | None,
        *,
        limit: int,
        offset: int = 0,
        run_id: str | None = None,
        statuses: list[str] | None = None,
        query: str | None = None,
        ascending: bool = False,
    ) -> tuple[list[dict[str, Any]], int, int]:
        """Run history (of one job, or of every job when ``job_id`` is None), newest first unless
        ``ascending``: the entries, how many match, and the offset used. ``statuses`` are the
        reference's (``ok``/``error``/``skipped``); ``query`` matches summary, error or job name."""
        stored = None
        if statuses is not None:
            stored = sorted({s for status in statuses for s in WIRE_TO_STORED.get(status, ())})
        named: list[str] = []
        if query:
            needle = query.lower()
            named = [job.job_id for job in self.jobs.values() if needle in job.name.lower()]
        db = self.db
        records, total, offset = await db.run(
            store.list_runs,
            db.conn,
            job_id,
            limit=limit,
            offset=offset,
            run_id=run_id,
            statuses=stored,
            query=query,
            query_job_ids=named,
            ascending=ascending,
        )
        names = {job.job_id: job.name for job in self.jobs.values()}
        entries = [run_payload(record, names.get(record.job_id)) for record in records]
        return entries, total, offset
