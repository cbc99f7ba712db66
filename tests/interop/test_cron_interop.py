"""The official ``openclaw cron`` CLI (npm openclaw@2026.9.6) against our gateway's cron methods:
add → list → show → edit → disable/enable → run → runs → status → rm, unchanged."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from gateway_process import GatewayProcess
from openclaw_cli import OpenClawCli

pytestmark = [pytest.mark.interop, pytest.mark.slow]


class Cron:
    """``openclaw cron …`` against one gateway; ``json()`` parses stdout of a successful call."""

    def __init__(self, cli: OpenClawCli, gw: GatewayProcess, home: Path) -> None:
        self.cli, self.gw, self.home = cli, gw, home

    def __call__(self, *args: str) -> subprocess.CompletedProcess[str]:
        argv = ["cron", *args, "--url", self.gw.url, "--token", self.gw.token]
        return self.cli.run(argv, home=self.home, timeout=90)

    def ok(self, *args: str) -> subprocess.CompletedProcess[str]:
        cp = self(*args)
        assert cp.returncode == 0, f"openclaw cron {' '.join(args)}:\n{cp.stdout}\n{cp.stderr}"
        return cp

    def json(self, *args: str) -> Any:
        return json.loads(self.ok(*args).stdout)


def test_official_cron_cli_round_trip(
    openclaw: OpenClawCli, our_gateway: GatewayProcess, tmp_path: Path
) -> None:
    cron = Cron(openclaw, our_gateway, tmp_path / "cli")

    # add: --cron with --tz, --every, --at, --disabled
    job = cron.json(
        "add",
        "--name",
        "morning digest",
        "--cron",
        "0 9 * * 1-5",
        "--tz",
        "Europe/Berlin",
        "--message",
        "Summarise the night.",
    )
    job_id = job["id"]
    assert job["schedule"] == {
        "kind": "cron",
        "expr": "0 9 * * 1-5",
        "tz": "Europe/Berlin",
        "staggerMs": 0,
    }
    assert job["payload"] == {"kind": "agentTurn", "message": "Summarise the night."}
    assert job["sessionTarget"] == "isolated" and job["enabled"] is True
    assert isinstance(job["state"]["nextRunAtMs"], int)
    every = cron.json("add", "--name", "poll", "--every", "10m", "--message", "Anything new?")
    assert every["schedule"]["kind"] == "every" and every["schedule"]["everyMs"] == 600_000
    once = cron.json(
        "add", "--name", "reminder", "--at", "20m", "--message", "Stand-up!", "--disabled"
    )
    assert once["schedule"]["kind"] == "at" and once["schedule"]["at"].endswith("Z")
    assert once["enabled"] is False and once["nextRunAtMs"] is None

    # list: the paged inventory (disabled jobs only with --all)
    listing = cron.json("list", "--json")
    assert listing["total"] == 2 and listing["hasMore"] is False and listing["nextOffset"] is None
    assert listing["snapshotRevision"].startswith("sha256:")
    by_id = {j["id"]: j for j in listing["jobs"]}
    assert set(by_id) == {job_id, every["id"]}
    assert by_id[job_id]["status"] == "idle"  # the CLI's own reading of enabled + state
    everything = cron.json("list", "--all", "--json")
    assert {j["id"] for j in everything["jobs"]} == {job_id, every["id"], once["id"]}
    text = cron.ok("list", "--all").stdout
    assert "morning digest" in text and "cron 0 9 * * 1-5 @ Europe/Ber..." in text  # 32 columns
    assert "every 10m" in text and "disabled" in text

    # show (by id and by exact name) and get
    shown = cron.ok("show", job_id).stdout
    assert f"id: {job_id}" in shown and "enabled: yes" in shown
    assert "schedule: cron 0 9 * * 1-5 @ Europe/Berlin (exact)" in shown
    assert "session: isolated" in shown and "status: idle" in shown
    assert "delivery: not requested" in shown
    assert f"id: {every['id']}" in cron.ok("show", "poll").stdout
    shown_json = cron.json("show", job_id, "--json")
    assert shown_json["id"] == job_id and shown_json["status"] == "idle"
    assert cron.json("get", job_id)["name"] == "morning digest"

    # edit: a patch; a new --cron keeps the job's zone, --tz alone re-zones the expression
    edited = cron.json(
        "edit", job_id, "--name", "digest", "--message", "New prompt.", "--cron", "30 8 * * *"
    )
    assert edited["name"] == "digest" and edited["payload"]["message"] == "New prompt."
    assert edited["schedule"]["expr"] == "30 8 * * *"
    assert edited["schedule"]["tz"] == "Europe/Berlin"
    edited = cron.json("edit", job_id, "--tz", "Asia/Tokyo")
    assert edited["schedule"]["tz"] == "Asia/Tokyo" and edited["schedule"]["expr"] == "30 8 * * *"

    # disable / enable
    assert cron.json("disable", job_id)["enabled"] is False
    assert job_id not in {j["id"] for j in cron.json("list", "--json")["jobs"]}
    enabled = cron.json("enable", job_id)
    assert enabled["enabled"] is True and isinstance(enabled["nextRunAtMs"], int)

    # run, then its history; run --wait follows the run to its end
    started = cron.json("run", job_id)
    assert started["ok"] is True and started["enqueued"] is True
    waited = cron.json("run", job_id, "--wait", "--poll-interval", "200ms")
    assert waited["completed"] is True and waited["status"] == "ok"
    assert waited["completionStatus"] == "succeeded"
    assert 'You said: "New prompt."' in waited["run"]["summary"]  # the offline provider
    runs = cron.json("runs", job_id)
    run_ids = [entry["runId"] for entry in runs["entries"]]
    assert waited["runId"] == run_ids[0] and started["runId"] in run_ids
    assert runs["total"] == 2 and all(e["jobId"] == job_id for e in runs["entries"])
    one = cron.json("runs", "--id", job_id, "--run-id", started["runId"])
    assert [e["runId"] for e in one["entries"]] == [started["runId"]]
    shown = cron.ok("show", job_id).stdout
    assert "status: ok" in shown and "last: " in shown

    status = cron.json("status")
    assert status["enabled"] is True and status["jobs"] == 3

    # rm, and the CLI's own wording for a job that is gone
    removed = cron.json("rm", job_id)
    assert removed["ok"] is True and removed["removed"] is True
    for args in (("show", job_id), ("get", job_id), ("run", job_id)):
        cp = cron(*args)
        assert cp.returncode == 1, args
        assert f"Automation not found: {job_id}" in cp.stdout + cp.stderr, args
    assert cron.json("list", "--all", "--json")["total"] == 2
