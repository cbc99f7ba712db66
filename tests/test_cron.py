"""Cron jobs: expression validation, cron.* over the wire, scheduled fires on a controlled clock,
persistence across restarts, the missed-fire policy, one run per job, failure isolation."""

from __future__ import annotations

import json
import os
import sqlite3
import sys
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import anyio
import pytest

from openclaw_gateway.agent.schedule import ScheduleError, next_fire_ms
from openclaw_gateway.state.db import migrate
from openclaw_gateway.state.migrations import MIGRATIONS

from agent_plugins import PLUGIN
from wire import TOKEN, Peer, operator

pytestmark = pytest.mark.anyio

ADMIN = ["operator.admin"]
READ = ["operator.read"]
T0 = datetime(2030, 1, 1, tzinfo=UTC).timestamp()
"""The fake clock's start: a Tuesday midnight UTC, later than any real clock during the tests."""


class FakeClock:
    """A wall clock that moves only when told to; sleepers wake when it passes their deadline."""

    def __init__(self, start: float) -> None:
        self.t = start
        self._moved = anyio.Event()

    def now(self) -> float:
        return self.t

    async def sleep(self, seconds: float) -> None:
        deadline = self.t + seconds
        while self.t < deadline:
            await self._moved.wait()

    def advance(self, seconds: float) -> None:
        self.t += seconds
        moved, self._moved = self._moved, anyio.Event()
        moved.set()


async def cron_event(peer: Peer, action: str, job_id: str, timeout: float = 5) -> dict[str, Any]:
    with anyio.fail_after(timeout):
        while True:
            frame = await peer.next_event("cron")
            payload = frame["payload"]
            if payload["action"] == action and payload["jobId"] == job_id:
                return payload


async def add(peer: Peer, **params: Any) -> dict[str, Any]:
    params.setdefault("message", "ping")
    res = await peer.request("cron.add", params)
    assert res["ok"], res
    return res["payload"]


# --- expressions --------------------------------------------------------------------------------


def test_next_fire_times_are_timezone_aware():
    t0 = int(T0 * 1000)
    assert next_fire_ms("*/5 * * * *", "UTC", t0) == t0 + 300_000
    assert next_fire_ms("  0   *  * * * ", "UTC", t0) == t0 + 3_600_000
    assert next_fire_ms("@daily", "UTC", t0) == t0 + 86_400_000
    assert next_fire_ms("30 * * * * *", "UTC", t0) == t0 + 30_000  # seconds field first
    # 09:00 in Berlin is 08:00 UTC in winter and 07:00 UTC in summer.
    berlin = next_fire_ms("0 9 * * *", "Europe/Berlin", t0)
    assert datetime.fromtimestamp(berlin / 1000, UTC).hour == 8
    july = int(datetime(2030, 7, 1, tzinfo=UTC).timestamp() * 1000)
    summer = next_fire_ms("0 9 * * *", "Europe/Berlin", july)
    assert datetime.fromtimestamp(summer / 1000, UTC).hour == 7


@pytest.mark.parametrize(
    ("expr", "tz", "field"),
    [
        ("61 * * * *", "UTC", "schedule"),
        ("* * *", "UTC", "schedule"),
        ("every minute", "UTC", "schedule"),
        ("0 0 30 2 *", "UTC", "schedule"),
        ("* * * * *", "Mars/Olympus", "tz"),
    ],
)
def test_bad_expressions_name_the_field(expr, tz, field):
    with pytest.raises(ScheduleError) as info:
        next_fire_ms(expr, tz, int(T0 * 1000))
    assert info.value.field == field and info.value.reason


async def test_add_rejects_a_bad_expression_with_path_and_reason(gateway):
    peer = await operator(gateway.port, TOKEN, ADMIN)
    res = await peer.request("cron.add", {"schedule": "61 * * * *", "message": "x"})
    assert not res["ok"] and res["error"]["code"] == "INVALID_REQUEST"
    assert res["error"]["message"].startswith("invalid cron.add params: schedule:")
    details = res["error"]["details"]
    assert details["path"] == "/schedule" and "minute" in details["reason"].lower()
    res = await peer.request(
        "cron.add", {"schedule": "* * * * *", "tz": "Nowhere/X", "message": "x"}
    )
    assert res["error"]["details"]["path"] == "/tz"
    res = await peer.request("cron.add", {"schedule": "* * * * *"})
    assert res["error"]["code"] == "INVALID_REQUEST" and "message" in res["error"]["message"]
    assert (await peer.request("cron.list", {}))["payload"]["jobs"] == []


# --- over the wire ------------------------------------------------------------------------------


async def test_add_list_remove_and_scopes(gateway):
    admin = await operator(gateway.port, TOKEN, ADMIN)
    reader = await operator(gateway.port, TOKEN, READ)
    job = await add(admin, name="digest", schedule="0 9 * * 1-5", tz="Europe/Berlin")
    assert job["name"] == "digest" and job["enabled"] is True
    assert job["schedule"] == {
        "kind": "cron",
        "expr": "0 9 * * 1-5",
        "tz": "Europe/Berlin",
        "staggerMs": 0,
    }
    assert job["payload"] == {"kind": "agentTurn", "message": "ping"}
    assert job["sessionKey"] == f"agent:main:cron:{job['id']}"
    assert job["sessionTarget"] == "isolated" and job["agentId"] == "main"
    assert job["nextRunAtMs"] > time.time() * 1000 and job["lastRunId"] is None
    assert job["state"] == {"nextRunAtMs": job["nextRunAtMs"]}
    assert job["createdAtMs"] == job["updatedAtMs"] and job["configRevision"].startswith("sha256:")
    assert job["deliveryPreview"] == {
        "label": "not requested",
        "detail": "replies stay in the session transcript",
    }
    for gone in ("scheduleSpec", "tz", "message", "lastStatus"):
        assert gone not in job
    added = await cron_event(reader, "added", job["id"])
    assert added["job"]["schedule"]["expr"] == "0 9 * * 1-5"

    custom = await add(admin, schedule="@hourly", sessionKey="main", enabled=False)
    assert custom["sessionKey"] == "agent:main:main" and custom["nextRunAtMs"] is None
    assert custom["sessionTarget"] == "main" and custom["state"] == {}

    # Disabled jobs are left out unless asked for (the reference's default).
    listed = await reader.request("cron.list", {"includeDisabled": True})
    assert [j["id"] for j in listed["payload"]["jobs"]] == [job["id"], custom["id"]]
    for params in ({}, {"includeDisabled": False}):
        enabled_only = await reader.request("cron.list", params)
        assert [j["id"] for j in enabled_only["payload"]["jobs"]] == [job["id"]]

    for method, params in (
        ("cron.add", {"schedule": "* * * * *", "message": "x"}),
        ("cron.remove", {"id": job["id"]}),
        ("cron.run", {"id": job["id"]}),
    ):
        res = await reader.request(method, params)
        assert res["error"]["code"] == "FORBIDDEN", method
        assert res["error"]["details"]["missingScope"] == "operator.admin"

    res = await admin.request("cron.remove", {"id": job["id"]})
    assert res["payload"] == {"ok": True, "id": job["id"], "removed": True}
    await cron_event(reader, "removed", job["id"])
    res = await admin.request("cron.remove", {"id": job["id"]})
    assert res["error"]["code"] == "INVALID_REQUEST"
    assert res["error"]["details"] == {"code": "CRON_JOB_NOT_FOUND", "jobId": job["id"]}
    assert res["error"]["message"].startswith(f"cron job not found: {job['id']}")
    listed = await reader.request("cron.list", {"includeDisabled": True})
    assert [j["id"] for j in listed["payload"]["jobs"]] == [custom["id"]]


