"""The SQLite database and its async front door.

One connection, used from one worker thread at a time (``CapacityLimiter(1)``), so the event loop
never blocks on disk and writes are serialised. WAL journaling plus one transaction per logical
write means a SIGKILL at any moment leaves either the old or the new record, never half of one.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import ParamSpec, TypeVar

import anyio
import anyio.to_thread

from .migrations import MIGRATIONS

P = ParamSpec("P")
T = TypeVar("T")


PRIVATE_DIRS = ("media", "logs", "secrets", "node")
"""Subdirectories of the state dir that hold transcripts' files, logs and secrets."""


def tighten_state_dir(state_dir: Path) -> None:
    """Make the state dir private whatever made it (an older version, a 0755 ``mkdir``, a
    restored backup): the dir and its private subdirs 0700, the database files 0600. Run at every
    start; SQLite creates its -wal/-shm files with the database file's mode."""
    state_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    _chmod(state_dir, 0o700)
    for name in PRIVATE_DIRS:
        _chmod(state_dir / name, 0o700)
    for name in ("state.db", "state.db-wal", "state.db-shm", "state.db-journal"):
        _chmod(state_dir / name, 0o600)


def _chmod(path: Path, mode: int) -> None:
    try:
        if path.is_symlink():
            return  # never follow a link out of the state dir
        if path.exists() and path.stat().st_mode & 0o777 != mode:
            os.chmod(path, mode)
    except OSError:
        pass  # not ours to change (read-only mount): the gateway still runs


def open_database(path: Path) -> sqlite3.Connection:
    """Open (creating if needed, 0600) and migrate the database at ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if not path.exists():
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))  # before SQLite creates it 0644
    _chmod(path, 0o600)
    conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=10)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA foreign_keys=ON")
    migrate(conn)
    return conn


def migrate(conn: sqlite3.Connection) -> int:
    """Apply the missing migrations, each in its own transaction; returns the schema version."""
    version: int = conn.execute("PRAGMA user_version").fetchone()[0]
    if version > len(MIGRATIONS):
        raise RuntimeError(
            f"state database schema v{version} is newer than this gateway (v{len(MIGRATIONS)})"
        )
    for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
        conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in script.split(";"):
                if statement.strip():
                    conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {number}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    return len(MIGRATIONS)


class Database:
    """Runs blocking SQLite work in a worker thread, one call at a time."""

    def __init__(self, path: Path, *, conn: sqlite3.Connection | None = None) -> None:
        """``conn``: one :func:`open_database` already opened (off the event loop)."""
        self.path = path
        self.conn = conn if conn is not None else open_database(path)
        self._limiter = anyio.CapacityLimiter(1)

    async def run(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        def call() -> T:
            return fn(*args, **kwargs)

        return await anyio.to_thread.run_sync(call, limiter=self._limiter)

    def close(self) -> None:
        self.conn.close()
