"""``openclaw logs`` of the official CLI (npm openclaw@2026.9.6 on Node 24) against our gateway."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gateway_process import GatewayProcess
from openclaw_cli import OpenClawCli, write_config

pytestmark = [pytest.mark.interop, pytest.mark.slow]


def test_openclaw_logs_json_shows_our_start_up_line(
    openclaw: OpenClawCli, our_gateway: GatewayProcess, tmp_path: Path
) -> None:
    # The target comes from the client's config, as an operator sets it up for a remote gateway.
    home = tmp_path / "cli"
    write_config(
        home,
        {
            "gateway": {
                "mode": "remote",
                "remote": {"url": our_gateway.url, "token": our_gateway.token},
            }
        },
    )
    cp = openclaw.run(["logs", "--json", "--limit", "50"], home=home)
    assert cp.returncode == 0, cp.stdout + cp.stderr
    records = [json.loads(line) for line in cp.stdout.splitlines() if line.strip()]
    meta = records[0]
    assert meta["type"] == "meta", records
    assert meta["file"] == str(our_gateway.home / ".openclaw-gateway" / "logs" / "gateway.log")
    assert meta["cursor"] == meta["size"] > 0
    logs = [r for r in records if r["type"] == "log"]
    assert not [r for r in records if r["type"] == "raw"], records  # every line parsed
    start_up = [r for r in logs if f"listening on {our_gateway.url}" in r["message"]]
    assert len(start_up) == 1, logs
    assert start_up[0]["level"] == "info"
    assert start_up[0]["subsystem"] == "openclaw_gateway"
    assert start_up[0]["time"].endswith("Z")
    assert our_gateway.token not in cp.stdout


def test_openclaw_logs_plain_with_url_and_token(
    openclaw: OpenClawCli, our_gateway: GatewayProcess, tmp_path: Path
) -> None:
    cp = openclaw.run(
        ["logs", "--plain", "--utc", "--url", our_gateway.url, "--token", our_gateway.token],
        home=tmp_path / "cli",
    )
    assert cp.returncode == 0, cp.stdout + cp.stderr
    line = next(ln for ln in cp.stdout.splitlines() if "listening on ws://" in ln)
    # time level subsystem message, as the CLI formats the reference's own lines
    assert " info openclaw_gateway openclaw-gateway " in line, line
    assert line.split(" ", 1)[0].endswith("Z"), line
