"""Agent sessions, transcripts and runs (synchronous SQL, called through Database.run).

Each message is its own committed row, written when it happens, so a crash mid-run loses nothing
that came before it. A turn begins with one transaction (:func:`begin_turn`: the session, the run
and the user's message together), so a kill never leaves a run without its message.

Transcripts are ordered by **turn**, then id: every message of a run carries ``turn`` = the id of
that run's user message. Messages queued on a busy session are stored when they arrive, yet read
back as user, assistant, user, assistant…, and a run sees the history up to its own turn only.
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


def _touch_session(
    conn: sqlite3.Connection,
    session_key: str,
    agent_id: str,
    now_ms: int,
    session_id: str | None,
) -> SessionRecord:
    row = conn.execute("SELECT * FROM sessions WHERE session_key = ?", (session_key,)).fetchone()
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


def begin_turn(
    conn: sqlite3.Connection,
    *,
    session_key: str,
    agent_id: str,
    session_id: str | None,
    run_id: str,
    kind: str,
    user_message: dict[str, Any],
    now_ms: int,
) -> tuple[SessionRecord, int]:
    """One transaction: the session (created or touched), the run record and the user's message.
    Returns the session and the turn (the user message's id)."""
    with transaction(conn):
        session = _touch_session(conn, session_key, agent_id, now_ms, session_id)
        conn.execute(
            "INSERT OR REPLACE INTO runs (run_id, session_key, kind, status, started_at_ms) VALUES (?, ?, ?, 'running', ?)",
            (run_id, session_key, kind, now_ms),
        )
        turn = _insert_message(conn, session_key, run_id, user_message, now_ms, None)
    return session, turn


def _insert_message(
    conn: sqlite3.Connection,
    session_key: str,
    run_id: str | None,
    body: dict[str, Any],
    now_ms: int,
    turn: int | None,
) -> int:
    cur = conn.execute(
        "INSERT INTO messages (session_key, run_id, role, body, created_at_ms, turn) VALUES (?, ?, ?, ?, ?, ?)",
        (session_key, run_id, body["role"], json.dumps(body), now_ms, turn),
    )
    message_id = int(cur.lastrowid or 0)
    if turn is None:  # a message that starts its own turn
        conn.execute("UPDATE messages SET turn = id WHERE id = ?", (message_id,))
    return message_id


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
    turn: int | None = None,
) -> int:
    """Append a message to ``turn`` (a run's turn; None: the message starts its own)."""
    with transaction(conn):
        message_id = _insert_message(conn, session_key, run_id, body, now_ms, turn)
        conn.execute(
            "UPDATE sessions SET updated_at_ms = ? WHERE session_key = ?", (now_ms, session_key)
        )
    return message_id


def history(
    conn: sqlite3.Connection, session_key: str, limit: int, up_to_turn: int | None = None
) -> tuple[list[dict[str, Any]], int]:
    """The last ``limit`` messages in turn order (oldest first) and the total count; with
    ``up_to_turn``, only turns up to that one (what a run may see: nothing queued after it)."""
    bound = up_to_turn if up_to_turn is not None else 2**62
    total = int(
        conn.execute(
            "SELECT COUNT(*) FROM messages WHERE session_key = ? AND turn <= ?",
            (session_key, bound),
        ).fetchone()[0]
    )
    rows = conn.execute(
        "SELECT body FROM messages WHERE session_key = ? AND turn <= ?"
        " ORDER BY turn DESC, id DESC LIMIT ?",
        (session_key, bound, limit),
    ).fetchall()
    return [json.loads(r[0]) for r in reversed(rows)], total


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
