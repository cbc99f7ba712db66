"""The official CLI's agent and chat flows against our gateway (built-in offline provider)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from gateway_process import GatewayProcess
from openclaw_cli import OpenClawCli

pytestmark = [pytest.mark.interop, pytest.mark.slow]


def call(
    openclaw: OpenClawCli, gw: GatewayProcess, home: Path, method: str, params: dict, *extra: str
):
    args = ["gateway", "call", method, "--json", "--url", gw.url, "--token", gw.token]
    args += ["--params", json.dumps(params), *extra]
    return openclaw.run(args, home=home)


def test_gateway_call_agent_expect_final(
    openclaw: OpenClawCli, our_gateway: GatewayProcess, tmp_path: Path
) -> None:
    cp = call(
        openclaw,
        our_gateway,
        tmp_path,
        "agent",
        {"message": "hi from node", "idempotencyKey": "oc-1"},
        "--expect-final",
    )
    assert cp.returncode == 0, cp.stdout + cp.stderr
    final = json.loads(cp.stdout)
    assert final["runId"] == "oc-1" and final["status"] == "ok"
    assert 'You said: "hi from node"' in final["result"]["payloads"][0]["text"]


def test_chat_send_then_history(
    openclaw: OpenClawCli, our_gateway: GatewayProcess, tmp_path: Path
) -> None:
    cp = call(
        openclaw,
        our_gateway,
        tmp_path,
        "chat.send",
        {"sessionKey": "main", "message": "ping", "idempotencyKey": "oc-2"},
    )
    assert cp.returncode == 0, cp.stdout + cp.stderr
    assert json.loads(cp.stdout) == {"runId": "oc-2", "status": "started"}
    cp = call(openclaw, our_gateway, tmp_path, "agent.wait", {"runId": "oc-2", "timeoutMs": 10000})
    assert json.loads(cp.stdout)["status"] == "ok"
    deadline = time.monotonic() + 10
    while True:
        cp = call(openclaw, our_gateway, tmp_path, "chat.history", {"sessionKey": "main"})
        messages = json.loads(cp.stdout)["messages"]
        if len(messages) >= 2 or time.monotonic() > deadline:
            break
    assert messages[0]["content"][0]["text"] == "ping"
    assert messages[1]["role"] == "assistant"


def test_openclaw_agent_command(
    openclaw: OpenClawCli, our_gateway: GatewayProcess, tmp_path: Path
) -> None:
    cp = openclaw.run(
        ["agent", "--message", "hello agent", "--json", "--session-key", "agent:main:main"],
        home=tmp_path,
        env={"OPENCLAW_GATEWAY_URL": our_gateway.url, "OPENCLAW_GATEWAY_TOKEN": our_gateway.token},
        timeout=90,
    )
    assert cp.returncode == 0, cp.stdout[-2000:] + cp.stderr[-2000:]
    assert "hello agent" in cp.stdout
