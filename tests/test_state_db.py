"""The state database: crash safety under SIGKILL, migrations, and device-store semantics."""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from openclaw_gateway.state import db as db_module
from openclaw_gateway.state import devices
from openclaw_gateway.state.db import migrate, open_database
from openclaw_gateway.state.migrations import MIGRATIONS

WRITER = Path(__file__).with_name("db_writer.py")


def _run_and_kill(db_path: Path, rng: random.Random) -> None:
    proc = subprocess.Popen(
        [sys.executable, str(WRITER), str(db_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.strip() == "ready", (line, proc.stderr.read() if proc.stderr else "")
        time.sleep(rng.uniform(0.05, 0.35))
        assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=10)
    assert proc.returncode == -signal.SIGKILL


def _check_consistent(db_path: Path) -> int:
    conn = open_database(db_path)  # also replays the WAL left by the killed writer
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        device_rows = {r["device_id"]: r for r in conn.execute("SELECT * FROM devices")}
        token_rows = {r["device_id"]: r for r in conn.execute("SELECT * FROM device_tokens")}
        # Every device has its token (same transaction) and no token outlives its device.
        assert set(device_rows) == set(token_rows)
        for device_id, device in device_rows.items():
            token = token_rows[device_id]
            assert token["role"] == "operator"
            assert token["token_hash"].startswith(device_id + ":")
            assert json.loads(token["scopes"]) == json.loads(device["scopes"])
            assert json.loads(device["roles"]) == ["operator"]
        for request in devices.list_pairing_requests(conn):
            assert request.request_id == request.device_id.removesuffix("-pending") + "-req"
        return len(device_rows)
    finally:
        conn.close()


def test_sigkill_during_writes_leaves_consistent_db(tmp_path):
    db_path = tmp_path / "state.db"
    rng = random.Random(1234)
    counts = []
    for _ in range(6):
        _run_and_kill(db_path, rng)
        counts.append(_check_consistent(db_path))
    assert counts[-1] > 100, counts
    # Nothing written by an earlier round was lost by a later crash (the writer never deletes
    # another process's rows except its own removals), so the total grows.
    assert counts == sorted(counts)


def test_fresh_db_is_fully_migrated(tmp_path):
    conn = open_database(tmp_path / "sub" / "state.db")
    assert conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"devices", "device_tokens", "pairing_requests"} <= tables
    assert migrate(conn) == len(MIGRATIONS)  # idempotent
    conn.close()
    mode = (tmp_path / "sub").stat().st_mode & 0o777
    assert mode == 0o700


def test_newer_db_is_refused(tmp_path):
    path = tmp_path / "state.db"
    open_database(path).close()
    raw = sqlite3.connect(path)
    raw.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    raw.commit()
    raw.close()
    with pytest.raises(RuntimeError, match="newer than this gateway"):
        open_database(path)


def test_failed_migration_rolls_back(tmp_path, monkeypatch):
    path = tmp_path / "state.db"
    open_database(path).close()
    broken = [*MIGRATIONS, "CREATE TABLE half_done (a INTEGER); THIS IS NOT SQL"]
    monkeypatch.setattr(db_module, "MIGRATIONS", broken)
    with pytest.raises(sqlite3.OperationalError):
        open_database(path)
    raw = sqlite3.connect(path)
    assert raw.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    names = {r[0] for r in raw.execute("SELECT name FROM sqlite_master")}
    assert "half_done" not in names
    raw.close()


def _approve(
    conn, device_id: str, scopes: list[str], token_hash: str | None = "h", role="operator"
):
    return devices.approve_device(
        conn,
        device_id=device_id,
        public_key="pk",
        client={"id": "cli", "mode": "cli", "platform": "linux", "deviceFamily": "Linux"},
        role=role,
        scopes=scopes,
        approved_via="silent",
        token_hash=token_hash,
        now_ms=1,
    )


def test_device_store_semantics(tmp_path):
    conn = open_database(tmp_path / "state.db")
    record = _approve(conn, "d1", ["operator.read"])
    assert record.roles == ["operator"] and record.scopes == ["operator.read"]
    # Scopes and roles accumulate; the token row is per role.
    record = _approve(conn, "d1", ["operator.write"], token_hash="h2")
    assert record.scopes == ["operator.read", "operator.write"]
    record = _approve(conn, "d1", [], token_hash="hn", role="node")
    assert record.roles == ["node", "operator"]
    token = devices.get_token(conn, "d1", "operator")
    assert token is not None and token.token_hash == "h2" and token.scopes == ["operator.write"]
    assert {t.role for t in devices.list_tokens(conn, "d1")} == {"node", "operator"}
    assert devices.revoke_token(conn, "d1", "node")
    assert not devices.revoke_token(conn, "d1", "node")
    # A failing transaction writes nothing.
    with pytest.raises(sqlite3.IntegrityError):
        devices.set_token(
            conn, device_id="ghost", role="operator", token_hash="x", scopes=[], now_ms=1
        )
    assert devices.get_token(conn, "ghost", "operator") is None
    # One pending request per device+role; approving removes it.
    req = devices.PairingRequest("r1", "d2", "pk", "operator", ["operator.read"], {}, None, 1)
    assert devices.add_pairing_request(conn, req).request_id == "r1"
    again = devices.PairingRequest("r2", "d2", "pk", "operator", ["operator.read"], {}, None, 2)
    assert devices.add_pairing_request(conn, again).request_id == "r1"
    _approve(conn, "d2", ["operator.read"], token_hash=None)
    assert devices.get_pairing_request(conn, "r1") is None
    assert devices.get_token(conn, "d2", "operator") is None
    assert devices.remove_device(conn, "d1")
    assert devices.list_tokens(conn, "d1") == []
    assert not devices.remove_device(conn, "d1")
    conn.close()


def test_pending_requests_are_bounded(tmp_path, monkeypatch):
    monkeypatch.setattr(devices, "MAX_PENDING_REQUESTS", 5)
    conn = open_database(tmp_path / "state.db")
    for i in range(20):
        req = devices.PairingRequest(f"r{i}", f"d{i}", "pk", "operator", [], {}, None, i)
        devices.add_pairing_request(conn, req)
    pending = devices.list_pairing_requests(conn)
    assert len(pending) == 5
    assert [p.request_id for p in pending] == [f"r{i}" for i in range(15, 20)]
    conn.close()
