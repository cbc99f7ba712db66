"""Cron jobs: expression validation, cron.* over the wire, scheduled fires on a controlled clock,
persistence across restarts, the missed-fire policy, one run per job, failure isolation."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

import anyio
import pytest

from openclaw_gateway.agent.cron import ScheduleError, next_fire_ms

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
    assert job["name"] == "digest" and job["enabled"] is True and job["tz"] == "Europe/Berlin"
    assert job["sessionKey"] == f"agent:main:cron:{job['id']}"
    assert job["nextRunAtMs"] > time.time() * 1000 and job["lastRunId"] is None
    added = await cron_event(reader, "added", job["id"])
    assert added["job"]["schedule"] == "0 9 * * 1-5"

    custom = await add(admin, schedule="@hourly", sessionKey="main", enabled=False)
    assert custom["sessionKey"] == "agent:main:main" and custom["nextRunAtMs"] is None

    listed = await reader.request("cron.list", {})
    assert [j["id"] for j in listed["payload"]["jobs"]] == [job["id"], custom["id"]]
    enabled_only = await reader.request("cron.list", {"includeDisabled": False})
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
    assert res["error"]["details"]["code"] == "UNKNOWN_CRON_JOB"
    listed = await reader.request("cron.list", {})
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
    assert listed["lastRunId"] == started["runId"] and listed["lastStatus"] == "ok"
    assert listed["lastRunAtMs"] == (T0 + 300) * 1000

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
        run_id = res["payload"]["runId"]
        started = await cron_event(peer, "started", job["id"])
        assert started["reason"] == "manual" and started["runId"] == run_id
        # While it runs: a second cron.run is in flight, a scheduled fire is skipped.
        again = await peer.request("cron.run", {"id": job["id"]})
        assert again["payload"] == {
            "ok": True,
            "id": job["id"],
            "runId": run_id,
            "status": "in_flight",
        }
        clock.advance(60)
        skipped = await cron_event(peer, "finished", job["id"])
        assert skipped["status"] == "skipped" and skipped["runId"] is None
        finished = await cron_event(peer, "finished", job["id"])
        assert finished["runId"] == run_id and finished["status"] == "ok"
        assert finished["durationMs"] >= 0
        res = await peer.request("cron.run", {"id": "nope"})
        assert res["error"]["details"]["code"] == "UNKNOWN_CRON_JOB"


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
    assert jobs[bad["id"]]["lastStatus"] == "error" and "fire" in jobs[bad["id"]]["lastError"]
    assert jobs[good["id"]]["lastStatus"] == "ok"
    # cron.run of the failing job says why.
    res = await peer.request("cron.run", {"id": bad["id"]})
    assert res["error"]["code"] == "UNAVAILABLE" and "fire" in res["error"]["message"]


async def test_a_run_that_fails_is_recorded_and_the_job_fires_again(gateway_factory):
    async with gateway_factory(extra_plugins=(PLUGIN,), agent={"provider": "broken"}) as gw:
        clock = FakeClock(T0)
        gw.cron.set_clock(clock)
        peer = await operator(gw.port, TOKEN, ADMIN)
        job = await add(peer, schedule="* * * * *")
        for _ in range(2):
            clock.advance(60)
            finished = await cron_event(peer, "finished", job["id"])
            assert finished["status"] == "error" and "500" in finished["error"]


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
        assert listed["lastRunId"] == first_run and listed["lastStatus"] == "ok"
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
        assert listed["lastStatus"] == "error" and "interrupted" in listed["lastError"]