async def test_a_job_fires_through_the_scheduler(gateway):
    clock = FakeClock(T0)
    gateway.cron.set_clock(clock)
    peer = await operator(gateway.port, TOKEN, ADMIN)
    job = await add(peer, schedule="*/5 * * * *", message="status report please")
    assert job["nextRunAtMs"] == (T0 + 300) * 1000

    clock.advance(299)
    await anyio.sleep(0.1)
    assert gateway.cron.running == {} and gateway.cron.jobs[job["id"]].last_run_id is None

    clock.advance(1)
    started = await cron_event(peer, "started", job["id"])
    assert started["reason"] == "schedule" and started["runAtMs"] == (T0 + 300) * 1000
    assert started["nextRunAtMs"] == (T0 + 600) * 1000
    finished = await cron_event(peer, "finished", job["id"])
    assert finished["runId"] == started["runId"] and finished["status"] == "ok"

    history = await peer.request("chat.history", {"sessionKey": job["sessionKey"]})
    messages = history["payload"]["messages"]
    assert [m["role"] for m in messages] == ["user", "assistant"]
    assert "status report please" in messages[1]["content"][0]["text"]  # the offline provider
    run = await peer.request("agent.wait", {"runId": started["runId"]})
    assert run["payload"]["status"] == "ok"
    (listed,) = (await peer.request("cron.list", {}))["payload"]["jobs"]
    assert listed["lastRunId"] == started["runId"] and listed["lastRunStatus"] == "ok"
    assert listed["lastRunAtMs"] == (T0 + 300) * 1000
    assert listed["state"] == {
        "nextRunAtMs": (T0 + 600) * 1000,
        "lastRunAtMs": (T0 + 300) * 1000,
        "lastRunStatus": "ok",
        "lastStatus": "ok",
        "lastDeliveryStatus": "not-requested",
    }

    # A late loop fires a due job once, not once per missed slot.
    clock.advance(3600)
    late = await cron_event(peer, "finished", job["id"])
    await anyio.sleep(0.2)
    assert gateway.cron.jobs[job["id"]].last_run_id == late["runId"]
    assert gateway.cron.jobs[job["id"]].next_run_at_ms == (T0 + 300 + 3600 + 300) * 1000


async def test_cron_run_now_and_one_run_per_job(gateway_factory):
    async with gateway_factory(extra_plugins=(PLUGIN,), agent={"provider": "slow"}) as gw:
        clock = FakeClock(T0)
        gw.cron.set_clock(clock)
        peer = await operator(gw.port, TOKEN, ADMIN)
        job = await add(peer, schedule="* * * * *", enabled=True)
        res = await peer.request("cron.run", {"id": job["id"]})
        assert res["ok"] and res["payload"]["status"] == "started"
        assert res["payload"]["enqueued"] is True
        run_id = res["payload"]["runId"]
        started = await cron_event(peer, "started", job["id"])
        assert started["reason"] == "manual" and started["runId"] == run_id
        got = (await peer.request("cron.get", {"id": job["id"]}))["payload"]
        assert got["runningRunId"] == run_id and got["state"]["runningAtMs"] == MS0
        assert got["lastRunStatus"] is None
        # While it runs: a second cron.run is in flight, a scheduled fire is skipped.
        again = await peer.request("cron.run", {"id": job["id"]})
        assert again["payload"] == {
            "ok": True,
            "ran": False,
            "reason": "already-running",
            "id": job["id"],
            "runId": run_id,
            "status": "in_flight",
        }
        (running,) = (await peer.request("cron.runs", {"id": job["id"]}))["payload"]["entries"]
        assert running["status"] == "running" and running["action"] == "started"
        assert "completionStatus" not in running and "durationMs" not in running
        clock.advance(60)
        skipped = await cron_event(peer, "finished", job["id"])
        assert skipped["status"] == "skipped" and skipped["runId"] is None
        finished = await cron_event(peer, "finished", job["id"])
        assert finished["runId"] == run_id and finished["status"] == "ok"
        assert finished["durationMs"] >= 0
        res = await peer.request("cron.run", {"id": "nope"})
        assert res["error"]["details"]["code"] == "CRON_JOB_NOT_FOUND"


async def test_a_failing_job_does_not_stop_the_others(gateway, monkeypatch):
    clock = FakeClock(T0)
    gateway.cron.set_clock(clock)
    real_submit = gateway.runs.submit

    async def submit(**kwargs: Any) -> Any:
        if kwargs["message"] == "boom":
            raise RuntimeError("the disk is on fire")
        return await real_submit(**kwargs)

    monkeypatch.setattr(gateway.runs, "submit", submit)
    peer = await operator(gateway.port, TOKEN, ADMIN)
    bad = await add(peer, name="bad", schedule="* * * * *", message="boom")
    good = await add(peer, name="good", schedule="* * * * *", message="fine")
    for _ in range(2):  # and the loop keeps going minute after minute
        clock.advance(60)
        failed = await cron_event(peer, "finished", bad["id"])
        assert failed["status"] == "error" and "the disk is on fire" in failed["error"]
        ok = await cron_event(peer, "finished", good["id"])
        assert ok["status"] == "ok"
    jobs = {j["id"]: j for j in (await peer.request("cron.list", {}))["payload"]["jobs"]}
    assert jobs[bad["id"]]["lastRunStatus"] == "error"
    assert "fire" in jobs[bad["id"]]["lastRunError"] == jobs[bad["id"]]["state"]["lastError"]
    assert jobs[good["id"]]["lastRunStatus"] == "ok"
    # cron.run of the failing job says why.
    res = await peer.request("cron.run", {"id": bad["id"]})
    assert res["error"]["code"] == "UNAVAILABLE" and "fire" in res["error"]["message"]


