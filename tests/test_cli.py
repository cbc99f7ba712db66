"""The ``openclaw-gateway`` command as a user runs it: real processes, exit codes, first run."""

from __future__ import annotations

import json
import os
import re
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from websockets.sync.client import connect

from wire import connect_frame

CLI = [sys.executable, "-m", "openclaw_gateway.cli.main"]


def run_cli(args: list[str], home: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "HOME": str(home), "OPENCLAW_GATEWAY_SECRETS_BACKEND": "file", **env},
    )


@pytest.fixture
def running(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], Path, int]]:
    """A zero-config gateway process (generated token) on a free port."""
    home = tmp_path / "home"
    home.mkdir()
    proc = subprocess.Popen(
        [*CLI, "run", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "HOME": str(home), "OPENCLAW_GATEWAY_SECRETS_BACKEND": "file"},
    )
    assert proc.stdout is not None
    port = 0
    lines = []
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not port:
        line = proc.stdout.readline()
        lines.append(line)
        if match := re.search(r"listening on ws://127\.0\.0\.1:(\d+)", line):
            port = int(match.group(1))
    assert port, "".join(lines)
    yield proc, home, port
    if proc.poll() is None:
        proc.kill()
        proc.wait()


def test_first_run_generates_and_stores_a_strong_token(running) -> None:
    proc, home, port = running
    secret = home / ".openclaw-gateway" / "secrets" / "gateway-token"
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    assert stat.S_IMODE(secret.parent.stat().st_mode) == 0o700
    token = run_cli(["token"], home).stdout.strip()
    assert token == secret.read_text().strip()
    assert len(token) >= 43  # 256 bits, base64url
    url = f"ws://127.0.0.1:{port}"
    health = run_cli(["health", "--json", "--url", url], home)
    assert health.returncode == 0, health.stderr
    assert json.loads(health.stdout)["ok"] is True
    # The token never appears in the gateway's own log output.
    proc.send_signal(signal.SIGTERM)
    out, _ = proc.communicate(timeout=15)
    assert token not in out


def test_exit_codes(running, tmp_path: Path) -> None:
    _, home, port = running
    url = f"ws://127.0.0.1:{port}"
    assert run_cli(["call", "no.such.method", "--url", url], home).returncode == 1
    bad = run_cli(["health", "--url", url, "--token", "wrong"], home)
    assert bad.returncode == 4 and "AUTH_TOKEN_MISMATCH" in bad.stderr
    assert run_cli(["health", "--url", "ws://127.0.0.1:9"], home).returncode == 3
    assert run_cli(["call", "health", "--params", "{nope", "--url", url], home).returncode == 2


def test_invalid_config_fails_at_start_with_the_field(tmp_path: Path) -> None:
    home = tmp_path / "home"
    (home / ".openclaw-gateway").mkdir(parents=True)
    (home / ".openclaw-gateway" / "config.toml").write_text(
        'port = "http"\n[rate_limit]\nmax_failures = 0\n'
    )
    cp = run_cli(["run"], home)
    assert cp.returncode == 2
    assert "port:" in cp.stderr and "rate_limit.max_failures:" in cp.stderr
    cp = run_cli(["config", "validate"], home, OPENCLAW_GATEWAY_BIND="somewhere")
    assert cp.returncode == 2 and "bind:" in cp.stderr
    (home / ".openclaw-gateway" / "config.toml").write_text("allowed_origins = ['*']\n")
    cp = run_cli(["config", "validate"], home)
    assert cp.returncode == 2 and "allowed_origins" in cp.stderr


def test_sigterm_sends_shutdown_and_exits_zero(running) -> None:
    proc, home, port = running
    token = run_cli(["token"], home).stdout.strip()
    with connect(f"ws://127.0.0.1:{port}") as ws:
        json.loads(ws.recv())
        ws.send(json.dumps(connect_frame(token=token)))
        assert json.loads(ws.recv())["ok"] is True
        proc.send_signal(signal.SIGTERM)
        frames = []
        try:
            while True:
                frames.append(json.loads(ws.recv(timeout=10)))
        except Exception:
            pass
        assert any(f.get("event") == "shutdown" for f in frames), frames
        assert ws.close_code == 1012
    assert proc.wait(15) == 0


