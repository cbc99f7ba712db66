"""``service install|uninstall|status|logs``: the systemd user unit (checked by
``systemd-analyze verify``), the launchd plist, the commands driving systemctl, and the gateway
honouring what the unit promises (SIGTERM stops it gracefully within TimeoutStopSec, SIGHUP
reloads)."""

from __future__ import annotations

import json
import os
import plistlib
import shlex
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from interop.gateway_process import running_gateway

from openclaw_gateway.service.units import (
    STOP_TIMEOUT_S,
    ServiceSpec,
    gateway_argv,
    launchd_plist,
    systemd_unit,
)

from systemd_units import verify_user_unit

REPO = Path(__file__).resolve().parents[1]


def _unit_value(unit: str, key: str) -> str:
    return next(line.split("=", 1)[1] for line in unit.splitlines() if line.startswith(f"{key}="))


def _cli(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "openclaw_gateway.cli.main", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "OPENCLAW_GATEWAY_SECRETS_BACKEND": "file", **env},
        timeout=60,
    )


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze not installed")
@pytest.mark.parametrize("state_dir", ["state", "state with spaces/and%percent"])
def test_the_unit_passes_systemd_analyze_verify(tmp_path, state_dir):
    spec = ServiceSpec(
        "openclaw-gateway", gateway_argv(sys.executable, tmp_path / state_dir), tmp_path
    )
    unit = tmp_path / "openclaw-gateway.service"
    unit.write_text(systemd_unit(spec))
    assert verify_user_unit(unit) == (0, [])
    text = unit.read_text()
    assert _unit_value(text, "Restart") == "on-failure"
    assert _unit_value(text, "ExecReload") == "/bin/kill -HUP $MAINPID"
    assert _unit_value(text, "NoNewPrivileges") == "yes"
    # systemd splits ExecStart like a shell, with %% and $$ for literal % and $.
    argv = shlex.split(_unit_value(text, "ExecStart").replace("%%", "%"))
    assert tuple(argv) == spec.argv


def test_the_launchd_plist_runs_the_same_command(tmp_path):
    spec = ServiceSpec("openclaw-gateway", gateway_argv("/usr/bin/python3", tmp_path), tmp_path)
    plist = plistlib.loads(launchd_plist(spec, tmp_path / "gw.log"))
    assert plist["Label"] == "dev.openclaw-gateway"
    assert plist["ProgramArguments"] == list(spec.argv)
    assert plist["KeepAlive"] == {"SuccessfulExit": False} and plist["RunAtLoad"] is True
    assert plist["ExitTimeOut"] == STOP_TIMEOUT_S
    assert plist["StandardErrorPath"] == str(tmp_path / "gw.log")


def test_install_without_a_user_manager_writes_the_unit_and_says_what_to_run(tmp_path):
    if shutil.which("systemctl") is None:
        pytest.skip("systemctl not installed")
    # This machine has systemctl but no running user manager (a container): the real failure.
    env = {"XDG_CONFIG_HOME": str(tmp_path / "config"), "HOME": str(tmp_path)}
    result = _cli(["service", "install", "--state-dir", str(tmp_path / "st")], env)
    unit = tmp_path / "config" / "systemd" / "user" / "openclaw-gateway.service"
    if result.returncode == 0:  # a host with a working user manager: it really installed
        _cli(["service", "uninstall"], env)
        pytest.skip("a systemd user manager is running here")
    assert result.returncode == 1
    assert unit.exists() and f"--state-dir {tmp_path / 'st'}" in unit.read_text()
    assert "systemctl --user daemon-reload" in result.stderr
    assert "loginctl enable-linger" in result.stderr


def test_install_status_uninstall_drive_systemctl(tmp_path):
    # No user manager runs in CI, so systemctl is replaced by a script that records its argv and
    # answers `show` like systemd does (the real binary is exercised by the test above).
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    calls = tmp_path / "calls.jsonl"
    fake = bin_dir / "systemctl"
    fake.write_text(
        "#!/usr/bin/env python3\n"
        "import json, sys\n"
        f"open({str(calls)!r}, 'a').write(json.dumps(sys.argv[1:]) + '\\n')\n"
        "if 'show' in sys.argv:\n"
        "    print('LoadState=loaded\\nActiveState=active\\nSubState=running\\nMainPID=4242\\nNRestarts=1\\nUnitFileState=enabled')\n"
    )
    fake.chmod(0o755)
    env = {
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "HOME": str(tmp_path),
        "PATH": f"{bin_dir}:{os.environ['PATH']}",
    }
    installed = _cli(
        ["service", "install", "--name", "gw-a", "--state-dir", str(tmp_path / "a")], env
    )
    assert installed.returncode == 0, installed.stderr
    unit = tmp_path / "config" / "systemd" / "user" / "gw-a.service"
    assert unit.exists()
    status = _cli(["service", "status", "--name", "gw-a", "--json"], env)
    assert status.returncode == 0
    info = json.loads(status.stdout)
    assert info["activeState"] == "active" and info["mainPID"] == 4242 and info["nRestarts"] == 1
    removed = _cli(["service", "uninstall", "--name", "gw-a"], env)
    assert removed.returncode == 0 and not unit.exists()
    recorded = [json.loads(line) for line in calls.read_text().splitlines()]
    assert ["--user", "daemon-reload"] in recorded
    assert ["--user", "enable", "--now", "gw-a.service"] in recorded
    assert ["--user", "disable", "--now", "gw-a.service"] in recorded
    # A config with a typo is refused before any unit is written (no restart loop on a typo).
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "config.toml").write_text("prot = 1\n")
    refused = _cli(["service", "install", "--name", "gw-b", "--state-dir", str(bad)], env)
    assert refused.returncode == 2
    assert not (tmp_path / "config" / "systemd" / "user" / "gw-b.service").exists()


def test_the_gateway_keeps_the_units_promises(tmp_path):
    """SIGHUP (ExecReload) keeps it serving; SIGTERM (KillSignal) ends it with status 0 well
    within TimeoutStopSec, telling connected clients first."""
    import anyio

    from openclaw_gateway.client import GatewayClient

    with running_gateway(tmp_path) as gw:
        gw.proc.send_signal(signal.SIGHUP)
        time.sleep(0.3)
        assert gw.proc.poll() is None

        async def connected_then_stopped() -> tuple[float, int | None]:
            async with GatewayClient(gw.url, token=gw.token) as client:
                assert (await client.call("health"))["ok"]
                started = time.monotonic()
                gw.proc.send_signal(signal.SIGTERM)
                event = await client.next_event("shutdown", timeout=STOP_TIMEOUT_S)
                assert event.payload["reason"]
                rc = await anyio.to_thread.run_sync(lambda: gw.proc.wait(STOP_TIMEOUT_S))
                return time.monotonic() - started, rc

        elapsed, rc = anyio.run(connected_then_stopped)
        assert rc == 0
        assert elapsed < STOP_TIMEOUT_S / 2