async def test_a_run_that_fails_is_recorded_and_the_job_fires_again(gateway_factory):
    async with gateway_factory(extra_plugins=(PLUGIN,), agent={"provider": "broken"}) as gw:
        clock = FakeClock(T0)
        gw.cron.set_clock(clock)
        peer = await operator(gw.port, TOKEN, ADMIN)
        job = await add(peer, schedule="* * * * *")
        run_ids = []
        for _ in range(2):
            clock.advance(60)
            finished = await cron_event(peer, "finished", job["id"])
            assert finished["status"] == "error" and "500" in finished["error"]
            run_ids.append(finished["runId"])
        runs = (await peer.request("cron.runs", {"id": job["id"]}))["payload"]
        assert [r["runId"] for r in runs["entries"]] == run_ids[::-1]  # newest first
        assert all(r["status"] == "error" and "500" in r["error"] for r in runs["entries"])
        assert {r["reason"] for r in runs["entries"]} == {"schedule"}


# --- restarts -----------------------------------------------------------------------------------


async def test_jobs_survive_a_restart(gateway_factory, tmp_path):
    state = tmp_path / "persist"
    async with gateway_factory(state_dir=state) as gw:
        gw.cron.set_clock(FakeClock(T0))
        peer = await operator(gw.port, TOKEN, ADMIN)
        job = await add(peer, name="nightly", schedule="*/5 * * * *", message="hello again")
        res = await peer.request("cron.run", {"id": job["id"]})
        first_run = res["payload"]["runId"]
        await cron_event(peer, "finished", job["id"])

    async with gateway_factory(state_dir=state) as gw:
        peer = await operator(gw.port, TOKEN, ADMIN)
        (listed,) = (await peer.request("cron.list", {}))["payload"]["jobs"]
        assert listed["id"] == job["id"] and listed["name"] == "nightly"
        assert listed["nextRunAtMs"] == (T0 + 300) * 1000  # still in the future: kept
        assert listed["lastRunId"] == first_run and listed["lastRunStatus"] == "ok"
        clock = FakeClock(T0 + 299)
        gw.cron.set_clock(clock)
        clock.advance(1)
        started = await cron_event(peer, "started", job["id"])
        finished = await cron_event(peer, "finished", job["id"])
        assert finished["status"] == "ok" and started["runId"] != first_run
        history = await peer.request("chat.history", {"sessionKey": job["sessionKey"]})
        assert len(history["payload"]["messages"]) == 4  # both runs, one session


async def test_fires_missed_while_down_are_skipped_not_replayed(gateway_factory, tmp_path):
    state = tmp_path / "missed"
    past = datetime(2020, 1, 1, tzinfo=UTC).timestamp()
    async with gateway_factory(state_dir=state) as gw:
        gw.cron.set_clock(FakeClock(past))
        peer = await operator(gw.port, TOKEN, ADMIN)
        job = await add(peer, schedule="* * * * *")
        assert job["nextRunAtMs"] == (past + 60) * 1000

    async with gateway_factory(state_dir=state) as gw:  # years of minutes missed
        peer = await operator(gw.port, TOKEN, ADMIN)
        (listed,) = (await peer.request("cron.list", {}))["payload"]["jobs"]
        now_ms = time.time() * 1000
        assert now_ms < listed["nextRunAtMs"] <= now_ms + 60_000
        assert listed["lastRunId"] is None and gw.cron.running == {}


async def test_a_run_cut_by_shutdown_is_recorded_as_interrupted(gateway_factory, tmp_path):
    state = tmp_path / "cut"
    async with gateway_factory(
        state_dir=state, extra_plugins=(PLUGIN,), agent={"provider": "slow"}
    ) as gw:
        peer = await operator(gw.port, TOKEN, ADMIN)
        job = await add(peer, schedule="0 0 1 1 *")
        await peer.request("cron.run", {"id": job["id"]})
        await cron_event(peer, "started", job["id"])
    async with gateway_factory(state_dir=state) as gw:
        listed = gw.cron.payloads()[0]
        assert listed["lastRunStatus"] == "error" and "interrupted" in listed["lastRunError"]
        peer = await operator(gw.port, TOKEN, READ)
        (run,) = (await peer.request("cron.runs", {"id": job["id"]}))["payload"]["entries"]
        assert run["status"] == "error" and "interrupted" in run["error"]
        assert run["endedAtMs"] is not None


# --- reference schedule objects -----------------------------------------------------------------

MS0 = int(T0 * 1000)


async def test_reference_schedule_objects_are_accepted_and_fire(gateway):
    clock = FakeClock(T0)
    gateway.cron.set_clock(clock)
    peer = await operator(gateway.port, TOKEN, ADMIN)

    cron = await add(peer, schedule={"kind": "cron", "expr": "0 9 * * *", "tz": "Europe/Berlin"})
    assert cron["schedule"] == {
        "kind": "cron",
        "expr": "0 9 * * *",
        "tz": "Europe/Berlin",
        "staggerMs": 0,
    }
    assert cron["nextRunAtMs"] == MS0 + 8 * 3_600_000  # 09:00 Berlin is 08:00 UTC in January

    every = await add(
        peer,
        schedule={"kind": "every", "everyMs": 90_000},
        payload={"kind": "agentTurn", "message": "tick", "model": "ignored"},
    )
    assert every["payload"] == {"kind": "agentTurn", "message": "tick"}
    assert every["schedule"] == {"kind": "every", "everyMs": 90_000, "anchorMs": MS0}
    assert every["nextRunAtMs"] == MS0 + 90_000
    anchored = await add(peer, schedule={"kind": "every", "everyMs": 3_600_000, "anchorMs": 0})
    assert anchored["nextRunAtMs"] == MS0 + 3_600_000  # aligned on the hour since the epoch

    at = await add(peer, schedule={"kind": "at", "at": "2030-01-01T00:02:00Z"})
    assert at["schedule"] == {"kind": "at", "at": "2030-01-01T00:02:00Z"}
    assert at["nextRunAtMs"] == MS0 + 120_000
    naive = await add(peer, schedule={"kind": "at", "at": "2030-01-01T10:00:00"}, tz="Asia/Tokyo")
    assert naive["nextRunAtMs"] == MS0 + 3_600_000  # 10:00 in Tokyo is 01:00 UTC
    legacy = await add(peer, schedule={"kind": "at", "atMs": MS0 + 60_000})
    assert legacy["nextRunAtMs"] == MS0 + 60_000
    assert legacy["schedule"] == {"kind": "at", "at": "2030-01-01T00:01:00Z"}
    # A job's schedule object goes back in as it came out.
    again = await add(peer, schedule=cron["schedule"])
    assert again["schedule"] == cron["schedule"] and again["nextRunAtMs"] == cron["nextRunAtMs"]
    await peer.request("cron.remove", {"id": again["id"]})

    clock.advance(90)  # the interval job and the legacy one-shot fire
    await cron_event(peer, "finished", every["id"])
    await cron_event(peer, "finished", legacy["id"])
    got = (await peer.request("cron.get", {"jobId": every["id"]}))["payload"]
    assert got["nextRunAtMs"] == MS0 + 180_000 and got["lastRunStatus"] == "ok"

    clock.advance(30)  # the ISO one-shot fires once, then the job is disabled
    started = await cron_event(peer, "started", at["id"])
    assert started["runAtMs"] == MS0 + 120_000 and started["nextRunAtMs"] is None
    await cron_event(peer, "finished", at["id"])
    done = (await peer.request("cron.get", {"id": at["id"]}))["payload"]
    assert done["enabled"] is False and done["nextRunAtMs"] is None
    assert done["lastRunStatus"] == "ok"


