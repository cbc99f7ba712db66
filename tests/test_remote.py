"""Remote access, end to end with real processes and a real network boundary.

A network namespace made for the test plays the other host (a tailnet peer): a veth pair joins it
to this one, so its connections arrive from a non-loopback address. From there the shared token is
not enough — the client must sign the challenge with a device key and wait for an operator's
approval — while an SSH tunnel (Debian's sshd, started by the test) keeps the loopback semantics
the docs promise: through ``ssh -N -L`` the gateway sees 127.0.0.1.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from interop.gateway_process import running_gateway

from node_fixture import stop_process

pytestmark = pytest.mark.slow

SSHD = shutil.which("sshd") or "/usr/sbin/sshd"


@dataclass(frozen=True)
class Netns:
    name: str
    host_ip: str  # this host's end of the veth pair
    peer_ip: str  # the namespace's end

    def run(self, argv: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["ip", "netns", "exec", self.name, *argv], **kwargs)  # type: ignore[call-overload, no-any-return]

    def popen(self, argv: list[str], **kwargs: object) -> subprocess.Popen[str]:
        return subprocess.Popen(["ip", "netns", "exec", self.name, *argv], **kwargs)  # type: ignore[call-overload]


def _ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True, text=True)


@pytest.fixture
def netns() -> Iterator[Netns]:
    """A namespace joined by a veth pair on a random 10.x.y.0/30 (removed afterwards)."""
    if os.geteuid() != 0 or shutil.which("ip") is None:
        pytest.skip("needs root and iproute2 to create a network namespace")
    tag = secrets.token_hex(3)
    name, host_if, peer_if = f"ocgw-{tag}", f"ocgh{tag}", f"ocgp{tag}"
    octet2, octet3 = secrets.randbelow(200) + 20, secrets.randbelow(250)
    host_ip, peer_ip = f"10.{octet2}.{octet3}.1", f"10.{octet2}.{octet3}.2"
    try:
        _ip("netns", "add", name)
    except subprocess.CalledProcessError as exc:
        pytest.skip(f"cannot create a network namespace here: {exc.stderr.strip()}")
    try:
        _ip("link", "add", host_if, "type", "veth", "peer", "name", peer_if)
        _ip("link", "set", peer_if, "netns", name)
        _ip("addr", "add", f"{host_ip}/30", "dev", host_if)
        _ip("link", "set", host_if, "up")
        _ip("-n", name, "addr", "add", f"{peer_ip}/30", "dev", peer_if)
        _ip("-n", name, "link", "set", peer_if, "up")
        _ip("-n", name, "link", "set", "lo", "up")
        yield Netns(name, host_ip, peer_ip)
    finally:
        subprocess.run(["ip", "link", "del", host_if], capture_output=True)
        subprocess.run(["ip", "netns", "del", name], capture_output=True)


CLIENT = textwrap.dedent(
    """
    import json, sys, anyio
    from pathlib import Path
    from openclaw_gateway.client import DeviceIdentity, GatewayClient, HandshakeError

    url, token, identity_file, mode = sys.argv[1:5]

    async def main():
        identity = DeviceIdentity.load_or_create(Path(identity_file)) if mode != "token-only" else None
        try:
            async with GatewayClient(url, token=token if mode != "device-token" else None,
                                     identity=identity, scopes=["operator.read"]) as gw:
                health = await gw.call("health")
                print(json.dumps({"ok": True, "auth": gw.hello.get("auth", {}), "health": health["ok"]}))
        except HandshakeError as exc:
            print(json.dumps({"ok": False, "code": exc.code, "reason": exc.reason,
                              "details": exc.details}))

    anyio.run(main)
    """
)


def _client(ns: Netns, tmp_path: Path, url: str, token: str, mode: str) -> dict:
    script = tmp_path / "remote_client.py"
    script.write_text(CLIENT)
    done = ns.run(
        [sys.executable, str(script), url, token, str(tmp_path / "remote-device.json"), mode],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def _our_cli(args: list[str], gw) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HOME": str(gw.home), "OPENCLAW_GATEWAY_TOKEN": gw.token}
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "openclaw_gateway.cli.main",
            *args,
            "--url",
            f"ws://127.0.0.1:{gw.port}",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )


def test_a_client_on_another_host_must_sign_and_be_approved(netns, tmp_path):
    with running_gateway(tmp_path, env={"OPENCLAW_GATEWAY_BIND": "lan"}) as gw:
        url = f"ws://{netns.host_ip}:{gw.port}"
        # The token alone: refused, whatever it is worth on loopback.
        token_only = _client(netns, tmp_path, url, gw.token, "token-only")
        assert token_only["ok"] is False
        assert token_only["reason"] == "DEVICE_IDENTITY_REQUIRED"
        # Signed with a device key: pairing is requested, not granted.
        signed = _client(netns, tmp_path, url, gw.token, "device")
        assert signed["ok"] is False and signed["reason"] == "PAIRING_REQUIRED"
        request_id = signed["details"]["requestId"]
        pending = json.loads(_our_cli(["devices", "list", "--json"], gw).stdout)
        entry = next(p for p in pending["pending"] if p["requestId"] == request_id)
        assert entry["remoteIp"] == netns.peer_ip
        # Still refused while nobody has approved.
        again = _client(netns, tmp_path, url, gw.token, "device")
        assert again["reason"] == "PAIRING_REQUIRED" and again["details"]["requestId"] == request_id
        # An operator approves (here over loopback); the device connects and gets its token.
        approved = _our_cli(["devices", "approve", request_id], gw)
        assert approved.returncode == 0, approved.stderr
        paired = _client(netns, tmp_path, url, gw.token, "device")
        assert paired["ok"] is True and paired["health"] is True
        assert paired["auth"]["deviceToken"]
        # From then on the device token alone (stored by the SDK) is enough from that host.
        later = _client(netns, tmp_path, url, "", "device-token")
        assert later["ok"] is True and later["auth"]["method"] == "device-token"


@pytest.fixture
def sshd(netns, tmp_path) -> Iterator[tuple[int, Path]]:
    """Debian's sshd on the host end of the veth pair, trusting one fresh key (for root)."""
    if not Path(SSHD).exists():
        pytest.skip("openssh-server is not installed")
    folder = tmp_path / "sshd"
    folder.mkdir(mode=0o700)
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(folder / "host_key")], check=True
    )
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(folder / "client_key")],
        check=True,
    )
    (folder / "authorized_keys").write_text((folder / "client_key.pub").read_text())
    Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)  # privilege separation directory
    port = 20000 + secrets.randbelow(20000)
    config = folder / "sshd_config"
    config.write_text(
        f"Port {port}\nListenAddress {netns.host_ip}\nHostKey {folder / 'host_key'}\n"
        f"AuthorizedKeysFile {folder / 'authorized_keys'}\nPidFile {folder / 'sshd.pid'}\n"
        "PasswordAuthentication no\nKbdInteractiveAuthentication no\nUsePAM no\n"
        "StrictModes no\nPermitRootLogin prohibit-password\nAllowTcpForwarding local\n"
        "PermitOpen 127.0.0.1:*\nX11Forwarding no\nLogLevel ERROR\n"
    )
    proc = subprocess.Popen(
        [SSHD, "-D", "-e", "-f", str(config)], stderr=subprocess.PIPE, text=True
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        probe = subprocess.run(
            ["bash", "-c", f"exec 3<>/dev/tcp/{netns.host_ip}/{port}"], capture_output=True
        )
        if probe.returncode == 0:
            break
        if proc.poll() is not None:
            pytest.fail(f"sshd did not start: {proc.stderr.read() if proc.stderr else ''}")
        time.sleep(0.1)
    try:
        yield port, folder / "client_key"
    finally:
        stop_process(proc)


def test_an_ssh_tunnel_keeps_loopback_semantics(netns, sshd, tmp_path):
    ssh_port, key = sshd
    with running_gateway(tmp_path) as gw:  # loopback only: the tunnel is the way in
        local_port = 30000 + secrets.randbelow(20000)
        tunnel = netns.popen(
            [
                "ssh",
                "-N",
                "-i",
                str(key),
                "-p",
                str(ssh_port),
                "-o",
                "StrictHostKeyChecking=no",
                "-o",
                "UserKnownHostsFile=/dev/null",
                "-o",
                "ExitOnForwardFailure=yes",
                "-o",
                "BatchMode=yes",
                "-o",
                "LogLevel=ERROR",
                "-L",
                f"127.0.0.1:{local_port}:127.0.0.1:{gw.port}",
                f"root@{netns.host_ip}",
            ],
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            deadline = time.monotonic() + 15
            while True:
                probe = netns.run(
                    ["bash", "-c", f"exec 3<>/dev/tcp/127.0.0.1/{local_port}"], capture_output=True
                )
                if probe.returncode == 0:
                    break
                assert tunnel.poll() is None, tunnel.stderr.read() if tunnel.stderr else ""
                assert time.monotonic() < deadline, "the SSH tunnel did not come up"
                time.sleep(0.2)
            url = f"ws://127.0.0.1:{local_port}"
            # Same machine as far as the gateway can tell: the token alone works...
            token_only = _client(netns, tmp_path, url, gw.token, "token-only")
            assert token_only["ok"] is True and token_only["auth"]["method"] == "token"
            # ...and a device is paired silently, as on loopback.
            device = _client(netns, tmp_path, url, gw.token, "device")
            assert device["ok"] is True and device["auth"]["deviceToken"]
            listing = json.loads(_our_cli(["devices", "list", "--json"], gw).stdout)
            assert listing["pending"] == []
            assert listing["paired"][0]["approvedVia"] == "silent"
            # Without the tunnel the gateway is not reachable from that host at all.
            direct = netns.run(
                ["bash", "-c", f"exec 3<>/dev/tcp/{netns.host_ip}/{gw.port}"], capture_output=True
            )
            assert direct.returncode != 0
        finally:
            stop_process(tunnel)
