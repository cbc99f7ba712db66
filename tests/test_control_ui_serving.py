"""The official Control UI at the gateway's own address: plain GETs on the WebSocket port serve the
bundle (same origin, so the UI's socket needs no origin setting), paths stay inside it; and
``openclaw-gateway ui install`` against a local fake npm registry, integrity and tarball checked."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import socket
import subprocess
import sys
import tarfile
from collections.abc import AsyncIterator
from pathlib import Path

import anyio
import pytest
from aiohttp import web

from openclaw_gateway.cli.ui_cmd import InstallError, extract_control_ui, verify_integrity

from wire import TOKEN, operator

pytestmark = pytest.mark.anyio


def raw_get(port: int, target: str) -> tuple[int, dict[str, str], bytes]:
    """A GET sent byte for byte (no client-side path normalisation)."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    return int(lines[0].split()[1]), headers, body


def bundle(root: Path) -> Path:
    (root / "assets").mkdir(parents=True)
    (root / "index.html").write_text("<!doctype html><title>OpenClaw Control</title>")
    (root / "assets" / "app-abc123.js").write_text("console.log('control ui')")
    (root / ".env").write_text("SECRET=1")
    (root / "assets" / "escape.js").symlink_to("/etc/passwd")
    return root


async def test_without_a_bundle_the_root_says_how_to_get_it(gateway_factory) -> None:
    import openclaw_gateway_webchat

    async with gateway_factory(extra_plugins=(openclaw_gateway_webchat,)) as gateway:
        await _no_bundle_page(gateway)


async def _no_bundle_page(gateway) -> None:  # type: ignore[no-untyped-def]
    status, headers, body = await anyio.to_thread.run_sync(raw_get, gateway.port, "/")
    assert status == 200 and headers["content-type"].startswith("text/html")
    assert b"openclaw-gateway ui install" in body
    webchat = f'href="http://127.0.0.1:{gateway.plugin_report["http"]["port"]}/"'.encode()
    assert webchat in body  # and where the built-in chat page is
    assert (await anyio.to_thread.run_sync(raw_get, gateway.port, "/assets/x.js"))[0] == 404
    peer = await operator(gateway.port, TOKEN, ["operator.read"])  # the socket still works
    assert (await peer.request("health", {}))["ok"]


async def test_the_bundle_is_served_and_paths_stay_inside_it(gateway_factory, tmp_path) -> None:
    root = bundle(tmp_path / "control-ui")
    async with gateway_factory(control_ui={"root": str(root)}) as gw:

        def get(target: str) -> tuple[int, dict[str, str], bytes]:
            return raw_get(gw.port, target)

        status, headers, body = await anyio.to_thread.run_sync(get, "/")
        assert status == 200 and b"OpenClaw Control" in body
        status, headers, body = await anyio.to_thread.run_sync(get, "/assets/app-abc123.js")
        assert (status, body) == (200, b"console.log('control ui')")
        assert headers["content-type"].startswith("text/javascript")
        assert (
            "immutable" in headers["cache-control"]
            and headers["x-content-type-options"] == "nosniff"
        )
        status, _, body = await anyio.to_thread.run_sync(get, "/chat?session=main")
        assert status == 200 and b"OpenClaw Control" in body  # the app's own route
        for hostile in (
            "/../../../etc/passwd",
            "/%2e%2e/%2e%2e/etc/passwd",
            "/assets/..%2f..%2fetc%2fpasswd",
            "/.env",
            "/assets/escape.js",
            "/assets/missing.js",
        ):
            status, _, body = await anyio.to_thread.run_sync(get, hostile)
            assert status == 404 and b"root:" not in body and b"SECRET" not in body, hostile
        # The UI's own socket: same origin as the page, no setting needed.
        import websockets

        from openclaw_gateway.client.client import GatewayClient  # noqa: F401 - the SDK exists

        async with websockets.connect(
            f"ws://127.0.0.1:{gw.port}/", origin=f"http://127.0.0.1:{gw.port}"
        ) as ws:
            challenge = json.loads(await ws.recv())
            assert challenge["event"] == "connect.challenge"


