"""``send``'s ``mediaUrl`` as an attacker uses it: a write-scoped client (WebChat's scope) tries to
exfiltrate local files and reach internal addresses through the gateway, end to end against the
Telegram Bot API fake (python-telegram-bot uploads any local path it is handed). The gateway must
fetch or read media itself, within the ``[media]`` policy, and upload only bytes."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import openclaw_gateway_telegram as telegram_plugin
import pytest
from test_telegram import gateway_plugins

from fakes.telegram_api import FakeBotAPI
from wire import TOKEN, operator

pytestmark = [pytest.mark.anyio, pytest.mark.filterwarnings("ignore:.*`retry_after` will be")]

WRITE = ["operator.read", "operator.write"]
ADMIN = ["operator.read", "operator.write", "operator.admin"]
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4


@pytest.fixture
def api() -> Iterator[FakeBotAPI]:
    with FakeBotAPI() as fake:
        yield fake


class FileServer:
    """A tiny HTTP server on a chosen loopback address: files, redirects and an endless body."""

    def __init__(self, host: str) -> None:
        self.files: dict[str, tuple[str, bytes]] = {}
        self.redirects: dict[str, str] = {}
        self.requests: list[str] = []
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                owner.requests.append(self.path)
                path = self.path.split("?", 1)[0]
                if path in owner.redirects:
                    self.send_response(302)
                    self.send_header("Location", owner.redirects[path])
                    self.end_headers()
                elif path == "/endless":  # no Content-Length: the cap must hold mid-stream
                    self.send_response(200)
                    self.send_header("Content-Type", "application/octet-stream")
                    self.end_headers()
                    try:
                        for _ in range(2000):
                            self.wfile.write(b"x" * 65536)
                    except OSError:
                        pass
                elif path in owner.files:
                    mime, data = owner.files[path]
                    self.send_response(200)
                    self.send_header("Content-Type", mime)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                else:
                    self.send_response(404)
                    self.end_headers()

        self.server = http.server.ThreadingHTTPServer((host, 0), Handler)
        self.server.daemon_threads = True
        self.base = f"http://{host}:{self.server.server_address[1]}"

    @contextmanager
    def running(self) -> Iterator[FileServer]:
        thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self.server.shutdown()
            self.server.server_close()


@pytest.fixture
def files() -> Iterator[FileServer]:
    """A file server on 127.0.0.2: only "allowed" when the test config lists it."""
    with FileServer("127.0.0.2").running() as server:
        yield server


@pytest.fixture
def internal() -> Iterator[FileServer]:
    """An "internal service" on 127.0.0.1 holding something secret."""
    with FileServer("127.0.0.1").running() as server:
        server.files["/secret"] = ("text/plain", b"internal secret")
        yield server


def uploads(api: FakeBotAPI) -> list[bytes]:
    return [
        data
        for call in api.calls("sendPhoto") + api.calls("sendDocument")
        for (_name, _mime, data) in call.files.values()
    ] + [
        str(call.params.get("photo") or call.params.get("document")).encode()
        for call in api.calls("sendPhoto") + api.calls("sendDocument")
        if not call.files
    ]


async def send(peer: Any, media_url: str, key: str) -> dict[str, Any]:
    res: dict[str, Any] = await peer.request(
        "send",
        {"channel": "telegram", "to": "4242", "mediaUrl": media_url, "idempotencyKey": key},
    )
    return res


def refused(res: dict[str, Any]) -> str:
    assert not res["ok"], res
    assert res["error"]["code"] == "INVALID_REQUEST"
    assert res["error"]["details"]["code"] == "MEDIA_URL_REFUSED", res
    message: str = res["error"]["message"]
    return message


async def test_write_client_cannot_send_local_files(gateway_factory, api, tmp_path):
    async with gateway_factory(
        extra_plugins=(telegram_plugin,), plugins=gateway_plugins(api)
    ) as gw:
        await api.wait_calls("getUpdates")
        api.private_chat(api.user(4242, "Grace"))
        writer = await operator(gw.port, TOKEN, WRITE)
        token_file = gw.config.state_dir / "secrets" / "gateway-token"
        targets = [
            "/etc/passwd",
            "file:///etc/passwd",
            "file://localhost/etc/hostname",
            str(gw.config.db_path),
            str(token_file),
            "etc/passwd",
            "ftp://127.0.0.1/x",
        ]
        for i, target in enumerate(targets):
            refused(await send(writer, target, f"k{i}"))
        assert uploads(api) == []
        assert api.calls("sendMessage") == []


async def test_admin_reads_local_files_only_under_local_roots(gateway_factory, api, tmp_path):
    outbox = tmp_path / "outbox"
    outbox.mkdir()
    (outbox / "chart.png").write_bytes(PNG)
    (outbox / "escape").symlink_to("/etc/passwd")
    async with gateway_factory(
        extra_plugins=(telegram_plugin,),
        plugins=gateway_plugins(api),
        media={"local_roots": [str(outbox)]},
    ) as gw:
        await api.wait_calls("getUpdates")
        api.private_chat(api.user(4242, "Grace"))
        writer = await operator(gw.port, TOKEN, WRITE)
        admin = await operator(gw.port, TOKEN, ADMIN)
        assert "operator.admin" in refused(await send(writer, str(outbox / "chart.png"), "w1"))
        for i, target in enumerate(
            [str(outbox / "escape"), f"{outbox}/../../../etc/passwd", "/etc/passwd", str(outbox)]
        ):
            refused(await send(admin, target, f"a{i}"))
        assert uploads(api) == []
        sent = await send(admin, str(outbox / "chart.png"), "ok")
        assert sent["ok"], sent
        [photo] = api.calls("sendPhoto")
        assert [data for (_n, _m, data) in photo.files.values()] == [PNG]


async def test_internal_addresses_are_refused_unless_allowed(gateway_factory, api, files, internal):
    files.files["/cat.txt"] = ("text/plain", PNG)  # a PNG that claims to be text
    files.redirects["/to-internal"] = f"{internal.base}/secret"
    files.redirects["/to-metadata"] = "http://169.254.169.254/latest/meta-data/"
    async with gateway_factory(
        extra_plugins=(telegram_plugin,),
        plugins=gateway_plugins(api),
        media={"allow_private_hosts": ["127.0.0.2"], "fetch_max_bytes": 1024 * 1024},
    ) as gw:
        await api.wait_calls("getUpdates")
        api.private_chat(api.user(4242, "Grace"))
        writer = await operator(gw.port, TOKEN, WRITE)
        for i, url in enumerate(
            [
                f"{internal.base}/secret",
                f"http://localhost:{internal.server.server_address[1]}/secret",
                f"http://0x7f.1:{internal.server.server_address[1]}/secret",
                f"http://[::1]:{internal.server.server_address[1]}/secret",
                "http://169.254.169.254/latest/meta-data/",
                "http://10.0.0.1/",
                f"{files.base}/to-internal",
                f"{files.base}/to-metadata",
                f"http://user:pw@127.0.0.2:{files.server.server_address[1]}/cat.txt",
            ]
        ):
            message = refused(await send(writer, url, f"u{i}"))
            assert "internal secret" not in message
        assert internal.requests == []  # never even connected to the internal service
        assert "too large" not in str(uploads(api)) and uploads(api) == []

        big = refused(await send(writer, f"{files.base}/endless", "big"))
        assert "limit" in big

        ok = await send(writer, f"{files.base}/cat.txt", "cat")
        assert ok["ok"], ok
        [photo] = api.calls("sendPhoto")  # the bytes decide: an image, whatever the header said
        assert [data for (_n, _m, data) in photo.files.values()] == [PNG]


# --- attachments: the bytes decide; media kept within a budget -------------------------------


async def attach(peer: Any, key: str, **attachment: Any) -> dict[str, Any]:
    import base64

    content = base64.b64encode(attachment.pop("data")).decode()
    res: dict[str, Any] = await peer.request(
        "chat.send",
        {
            "sessionKey": "main",
            "message": "look",
            "idempotencyKey": key,
            "attachments": [{**attachment, "content": content}],
        },
    )
    return res


async def test_attachment_kind_and_limit_come_from_the_bytes(gateway):
    peer = await operator(gateway.port, TOKEN, ADMIN)
    big_png = PNG + bytes(7 * 1024 * 1024)  # over the 6 MB image limit, under the 18 MB file one
    res = await attach(peer, "a1", data=big_png, mimeType="text/plain", fileName="notes.txt")
    assert res["error"]["code"] == "INVALID_REQUEST", res
    assert "image/png" in res["error"]["message"] and "over 6291456" in res["error"]["message"]

    html = b"<!doctype html><script>alert(1)</script>"
    res = await attach(peer, "a2", data=html, mimeType="image/png", fileName="cat.png")
    assert res["error"]["code"] == "INVALID_REQUEST", res
    assert "declared image/png, but its bytes are not image/png" in res["error"]["message"]

    res = await attach(peer, "a3", data=PNG, mimeType="text/plain", fileName="x.txt")
    assert res["ok"], res
    await peer.request("agent.wait", {"runId": "a3", "timeoutMs": 5000})
    history = await peer.request("chat.history", {"sessionKey": "main"})
    part = history["payload"]["messages"][0]["content"][1]
    assert (part["type"], part["mimeType"]) == ("image", "image/png")
    stored = gateway.config.state_dir / "media" / part["media"]
    assert stored.stat().st_mode & 0o777 == 0o600
    assert not list((gateway.config.state_dir / "media").rglob("*.part"))


async def test_media_is_pruned_by_age_at_start_and_by_size_after_writes(gateway_factory, tmp_path):
    import os
    import time

    import anyio

    state = tmp_path / "pruned"
    old = state / "media" / "inbound" / "old.bin"
    old.parent.mkdir(parents=True)
    old.write_bytes(b"x" * 1000)
    week_ago = time.time() - 7 * 86400
    os.utime(old, (week_ago, week_ago))
    recent = state / "media" / "inbound" / "recent.bin"
    recent.write_bytes(b"y" * 1000)
    async with gateway_factory(state_dir=state, media={"max_age_days": 2, "max_total_mb": 1}) as gw:
        with anyio.fail_after(10):
            while old.exists():
                await anyio.sleep(0.02)
        assert recent.exists()
        peer = await operator(gw.port, TOKEN, ADMIN)
        for i in range(3):  # 3 x 600 KB > the 1 MB budget: the oldest go first
            blob = bytes([i]) * 600_000
            res = await attach(peer, f"b{i}", data=blob, mimeType="application/zip")
            assert res["ok"], res
        media = state / "media"
        files = {p.name: p.stat().st_size for p in media.rglob("*") if p.is_file()}
        assert sum(files.values()) <= 1024 * 1024, files
        assert "recent.bin" not in files  # older than every upload
        kept = [p.read_bytes()[:1] for p in media.rglob("*") if p.is_file()]
        assert kept == [b"\x02"]  # the newest upload stays
