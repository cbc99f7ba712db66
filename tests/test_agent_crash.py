"""A SIGKILL in the middle of an agent run loses no earlier message, and the run ends as an error."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import anyio
import pytest

from wire import TOKEN, operator

pytestmark = pytest.mark.anyio

SCRIPT = Path(__file__).parent / "slow_gateway.py"


def start(state: Path) -> tuple[subprocess.Popen[str], int]:
    proc = subprocess.Popen(
        [sys.executable, str(SCRIPT), str(state), TOKEN], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert line.startswith("PORT "), line
    return proc, int(line.split()[1])


async def test_sigkill_mid_run(tmp_path: Path) -> None:
    state = tmp_path / "state"
    proc, port = start(state)
    try:
        peer = await operator(port, TOKEN, ["operator.read", "operator.write"])
        await peer.request(
            "chat.send", {"sessionKey": "main", "message": "earlier", "idempotencyKey": "k0"}
        )
        with anyio.fail_after(10):
            await peer.next_event("chat")  # the run is streaming now
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
    proc, port = start(state)
    try:
        peer = await operator(port, TOKEN, ["operator.read", "operator.write"])
        history = await peer.request("chat.history", {"sessionKey": "main"})
        messages = history["payload"]["messages"]
        assert messages[0]["role"] == "user" and messages[0]["content"][0]["text"] == "earlier"
        waited = await peer.request("agent.wait", {"runId": "k0", "timeoutMs": 1000})
        assert waited["payload"]["status"] == "error"
        assert waited["payload"]["error"].startswith("interrupted")
    finally:
        proc.kill()
        proc.wait(10)
