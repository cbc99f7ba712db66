"""Paired devices, their hashed tokens and pending pairing requests (synchronous SQL).

Called through :meth:`Database.run` from async code. Each mutating function is one transaction.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


@dataclass(frozen=True)
class DeviceRecord:
    device_id: str
    public_key: str
    display_name: str | None
    platform: str | None
    device_family: str | None
    client_id: str | None
    client_mode: str | None
    roles: list[str]
    scopes: list[str]
    approved_via: str
    created_at_ms: int
    approved_at_ms: int
    last_seen_at_ms: int | None
    last_seen_reason: str | None

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> DeviceRecord:
        values = dict(row)
        values["roles"] = json.loads(values["roles"])
        values["scopes"] = json.loads(values["scopes"])
        return cls(**values)


@dataclass(frozen=True)
class TokenRecord:
    device_id: str
    role: str
    token_hash: str
    scopes: list[str]
    issued_at_ms: int
    rotated_at_ms: int | None

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> TokenRecord:
        values = dict(row)
        values["scopes"] = json.loads(values["scopes"])
        return cls(**values)


@dataclass(frozen=True)
class PairingRequest:
    request_id: str
    device_id: str
    public_key: str
    role: str
    scopes: list[str]
    client: dict[str, Any]
    remote_ip: str | None
    created_at_ms: int

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> PairingRequest:
        values = dict(row)
        values["scopes"] = json.loads(values["scopes"])
        values["client"] = json.loads(values["client"])
        return cls(**values)

    def to_wire(self) -> dict[str, Any]:
        return {
            "requestId": self.request_id,
            "deviceId": self.device_id,
            "publicKey": self.public_key,
            "role": self.role,
            "roles": [self.role],
            "scopes": self.scopes,
            "clientId": self.client.get("id"),
            "clientMode": self.client.get("mode"),
            "displayName": self.client.get("displayName"),
            "platform": self.client.get("platform"),
            "deviceFamily": self.client.get("deviceFamily"),
            "remoteIp": self.remote_ip,
            "ts": self.created_at_ms,
        }


def get_device(conn: sqlite3.Connection, device_id: str) -> DeviceRecord | None:
    row = conn.execute("SELECT * FROM devices WHERE device_id = ?", (device_id,)).fetchone()
    return DeviceRecord.from_row(row) if row else None


def list_devices(conn: sqlite3.Connection) -> list[DeviceRecord]:
    rows = conn.execute("SELECT * FROM devices ORDER BY approved_at_ms").fetchall()
    return [DeviceRecord.from_row(r) for r in rows]


def get_token(conn: sqlite3.Connection, device_id: str, role: str) -> TokenRecord | None:
    row = conn.execute(
        "SELECT * FROM device_tokens WHERE device_id = ? AND role = ?", (device_id, role)
    ).fetchone()
    return TokenRecord.from_row(row) if row else None


def list_tokens(conn: sqlite3.Connection, device_id: str) -> list[TokenRecord]:
    rows = conn.execute("SELECT * FROM device_tokens WHERE device_id = ?", (device_id,)).fetchall()
    return [TokenRecord.from_row(r) for r in rows]


def approve_device(
    conn: sqlite3.Connection,
    *,
    device_id: str,
    public_key: str,
    client: dict[str, Any],
    role: str,
    scopes: list[str],
    approved_via: str,
    token_hash: str | None,
    now_ms: int,
    request_id: str | None = None,
) -> DeviceRecord:
    """Pair (or extend) a device and, if given, store the hash of its token for ``role``, atomically.

    A device approved from a pairing request gets no token here: it is issued (and its hash
    stored) when the device next connects, since only then can it be delivered.
    """
    with transaction(conn):
        existing = get_device(conn, device_id)
        roles = sorted(set((existing.roles if existing else []) + [role]))
        all_scopes = sorted(set((existing.scopes if existing else []) + scopes))
        conn.execute(
            """INSERT INTO devices (device_id, public_key, display_name, platform, device_family,
                   client_id, client_mode, roles, scopes, approved_via, created_at_ms,
                   approved_at_ms, last_seen_at_ms, last_seen_reason)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'connect')
               ON CONFLICT(device_id) DO UPDATE SET
                   roles = excluded.roles, scopes = excluded.scopes,
                   approved_at_ms = excluded.approved_at_ms, last_seen_at_ms = excluded.last_seen_at_ms,
                   platform = excluded.platform, device_family = excluded.device_family,
                   client_id = excluded.client_id, client_mode = excluded.client_mode""",
            (
                device_id,
                public_key,
                client.get("displayName"),
                client.get("platform"),
                client.get("deviceFamily"),
                client.get("id"),
                client.get("mode"),
                json.dumps(roles),
                json.dumps(all_scopes),
                approved_via,
                now_ms,
                now_ms,
                now_ms,
            ),
        )
        if token_hash is not None:
            _upsert_token(conn, device_id, role, token_hash, scopes, now_ms)
        if request_id is not None:
            conn.execute("DELETE FROM pairing_requests WHERE request_id = ?", (request_id,))
        else:
            conn.execute(
                "DELETE FROM pairing_requests WHERE device_id = ? AND role = ?", (device_id, role)
            )
    record = get_device(conn, device_id)
    assert record is not None
    return record


def touch_device(conn: sqlite3.Connection, device_id: str, now_ms: int, reason: str) -> None:
    with transaction(conn):
        conn.execute(
            "UPDATE devices SET last_seen_at_ms = ?, last_seen_reason = ? WHERE device_id = ?",
            (now_ms, reason, device_id),
        )


def remove_device(conn: sqlite3.Connection, device_id: str) -> bool:
    with transaction(conn):
        cur = conn.execute("DELETE FROM devices WHERE device_id = ?", (device_id,))
        conn.execute("DELETE FROM device_tokens WHERE device_id = ?", (device_id,))
    return cur.rowcount > 0


def set_token(
    conn: sqlite3.Connection,
    *,
    device_id: str,
    role: str,
    token_hash: str,
    scopes: list[str],
    now_ms: int,
) -> None:
    with transaction(conn):
        _upsert_token(conn, device_id, role, token_hash, scopes, now_ms)


def _upsert_token(
    conn: sqlite3.Connection,
    device_id: str,
    role: str,
    token_hash: str,
    scopes: list[str],
    now_ms: int,
) -> None:
    conn.execute(
        """INSERT INTO device_tokens (device_id, role, token_hash, scopes, issued_at_ms)
           VALUES (?, ?, ?, ?, ?)
           ON CONFLICT(device_id, role) DO UPDATE SET token_hash = excluded.token_hash,
               scopes = excluded.scopes, rotated_at_ms = excluded.issued_at_ms""",
        (device_id, role, token_hash, json.dumps(sorted(set(scopes))), now_ms),
    )


def revoke_token(conn: sqlite3.Connection, device_id: str, role: str) -> bool:
    with transaction(conn):
        cur = conn.execute(
            "DELETE FROM device_tokens WHERE device_id = ? AND role = ?", (device_id, role)
        )
    return cur.rowcount > 0


MAX_PENDING_REQUESTS = 500


def add_pairing_request(conn: sqlite3.Connection, request: PairingRequest) -> PairingRequest:
    """Record a pending request; one per device+role (a repeat returns the existing one)."""
    with transaction(conn):
        row = conn.execute(
            "SELECT * FROM pairing_requests WHERE device_id = ? AND role = ?",
            (request.device_id, request.role),
        ).fetchone()
        if row is not None:
            return PairingRequest.from_row(row)
        count = conn.execute("SELECT COUNT(*) FROM pairing_requests").fetchone()[0]
        if count >= MAX_PENDING_REQUESTS:
            conn.execute(
                "DELETE FROM pairing_requests WHERE request_id IN (SELECT request_id FROM"
                " pairing_requests ORDER BY created_at_ms LIMIT 1)"
            )
        conn.execute(
            """INSERT INTO pairing_requests (request_id, device_id, public_key, role, scopes,
                   client, remote_ip, created_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
            (
                request.request_id,
                request.device_id,
                request.public_key,
                request.role,
                json.dumps(request.scopes),
                json.dumps(request.client),
                request.remote_ip,
                request.created_at_ms,
            ),
        )
    return request


def get_pairing_request(conn: sqlite3.Connection, request_id: str) -> PairingRequest | None:
    row = conn.execute(
        "SELECT * FROM pairing_requests WHERE request_id = ?", (request_id,)
    ).fetchone()
    return PairingRequest.from_row(row) if row else None


def list_pairing_requests(conn: sqlite3.Connection) -> list[PairingRequest]:
    rows = conn.execute("SELECT * FROM pairing_requests ORDER BY created_at_ms").fetchall()
    return [PairingRequest.from_row(r) for r in rows]


def delete_pairing_request(conn: sqlite3.Connection, request_id: str) -> bool:
    with transaction(conn):
        cur = conn.execute("DELETE FROM pairing_requests WHERE request_id = ?", (request_id,))
    return cur.rowcount > 0