@pytest.mark.parametrize(
    ("params", "path"),
    [
        ({"schedule": {"kind": "cron", "expr": "61 * * * *"}}, "/schedule/expr"),
        ({"schedule": {"kind": "cron", "expr": "* * * * *", "tz": "Mars/X"}}, "/schedule/tz"),
        ({"schedule": {"kind": "cron", "expr": ""}}, "/schedule/expr"),
        ({"schedule": {"kind": "every"}}, "/schedule/everyMs"),
        ({"schedule": {"kind": "every", "everyMs": 10}}, "/schedule/everyMs"),
        ({"schedule": {"kind": "every", "everyMs": "soon"}}, "/schedule/everyMs"),
        ({"schedule": {"kind": "every", "everyMs": 60_000, "tz": "UTC"}}, "/schedule/tz"),
        ({"schedule": {"kind": "every", "everyMs": 60_000}, "tz": "UTC"}, "/tz"),
        ({"schedule": {"kind": "at", "at": "tomorrow-ish"}}, "/schedule/at"),
        ({"schedule": {"kind": "at", "at": "2020-01-01T00:00:00Z"}}, "/schedule/at"),
        ({"schedule": {"kind": "at"}}, "/schedule/at"),
        ({"schedule": {"kind": "weekly"}}, "/schedule/kind"),
        ({"schedule": {"expr": "* * * * *"}}, "/schedule/kind"),
        ({"schedule": 5}, "/schedule"),
        (
            {"schedule": "* * * * *", "payload": {"kind": "systemEvent", "text": "x"}},
            "/payload/kind",
        ),
        ({"schedule": "* * * * *", "message": None}, "/message"),
    ],
)
async def test_invalid_schedules_are_refused_with_the_field_path(gateway, params, path):
    gateway.cron.set_clock(FakeClock(T0))
    peer = await operator(gateway.port, TOKEN, ADMIN)
    res = await peer.request("cron.add", {"message": "x", **params})
    assert not res["ok"] and res["error"]["code"] == "INVALID_REQUEST", res
    assert res["error"]["message"].startswith("invalid cron.add params:")
    assert res["error"]["details"]["path"] == path, res["error"]
    assert (await peer.request("cron.list", {}))["payload"]["jobs"] == []


# --- get, status, update ------------------------------------------------------------------------


async def test_get_status_and_unknown_ids(gateway_factory):
    async with gateway_factory() as gw:
        gw.cron.set_clock(FakeClock(T0))
        admin = await operator(gw.port, TOKEN, ADMIN)
        reader = await operator(gw.port, TOKEN, READ)
        status = (await reader.request("cron.status", {}))["payload"]
        assert status == {
            "enabled": True,
            "jobs": 0,
            "enabledJobs": 0,
            "running": 0,
            "nextWakeAtMs": None,
            "triggersEnabled": False,
            "storage": "sqlite",
            "sqlitePath": str(gw.db.path),
            "storePath": str(gw.db.path),
        }
        job = await add(admin, schedule="*/5 * * * *")
        await add(admin, schedule="* * * * *", enabled=False)
        status = (await reader.request("cron.status", {}))["payload"]
        assert status["jobs"] == 2 and status["enabledJobs"] == 1
        assert status["nextWakeAtMs"] == MS0 + 300_000

        got = await reader.request("cron.get", {"id": job["id"]})
        job.pop("deliveryPreview")
        assert got["payload"] == job and job["runningRunId"] is None
        for method, params in (
            ("cron.get", {"id": "nope"}),
            ("cron.get", {"jobId": "nope"}),
            ("cron.runs", {"id": "nope"}),
            ("cron.update", {"id": "nope", "patch": {"name": "x"}}),
        ):
            res = await admin.request(method, params)
            assert res["error"]["code"] == "INVALID_REQUEST", method
            assert res["error"]["details"] == {
                "code": "CRON_JOB_NOT_FOUND",
                "jobId": "nope",
            }, method
            assert res["error"]["message"].startswith("cron job not found: nope"), method
        res = await reader.request("cron.get", {})
        assert res["error"]["details"]["path"] == "/id"
        res = await reader.request("cron.update", {"id": job["id"], "patch": {"name": "x"}})
        assert res["error"]["code"] == "FORBIDDEN"
        assert res["error"]["details"]["missingScope"] == "operator.admin"

    async with gateway_factory(cron={"enabled": False}) as gw:
        peer = await operator(gw.port, TOKEN, ADMIN)
        await add(peer, schedule="* * * * *")
        status = (await peer.request("cron.status", {}))["payload"]
        assert status["enabled"] is False and status["jobs"] == 1
        assert status["nextWakeAtMs"] is None


