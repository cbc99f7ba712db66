"""Cron jobs and the outcome of each one's last run (synchronous SQL, called through Database.run)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, fields
from typing import Any

from .devices import transaction


@dataclass(frozen=True)
class CronJobRecord:
    job_id: str
    name: str
    schedule: str
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

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> CronJobRecord:
        values: dict[str, Any] = dict(row)
        values["enabled"] = bool(values["enabled"])
        return cls(**values)


_COLUMNS = tuple(f.name for f in fields(CronJobRecord))


def insert_job(conn: sqlite3.Connection, job: CronJobRecord) -> None:
    placeholders = ", ".join("?" for _ in _COLUMNS)
    with transaction(conn):
        conn.execute(
            f"INSERT INTO cron_jobs ({', '.join(_COLUMNS)}) VALUES ({placeholders})",  # noqa: S608
            tuple(
                int(v) if isinstance(v, bool) else v for v in (getattr(job, c) for c in _COLUMNS)
            ),
        )


def list_jobs(conn: sqlite3.Connection) -> list[CronJobRecord]:
    rows = conn.execute("SELECT * FROM cron_jobs ORDER BY created_at_ms, job_id").fetchall()
    return [CronJobRecord.from_row(row) for row in rows]


def delete_job(conn: sqlite3.Connection, job_id: str) -> bool:
    with transaction(conn):
        cur = conn.execute("DELETE FROM cron_jobs WHERE job_id = ?", (job_id,))
    return cur.rowcount > 0


def set_next_run(conn: sqlite3.Connection, job_id: str, next_run_at_ms: int | None) -> None:
    with transaction(conn):
        conn.execute(
            "UPDATE cron_jobs SET next_run_at_ms = ? WHERE job_id = ?", (next_run_at_ms, job_id)
        )


def record_run(
    conn: sqlite3.Connection,
    job_id: str,
    run_id: str,
    status: str,
    at_ms: int,
    error: str | None,
) -> None:
    """The job's last run: its id, status (``running`` until it ends), start time, error."""
    with transaction(conn):
        conn.execute(
            """UPDATE cron_jobs SET last_run_id = ?, last_status = ?, last_run_at_ms = ?,
                   last_error = ? WHERE job_id = ?""",
            (run_id, status, at_ms, error, job_id),
        )


def finish_run(
    conn: sqlite3.Connection, job_id: str, run_id: str, status: str, error: str | None
) -> None:
    """Record how the run ended, unless a newer run of the job has been recorded since."""
    with transaction(conn):
        conn.execute(
            """UPDATE cron_jobs SET last_status = ?, last_error = ?
               WHERE job_id = ? AND last_run_id = ?""",
            (status, error, job_id, run_id),
        )
