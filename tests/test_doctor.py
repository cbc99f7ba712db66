"""``openclaw-gateway doctor``: each problem an operator can cause is found and comes with its fix;
``--json`` is machine-readable; the exit status says whether anything is wrong."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

from interop.gateway_process import running_gateway

from openclaw_gateway.doctor import check_clock

from fakes.telegram_api import TOKEN as BOT
from fakes.telegram_api import FakeBotAPI


def doctor(home: Path, *args: str, **env: str) -> tuple[int, dict]:
    done = subprocess.run(
        [sys.executable, "-m", "openclaw_gateway.cli.main", "doctor", "--json", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "HOME": str(home), "OPENCLAW_GATEWAY_SECRETS_BACKEND": "file", **env},
        timeout=60,
    )
    return done.returncode, json.loads(done.stdout)


def by_id(report: dict) -> dict[str, dict]:
    return {check["id"]: check for check in report["checks"]}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_a_fresh_install_is_healthy(tmp_path):
    port = free_port()
    rc, report = doctor(
        tmp_path,
        "--offline",
        OPENCLAW_GATEWAY_PORT=str(port),
        OPENCLAW_GATEWAY_HTTP_PORT=str(free_port()),
    )
    assert (rc, report["ok"], report["problems"]) == (0, True, 0)
    checks = by_id(report)
    assert checks["config"]["status"] == "ok"
    assert checks["secrets"]["status"] == "warn" and "generates one" in checks["secrets"]["fix"]
    assert checks["port:port"]["status"] == "ok"
    assert "Node.js is not needed" in checks["runtime"]["message"]


def test_a_config_typo_is_a_problem_with_its_fix(tmp_path):
    state = tmp_path / ".openclaw-gateway"
    state.mkdir(mode=0o700)
    (state / "config.toml").write_text("[plugins.telegram]\nacounts = 1\n")
    rc, report = doctor(tmp_path, "--offline")
    assert rc == 1 and report["ok"] is False
    problem = next(c for c in report["checks"] if c["status"] == "error")
    assert problem["id"] == "config" and "plugins.telegram" in problem["message"]
    assert str(state / "config.toml") in problem["fix"]


def test_loose_permissions_and_a_taken_port_are_found(tmp_path):
    state = tmp_path / ".openclaw-gateway"
    (state / "secrets").mkdir(parents=True)
    state.chmod(0o755)
    (state / "secrets").chmod(0o700)
    leaked = state / "secrets" / "telegram.default"
    leaked.write_text("x")
    leaked.chmod(0o644)
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        port = squatter.getsockname()[1]
        rc, report = doctor(
            tmp_path,
            "--offline",
            OPENCLAW_GATEWAY_PORT=str(port),
            OPENCLAW_GATEWAY_HTTP_PORT=str(free_port()),
        )
    assert rc == 1
    errors = {c["id"]: c for c in report["checks"] if c["status"] == "error"}
    assert errors["perms:.openclaw-gateway"]["fix"] == f"chmod 700 {state}"
    assert errors["perms:telegram.default"]["fix"] == f"chmod 600 {leaked}"
    assert f"sport = :{port}" in errors["port:port"]["fix"]
    assert report["problems"] == 3


def test_against_the_running_gateway_it_probes_channel_credentials(tmp_path):
    with FakeBotAPI() as api:
        config = (
            f'[plugins.telegram.accounts.default]\ntoken = "{BOT}"\nbase_url = "{api.base_url}"\n'
            "poll_timeout = 1\n"
        )
        with running_gateway(tmp_path, config) as gw:
            env = {"OPENCLAW_GATEWAY_TOKEN": gw.token, "OPENCLAW_GATEWAY_PORT": str(gw.port)}
            deadline = time.monotonic() + 20
            while True:  # the account connects in the background
                rc, report = doctor(gw.home, **env)
                checks = by_id(report)
                if checks.get("channel:telegram/default", {}).get("status") == "ok":
                    break
                assert time.monotonic() < deadline, report
                time.sleep(0.5)
            assert rc == 0
            assert checks["gateway"]["status"] == "ok"
            assert checks["clock_skew"]["status"] == "ok"
            # Its port is in use — by the gateway itself, which is not a problem.
            assert "held by the running gateway" in checks["port:port"]["message"]
            api.revoke()  # the bot token is revoked at Telegram
            rc, report = doctor(gw.home, **env)
            probe = by_id(report)["channel:telegram/default"]
            assert rc == 1 and probe["status"] == "error"
            assert "secrets set telegram.default" in probe["fix"]


def test_an_unsynchronised_clock_is_a_warning():
    def timedatectl(answer: str):
        return lambda argv: subprocess.CompletedProcess(argv, 0, answer, "")

    assert check_clock(timedatectl("no\n"))[0].status == "warn"
    assert check_clock(timedatectl("yes\n"))[0].status == "ok"