async def test_update_reschedules_and_persists_across_a_restart(gateway_factory, tmp_path):
    state = tmp_path / "update"
    async with gateway_factory(state_dir=state) as gw:
        clock = FakeClock(T0)
        gw.cron.set_clock(clock)
        admin = await operator(gw.port, TOKEN, ADMIN)
        reader = await operator(gw.port, TOKEN, READ)
        job = await add(admin, name="digest", schedule="*/5 * * * *", message="old prompt")
        assert job["nextRunAtMs"] == MS0 + 300_000

        res = await admin.request(
            "cron.update",
            {
                "id": job["id"],
                "patch": {
                    "name": "hourly digest",
                    "schedule": {"kind": "every", "everyMs": 600_000},
                    "payload": {"kind": "agentTurn", "message": "new prompt"},
                },
            },
        )
        updated = res["payload"]
        assert updated["name"] == "hourly digest" and updated["payload"]["message"] == "new prompt"
        assert updated["schedule"] == {"kind": "every", "everyMs": 600_000, "anchorMs": MS0}
        assert updated["nextRunAtMs"] == MS0 + 600_000
        assert updated["configRevision"] != job["configRevision"]
        event = await cron_event(reader, "updated", job["id"])
        assert event["job"] == updated and event["nextRunAtMs"] == MS0 + 600_000

        # A patch without a schedule leaves the next fire alone; tz is for cron schedules.
        res = await admin.request("cron.update", {"jobId": job["id"], "patch": {"name": "d"}})
        assert res["payload"]["nextRunAtMs"] == MS0 + 600_000
        res = await admin.request("cron.update", {"id": job["id"], "patch": {"tz": "UTC"}})
        assert res["error"]["details"]["path"] == "/patch/tz"
        res = await admin.request(
            "cron.update", {"id": job["id"], "patch": {"schedule": {"kind": "cron"}}}
        )
        assert res["error"]["details"]["path"] == "/patch/schedule/expr"
        res = await admin.request("cron.update", {"id": job["id"], "patch": {"enabled": "nah"}})
        assert res["error"]["details"]["path"] == "/patch/enabled"

        # Disabling clears the next fire; enabling computes it again from now.
        res = await admin.request("cron.update", {"id": job["id"], "patch": {"enabled": False}})
        assert res["payload"]["enabled"] is False and res["payload"]["nextRunAtMs"] is None
        clock.advance(60)
        await anyio.sleep(0.05)
        res = await admin.request("cron.update", {"id": job["id"], "patch": {"enabled": True}})
        assert res["payload"]["nextRunAtMs"] == MS0 + 600_000  # the interval keeps its anchor

        # Back to a cron expression: the zone comes along with it.
        res = await admin.request(
            "cron.update",
            {"id": job["id"], "patch": {"schedule": "0 9 * * *", "tz": "Europe/Berlin"}},
        )
        assert res["payload"]["schedule"] == {
            "kind": "cron",
            "expr": "0 9 * * *",
            "tz": "Europe/Berlin",
            "staggerMs": 0,
        }
        assert res["payload"]["nextRunAtMs"] == MS0 + 8 * 3_600_000
        res = await admin.request("cron.update", {"id": job["id"], "patch": {"tz": "Asia/Tokyo"}})
        assert res["payload"]["nextRunAtMs"] == MS0 + 24 * 3_600_000  # 09:00 Tokyo = 00:00 UTC
        # A new cron object without a zone keeps the job's zone.
        res = await admin.request(
            "cron.update",
            {"id": job["id"], "patch": {"schedule": {"kind": "cron", "expr": "0 9 * * *"}}},
        )
        assert res["payload"]["schedule"]["tz"] == "Asia/Tokyo"
        final = res["payload"]
        assert final["updatedAtMs"] == MS0 + 60_000 and final["createdAtMs"] == MS0

    async with gateway_factory(state_dir=state) as gw:
        peer = await operator(gw.port, TOKEN, ADMIN)
        got = (await peer.request("cron.get", {"id": job["id"]}))["payload"]
        assert got == final
        assert got["name"] == "d" and got["payload"]["message"] == "new prompt"
        assert got["schedule"]["tz"] == "Asia/Tokyo"
        clock = FakeClock(T0 + 86_399)
        gw.cron.set_clock(clock)
        clock.advance(1)
        started = await cron_event(peer, "started", job["id"])
        assert started["runAtMs"] == final["nextRunAtMs"]
        await cron_event(peer, "finished", job["id"])
        history = await peer.request("chat.history", {"sessionKey": job["sessionKey"]})
        assert history["payload"]["messages"][0]["content"][0]["text"] == "new prompt"


async def test_a_one_shot_that_has_fired_can_be_re_armed(gateway):
    clock = FakeClock(T0)
    gateway.cron.set_clock(clock)
    peer = await operator(gateway.port, TOKEN, ADMIN)
    job = await add(peer, schedule={"kind": "at", "atMs": MS0 + 60_000})
    clock.advance(60)
    await cron_event(peer, "finished", job["id"])
    res = await peer.request("cron.update", {"id": job["id"], "patch": {"enabled": True}})
    assert res["error"]["details"]["path"] == "/patch/enabled"
    res = await peer.request(
        "cron.update",
        {"id": job["id"], "patch": {"enabled": True, "schedule": {"kind": "at", "atMs": MS0}}},
    )
    assert res["error"]["details"]["path"] == "/patch/schedule/atMs"  # in the past
    res = await peer.request(
        "cron.update",
        {
            "id": job["id"],
            "patch": {"enabled": True, "schedule": {"kind": "at", "atMs": MS0 + 120_000}},
        },
    )
    assert res["payload"]["enabled"] is True and res["payload"]["nextRunAtMs"] == MS0 + 120_000


# --- run history --------------------------------------------------------------------------------


async def test_run_history_records_ok_and_error_runs_and_is_bounded(gateway, monkeypatch):
    gateway.cron.set_clock(FakeClock(T0))
    gateway.cron.run_history = 3
    admin = await operator(gateway.port, TOKEN, ADMIN)
    reader = await operator(gateway.port, TOKEN, READ)
    job = await add(admin, schedule="0 0 1 1 *", message="report")
    other = await add(admin, schedule="0 0 1 1 *", message="other")
    assert (await reader.request("cron.runs", {"id": job["id"]}))["payload"]["entries"] == []

    run_ids = []
    for _ in range(5):
        res = await admin.request("cron.run", {"id": job["id"]})
        run_ids.append(res["payload"]["runId"])
        await cron_event(admin, "finished", job["id"])
    await admin.request("cron.run", {"id": other["id"]})
    await cron_event(admin, "finished", other["id"])

    runs = (await reader.request("cron.runs", {"id": job["id"]}))["payload"]
    assert runs["total"] == 3 and not runs["hasMore"] and runs["nextOffset"] is None
    assert [r["runId"] for r in runs["entries"]] == run_ids[:-4:-1]  # the newest 3, newest first
    for run in runs["entries"]:
        assert run["jobId"] == job["id"] and run["status"] == "ok" and "error" not in run
        assert run["action"] == "finished" and run["completionStatus"] == "succeeded"
        assert run["deliveryStatus"] == "not-requested" and run["jobName"] == job["name"]
        assert run["reason"] == "manual" and run["sessionKey"] == job["sessionKey"]
        assert run["runAtMs"] == MS0 and run["endedAtMs"] >= run["runAtMs"]
        assert run["ts"] == run["endedAtMs"]
        assert run["durationMs"] >= 0 and "report" in run["summary"]  # the offline reply

    page = (await reader.request("cron.runs", {"jobId": job["id"], "limit": 2}))["payload"]
    assert len(page["entries"]) == 2 and page["hasMore"] and page["nextOffset"] == 2
    page = (await reader.request("cron.runs", {"id": job["id"], "offset": 2}))["payload"]
    assert [r["runId"] for r in page["entries"]] == [run_ids[2]]
    one = (await reader.request("cron.runs", {"id": job["id"], "runId": run_ids[3]}))["payload"]
    assert [r["runId"] for r in one["entries"]] == [run_ids[3]] and one["total"] == 1
    res = await reader.request("cron.runs", {"id": job["id"], "limit": 0})
    assert res["error"]["details"]["path"] == "/limit"

    async def submit(**kwargs: Any) -> Any:
        raise RuntimeError("no room at the inn")

    monkeypatch.setattr(gateway.runs, "submit", submit)
    res = await admin.request("cron.run", {"id": job["id"]})
    assert res["error"]["code"] == "UNAVAILABLE"
    runs = (await reader.request("cron.runs", {"id": job["id"]}))["payload"]
    newest = runs["entries"][0]
    assert runs["total"] == 3 and newest["status"] == "error"
    assert newest["completionStatus"] == "failed"
    assert "no room at the inn" in newest["error"] and newest["endedAtMs"] is not None
    assert (await reader.request("cron.runs", {"id": other["id"]}))["payload"]["total"] == 1

    await admin.request("cron.remove", {"id": job["id"]})  # the history goes with the job
    res = await reader.request("cron.runs", {"id": job["id"]})
    assert res["error"]["details"]["code"] == "CRON_JOB_NOT_FOUND"
    count = gateway.db.conn.execute(
        "SELECT COUNT(*) FROM cron_runs WHERE job_id = ?", (job["id"],)
    ).fetchone()[0]
    assert count == 0


