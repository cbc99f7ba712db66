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
