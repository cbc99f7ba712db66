"""The official OpenClaw CLI (npm openclaw@2026.9.6 on Node 24) against our gateway, unchanged."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gateway_process import GatewayProcess
from openclaw_cli import OpenClawCli

pytestmark = [pytest.mark.interop, pytest.mark.slow]


def test_gateway_call_health(
    openclaw: OpenClawCli, our_gateway: GatewayProcess, tmp_path: Path
) -> None:
    cp = openclaw.gateway_call(
        "health", port=our_gateway.port, token=our_gateway.token, home=tmp_path / "cli"
    )
    assert cp.returncode == 0, cp.stdout + cp.stderr
    health = json.loads(cp.stdout)
    assert health["ok"] is True
    assert health["defaultAgentId"] == "main"
    assert isinstance(health["ts"], int)


def test_gateway_call_status(
    openclaw: OpenClawCli, our_gateway: GatewayProcess, tmp_path: Path
) -> None:
    cp = openclaw.gateway_call(
        "status", port=our_gateway.port, token=our_gateway.token, home=tmp_path / "cli"
    )
    assert cp.returncode == 0, cp.stdout + cp.stderr
    status = json.loads(cp.stdout)
    assert status["runtimeVersion"]
    assert status["queuedSystemEvents"] == []


def test_gateway_call_with_params_and_system_event(
    openclaw: OpenClawCli, our_gateway: GatewayProcess, tmp_path: Path
) -> None:
    home = tmp_path / "cli"
    cp = openclaw.gateway_call(
        "system-event",
        port=our_gateway.port,
        token=our_gateway.token,
        home=home,
        params={"text": "from node"},
    )
    assert cp.returncode == 0, cp.stdout + cp.stderr
    assert json.loads(cp.stdout) == {"ok": True}
    cp = openclaw.gateway_call("status", port=our_gateway.port, token=our_gateway.token, home=home)
    assert "from node" in json.loads(cp.stdout)["queuedSystemEvents"]


def test_wrong_token_is_reported_by_the_official_cli(
    openclaw: OpenClawCli, our_gateway: GatewayProcess, tmp_path: Path
) -> None:
    cp = openclaw.gateway_call(
        "health", port=our_gateway.port, token="wrong", home=tmp_path / "cli"
    )
    assert cp.returncode != 0
    assert "token mismatch" in (cp.stdout + cp.stderr)


def test_devices_list(openclaw: OpenClawCli, our_gateway: GatewayProcess, tmp_path: Path) -> None:
    cp = openclaw.run(
        ["devices", "list", "--json", "--url", our_gateway.url, "--token", our_gateway.token],
        home=tmp_path / "cli",
    )
    assert cp.returncode == 0, cp.stdout + cp.stderr
    listing = json.loads(cp.stdout)
    assert listing["pending"] == [] and isinstance(listing["paired"], list)