# --- ui install ---------------------------------------------------------------------------------


def tarball(files: dict[str, bytes], links: dict[str, str] | None = None) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
        for name, target in (links or {}).items():
            info = tarfile.TarInfo(name)
            info.type = tarfile.SYMTYPE
            info.linkname = target
            archive.addfile(info)
    return buffer.getvalue()


def integrity(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


GOOD = {
    "package/package.json": b'{"name": "openclaw"}',
    "package/dist/index.js": b"the gateway itself: not unpacked",
    "package/dist/control-ui/index.html": b"<!doctype html><title>OpenClaw Control</title>",
    "package/dist/control-ui/assets/app-1.js": b"export {}",
}


@pytest.fixture
async def registry() -> AsyncIterator[dict]:
    served: dict = {"tarball": tarball(GOOD)}
    served["integrity"] = integrity(served["tarball"])

    async def meta(request: web.Request) -> web.Response:
        base = f"http://127.0.0.1:{request.url.port}"
        return web.json_response(
            {
                "name": "openclaw",
                "version": "2026.9.6",
                "dist": {
                    "tarball": f"{base}/openclaw/-/openclaw-2026.9.6.tgz",
                    "integrity": served["integrity"],
                },
            }
        )

    async def tgz(request: web.Request) -> web.Response:
        return web.Response(body=served["tarball"], content_type="application/octet-stream")

    app = web.Application()
    app.router.add_get("/openclaw/{version}", meta)
    app.router.add_get("/openclaw/-/openclaw-2026.9.6.tgz", tgz)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    served["url"] = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}"  # type: ignore[union-attr]
    yield served
    await runner.cleanup()


def run_install(home: Path, url: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "openclaw_gateway.cli.main",
            "ui",
            "install",
            "--registry",
            url,
            "--allow-private-host",
            "127.0.0.1",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "HOME": str(home), "OPENCLAW_GATEWAY_SECRETS_BACKEND": "file"},
    )


async def test_ui_install_verifies_and_unpacks_only_the_control_ui(registry, tmp_path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    done = await anyio.to_thread.run_sync(run_install, home, registry["url"])
    assert done.returncode == 0, done.stderr
    installed = home / ".openclaw-gateway" / "control-ui" / "2026.9.6"
    assert "2026.9.6 (2 files)" in done.stdout
    assert sorted(
        p.relative_to(installed).as_posix() for p in installed.rglob("*") if p.is_file()
    ) == ["assets/app-1.js", "index.html"]

    # A tampered tarball (integrity mismatch) is refused and the installed bundle is kept.
    registry["tarball"] = tarball({**GOOD, "package/dist/control-ui/index.html": b"<script>evil"})
    refused = await anyio.to_thread.run_sync(run_install, home, registry["url"])
    assert refused.returncode != 0 and "integrity" in refused.stderr
    assert (installed / "index.html").read_bytes() == GOOD["package/dist/control-ui/index.html"]


def test_hostile_tarballs_are_refused(tmp_path: Path) -> None:
    cases = {
        "leaves the bundle": tarball(
            {
                "package/dist/control-ui/../../../../tmp/x": b"x",
                "package/dist/control-ui/index.html": b"i",
            }
        ),
        "not a regular file": tarball(
            {"package/dist/control-ui/index.html": b"i"},
            links={"package/dist/control-ui/passwd": "/etc/passwd"},
        ),
        "no dist/control-ui/index.html": tarball({"package/dist/control-ui/a.js": b"a"}),
    }
    for i, (reason, data) in enumerate(cases.items()):
        with pytest.raises(InstallError, match=reason):
            extract_control_ui(data, tmp_path / f"out{i}")
    assert not (Path("/tmp") / "x").exists() or (Path("/tmp") / "x").read_bytes() != b"x"
    with pytest.raises(InstallError, match="sha512"):
        verify_integrity(b"data", "sha1-abc")
