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


def test_the_official_clis_everyday_commands_work_against_us(
    openclaw: OpenClawCli, our_gateway: GatewayProcess, tmp_path: Path
) -> None:
    """The commands an operator runs daily exit 0 with sensible output (issue 14's list)."""
    from openclaw_cli import write_config

    home = tmp_path / "cli"
    # `dashboard` probes the configured port; the others follow OPENCLAW_GATEWAY_URL.
    write_config(home, {"gateway": {"port": our_gateway.port}})
    env = {"OPENCLAW_GATEWAY_URL": our_gateway.url, "OPENCLAW_GATEWAY_TOKEN": our_gateway.token}

    def run(*args: str) -> str:
        cp = openclaw.run(list(args), home=home, env=env, timeout=90)
        assert cp.returncode == 0, (args, cp.stdout[-2000:], cp.stderr[-2000:])
        return cp.stdout

    status = json.loads(run("status", "--json"))  # parses (it used to fail on sessions.byAgent)
    assert [a["id"] for a in status["agents"]["agents"]] == ["main"]
    assert status["agents"]["totalSessions"] == 0
    assert "offline/offline" in run("models", "list")
    assert "No skills found" in run("skills", "list")
    assert "No user profiles found" in run("users", "list")
    assert "TIME" in run("audit")
    assert "Events: 0/1000" in run("gateway", "stability")
    assert "Usage cost (30 days)" in run("gateway", "usage-cost")
    assert "No pending approvals" in run("approvals", "pending")
    assert f"http://127.0.0.1:{our_gateway.port}/" in run("dashboard", "--no-open")
    answer = json.loads(run("agent", "--message", "hello", "--json"))
    assert (
        answer["status"] == "ok" and 'You said: "hello"' in answer["result"]["payloads"][0]["text"]
    )
