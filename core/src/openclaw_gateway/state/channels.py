"""Channel DM pairing state: approved senders and pending pairing codes (synchronous SQL)."""

from __future__ import annotations

import secrets
import sqlite3
from dataclasses import dataclass

from .devices import transaction

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O/1/I: read aloud and typed without doubt
CODE_LENGTH = 8
CODE_TTL_MS = 3_600_000
MAX_PENDING_PER_CHANNEL = 3


@dataclass(frozen=True)
class PairingCode:
    channel: str
    code: str
    account: str
    sender_id: str
    sender_name: str | None
    chat_id: str
    created_at_ms: int
    expires_at_ms: int


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def is_allowed(conn: sqlite3.Connection, channel: str, sender_id: str) -> bool:
    row = conn.execute(
        "SELECT 1 FROM channel_allowlist WHERE channel = ? AND sender_id = ?", (channel, sender_id)
    ).fetchone()
    return row is not None


def allowed(conn: sqlite3.Connection, channel: str | None = None) -> list[dict[str, object]]:
    query = "SELECT channel, sender_id, sender_name, added_at_ms, added_via FROM channel_allowlist"
    rows = conn.execute(
        query + (" WHERE channel = ?" if channel else ""), (channel,) if channel else ()
    )
    return [dict(r) for r in rows]


def pending(conn: sqlite3.Connection, now_ms: int, channel: str | None = None) -> list[PairingCode]:
    query = "SELECT * FROM channel_pairing_codes WHERE expires_at_ms > ?"
    args: tuple[object, ...] = (now_ms,)
    if channel:
        query += " AND channel = ?"
        args += (channel,)
    return [PairingCode(**dict(r)) for r in conn.execute(query + " ORDER BY created_at_ms", args)]


def issue_code(
    conn: sqlite3.Connection,
    *,
    channel: str,
    account: str,
    sender_id: str,
    sender_name: str | None,
    chat_id: str,
    now_ms: int,
) -> tuple[PairingCode | None, bool]:
    """The sender's pending code (reused) or a new one; ``(None, False)`` when the channel already
    has the maximum of pending codes. The flag says whether the code is new."""
    with transaction(conn):
        conn.execute("DELETE FROM channel_pairing_codes WHERE expires_at_ms <= ?", (now_ms,))
        row = conn.execute(
            "SELECT * FROM channel_pairing_codes WHERE channel = ? AND sender_id = ?",
            (channel, sender_id),
        ).fetchone()
        if row is not None:
            return PairingCode(**dict(row)), False
        count = conn.execute(
            "SELECT COUNT(*) FROM channel_pairing_codes WHERE channel = ?", (channel,)
        ).fetchone()[0]
        if count >= MAX_PENDING_PER_CHANNEL:
            return None, False
        code = PairingCode(
            channel,
            new_code(),
            account,
            sender_id,
            sender_name,
            chat_id,
            now_ms,
            now_ms + CODE_TTL_MS,
        )
        conn.execute(
            "INSERT INTO channel_pairing_codes VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                code.channel,
                code.code,
                code.account,
                code.sender_id,
                code.sender_name,
                code.chat_id,
                code.created_at_ms,
                code.expires_at_ms,
            ),
        )
    return code, True


def approve_code(
    conn: sqlite3.Connection, channel: str, code: str, now_ms: int
) -> PairingCode | None:
    """Move the code's sender to the allowlist; None when the code is unknown or expired."""
    with transaction(conn):
        row = conn.execute(
            "SELECT * FROM channel_pairing_codes WHERE channel = ? AND code = ? AND expires_at_ms > ?",
            (channel, code.strip().upper(), now_ms),
        ).fetchone()
        if row is None:
            return None
        found = PairingCode(**dict(row))
        conn.execute(
            "DELETE FROM channel_pairing_codes WHERE channel = ? AND code = ?",
            (channel, found.code),
        )
        conn.execute(
            "INSERT OR REPLACE INTO channel_allowlist VALUES (?, ?, ?, ?, 'pairing')",
            (channel, found.sender_id, found.sender_name, now_ms),
        )
    return found


def find_code(conn: sqlite3.Connection, channel: str, code: str, now_ms: int) -> PairingCode | None:
    row = conn.execute(
        "SELECT * FROM channel_pairing_codes WHERE channel = ? AND code = ? AND expires_at_ms > ?",
        (channel, code.strip().upper(), now_ms),
    ).fetchone()
    return PairingCode(**dict(row)) if row is not None else None


def reject_code(conn: sqlite3.Connection, channel: str, code: str) -> bool:
    with transaction(conn):
        cur = conn.execute(
            "DELETE FROM channel_pairing_codes WHERE channel = ? AND code = ?",
            (channel, code.strip().upper()),
        )
    return cur.rowcount > 0


def revoke_sender(conn: sqlite3.Connection, channel: str, sender_id: str) -> bool:
    with transaction(conn):
        cur = conn.execute(
            "DELETE FROM channel_allowlist WHERE channel = ? AND sender_id = ?",
            (channel, sender_id),
        )
    return cur.rowcount > 0


def get_cursor(conn: sqlite3.Connection, channel: str, account: str) -> str | None:
    row = conn.execute(
        "SELECT cursor FROM channel_cursors WHERE channel = ? AND account = ?", (channel, account)
    ).fetchone()
    return str(row[0]) if row else None


def set_cursor(
    conn: sqlite3.Connection, channel: str, account: str, cursor: str, now_ms: int
) -> None:
    with transaction(conn):
        conn.execute(
            "INSERT INTO channel_cursors VALUES (?, ?, ?, ?) ON CONFLICT(channel, account)"
            " DO UPDATE SET cursor = excluded.cursor, updated_at_ms = excluded.updated_at_ms",
            (channel, account, cursor, now_ms),
        )