def test_migration_6_keeps_existing_jobs(tmp_path: Path):
    path = tmp_path / "v5.sqlite"
    conn = sqlite3.connect(path)
    for script in MIGRATIONS[:5]:
        conn.executescript(script)
    conn.execute("PRAGMA user_version = 5")
    conn.execute(
        "INSERT INTO cron_jobs (job_id, name, schedule, tz, message, session_key, created_at_ms)"
        " VALUES ('j1', 'old', '*/5 * * * *', 'UTC', 'hi', 'agent:main:cron:j1', 1)"
    )
    conn.commit()
    conn.isolation_level = None
    conn.row_factory = sqlite3.Row
    assert migrate(conn) == len(MIGRATIONS) >= 6
    from openclaw_gateway.state import cron as store

    (job,) = store.list_jobs(conn)
    assert job.schedule_kind == "cron" and job.schedule == "*/5 * * * *" and job.every_ms is None
    assert job.updated_at_ms == job.created_at_ms == 1  # migration 7
    conn.close()


# --- the reference's inventory, runs and targets (what the official `openclaw cron` reads) --------


async def test_list_is_a_paged_inventory_with_a_snapshot_revision(gateway):
    clock = FakeClock(T0)
    gateway.cron.set_clock(clock)
    peer = await operator(gateway.port, TOKEN, ADMIN)
    c = await add(peer, name="Charlie", schedule="*/30 * * * *")  # next: +30m
    a = await add(peer, name="alpha", schedule="*/5 * * * *")  # next: +5m
    b = await add(peer, name="Bravo", schedule={"kind": "every", "everyMs": 600_000})  # +10m
    off = await add(peer, name="delta", schedule="* * * * *", enabled=False)
    once = await add(peer, name="echo", schedule={"kind": "at", "at": "2030-01-02T00:00:00Z"})

    async def page(**params: Any) -> dict[str, Any]:
        res = await peer.request("cron.list", params)
        assert res["ok"], res
        return res["payload"]

    everything = await page(includeDisabled=True)
    assert [j["id"] for j in everything["jobs"]] == [
        a["id"],
        b["id"],
        c["id"],
        once["id"],
        off["id"],
    ]
    assert everything["total"] == 5 and everything["limit"] == 5 and everything["offset"] == 0
    assert everything["hasMore"] is False and everything["nextOffset"] is None
    assert everything["jobs"][0]["effectiveAgentId"] == "main"
    assert set(everything["deliveryPreviews"]) == {j["id"] for j in everything["jobs"]}
    revision = everything["snapshotRevision"]
    assert (
        revision.startswith("sha256:")
        and (await page(includeDisabled=True))["snapshotRevision"] == revision
    )  # stable while nothing changes

    # Pages: the CLI walks offset → nextOffset until hasMore is false, under one revision.
    first = await page(includeDisabled=True, limit=2)
    assert [j["id"] for j in first["jobs"]] == [a["id"], b["id"]]
    assert first["hasMore"] is True and first["nextOffset"] == 2 and first["total"] == 5
    assert first["snapshotRevision"] == revision and first["limit"] == 2
    last = await page(includeDisabled=True, limit=2, offset=4)
    assert [j["id"] for j in last["jobs"]] == [off["id"]]
    assert last["hasMore"] is False and last["nextOffset"] is None
    beyond = await page(includeDisabled=True, limit=2, offset=99)
    assert beyond["jobs"] == [] and beyond["offset"] == 5 and beyond["nextOffset"] is None
    empty = await page(query="no such job")
    assert empty == {**empty, "jobs": [], "total": 0, "limit": 50, "hasMore": False}

    # Filters and sorting.
    assert [j["id"] for j in (await page(enabled="disabled"))["jobs"]] == [off["id"]]
    assert [j["id"] for j in (await page(query="RAV"))["jobs"]] == [b["id"]]
    assert [j["id"] for j in (await page(query=c["id"]))["jobs"]] == [c["id"]]
    assert [j["id"] for j in (await page(scheduleKind="at"))["jobs"]] == [once["id"]]
    assert len((await page(lastRunStatus="unknown"))["jobs"]) == 4
    assert (await page(lastRunStatus="ok"))["jobs"] == []
    assert (await page(trigger="conditional"))["jobs"] == []
    assert len((await page(agentId="main"))["jobs"]) == 4
    assert (await page(agentId="ops"))["jobs"] == []
    by_name = await page(includeDisabled=True, sortBy="name", sortDir="desc")
    assert [j["name"] for j in by_name["jobs"]] == ["echo", "delta", "Charlie", "Bravo", "alpha"]
    assert by_name["snapshotRevision"] != revision  # another order is another snapshot
    compact = (await page(compact=True, limit=1))["jobs"][0]
    assert compact["id"] == a["id"] and compact["scheduleKind"] == "cron"
    assert compact["nextRunAt"] == "2030-01-01T00:05:00Z" and "payload" not in compact
    assert "deliveryPreviews" not in await page(compact=True)
    assert "deliveryPreviews" not in await page(includeDeliveryPreviews=False)

    # The revision changes with the job set and with a job's state.
    await peer.request("cron.update", {"id": c["id"], "patch": {"name": "charlie"}})
    changed = (await page(includeDisabled=True))["snapshotRevision"]
    assert changed != revision
    await peer.request("cron.run", {"id": a["id"]})
    await cron_event(peer, "finished", a["id"])
    assert (await page(includeDisabled=True))["snapshotRevision"] != changed
    assert [j["id"] for j in (await page(lastRunStatus="ok"))["jobs"]] == [a["id"]]

    for params, path in (
        ({"limit": 0}, "/limit"),
        ({"limit": 201}, "/limit"),
        ({"offset": -1}, "/offset"),
    ):
        res = await peer.request("cron.list", params)
        assert res["error"]["details"]["path"] == path, params


