"""Our gateway running as a real process (see the ``our_gateway`` fixture)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from node_fixture import stop_process

INTEROP_TOKEN = "interop-token-abcdefghijklmnopqrstuvwxyz0123456789"


@dataclass
class GatewayProcess:
    proc: subprocess.Popen[str]
    port: int
    token: str
    home: Path
    log: list[str]

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"


@contextmanager
def running_gateway(
    tmp_path: Path, config_toml: str = "", env: dict[str, str] | None = None
) -> Iterator[GatewayProcess]:
    """``openclaw-gateway run`` as a real process on a free port (``config_toml`` written to its
    state dir first), stopped with SIGTERM."""
    home = tmp_path / "gw-home"
    home.mkdir()
    if config_toml:
        state = home / ".openclaw-gateway"
        state.mkdir(mode=0o700)
        (state / "config.toml").write_text(config_toml)
    env = {
        **os.environ,
        "HOME": str(home),
        "OPENCLAW_GATEWAY_SECRETS_BACKEND": "file",
        # the canvas plugin is installed in the workspace: a free port, not 18793 for every test
        "OPENCLAW_GATEWAY_PLUGINS__CANVAS__PORT": "0",
        **(env or {}),
    }
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "openclaw_gateway.cli.main",
            "run",
            "--port",
            "0",
            "--token",
            INTEROP_TOKEN,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    log: list[str] = []
    port = 0
    deadline = time.monotonic() + 20
    assert proc.stdout is not None
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        log.append(line)
        match = re.search(r"listening on wss?://[^:/]+:(\d+)", line)
        if match:
            port = int(match.group(1))
            break
    if not port:
        proc.kill()
        pytest.fail("our gateway did not start:\n" + "".join(log))
    try:
        yield GatewayProcess(proc, port, INTEROP_TOKEN, home, log)
    finally:
        stop_process(proc)


def our_cli(args: list[str], gw: GatewayProcess) -> subprocess.CompletedProcess[str]:
    """Run our CLI against our gateway process (its token in the environment)."""
    env = {**os.environ, "HOME": str(gw.home), "OPENCLAW_GATEWAY_TOKEN": gw.token}
    return subprocess.run(
        [sys.executable, "-m", "openclaw_gateway.cli.main", *args, "--url", gw.url],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
