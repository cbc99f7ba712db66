"""Node interop both ways: the official node host on our gateway, our node host on the reference."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from gateway_process import GatewayProcess, our_cli
from node_fixture import stop_process
from openclaw_cli import (
    OpenClawCli,
    start_node_host,
    start_reference_gateway,
    stop_reference_gateway,
    wait_reference_ready,
)

pytestmark = [pytest.mark.interop, pytest.mark.slow]


def wait_for(predicate: Callable[[], Any], timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


def test_official_node_host_on_our_gateway(
    openclaw: OpenClawCli, our_gateway: GatewayProcess, tmp_path: Path
) -> None:
    node = start_node_host(
        our_gateway.port, our_gateway.token, tmp_path / "node-home", cli=openclaw
    )
    try:

        def pending() -> list[dict[str, Any]]:
            cp = our_cli(["nodes", "pending", "--json"], our_gateway)
            assert cp.returncode == 0, cp.stderr
            return json.loads(cp.stdout)  # type: ignore[no-any-return]

        request = wait_for(pending, 40, "the official node host's approval request")[0]
        assert request["clientId"] == "node-host"
        # Only commands this gateway knows are put up for approval (system.run is opt-in).
        assert "system.which" in request["commands"]
        assert "system.run" not in request["commands"]

        cp = our_cli(["nodes", "approve", request["requestId"]], our_gateway)
        assert cp.returncode == 0, cp.stderr

        cp = our_cli(["nodes", "list", "--json"], our_gateway)
        listed = json.loads(cp.stdout)["nodes"]
        assert [n["nodeId"] for n in listed] == [request["nodeId"]]
        assert listed[0]["connected"] is True and listed[0]["approvalState"] == "approved"

        def invoke() -> dict[str, Any] | None:
            cp = our_cli(
                [
                    "nodes",
                    "invoke",
                    request["nodeId"],
                    "system.which",
                    "--params",
                    '{"bins":["sh","no-such-bin"]}',
                    "--json",
                ],
                our_gateway,
            )
            return json.loads(cp.stdout) if cp.returncode == 0 else None

        result = wait_for(invoke, 30, "node.invoke through the official node host")
        assert result["ok"] is True and result["command"] == "system.which"
        assert set(result["payload"]["bins"]) == {"sh"}
    finally:
        stop_reference_gateway(node)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_our_node_host_on_the_reference_gateway(openclaw: OpenClawCli, tmp_path: Path) -> None:
    port, token = free_port(), "interop-reference-token-0123456789"
    ref_home = tmp_path / "ref-home"
    gateway = start_reference_gateway(port, token, ref_home, cli=openclaw)
    node_proc: subprocess.Popen[str] | None = None
    try:
        wait_reference_ready(port, token, timeout=90, home=ref_home)
        node_home = tmp_path / "our-node"
        node_proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "openclaw_gateway.cli.main",
                "node",
                "run",
                "--port",
                str(port),
                "--display-name",
                "python-node",
                "--state-dir",
                str(node_home),
            ],
            env={**os.environ, "HOME": str(node_home), "OPENCLAW_GATEWAY_TOKEN": token},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        cli_home = tmp_path / "cli"

        def call(method: str, params: dict[str, Any]) -> subprocess.CompletedProcess[str]:
            return openclaw.gateway_call(
                method, port=port, token=token, home=cli_home, params=params
            )

        def pending() -> list[dict[str, Any]]:
            cp = call("node.pair.list", {})
            if cp.returncode != 0:
                return []
            return [
                p for p in json.loads(cp.stdout)["pending"] if p.get("displayName") == "python-node"
            ]

        request = wait_for(pending, 60, "our node host's approval request on the reference")[0]
        cp = openclaw.run(
            [
                "nodes",
                "approve",
                request["requestId"],
                "--json",
                "--url",
                f"ws://127.0.0.1:{port}",
                "--token",
                token,
            ],
            home=cli_home,
        )
        assert cp.returncode == 0, cp.stdout + cp.stderr

        def invoke() -> dict[str, Any] | None:
            cp = call(
                "node.invoke",
                {
                    "nodeId": request["nodeId"],
                    "command": "system.which",
                    "params": {"bins": ["sh"]},
                    "idempotencyKey": f"py-node-{time.monotonic()}",
                    "timeoutMs": 10000,
                },
            )
            return json.loads(cp.stdout) if cp.returncode == 0 else None

        result = wait_for(invoke, 60, "the official CLI invoking our node host")
        assert result["payload"] == {"bins": {"sh": "/usr/bin/sh"}} or set(
            result["payload"]["bins"]
        ) == {"sh"}
    finally:
        if node_proc is not None:
            stop_process(node_proc)
        stop_reference_gateway(gateway)
