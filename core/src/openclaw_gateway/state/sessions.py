"""Agent sessions, transcripts and runs (synchronous SQL, called through Database.run).

Each message is its own committed row, written when it happens (the user's message before the
run starts), so a crash mid-run loses nothing that came before it.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from dataclasses import dataclass
from typing import Any

from .devices import transaction


@dataclass(frozen=True)
class SessionRecord:
    session_key: str
    session_id: str
    agent_id: str
    created_at_ms: int
    updated_at_ms: int


@dataclass(frozen=True)
class RunRecord:
    run_id: str
    session_key: str
    kind: str
    status: str
    summary: str | None
    error: str | None
    text: str | None
    started_at_ms: int
    ended_at_ms: int | None


def ensure_session(
    conn: sqlite3.Connection,
    session_key: str,
    agent_id: str,
    now_ms: int,
    session_id: str | None = None,
) -> SessionRecord:
    with transaction(conn):
        row = conn.execute(
            "SELECT * FROM sessions WHERE session_key = ?", (session_key,)
        ).fetchone()
        if row is None:
            conn.execute(
                "INSERT INTO sessions VALUES (?, ?, ?, ?, ?)",
                (session_key, session_id or str(uuid.uuid4()), agent_id, now_ms, now_ms),
            )
        else:
            conn.execute(
                "UPDATE sessions SET updated_at_ms = ? WHERE session_key = ?", (now_ms, session_key)
            )
    row = conn.execute("SELECT * FROM sessions WHERE session_key = ?", (session_key,)).fetchone()
    return SessionRecord(**dict(row))


def get_session(conn: sqlite3.Connection, session_key: str) -> SessionRecord | None:
    row = conn.execute("SELECT * FROM sessions WHERE session_key = ?", (session_key,)).fetchone()
    return SessionRecord(**dict(row)) if row else None


def list_sessions(conn: sqlite3.Connection, limit: int = 200) -> list[tuple[SessionRecord, int]]:
    rows = conn.execute(
        """SELECT s.*, (SELECT COUNT(*) FROM messages m WHERE m.session_key = s.session_key) AS n
           FROM sessions s ORDER BY updated_at_ms DESC LIMIT ?""",
        (limit,),
    ).fetchall()
    out = []
    for row in rows:
        values = dict(row)
        count = values.pop("n")
        out.append((SessionRecord(**values), count))
    return out


def count_sessions(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT COUNT(*) FROM sessions").fetchone()[0])


def reset_session(conn: sqlite3.Connection, session_key: str) -> bool:
    """Forget a session's transcript and give it a new session id."""
    with transaction(conn):
        conn.execute("DELETE FROM messages WHERE session_key = ?", (session_key,))
        cur = conn.execute(
            "UPDATE sessions SET session_id = ? WHERE session_key = ?",
            (str(uuid.uuid4()), session_key),
        )
    return cur.rowcount > 0


def append_message(
    conn: sqlite3.Connection,
    session_key: str,
    run_id: str | None,
    body: dict[str, Any],
    now_ms: int,
) -> int:
    with transaction(conn):
        cur = conn.execute(
            "INSERT INTO messages (session_key, run_id, role, body, created_at_ms) VALUES (?, ?, ?, ?, ?)",
            (session_key, run_id, body["role"], json.dumps(body), now_ms),
        )
        conn.execute(
            "UPDATE sessions SET updated_at_ms = ? WHERE session_key = ?", (now_ms, session_key)
        )
    return int(cur.lastrowid or 0)


def history(
    conn: sqlite3.Connection, session_key: str, limit: int
) -> tuple[list[dict[str, Any]], int]:
    """The last ``limit`` messages (oldest first) and the total count."""
    total = int(
        conn.execute(
            "SELECT COUNT(*) FROM messages WHERE session_key = ?", (session_key,)
        ).fetchone()[0]
    )
    rows = conn.execute(
        "SELECT body FROM messages WHERE session_key = ? ORDER BY id DESC LIMIT ?",
        (session_key, limit),
    ).fetchall()
    return [json.loads(r[0]) for r in reversed(rows)], total


def record_run_start(
    conn: sqlite3.Connection, run_id: str, session_key: str, kind: str, now_ms: int
) -> None:
    with transaction(conn):
        conn.execute(
            "INSERT OR REPLACE INTO runs (run_id, session_key, kind, status, started_at_ms) VALUES (?, ?, ?, 'running', ?)",
            (run_id, session_key, kind, now_ms),
        )


def record_run_end(
    conn: sqlite3.Connection,
    run_id: str,
    status: str,
    summary: str,
    error: str | None,
    text: str | None,
    now_ms: int,
) -> None:
    with transaction(conn):
        conn.execute(
            "UPDATE runs SET status = ?, summary = ?, error = ?, text = ?, ended_at_ms = ? WHERE run_id = ?",
            (status, summary, error, text, now_ms, run_id),
        )


def get_run(conn: sqlite3.Connection, run_id: str) -> RunRecord | None:
    row = conn.execute("SELECT * FROM runs WHERE run_id = ?", (run_id,)).fetchone()
    return RunRecord(**dict(row)) if row else None


def fail_interrupted_runs(conn: sqlite3.Connection, now_ms: int) -> int:
    """Runs still 'running' at start were cut off by a crash or restart: close them as errors."""
    with transaction(conn):
        cur = conn.execute(
            """UPDATE runs SET status = 'error', summary = 'interrupted: the gateway restarted during the run',
                   error = 'interrupted', ended_at_ms = ? WHERE status = 'running'""",
            (now_ms,),
        )
    return cur.rowcount