def test_devices_cli_lists_and_rejects_unknown(running) -> None:
    _, home, port = running
    url = f"ws://127.0.0.1:{port}"
    cp = run_cli(["devices", "list", "--json", "--url", url], home)
    assert cp.returncode == 0 and json.loads(cp.stdout) == {"pending": [], "paired": []}
    cp = run_cli(["devices", "approve", "nope", "--url", url], home)
    assert cp.returncode == 1 and "unknown requestId" in cp.stderr


def test_token_rotate_switches_the_running_gateway(running) -> None:
    _proc, home, port = running
    old = run_cli(["token"], home).stdout.strip()
    with connect(f"ws://127.0.0.1:{port}") as ws:
        json.loads(ws.recv())
        ws.send(json.dumps(connect_frame(token=old)))
        assert json.loads(ws.recv())["ok"] is True
        rotated = run_cli(["token", "--rotate"], home)
        assert rotated.returncode == 0 and "switched" in rotated.stderr
        new = rotated.stdout.strip()
        assert new != old and run_cli(["token"], home).stdout.strip() == new
        try:
            while True:
                ws.recv(timeout=10)
        except Exception:
            pass
        assert (ws.close_code, ws.close_reason) == (4001, "gateway auth changed")
    url = f"ws://127.0.0.1:{port}"
    assert run_cli(["health", "--url", url, "--token", old], home).returncode == 4
    assert run_cli(["health", "--url", url], home).returncode == 0


def test_a_second_gateway_on_a_busy_port_says_so_in_one_line(running) -> None:
    _proc, home, port = running
    other = home.parent / "other-home"
    other.mkdir()
    cp = run_cli(["run", "--port", str(port)], other)
    assert cp.returncode == 3, cp.stderr
    assert f"error: cannot listen on 127.0.0.1:{port}: address in use" in cp.stderr
    assert "Traceback" not in cp.stderr and "ExceptionGroup" not in cp.stderr
    assert len([line for line in cp.stderr.splitlines() if line.startswith("error")]) == 1


@pytest.mark.parametrize("under_uv", [True, False])
def test_no_token_says_where_it_looked_and_first_run_says_where_it_is(tmp_path, under_uv) -> None:
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "UV_RUN_RECURSION_DEPTH"}
    if under_uv:
        env["UV_RUN_RECURSION_DEPTH"] = "1"
    env.update(HOME=str(home), OPENCLAW_GATEWAY_SECRETS_BACKEND="file")
    env.pop("OPENCLAW_GATEWAY_TOKEN", None)
    show = "uv run openclaw-gateway token" if under_uv else "openclaw-gateway token"
    cp = subprocess.run(
        [*CLI, "health", "--url", "ws://127.0.0.1:9"], capture_output=True, text=True, env=env
    )
    assert cp.returncode == 2
    assert "no gateway token found" in cp.stderr
    assert str(home / ".openclaw-gateway" / "secrets" / "gateway-token") in cp.stderr
    assert "OPENCLAW_GATEWAY_TOKEN" in cp.stderr and f"`{show}`" in cp.stderr
    assert "device identity required" not in cp.stderr

    proc = subprocess.Popen(
        [*CLI, "run", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**env, "OPENCLAW_GATEWAY_LOAD_PLUGINS": ""},
    )
    try:
        assert proc.stdout is not None
        lines = []
        while not any("listening on" in line for line in lines):
            line = proc.stdout.readline()
            assert line, "".join(lines)
            lines.append(line)
        log = "".join(lines)
        stored = home / ".openclaw-gateway" / "secrets" / "gateway-token"
        assert f"generated a new gateway token, stored in {stored}; show it with `{show}`" in log
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_plugins_list_in_a_terminal_shows_bracketed_text(tmp_path) -> None:
    """rich read "[plugins.telegram]" in a plugin's reason as markup and swallowed it."""
    import pty

    home = tmp_path / "home"
    home.mkdir()
    leader, follower = pty.openpty()
    try:
        proc = subprocess.run(
            [*CLI, "plugins", "list"],
            stdout=follower,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
            env={**os.environ, "HOME": str(home), "COLUMNS": "400", "TERM": "xterm"},
        )
        os.close(follower)
        follower = -1
        output = b""
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:
                break
            if not chunk:
                break
            output += chunk
    finally:
        os.close(leader)
        if follower != -1:
            os.close(follower)
    assert proc.returncode == 0, proc.stderr
    text = re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", output.decode())  # drop colour codes
    assert "Plugins" in text  # the table, not JSON: this was a terminal
    assert "add a [plugins.telegram] table to config.toml" in text