async def test_the_official_cli_add_params_are_accepted(gateway):
    """What `openclaw cron add --name n --cron '0 9 * * *' --message m` sends."""
    gateway.cron.set_clock(FakeClock(T0))
    peer = await operator(gateway.port, TOKEN, ADMIN)
    res = await peer.request(
        "cron.add",
        {
            "name": "Morning brief",
            "enabled": True,
            "schedule": {"kind": "cron", "expr": "0 9 * * *"},
            "sessionTarget": "isolated",
            "wakeMode": "now",
            "payload": {"kind": "agentTurn", "message": "Summarise.", "lightContext": True},
            "delivery": {"mode": "announce", "channel": "last"},
        },
    )
    assert res["ok"], res
    job = res["payload"]
    assert (
        job["sessionTarget"] == "isolated" and job["sessionKey"] == f"agent:main:cron:{job['id']}"
    )
    assert job["payload"] == {"kind": "agentTurn", "message": "Summarise."}
    assert job["delivery"] == {"mode": "none"} and job["wakeMode"] == "now"
    assert job["schedule"]["tz"] == "UTC" and job["nextRunAtMs"] == MS0 + 9 * 3_600_000

    res = await peer.request(
        "cron.add",
        {
            "name": "x",
            "schedule": {"kind": "every", "everyMs": 60_000},
            "sessionTarget": "main",
            "payload": {"kind": "systemEvent", "text": "wake up"},
        },
    )
    assert res["error"]["details"]["path"] == "/payload/kind"  # only agent turns run here


async def test_session_targets_and_agent_ids(gateway):
    gateway.cron.set_clock(FakeClock(T0))
    peer = await operator(gateway.port, TOKEN, ADMIN)
    main = await add(peer, schedule="@daily", sessionTarget="main")
    assert main["sessionKey"] == "agent:main:main" and main["sessionTarget"] == "main"
    pinned = await add(peer, schedule="@daily", sessionTarget="session:reports")
    assert pinned["sessionKey"] == "agent:main:reports"
    assert pinned["sessionTarget"] == "session:agent:main:reports"
    keyed = await add(peer, schedule="@daily", sessionTarget="isolated", sessionKey="main")
    assert keyed["sessionKey"] == "agent:main:main"  # an explicit key wins
    current = await add(peer, schedule="@daily", sessionTarget="current")
    assert current["sessionTarget"] == "isolated"  # no creating session to bind to
    assert (await add(peer, schedule="@daily", agentId="Main"))["agentId"] == "main"

    res = await peer.request(
        "cron.update", {"id": pinned["id"], "patch": {"sessionTarget": "isolated"}}
    )
    assert res["payload"]["sessionKey"] == f"agent:main:cron:{pinned['id']}"
    res = await peer.request("cron.update", {"id": main["id"], "patch": {"sessionKey": None}})
    assert res["payload"]["sessionTarget"] == "isolated"
    res = await peer.request(
        "cron.update", {"id": main["id"], "patch": {"sessionTarget": "session:x"}}
    )
    assert res["payload"]["sessionKey"] == "agent:main:x"

    for method, params, path in (
        ("cron.add", {"schedule": "@daily", "message": "x", "agentId": "ops"}, "/agentId"),
        (
            "cron.add",
            {"schedule": "@daily", "message": "x", "sessionTarget": "nowhere"},
            "/sessionTarget",
        ),
        (
            "cron.add",
            {"schedule": "@daily", "message": "x", "sessionTarget": "session:"},
            "/sessionTarget",
        ),
        ("cron.update", {"id": main["id"], "patch": {"agentId": "ops"}}, "/patch/agentId"),
        ("cron.update", {"id": main["id"], "patch": {"name": ""}}, "/patch/name"),
    ):
        res = await peer.request(method, params)
        assert res["error"]["details"]["path"] == path, params


async def test_update_with_an_expected_config_revision(gateway):
    gateway.cron.set_clock(FakeClock(T0))
    peer = await operator(gateway.port, TOKEN, ADMIN)
    job = await add(peer, name="a", schedule="@hourly")
    seen = job["configRevision"]
    res = await peer.request(
        "cron.update", {"id": job["id"], "patch": {"name": "b"}, "expectedConfigRevision": seen}
    )
    assert res["ok"] and res["payload"]["configRevision"] != seen
    res = await peer.request(
        "cron.update", {"id": job["id"], "patch": {"name": "c"}, "expectedConfigRevision": seen}
    )
    assert res["error"]["code"] == "INVALID_REQUEST"
    assert res["error"]["details"] == {
        "code": "CRON_JOB_CHANGED",
        "expectedConfigRevision": seen,
        "actualConfigRevision": (await peer.request("cron.get", {"id": job["id"]}))["payload"][
            "configRevision"
        ],
    }
    # Run state is not part of the definition: a run leaves the revision alone.
    current = (await peer.request("cron.get", {"id": job["id"]}))["payload"]["configRevision"]
    await peer.request("cron.run", {"id": job["id"]})
    await cron_event(peer, "finished", job["id"])
    assert (await peer.request("cron.get", {"id": job["id"]}))["payload"][
        "configRevision"
    ] == current


