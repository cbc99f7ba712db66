"""TLS: wss:// on the gateway port and https:// on the plugin HTTP port, a generated self-signed
pair (0600 key), configured certificates, and certificate pinning in the SDK, CLI and node host —
all with real TLS handshakes on 127.0.0.1."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import ssl
import stat
import subprocess
import sys
from pathlib import Path

import anyio
import pytest

from openclaw_gateway.client import ConnectionLost, GatewayClient, TlsPinError
from openclaw_gateway.net.tls import (
    colon_form,
    fingerprint_of_pem,
    generate_self_signed,
    normalize_fingerprint,
)

from plugin_fixtures import echo
from wire import TOKEN

pytestmark = pytest.mark.anyio


def _url(gw) -> str:
    return f"wss://127.0.0.1:{gw.port}"


async def test_a_generated_pair_serves_wss_and_a_pinned_client_connects(gateway_factory, tmp_path):
    async with gateway_factory(tls={"enabled": True}) as gw:
        cert = gw.config.state_dir / "tls" / "gateway-cert.pem"
        key = gw.config.state_dir / "tls" / "gateway-key.pem"
        assert stat.S_IMODE(key.stat().st_mode) == 0o600
        assert stat.S_IMODE(cert.parent.stat().st_mode) == 0o700
        assert gw.tls is not None and gw.tls.fingerprint == fingerprint_of_pem(cert.read_bytes())
        # The pin in every accepted spelling: hex, AA:BB colon pairs, sha256: prefix.
        for pin in (
            gw.tls.fingerprint,
            colon_form(gw.tls.fingerprint),
            "sha256:" + gw.tls.fingerprint,
        ):
            async with GatewayClient(_url(gw), token=TOKEN, tls_fingerprint=pin) as client:
                health = await client.call("health")
                assert health["ok"] is True
    # A restart reuses the same pair: pins handed out stay valid.
    async with gateway_factory(tls={"enabled": True}, state_dir=gw.config.state_dir) as again:
        assert again.tls is not None and again.tls.fingerprint == gw.tls.fingerprint


async def test_a_wrong_pin_is_refused_before_any_credential_is_sent(gateway_factory):
    async with gateway_factory(tls={"enabled": True}) as gw:
        wrong = "ab" * 32
        with pytest.raises(TlsPinError, match="fingerprint mismatch") as caught:
            async with GatewayClient(_url(gw), token=TOKEN, tls_fingerprint=wrong):
                pass
        assert gw.tls is not None and gw.tls.fingerprint in str(caught.value)
        await anyio.sleep(0.05)
        # The gateway never saw a connect frame: nothing authenticated, nothing failed auth.
        assert not gw.hub.connections
        assert gw.auth_settings.limiter.retry_after_ms("127.0.0.1") is None


async def test_without_a_pin_a_self_signed_gateway_is_not_trusted(gateway_factory):
    async with gateway_factory(tls={"enabled": True}) as gw:
        with pytest.raises(ConnectionLost, match=r"not trusted.*--tls-fingerprint"):
            async with GatewayClient(_url(gw), token=TOKEN):
                pass
        # Plain ws:// to a TLS port fails to handshake; it does not hang.
        with anyio.fail_after(10), pytest.raises(ConnectionLost):
            async with GatewayClient(f"ws://127.0.0.1:{gw.port}", token=TOKEN, open_timeout=3):
                pass
        # A pin on a ws:// URL is a mistake, said so before connecting.
        with pytest.raises(ConnectionLost, match="not wss://"):
            async with GatewayClient(
                f"ws://127.0.0.1:{gw.port}", token=TOKEN, tls_fingerprint=gw.tls.fingerprint
            ):
                pass


async def test_a_configured_certificate_is_used_and_trusted_through_its_ca(
    gateway_factory, tmp_path
):
    cert, key = tmp_path / "my-cert.pem", tmp_path / "my-key.pem"
    generate_self_signed(cert, key, hosts=["localhost", "127.0.0.1"])
    async with gateway_factory(tls={"enabled": True, "cert": str(cert), "key": str(key)}) as gw:
        assert gw.tls is not None and gw.tls.fingerprint == fingerprint_of_pem(cert.read_bytes())
        assert not (gw.config.state_dir / "tls").exists()  # nothing generated
        # A client that trusts the certificate (a private CA) connects with full verification.
        context = ssl.create_default_context(cafile=str(cert))
        from websockets.asyncio.client import connect

        async with connect(f"wss://localhost:{gw.port}", ssl=context) as ws:
            challenge = json.loads(await ws.recv())
            assert challenge["event"] == "connect.challenge"


async def test_a_broken_configured_pair_stops_the_start_with_a_clear_error(
    gateway_factory, tmp_path
):
    from openclaw_gateway.errors import ConfigError

    cert, key = tmp_path / "c.pem", tmp_path / "k.pem"
    cert.write_text("not a certificate")
    key.write_text("nor a key")
    with pytest.raises(ConfigError, match=r"tls\.cert and tls\.key"):
        async with gateway_factory(tls={"enabled": True, "cert": str(cert), "key": str(key)}):
            pass
    from openclaw_gateway.config import load_config

    with pytest.raises(Exception, match=r"set both tls\.cert and tls\.key"):
        load_config(state_dir=tmp_path / "s", tls={"enabled": True, "cert": str(cert)})


async def test_plugin_http_routes_are_served_over_https(gateway_factory, caplog):
    async with gateway_factory(tls={"enabled": True}, extra_plugins=(echo,)) as gw:
        http = gw.plugin_report["http"]
        assert http["url"].startswith("https://127.0.0.1:")
        context = ssl.create_default_context()
        context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
        stream = await anyio.connect_tcp("127.0.0.1", http["port"], ssl_context=context)
        async with stream:
            der = stream.extra(anyio.streams.tls.TLSAttribute.peer_certificate_binary)
            assert hashlib.sha256(der).hexdigest() == gw.tls.fingerprint
            await stream.send(b"GET /echo HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n")
            raw = b""
            with anyio.move_on_after(5):
                while True:
                    try:
                        raw += await stream.receive()
                    except (anyio.EndOfStream, anyio.BrokenResourceError):
                        break
        assert raw.startswith(b"HTTP/1.1 200")
        # A plaintext request to the TLS port is not answered in plaintext, and the listener lives.
        plain = await anyio.connect_tcp("127.0.0.1", http["port"])
        async with plain:
            await plain.send(b"GET /echo HTTP/1.1\r\nhost: x\r\n\r\n")
            with anyio.move_on_after(3):
                with contextlib.suppress(anyio.EndOfStream, anyio.BrokenResourceError):
                    assert not (await plain.receive()).startswith(b"HTTP/1.1 200")
        async with GatewayClient(_url(gw), token=TOKEN, tls_fingerprint=gw.tls.fingerprint) as c:
            assert (await c.call("health"))["ok"]
        # A failed handshake (that plaintext request) is not an ERROR traceback in the log.
        assert not [r for r in caplog.records if r.levelname == "ERROR"], caplog.text


def test_fingerprint_spellings():
    hexa = "0f" * 32
    assert normalize_fingerprint(hexa.upper()) == hexa
    assert normalize_fingerprint(" SHA256:" + colon_form(hexa)) == hexa
    for bad in ("", "abc", "0f" * 31, "zz" * 32, "md5:" + hexa):
        with pytest.raises(ValueError, match="SHA-256"):
            normalize_fingerprint(bad)


def _cli(args: list[str], state: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "openclaw_gateway.cli.main", *args, "--state-dir", str(state)],
        capture_output=True,
        text=True,
        env={**os.environ, "OPENCLAW_GATEWAY_SECRETS_BACKEND": "file", **env},
        timeout=60,
    )


def test_tls_fingerprint_command_generates_once_and_prints_the_pin(tmp_path):
    state = tmp_path / "state"
    off = _cli(["tls", "fingerprint"], state)
    assert off.returncode == 2 and "tls.enabled" in off.stderr.replace(
        "[tls] enabled", "tls.enabled"
    )
    on = {"OPENCLAW_GATEWAY_TLS__ENABLED": "true"}
    first = _cli(["tls", "fingerprint", "--json"], state, **on)
    assert first.returncode == 0, first.stderr
    shown = json.loads(first.stdout)
    assert shown["generated"] is True
    cert = Path(shown["cert"])
    assert shown["sha256"] == fingerprint_of_pem(cert.read_bytes())
    assert shown["sha256Colon"] == colon_form(shown["sha256"])
    second = _cli(["tls", "fingerprint"], state, **on)
    assert second.stdout.strip() == shown["sha256"]  # same pair, not regenerated


async def test_cli_pins_the_local_certificate_and_refuses_a_wrong_pin(tmp_path):
    from interop.gateway_process import running_gateway

    with running_gateway(tmp_path, "[tls]\nenabled = true\n") as gw:
        assert any("listening on wss://" in line for line in gw.log), gw.log
        state = gw.home / ".openclaw-gateway"
        env = {"OPENCLAW_GATEWAY_TOKEN": gw.token, "OPENCLAW_GATEWAY_PORT": str(gw.port)}
        # No --url: the CLI sees tls.enabled, uses wss:// and pins the local certificate itself.
        ok = await anyio.to_thread.run_sync(lambda: _cli(["health", "--json"], state, **env))
        assert ok.returncode == 0, ok.stderr
        assert json.loads(ok.stdout)["ok"] is True
        url = ["--url", f"wss://127.0.0.1:{gw.port}"]
        wrong = await anyio.to_thread.run_sync(
            lambda: _cli(["health", *url, "--tls-fingerprint", "cd" * 32], state, **env)
        )
        assert wrong.returncode == 3
        assert "fingerprint mismatch" in wrong.stderr
        garbage = await anyio.to_thread.run_sync(
            lambda: _cli(["health", *url, "--tls-fingerprint", "nope"], state, **env)
        )
        assert garbage.returncode == 2 and "SHA-256" in garbage.stderr


async def test_the_node_host_connects_only_to_the_pinned_gateway(gateway_factory, tmp_path, caplog):
    from openclaw_gateway.node.host import NodeHostSettings, node_host

    async with gateway_factory(tls={"enabled": True}) as gw:
        assert gw.tls is not None

        def host(pin: str, name: str):
            settings = NodeHostSettings(
                url=_url(gw),
                token=TOKEN,
                state_dir=tmp_path / name,
                display_name=name,
                max_backoff=0.5,
                tls_fingerprint=pin,
            )
            return node_host(settings, ())

        good, bad = host(gw.tls.fingerprint, "good"), host("ef" * 32, "bad")
        async with anyio.create_task_group() as tg:
            tg.start_soon(good.run)
            tg.start_soon(bad.run)
            with anyio.fail_after(10):
                await good.connected.wait()
            await anyio.sleep(1.0)  # the bad one has tried (and retried) by now
            assert not bad.connected.is_set()
            names = {c.client.displayName for c in gw.hub.connections.values()}
            assert names == {"good"}
            tg.cancel_scope.cancel()
        assert "fingerprint mismatch" in caplog.text
