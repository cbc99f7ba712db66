"""Nodes' approved command surfaces and pending node pairing requests (synchronous SQL).

A node is a paired device (see devices.py) whose *command surface* (caps + commands) an operator
approved. Called through :meth:`Database.run`; each mutation is one transaction.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any

from .devices import transaction


@dataclass(frozen=True)
class NodeRecord:
    node_id: str
    display_name: str | None
    platform: str | None
    version: str | None
    client_id: str | None
    client_mode: str | None
    device_family: str | None
    caps: list[str]
    commands: list[str]
    created_at_ms: int
    approved_at_ms: int
    last_seen_at_ms: int | None
    last_seen_reason: str | None

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> NodeRecord:
        values = dict(row)
        values["caps"] = json.loads(values["caps"])
        values["commands"] = json.loads(values["commands"])
        return cls(**values)


@dataclass(frozen=True)
class NodePairRequest:
    request_id: str
    node_id: str
    client: dict[str, Any]
    caps: list[str]
    commands: list[str]
    required_scopes: list[str]
    silent: bool
    created_at_ms: int

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> NodePairRequest:
        values = dict(row)
        for key in ("client", "caps", "commands", "required_scopes"):
            values[key] = json.loads(values[key])
        values["silent"] = bool(values["silent"])
        return cls(**values)

    def to_wire(self) -> dict[str, Any]:
        return {
            "requestId": self.request_id,
            "nodeId": self.node_id,
            "clientId": self.client.get("id"),
            "clientMode": self.client.get("mode"),
            "displayName": self.client.get("displayName"),
            "platform": self.client.get("platform"),
            "version": self.client.get("version"),
            "deviceFamily": self.client.get("deviceFamily"),
            "caps": self.caps,
            "commands": self.commands,
            "requiredApproveScopes": self.required_scopes,
            "silent": self.silent,
            "ts": self.created_at_ms,
        }


def get_node(conn: sqlite3.Connection, node_id: str) -> NodeRecord | None:
    row = conn.execute("SELECT * FROM nodes WHERE node_id = ?", (node_id,)).fetchone()
    return NodeRecord.from_row(row) if row else None


def list_nodes(conn: sqlite3.Connection) -> list[NodeRecord]:
    return [
        NodeRecord.from_row(r) for r in conn.execute("SELECT * FROM nodes ORDER BY approved_at_ms")
    ]


def list_requests(conn: sqlite3.Connection) -> list[NodePairRequest]:
    rows = conn.execute("SELECT * FROM node_pair_requests ORDER BY created_at_ms")
    return [NodePairRequest.from_row(r) for r in rows]


def get_request(conn: sqlite3.Connection, request_id: str) -> NodePairRequest | None:
    row = conn.execute(
        "SELECT * FROM node_pair_requests WHERE request_id = ?", (request_id,)
    ).fetchone()
    return NodePairRequest.from_row(row) if row else None


def upsert_request(conn: sqlite3.Connection, request: NodePairRequest) -> NodePairRequest:
    """One pending request per node: an identical one is kept, a different surface replaces it."""
    with transaction(conn):
        row = conn.execute(
            "SELECT * FROM node_pair_requests WHERE node_id = ?", (request.node_id,)
        ).fetchone()
        if row is not None:
            existing = NodePairRequest.from_row(row)
            if existing.commands == request.commands and existing.caps == request.caps:
                return existing
            conn.execute("DELETE FROM node_pair_requests WHERE node_id = ?", (request.node_id,))
        conn.execute(
            """INSERT INTO node_pair_requests (request_id, node_id, client, caps, commands,
                   required_scopes, silent, created_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
            (
                request.request_id,
                request.node_id,
                json.dumps(request.client),
                json.dumps(request.caps),
                json.dumps(request.commands),
                json.dumps(request.required_scopes),
                int(request.silent),
                request.created_at_ms,
            ),
        )
    return request


def approve_request(conn: sqlite3.Connection, request: NodePairRequest, now_ms: int) -> NodeRecord:
    """Store the request's surface as the node's approved surface and drop the request."""
    client = request.client
    with transaction(conn):
        existing = get_node(conn, request.node_id)
        conn.execute(
            """INSERT INTO nodes (node_id, display_name, platform, version, client_id, client_mode,
                   device_family, caps, commands, created_at_ms, approved_at_ms, last_seen_at_ms,
                   last_seen_reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'approved')
               ON CONFLICT(node_id) DO UPDATE SET display_name = excluded.display_name,
                   platform = excluded.platform, version = excluded.version,
                   client_id = excluded.client_id, client_mode = excluded.client_mode,
                   device_family = excluded.device_family, caps = excluded.caps,
                   commands = excluded.commands, approved_at_ms = excluded.approved_at_ms""",
            (
                request.node_id,
                client.get("displayName"),
                client.get("platform"),
                client.get("version"),
                client.get("id"),
                client.get("mode"),
                client.get("deviceFamily"),
                json.dumps(request.caps),
                json.dumps(request.commands),
                existing.created_at_ms if existing else now_ms,
                now_ms,
                now_ms,
            ),
        )
        conn.execute("DELETE FROM node_pair_requests WHERE request_id = ?", (request.request_id,))
    record = get_node(conn, request.node_id)
    assert record is not None
    return record


def delete_request(conn: sqlite3.Connection, request_id: str) -> bool:
    with transaction(conn):
        cur = conn.execute("DELETE FROM node_pair_requests WHERE request_id = ?", (request_id,))
    return cur.rowcount > 0


def remove_node(conn: sqlite3.Connection, node_id: str) -> bool:
    with transaction(conn):
        cur = conn.execute("DELETE FROM nodes WHERE node_id = ?", (node_id,))
        conn.execute("DELETE FROM node_pair_requests WHERE node_id = ?", (node_id,))
    return cur.rowcount > 0


def rename_node(conn: sqlite3.Connection, node_id: str, display_name: str) -> bool:
    with transaction(conn):
        cur = conn.execute(
            "UPDATE nodes SET display_name = ? WHERE node_id = ?", (display_name, node_id)
        )
    return cur.rowcount > 0


def touch_node(conn: sqlite3.Connection, node_id: str, now_ms: int, reason: str) -> None:
    with transaction(conn):
        conn.execute(
            "UPDATE nodes SET last_seen_at_ms = ?, last_seen_reason = ? WHERE node_id = ?",
            (now_ms, reason, node_id),
        )
