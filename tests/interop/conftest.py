"""Interop fixtures: the official OpenClaw CLI (Node 24 + npm openclaw) and our gateway as a process."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from gateway_process import GatewayProcess
from openclaw_cli import OpenClawCli, ensure_openclaw

INTEROP_TOKEN = "interop-token-abcdefghijklmnopqrstuvwxyz0123456789"


@pytest.fixture(scope="session")
def openclaw() -> OpenClawCli:
    return ensure_openclaw()


@pytest.fixture
def our_gateway(tmp_path: Path) -> Iterator[GatewayProcess]:
    """``openclaw-gateway run`` as a real process on a free port, stopped with SIGTERM."""
    home = tmp_path / "gw-home"
    home.mkdir()
    env = {**os.environ, "HOME": str(home), "OPENCLAW_GATEWAY_SECRETS_BACKEND": "file"}
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
        match = re.search(r"listening on ws://127\.0\.0\.1:(\d+)", line)
        if match:
            port = int(match.group(1))
            break
    if not port:
        proc.kill()
        pytest.fail("our gateway did not start:\n" + "".join(log))
    try:
        yield GatewayProcess(proc, port, INTEROP_TOKEN, home, log)
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
