"""The official CLI against our gateway over wss:// with its own certificate pinning
(``gateway.remote.tlsFingerprint``, the reference's spelling): the pinned call works, a wrong pin
is refused by the official client before it authenticates."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from openclaw_gateway.net.tls import colon_form, fingerprint_of_pem

from gateway_process import running_gateway
from openclaw_cli import OpenClawCli, write_config

pytestmark = [pytest.mark.interop, pytest.mark.slow]


def _remote_call(openclaw: OpenClawCli, home: Path, port: int, token: str, pin: str):
    write_config(
        home,
        {
            "gateway": {
                "mode": "remote",
                "remote": {"url": f"wss://127.0.0.1:{port}", "token": token, "tlsFingerprint": pin},
            }
        },
    )
    return openclaw.run(["gateway", "call", "health", "--json"], home=home)


def test_official_cli_pins_our_certificate(openclaw: OpenClawCli, tmp_path: Path) -> None:
    with running_gateway(tmp_path, "[tls]\nenabled = true\n") as gw:
        cert = gw.home / ".openclaw-gateway" / "tls" / "gateway-cert.pem"
        pin = fingerprint_of_pem(cert.read_bytes())
        # The reference prints and accepts the colon form too.
        ok = _remote_call(openclaw, tmp_path / "pinned", gw.port, gw.token, colon_form(pin))
        assert ok.returncode == 0, ok.stdout + ok.stderr
        assert json.loads(ok.stdout)["ok"] is True
        bad = _remote_call(openclaw, tmp_path / "wrong", gw.port, gw.token, "12" * 32)
        assert bad.returncode != 0
        assert "fingerprint" in (bad.stdout + bad.stderr).lower()


def test_official_node_host_pins_our_certificate(openclaw: OpenClawCli, tmp_path: Path) -> None:
    """``openclaw node run --tls --tls-fingerprint``: with our pin it reaches us and asks for
    approval; with a wrong pin it never does."""
    import os
    import subprocess
    import sys
    import time

    from openclaw_cli import start_node_host, stop_reference_gateway

    with running_gateway(tmp_path, "[tls]\nenabled = true\n") as gw:
        pin = fingerprint_of_pem(
            (gw.home / ".openclaw-gateway" / "tls" / "gateway-cert.pem").read_bytes()
        )

        def pending() -> list[dict]:
            done = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "openclaw_gateway.cli.main",
                    "nodes",
                    "pending",
                    "--json",
                    "--url",
                    f"wss://127.0.0.1:{gw.port}",
                    "--tls-fingerprint",
                    pin,
                ],
                capture_output=True,
                text=True,
                env={**os.environ, "HOME": str(gw.home), "OPENCLAW_GATEWAY_TOKEN": gw.token},
                timeout=60,
            )
            assert done.returncode == 0, done.stderr
            return json.loads(done.stdout)

        wrong = start_node_host(
            gw.port,
            gw.token,
            tmp_path / "wrong-node",
            cli=openclaw,
            extra_args=["--tls", "--tls-fingerprint", "34" * 32, "--display-name", "wrong-pin"],
        )
        good = start_node_host(
            gw.port,
            gw.token,
            tmp_path / "good-node",
            cli=openclaw,
            extra_args=[
                "--tls",
                "--tls-fingerprint",
                colon_form(pin),
                "--display-name",
                "good-pin",
            ],
        )
        try:
            deadline = time.monotonic() + 60
            while not (requests := pending()):
                assert time.monotonic() < deadline, (
                    tmp_path / "good-node" / "node.log"
                ).read_text()
                time.sleep(0.5)
            time.sleep(2)  # the wrong-pin host has had its tries
            names = {r.get("displayName") for r in pending()}
            assert "good-pin" in names and "wrong-pin" not in names, requests
        finally:
            stop_reference_gateway(good)
            stop_reference_gateway(wrong)
