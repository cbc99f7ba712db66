"""The auth-failure lockout as an attacker on this machine tries to get around it: rotating source
addresses across 127.0.0.0/8, resetting the count with a low-privilege success, racing guesses in
parallel. Real sockets against a real gateway."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

from wire import TOKEN, DeviceKey, connect_frame, device_connect, open_peer

pytestmark = pytest.mark.anyio

LIMIT = 3


async def guess(port: int, token: str, source: str = "127.0.0.1") -> dict[str, Any]:
    """One connect with ``token`` from ``source`` (any 127/8 address works as a source on Linux)."""
    peer = await open_peer(port, local_addr=(source, 0))
    frame = connect_frame(token=token)
    await peer.send(frame)
    with anyio.fail_after(10):
        res: dict[str, Any] = await peer.recv_res(frame["id"])
    await peer.ws.close()
    return res


def code(res: dict[str, Any]) -> str | None:
    if res["ok"]:
        return "ok"
    detail: str | None = (res["error"].get("details") or {}).get("code")
    return detail


@pytest.fixture
async def gw(gateway_factory):
    async with gateway_factory(
        rate_limit={"max_failures": LIMIT, "lockout_ms": 60_000, "window_ms": 60_000}
    ) as gateway:
        yield gateway


async def test_rotating_loopback_source_addresses_does_not_reset_the_count(gw):
    results = [code(await guess(gw.port, f"wrong{i}", f"127.0.0.{i + 2}")) for i in range(8)]
    assert results[: LIMIT - 1] == ["AUTH_TOKEN_MISMATCH"] * (LIMIT - 1)
    assert set(results[LIMIT - 1 :]) == {"AUTH_RATE_LIMITED"}
    # The whole loopback range is one client: even the right token from 127.0.0.1 waits it out.
    assert code(await guess(gw.port, TOKEN, "127.0.0.1")) == "AUTH_RATE_LIMITED"
    assert code(await guess(gw.port, TOKEN, "127.3.4.5")) == "AUTH_RATE_LIMITED"


async def test_parallel_guesses_are_evaluated_against_the_limit(gw):
    results: list[str | None] = []

    async def one(i: int) -> None:
        results.append(code(await guess(gw.port, f"wrong{i}", f"127.0.1.{i + 1}")))

    async with anyio.create_task_group() as tg:
        for i in range(30):
            tg.start_soon(one, i)
    assert results.count("AUTH_TOKEN_MISMATCH") == LIMIT - 1, results
    assert results.count("AUTH_RATE_LIMITED") == 30 - (LIMIT - 1), results


async def test_a_low_privilege_success_does_not_clear_shared_secret_failures(gw):
    # A paired device holding only a read-scoped device token (what a stolen phone token gives).
    key = DeviceKey()
    first, res = await device_connect(gw.port, key, token=TOKEN, scopes=["operator.read"])
    assert res["ok"], res
    device_token = res["payload"]["auth"]["deviceToken"]
    await first.ws.close()

    outcomes = []
    for i in range(LIMIT + 2):
        outcomes.append(code(await guess(gw.port, f"wrong{i}")))
        peer, res = await device_connect(gw.port, key, auth={"deviceToken": device_token})
        outcomes.append("device-ok" if res["ok"] else code(res))
        await peer.ws.close()
    shared = outcomes[0::2]
    assert shared[: LIMIT - 1] == ["AUTH_TOKEN_MISMATCH"] * (LIMIT - 1)
    assert "AUTH_RATE_LIMITED" in shared  # the device token's successes reset nothing
    assert outcomes.index("AUTH_RATE_LIMITED") == 2 * (LIMIT - 1)


async def test_a_shared_secret_success_still_clears_earlier_mistakes(gw):
    for _ in range(LIMIT - 1):
        assert code(await guess(gw.port, "typo")) == "AUTH_TOKEN_MISMATCH"
    assert code(await guess(gw.port, TOKEN)) == "ok"
    for _ in range(LIMIT - 1):
        assert code(await guess(gw.port, "typo again")) == "AUTH_TOKEN_MISMATCH"


def test_client_keys() -> None:
    from openclaw_gateway.auth.ratelimit import client_key

    assert {client_key(a) for a in ("127.0.0.1", "127.9.8.7", "::1", "::ffff:127.0.0.2")} == {
        "loopback"
    }
    assert client_key("2001:db8::1") == client_key("2001:db8::ffff:1") == "2001:db8::/64"
    assert client_key("2001:db8:0:1::1") != client_key("2001:db8::1")
    assert client_key("192.0.2.7") == "192.0.2.7"
    assert client_key("::ffff:192.0.2.7") == "192.0.2.7"
    assert client_key("?") == "?"


# --- what a scope-less client learns; the token off the command line --------------------------


async def test_health_shows_paths_and_accounts_to_admins_only(gateway_factory):
    from channel_fixture import FakeChatPlugin
    from wire import operator

    plugin = FakeChatPlugin()
    async with gateway_factory(
        extra_plugins=(plugin,), plugins={"fakechat": {"accounts": {"default": {"token": "ok"}}}}
    ) as gw:
        with anyio.fail_after(5):
            await plugin.hub.ready.wait()
        gw.refresh_health()
        state_dir = str(gw.config.state_dir)
        nobody = await operator(gw.port, TOKEN, scopes=[])
        admin = await operator(gw.port, TOKEN, scopes=["operator.admin"])
        for peer, sees in ((nobody, False), (admin, True)):
            res = await peer.request("health", {})
            raw = str(res["payload"])
            assert (state_dir in raw) is sees, raw
            assert ("@fakebot" in raw) is sees, raw
            account = res["payload"]["channels"]["fakechat"]["accounts"]["default"]
            assert account["state"] == "connected"  # the status itself is not a secret
        gw.refresh_health()  # the broadcast, too, matches each socket's scopes
        event = await nobody.next_event("health")
        assert state_dir not in str(event) and "@fakebot" not in str(event)
        event = await admin.next_event("health")
        assert "@fakebot" in str(event["payload"])


def test_token_file_keeps_the_token_off_the_command_line(tmp_path):
    import os
    import re
    import subprocess
    import sys

    home = tmp_path / "home"
    home.mkdir()
    token_file = tmp_path / "token"
    token_file.write_text("s3cret-token-from-a-file\n")
    token_file.chmod(0o600)
    env = {
        **os.environ,
        "HOME": str(home),
        "OPENCLAW_GATEWAY_SECRETS_BACKEND": "file",
        "OPENCLAW_GATEWAY_LOAD_PLUGINS": "",
    }
    cli = [sys.executable, "-m", "openclaw_gateway.cli.main"]
    proc = subprocess.Popen(
        [*cli, "run", "--port", "0", "--token-file", str(token_file)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    try:
        assert proc.stdout is not None
        port = 0
        while not port:
            line = proc.stdout.readline()
            assert line, "gateway exited"
            if found := re.search(r"listening on ws://127\.0\.0\.1:(\d+)", line):
                port = int(found.group(1))
        with open(f"/proc/{proc.pid}/cmdline", "rb") as fh:
            cmdline = fh.read()
        assert b"s3cret" not in cmdline
        url = f"ws://127.0.0.1:{port}"
        ok = subprocess.run(
            [*cli, "health", "--json", "--url", url, "--token-file", str(token_file)],
            capture_output=True,
            text=True,
            env=env,
            timeout=30,
        )
        assert ok.returncode == 0, ok.stderr
        wrong = tmp_path / "wrong"
        wrong.write_text("nope")
        refused = subprocess.run(
            [*cli, "health", "--url", url, "--token-file", str(wrong)],
            capture_output=True,
            text=True,
            env=env,
            timeout=30,
        )
        assert refused.returncode == 4, refused.stderr
        missing = subprocess.run(
            [*cli, "health", "--url", url, "--token-file", str(tmp_path / "absent")],
            capture_output=True,
            text=True,
            env=env,
            timeout=30,
        )
        assert missing.returncode == 2 and "cannot read --token-file" in missing.stderr
    finally:
        proc.terminate()
        proc.wait(timeout=10)
