"""Cron jobs, the outcome of each one's last run, and its run history (synchronous SQL, called
through Database.run)."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import Any

from .devices import transaction

MAX_RUNS_PER_JOB = 200
"""Run history kept per job; older runs are dropped as new ones start."""


@dataclass(frozen=True)
class CronJobRecord:
    job_id: str
    name: str
    schedule: str
    """The cron expression (``schedule_kind == "cron"``), else empty."""
    tz: str
    message: str
    session_key: str
    enabled: bool
    created_at_ms: int
    next_run_at_ms: int | None = None
    last_run_id: str | None = None
    last_status: str | None = None
    last_run_at_ms: int | None = None
    last_error: str | None = None
    schedule_kind: str = "cron"
    every_ms: int | None = None
    anchor_ms: int | None = None
    at_ms: int | None = None
    updated_at_ms: int | None = None
    """When the definition last changed (``cron.add``/``cron.update``); None in old rows."""

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> CronJobRecord:
        values: dict[str, Any] = dict(row)
        values["enabled"] = bool(values["enabled"])
        return cls(**values)


@dataclass(frozen=True)
class CronRunRecord:
    run_id: str
    job_id: str
    reason: str
    status: str
    session_key: str
    run_at_ms: int
    ended_at_ms: int | None = None
    duration_ms: int | None = None
    error: str | None = None
    summary: str | None = None


_COLUMNS = tuple(f.name for f in fields(CronJobRecord))
_EDITABLE = (
    "name",
    "schedule",
    "tz",
    "message",
    "session_key",
    "enabled",
    "next_run_at_ms",
    "schedule_kind",
    "every_ms",
    "anchor_ms",
    "at_ms",
    "updated_at_ms",
)
"""What ``cron.update`` may change; the last-run columns belong to the run bookkeeping."""
_RUN_COLUMNS = ", ".join(f.name for f in fields(CronRunRecord))


def _sql(value: Any) -> Any:
    return int(value) if isinstance(value, bool) else value


def insert_job(conn: sqlite3.Connection, job: CronJobRecord) -> None:
    placeholders = ", ".join("?" for _ in _COLUMNS)
    with transaction(conn):
        conn.execute(
            f"INSERT INTO cron_jobs ({', '.join(_COLUMNS)}) VALUES ({placeholders})",  # noqa: S608
            tuple(_sql(getattr(job, c)) for c in _COLUMNS),
        )


def update_job(conn: sqlite3.Connection, job: CronJobRecord) -> None:
    """Write the editable columns of ``job`` (name, schedule, message, session, enabled, next)."""
    assignments = ", ".join(f"{c} = ?" for c in _EDITABLE)
    with transaction(conn):
        conn.execute(
            f"UPDATE cron_jobs SET {assignments} WHERE job_id = ?",  # noqa: S608
            (*(_sql(getattr(job, c)) for c in _EDITABLE), job.job_id),
        )


def list_jobs(conn: sqlite3.Connection) -> list[CronJobRecord]:
    rows = conn.execute("SELECT * FROM cron_jobs ORDER BY created_at_ms, job_id").fetchall()
    return [CronJobRecord.from_row(row) for row in rows]


def delete_job(conn: sqlite3.Connection, job_id: str) -> bool:
    """Delete the job and its run history."""
    with transaction(conn):
        cur = conn.execute("DELETE FROM cron_jobs WHERE job_id = ?", (job_id,))
        conn.execute("DELETE FROM cron_runs WHERE job_id = ?", (job_id,))
    return cur.rowcount > 0


def set_next_run(
    conn: sqlite3.Connection, job_id: str, next_run_at_ms: int | None, enabled: bool = True
) -> None:
    with transaction(conn):
        conn.execute(
            "UPDATE cron_jobs SET next_run_at_ms = ?, enabled = ? WHERE job_id = ?",
            (next_run_at_ms, int(enabled), job_id),
        )


def record_run(
    conn: sqlite3.Connection,
    job_id: str,
    run_id: str,
    status: str,
    at_ms: int,
    error: str | None,
    *,
    reason: str = "manual",
    session_key: str = "",
    keep: int = MAX_RUNS_PER_JOB,
) -> None:
    """A run starts: it becomes the job's last run (``running`` until it ends) and the newest entry
    of its history, of which the ``keep`` newest entries are kept."""
    with transaction(conn):
        conn.execute(
            """UPDATE cron_jobs SET last_run_id = ?, last_status = ?, last_run_at_ms = ?,
                   last_error = ? WHERE job_id = ?""",
            (run_id, status, at_ms, error, job_id),
        )
        conn.execute(
            """INSERT INTO cron_runs (run_id, job_id, reason, status, session_key, run_at_ms, error)
               VALUES (?, ?, ?, ?, ?, ?, ?)""",
            (run_id, job_id, reason, status, session_key, at_ms, error),
        )
        conn.execute(
            """DELETE FROM cron_runs WHERE job_id = ? AND id NOT IN
                   (SELECT id FROM cron_runs WHERE job_id = ? ORDER BY id DESC LIMIT ?)""",
            (job_id, job_id, max(keep, 1)),
        )


def finish_run(
    conn: sqlite3.Connection,
    job_id: str,
    run_id: str,
    status: str,
    error: str | None,
    *,
    ended_at_ms: int | None = None,
    duration_ms: int | None = None,
    summary: str | None = None,
) -> None:
    """Record how the run ended in its history entry, and on the job unless a newer run of the
    job has been recorded since."""
    with transaction(conn):
        conn.execute(
            """UPDATE cron_jobs SET last_status = ?, last_error = ?
               WHERE job_id = ? AND last_run_id = ?""",
            (status, error, job_id, run_id),
        )
        conn.execute(
            """UPDATE cron_runs SET status = ?, error = ?, ended_at_ms = ?, duration_ms = ?,
                   summary = ? WHERE run_id = ?""",
            (status, error, ended_at_ms, duration_ms, summary, run_id),
        )


def interrupt_runs(conn: sqlite3.Connection, error: str, at_ms: int) -> int:
    """Mark every history entry still ``running`` (the gateway stopped under it) as an error."""
    with transaction(conn):
        cur = conn.execute(
            """UPDATE cron_runs SET status = 'error', error = ?, ended_at_ms = ?
               WHERE status = 'running'""",
            (error, at_ms),
        )
    return cur.rowcount


def list_runs(
    conn: sqlite3.Connection,
    job_id: str | None,
    *,
    limit: int,
    offset: int = 0,
    run_id: str | None = None,
    statuses: Sequence[str] | None = None,
    query: str | None = None,
    query_job_ids: Sequence[str] = (),
    ascending: bool = False,
) -> tuple[list[CronRunRecord], int, int]:
    """Runs (of one job, or of all jobs when ``job_id`` is None), newest first unless
    ``ascending``; with how many match in all and the offset used (at most that many).

    ``statuses`` keeps runs whose stored status is one of them; ``query`` keeps runs whose summary
    or error contains it (case-insensitive), or that belong to one of ``query_job_ids``.
    """
    clauses: list[str] = []
    args: list[Any] = []
    if job_id is not None:
        clauses.append("job_id = ?")
        args.append(job_id)
    if run_id is not None:
        clauses.append("run_id = ?")
        args.append(run_id)
    if statuses is not None:
        clauses.append(f"status IN ({', '.join('?' for _ in statuses) or 'NULL'})")
        args.extend(statuses)
    if query:
        needle = query.lower()
        matches = [
            "instr(lower(coalesce(summary, '')), ?) > 0",
            "instr(lower(coalesce(error, '')), ?) > 0",
        ]
        args.extend([needle, needle])
        if query_job_ids:
            matches.append(f"job_id IN ({', '.join('?' for _ in query_job_ids)})")
            args.extend(query_job_ids)
        clauses.append(f"({' OR '.join(matches)})")
    where = " AND ".join(clauses) or "1"
    total: int = conn.execute(
        f"SELECT COUNT(*) FROM cron_runs WHERE {where}",  # noqa: S608
        args,
    ).fetchone()[0]
    offset = min(offset, total)
    order = "ASC" if ascending else "DESC"
    rows = conn.execute(
        f"SELECT {_RUN_COLUMNS} FROM cron_runs WHERE {where} ORDER BY id {order} LIMIT ? OFFSET ?",  # noqa: S608
        [*args, limit, offset],
    ).fetchall()
    return [CronRunRecord(**dict(row)) for row in rows], total, offset