async def test_run_modes(gateway):
    clock = FakeClock(T0)
    gateway.cron.set_clock(clock)
    peer = await operator(gateway.port, TOKEN, ADMIN)
    job = await add(peer, schedule="*/5 * * * *")
    off = await add(peer, schedule="*/5 * * * *", enabled=False)

    res = await peer.request("cron.run", {"id": job["id"], "mode": "due"})
    assert res["payload"] == {"ok": True, "ran": False, "reason": "not-due", "id": job["id"]}
    res = await peer.request("cron.run", {"id": off["id"], "mode": "if-enabled"})
    assert res["payload"] == {"ok": True, "ran": False, "reason": "disabled", "id": off["id"]}
    res = await peer.request("cron.run", {"jobId": off["id"], "mode": "force"})
    assert res["payload"]["enqueued"] is True  # force runs a disabled job too
    await cron_event(peer, "finished", off["id"])
    res = await peer.request("cron.run", {"id": job["id"], "mode": "sometime"})
    assert res["error"]["details"]["path"] == "/mode"

    # A due fire taken by hand counts as that fire: the next one is computed from now.
    gateway.cron.jobs[job["id"]] = replace(gateway.cron.jobs[job["id"]], next_run_at_ms=MS0)
    res = await peer.request("cron.run", {"id": job["id"], "mode": "due"})
    assert res["payload"]["enqueued"] is True and res["payload"]["runId"]
    await cron_event(peer, "finished", job["id"])
    assert gateway.cron.jobs[job["id"]].next_run_at_ms == MS0 + 300_000


async def test_runs_filters_and_all_jobs(gateway, monkeypatch):
    gateway.cron.set_clock(FakeClock(T0))
    peer = await operator(gateway.port, TOKEN, ADMIN)
    job = await add(peer, name="nightly report", schedule="@daily", message="alpha")
    other = await add(peer, name="other", schedule="@daily", message="beta")
    ok_runs = []
    for target in (job, other, job):
        res = await peer.request("cron.run", {"id": target["id"]})
        ok_runs.append(res["payload"]["runId"])
        await cron_event(peer, "finished", target["id"])

    async def submit(**kwargs: Any) -> Any:
        raise RuntimeError("the quota ran out")

    monkeypatch.setattr(gateway.runs, "submit", submit)
    res = await peer.request("cron.run", {"id": job["id"]})
    assert res["error"]["code"] == "UNAVAILABLE"

    async def runs(**params: Any) -> dict[str, Any]:
        res = await peer.request("cron.runs", params)
        assert res["ok"], res
        return res["payload"]

    mine = await runs(id=job["id"])
    assert [r["status"] for r in mine["entries"]] == ["error", "ok", "ok"]
    assert (await runs(id=job["id"], status="error"))["total"] == 1
    assert (await runs(id=job["id"], statuses=["ok", "skipped"]))["total"] == 2
    assert (await runs(id=job["id"], status="skipped"))["entries"] == []
    assert (await runs(id=job["id"], deliveryStatus="delivered"))["total"] == 0
    assert (await runs(id=job["id"], deliveryStatuses=["not-requested"]))["total"] == 3
    assert (await runs(id=job["id"], query="QUOTA"))["total"] == 1
    assert (await runs(id=job["id"], query='said: "alpha'))["total"] == 2  # the summaries
    ascending = await runs(id=job["id"], sortDir="asc")
    assert [r["runId"] for r in ascending["entries"][:2]] == [ok_runs[0], ok_runs[2]]
    clamped = await runs(id=job["id"], offset=10)
    assert clamped["entries"] == [] and clamped["offset"] == 3 and clamped["nextOffset"] is None

    everything = await runs(scope="all")
    assert everything["total"] == 4 and "id" not in everything
    assert {r["jobName"] for r in everything["entries"]} == {"nightly report", "other"}
    assert (await runs())["total"] == 4  # no id: every job
    assert (await runs(query="nightly"))["total"] == 3  # by job name
    res = await peer.request("cron.runs", {"scope": "job"})
    assert res["error"]["details"]["path"] == "/id"
    res = await peer.request("cron.runs", {"id": job["id"], "status": "weird"})
    assert res["error"]["details"]["path"] == "/status"


# --- the CLI ------------------------------------------------------------------------------------


async def test_cli_cron_commands(gateway, tmp_path):
    gateway.cron.set_clock(FakeClock(T0))
    url = f"ws://127.0.0.1:{gateway.port}"
    command = [sys.executable, "-m", "openclaw_gateway.cli.main", "cron"]
    env = {**os.environ, "HOME": str(tmp_path), "OPENCLAW_GATEWAY_STATE_DIR": str(tmp_path)}

    async def cli(*args: str) -> tuple[int, str, str]:
        cp = await anyio.run_process(
            [*command, *args, "--url", url, "--token", TOKEN],
            check=False,
            env=env,
        )
        return cp.returncode, cp.stdout.decode(), cp.stderr.decode()

    code, out, err = await cli("add", "--every", "10m", "-m", "hello", "--name", "from cli")
    assert code == 0, err
    job = json.loads(out)  # not a terminal: JSON
    assert job["name"] == "from cli" and job["schedule"]["everyMs"] == 600_000
    assert job["payload"]["message"] == "hello"
    assert job["nextRunAtMs"] == MS0 + 600_000

    code, out, err = await cli("update", job["id"], "--cron", "0 9 * * *", "--tz", "Europe/Berlin")
    assert code == 0, err
    assert json.loads(out)["nextRunAtMs"] == MS0 + 8 * 3_600_000
    code, out, _ = await cli("edit", job["id"], "--disable")
    assert code == 0 and json.loads(out)["enabled"] is False

    code, out, _ = await cli("list")
    assert code == 0
    (listed,) = json.loads(out)["jobs"]  # disabled jobs too, unless --enabled-only
    assert listed["schedule"] == {
        "kind": "cron",
        "expr": "0 9 * * *",
        "tz": "Europe/Berlin",
        "staggerMs": 0,
    }
    code, out, _ = await cli("list", "--enabled-only")
    assert code == 0 and json.loads(out)["jobs"] == []
    code, out, _ = await cli("get", job["id"])
    assert code == 0 and json.loads(out)["id"] == job["id"]
    code, out, _ = await cli("status")
    assert code == 0 and json.loads(out)["jobs"] == 1

    code, out, err = await cli("run", job["id"])
    assert code == 0, err
    run_id = json.loads(out)["runId"]
    with anyio.fail_after(5):
        while gateway.cron.running:
            await anyio.sleep(0.02)
    code, out, _ = await cli("runs", job["id"])
    assert code == 0
    (run,) = json.loads(out)["entries"]
    assert run["runId"] == run_id and run["status"] == "ok"

    # Usage errors exit 2 before calling; the gateway's refusals exit 1 with the reason.
    code, _, err = await cli("add", "-m", "no schedule")
    assert code == 2 and "--cron, --every, --at" in err
    code, _, err = await cli("add", "--every", "soon", "-m", "x")
    assert code == 2 and "--every" in err
    code, _, err = await cli("add", "--cron", "61 * * * *", "-m", "x")
    assert code == 1 and "INVALID_REQUEST" in err and "schedule" in err

    code, out, _ = await cli("remove", job["id"])
    assert code == 0 and "removed" in out
    code, _, err = await cli("get", job["id"])
    assert code == 1 and "cron job not found" in err
