"""The file log (JSON lines, rotation, permissions, one file per gateway), ``logs.tail`` over the
wire (cursor, reset, params, scope), no secrets in the file, and ``openclaw-gateway logs``."""

from __future__ import annotations

import json
import logging
import os
import queue
import re
import signal
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import anyio
import pytest
from websockets.sync.client import connect

from openclaw_gateway.builtin.logs import read_tail
from openclaw_gateway.server import logfile
from openclaw_gateway.server.logfile import JsonLineFormatter, level_name, log_path

from wire import TOKEN, client_info, connect_frame, open_peer, operator

CLI = [sys.executable, "-m", "openclaw_gateway.cli.main"]
TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
test_log = logging.getLogger("openclaw_gateway.test")


@pytest.fixture
def info_logs(caplog: pytest.LogCaptureFixture) -> None:
    """Let the gateway's INFO records through (the test process logs WARNING and up)."""
    caplog.set_level(logging.INFO, logger="openclaw_gateway")


def records(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines()]


async def wait_for(path: Path, text: str, timeout: float = 5) -> list[dict[str, Any]]:
    """The file's records once some record's message contains ``text`` (the writer is a thread)."""
    with anyio.fail_after(timeout):
        while True:
            found = records(path)
            if any(text in r["message"] for r in found):
                return found
            await anyio.sleep(0.01)


async def refused(
    port: int, client_id: str, token: str = "wrong-token-that-is-long-enough"
) -> None:
    """A connect the gateway refuses (it logs ``connect refused … (<client id>)``)."""
    peer = await open_peer(port)
    frame = connect_frame(token=token, client=client_info(client_id))
    await peer.send(frame)
    res = await peer.recv_res(frame["id"])
    assert not res["ok"]
    await peer.ws.close()


# --- reading a slice (the reference's readLogSlice) ---------------------------------------------


def test_read_tail_follows_the_reference_cursor_semantics(tmp_path: Path) -> None:
    path = tmp_path / "gateway.log"
    empty = {"cursor": 0, "size": 0, "lines": [], "truncated": False, "reset": False}
    assert read_tail(path, None, 10, 100) == empty
    assert read_tail(path, 5, 10, 100) == {**empty, "reset": True}  # rotated to nothing yet

    path.write_bytes(b"a\nbb\nccc\n")  # 9 bytes
    assert read_tail(path, None, 10, 100) == {
        "cursor": 9,
        "size": 9,
        "lines": ["a", "bb", "ccc"],
        "truncated": False,
        "reset": False,
    }
    assert read_tail(path, None, 2, 100)["lines"] == ["bb", "ccc"]
    assert read_tail(path, None, 2, 100)["truncated"] is True
    # maxBytes cuts inside "bb\n": the rest of that line is not a line
    cut = read_tail(path, None, 10, 5)
    assert cut["lines"] == ["ccc"] and cut["truncated"] and cut["cursor"] == 9
    assert read_tail(path, None, 10, 4)["lines"] == ["ccc"]  # starts right after a newline
    assert read_tail(path, 2, 10, 100)["lines"] == ["bb", "ccc"]
    assert read_tail(path, 9, 10, 100) == {**empty, "cursor": 9, "size": 9}

    # A line still being written is not returned, and the cursor stays before it.
    with path.open("ab") as fh:
        fh.write(b"dd")
    partial = read_tail(path, 9, 10, 100)
    assert partial["lines"] == [] and partial["cursor"] == 9 and partial["size"] == 11
    with path.open("ab") as fh:
        fh.write(b"d\n")
    done = read_tail(path, partial["cursor"], 10, 100)
    assert done["lines"] == ["ddd"] and done["cursor"] == done["size"] == 13

    # A cursor past the end (the file rotated): start over from the tail.
    rotated = read_tail(path, 100, 10, 100)
    assert rotated["reset"] is True and rotated["lines"] == ["a", "bb", "ccc", "ddd"]
    # A cursor more than maxBytes behind: skip ahead, and say how far.
    behind = read_tail(path, 0, 10, 5)
    assert behind["reset"] and behind["truncated"] and behind["skippedBytes"] == 8
    assert behind["lines"] == ["ddd"] and behind["cursor"] == 13

    path.write_bytes(b"ok \xff\xfe\n")
    assert read_tail(path, None, 10, 100)["lines"] == ["ok \ufffd\ufffd"]


def test_json_line_format_and_levels() -> None:
    formatter = JsonLineFormatter(lambda: ("s3cret-token-value", None, "short"))
    record = logging.LogRecord(
        "openclaw_gateway.x",
        logging.WARNING,
        __file__,
        1,
        "a\nb %s short",
        ("s3cret-token-value",),
        None,
    )
    line = formatter.format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert list(entry) == ["time", "level", "subsystem", "message"]
    assert TIME.match(entry["time"])
    assert entry["level"] == "warn" and entry["subsystem"] == "openclaw_gateway.x"
    assert entry["message"] == "a\nb *** short"  # the secret masked; a too-short one is not
    levels = [logging.DEBUG, logging.INFO, logging.WARNING, logging.ERROR, logging.CRITICAL, 5, 25]
    assert [level_name(n) for n in levels] == [
        "debug",
        "info",
        "warn",
        "error",
        "fatal",
        "debug",
        "info",
    ]


def test_a_full_queue_drops_records_and_says_so() -> None:
    q: queue.Queue[Any] = queue.Queue(1)
    handler = logfile._DroppingQueueHandler(q)
    for i in range(3):
        handler.handle(logging.makeLogRecord({"msg": f"r{i}", "levelno": logging.INFO}))
    assert handler.dropped == 2 and q.qsize() == 1
    written: list[logging.LogRecord] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            written.append(record)

    listener = logfile._Listener(q, Collect(), handler)
    listener.handle(q.get())
    assert [r.getMessage() for r in written] == [
        "2 log record(s) dropped: the disk fell behind",
        "r0",
    ]


# --- the file log of a running gateway ----------------------------------------------------------


@pytest.mark.anyio
async def test_records_become_json_lines_in_a_private_file(gateway_factory, info_logs) -> None:
    root_handlers = list(logging.getLogger().handlers)
    async with gateway_factory() as gw:
        path = log_path(gw.config)
        assert path == gw.config.state_dir / "logs" / "gateway.log"
        test_log.info("hello %s", "file")
        test_log.warning("careful")
        try:
            raise ValueError("boom")
        except ValueError:
            test_log.exception("it failed")
        found = await wait_for(path, "it failed")
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert logging.getLogger().handlers == root_handlers  # detached on stop
    by_message = {r["message"].split("\n")[0]: r for r in found}
    hello = by_message["hello file"]
    assert hello["level"] == "info" and hello["subsystem"] == "openclaw_gateway.test"
    assert TIME.match(hello["time"])
    assert by_message["careful"]["level"] == "warn"
    failed = by_message["it failed"]
    assert failed["level"] == "error" and "ValueError: boom" in failed["message"]
    assert all(set(r) == {"time", "level", "subsystem", "message"} for r in found)


@pytest.mark.anyio
async def test_log_file_can_be_turned_off(gateway_factory, info_logs) -> None:
    async with gateway_factory(log_file=False) as gw:
        test_log.info("nowhere")
        peer = await operator(gw.port, TOKEN)
        res = await peer.request("logs.tail", {})
        assert res["error"]["code"] == "UNAVAILABLE"
        assert "log_file" in res["error"]["message"]
        await peer.ws.close()
        assert not (gw.config.state_dir / "logs").exists()


@pytest.mark.anyio
async def test_two_gateways_write_their_own_files(gateway_factory, info_logs) -> None:
    async with gateway_factory() as a, gateway_factory() as b:
        await refused(a.port, "openclaw-ios")
        await refused(b.port, "openclaw-android")
        in_a = await wait_for(log_path(a.config), "(openclaw-ios)")
        in_b = await wait_for(log_path(b.config), "(openclaw-android)")
        await anyio.sleep(0.1)  # anything misrouted would have arrived by now
        in_a, in_b = records(log_path(a.config)), records(log_path(b.config))
        assert not any("openclaw-android" in r["message"] for r in in_a), in_a
        assert not any("openclaw-ios" in r["message"] for r in in_b), in_b


# --- logs.tail over the wire --------------------------------------------------------------------


@pytest.mark.anyio
async def test_logs_tail_returns_the_last_lines_then_only_new_ones(gateway, info_logs) -> None:
    path = log_path(gateway.config)
    peer = await operator(gateway.port, TOKEN, scopes=["operator.read"])
    for i in range(5):
        test_log.info("line %d", i)
    await wait_for(path, "line 4")
    res = await peer.request("logs.tail", {"limit": 3})
    tail = res["payload"]
    assert tail["file"] == str(path)
    assert [json.loads(line)["message"] for line in tail["lines"]] == ["line 2", "line 3", "line 4"]
    assert tail["truncated"] is True and tail["reset"] is False and "skippedBytes" not in tail
    assert tail["cursor"] == tail["size"] == path.stat().st_size

    test_log.info("line 5")
    test_log.info("line 6")
    await wait_for(path, "line 6")
    res = await peer.request("logs.tail", {"cursor": tail["cursor"]})
    newer = res["payload"]
    assert [json.loads(line)["message"] for line in newer["lines"]] == ["line 5", "line 6"]
    assert newer["truncated"] is False and newer["reset"] is False
    assert newer["cursor"] == newer["size"] > tail["cursor"]
    again = (await peer.request("logs.tail", {"cursor": newer["cursor"]}))["payload"]
    assert again["lines"] == [] and again["cursor"] == newer["cursor"]

    # The defaults: up to 500 lines within 250 000 bytes, from the start of this small file.
    everything = (await peer.request("logs.tail", {}))["payload"]
    assert len(everything["lines"]) >= 7 and everything["truncated"] is False
    await peer.ws.close()


@pytest.mark.anyio
async def test_rotation_resets_the_cursor(gateway_factory, info_logs, monkeypatch) -> None:
    monkeypatch.setattr(logfile, "MAX_BYTES", 2000)
    async with gateway_factory() as gw:
        path = log_path(gw.config)
        rotated = path.with_name("gateway.log.1")
        peer = await operator(gw.port, TOKEN)
        test_log.info("before")
        await wait_for(path, "before")
        cursor = (await peer.request("logs.tail", {}))["payload"]["cursor"]
        i = 0
        while not rotated.exists():  # one line at a time, until the file rolls over
            i += 1
            test_log.info("filler %d %s", i, "x" * 100)
            with anyio.fail_after(5):
                while not rotated.exists() and f"filler {i} " not in path.read_text():
                    await anyio.sleep(0.01)
            if not rotated.exists():
                cursor = (await peer.request("logs.tail", {}))["payload"]["cursor"]
        test_log.info("after rotation")
        await wait_for(path, "after rotation")
        res = (await peer.request("logs.tail", {"cursor": cursor}))["payload"]
        assert res["reset"] is True, res
        messages = [json.loads(line)["message"] for line in res["lines"]]
        assert messages[-1] == "after rotation" and not any("before" in m for m in messages)
        assert res["cursor"] == res["size"] == path.stat().st_size

        for j in range(100):  # ~13 KB: enough for several rotations
            test_log.info("more %d %s", j, "y" * 100)
        await wait_for(path, "more 99")
        backups = sorted(p.name for p in path.parent.iterdir())
        assert backups == ["gateway.log", "gateway.log.1", "gateway.log.2", "gateway.log.3"]
        assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in path.parent.iterdir())
        assert all(p.stat().st_size <= 2000 for p in path.parent.iterdir())
        await peer.ws.close()


@pytest.mark.anyio
async def test_logs_tail_params_are_the_reference_closed_schema(gateway) -> None:
    peer = await operator(gateway.port, TOKEN)
    for params, path in (
        ({"limit": 0}, "/limit"),
        ({"limit": 5001}, "/limit"),
        ({"limit": "5"}, "/limit"),
        ({"maxBytes": 0}, "/maxBytes"),
        ({"maxBytes": 1_000_001}, "/maxBytes"),
        ({"cursor": -1}, "/cursor"),
        ({"cursor": 1.5}, "/cursor"),
        ({"cursor": True}, "/cursor"),
        ({"follow": True}, "/follow"),
    ):
        res = await peer.request("logs.tail", params)
        assert res["error"]["code"] == "INVALID_REQUEST", params
        assert res["error"]["details"] == {"code": "INVALID_PARAMS", "path": path}, res
        assert res["error"]["message"].startswith("invalid logs.tail params: "), res
    ok = await peer.request("logs.tail", {"limit": 5000, "maxBytes": 1_000_000, "cursor": 0})
    assert ok["ok"], ok
    await peer.ws.close()


@pytest.mark.anyio
async def test_logs_tail_needs_operator_read(gateway) -> None:
    # As the reference: logs.tail is an operator.read method (the official `openclaw logs` asks
    # for exactly that scope).
    reader = await operator(gateway.port, TOKEN, scopes=["operator.read"])
    assert (await reader.request("logs.tail", {}))["ok"]
    pairing = await operator(gateway.port, TOKEN, scopes=["operator.pairing"])
    res = await pairing.request("logs.tail", {})
    assert res["error"]["code"] == "FORBIDDEN"
    assert res["error"]["details"]["missingScope"] == "operator.read"
    await reader.ws.close()
    await pairing.ws.close()


@pytest.mark.anyio
async def test_the_token_never_reaches_the_file(gateway_factory, info_logs) -> None:
    async with gateway_factory() as gw:
        path = log_path(gw.config)
        wrong = "wrong-token-0123456789abcdefghijklmnopqrstuvwxyz"
        await refused(gw.port, "cli", token=wrong)
        peer = await operator(gw.port, TOKEN)
        assert (await peer.request("health", {}))["ok"]
        assert (await peer.request("logs.tail", {}))["ok"]
        # Even a careless log call does not put the shared token in the file.
        test_log.info("careless: %s", TOKEN)
        found = await wait_for(path, "careless")
        assert any("connect refused" in r["message"] for r in found), found
        text = path.read_text()
        assert TOKEN not in text and wrong not in text
        assert "careless: ***" in text
        await peer.ws.close()


# --- openclaw-gateway logs ----------------------------------------------------------------------


def run_cli(args: list[str], home: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={
            **os.environ,
            "HOME": str(home),
            "OPENCLAW_GATEWAY_SECRETS_BACKEND": "file",
            "OPENCLAW_GATEWAY_PLUGINS__CANVAS__PORT": "0",
        },
    )


PATIENCE = 60.0
"""How long a condition may take on a loaded CI machine; passing tests never wait for it."""


def wait_until(condition: Callable[[], bool], timeout: float = PATIENCE) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.02)


@pytest.fixture
def running(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """``openclaw-gateway run`` (zero config: a generated token) as a process; (home, url)."""
    home = tmp_path / "home"
    home.mkdir()
    proc = subprocess.Popen(
        [*CLI, "run", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={
            **os.environ,
            "HOME": str(home),
            "OPENCLAW_GATEWAY_SECRETS_BACKEND": "file",
            "OPENCLAW_GATEWAY_PLUGINS__CANVAS__PORT": "0",
        },
    )
    assert proc.stdout is not None
    port, lines = 0, []
    deadline = time.monotonic() + PATIENCE
    while time.monotonic() < deadline and not port:
        line = proc.stdout.readline()
        lines.append(line)
        if match := re.search(r"listening on ws://127\.0\.0\.1:(\d+)", line):
            port = int(match.group(1))
    assert port, "".join(lines)
    try:
        yield home, f"ws://127.0.0.1:{port}"
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def lines_of(proc: subprocess.Popen[str]) -> Callable[[Callable[[str], bool], float], str]:
    """``next_line(predicate, timeout)`` over a process's stdout, read by a thread."""
    got: queue.Queue[str] = queue.Queue()
    assert proc.stdout is not None
    stdout = proc.stdout
    threading.Thread(target=lambda: [got.put(line) for line in stdout], daemon=True).start()

    def next_line(predicate: Callable[[str], bool], timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while True:
            line = got.get(timeout=max(0.01, deadline - time.monotonic()))
            if predicate(line):
                return line

    return next_line


def test_cli_logs_prints_and_follows_the_running_gateway(running) -> None:
    home, url = running
    token = run_cli(["token"], home).stdout.strip()
    path = home / ".openclaw-gateway" / "logs" / "gateway.log"
    # The start-up line reaches stdout at once and the file through the log's writer thread:
    # wait for the file to have it (a condition), not for some time to pass.
    wait_until(lambda: path.exists() and f"listening on {url}" in path.read_text())

    as_json = run_cli(["logs", "--json", "--url", url], home)
    assert as_json.returncode == 0, as_json.stderr
    entries = [json.loads(line) for line in as_json.stdout.splitlines()]
    start_up = [e for e in entries if f"listening on {url}" in e["message"]]
    assert len(start_up) == 1 and start_up[0]["level"] == "info", entries

    pretty = run_cli(["logs", "--url", url], home)
    assert pretty.returncode == 0, pretty.stderr
    line = next(ln for ln in pretty.stdout.splitlines() if "listening on ws://" in ln)
    assert re.match(r"^\S+Z info  openclaw_gateway openclaw-gateway \S+ listening on ", line), line

    one = run_cli(["logs", "--json", "--limit", "1", "--url", url], home)
    assert len(one.stdout.splitlines()) == 1 and "older lines left out" in one.stderr

    follow = subprocess.Popen(
        [*CLI, "logs", "--follow", "--json", "--interval", "0.2", "--url", url],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={
            **os.environ,
            "HOME": str(home),
            "OPENCLAW_GATEWAY_SECRETS_BACKEND": "file",
            "OPENCLAW_GATEWAY_PLUGINS__CANVAS__PORT": "0",
        },
    )
    try:
        next_line = lines_of(follow)
        next_line(lambda ln: "listening on ws://" in ln, PATIENCE)
        # A refused connect, then a successful one: the first is logged and followed.
        with connect(url) as ws:
            ws.recv()
            ws.send(json.dumps(connect_frame(token="not-the-token-" + "x" * 30)))
            assert json.loads(ws.recv())["ok"] is False
        with connect(url) as ws:
            ws.recv()
            ws.send(json.dumps(connect_frame(token=token)))
            assert json.loads(ws.recv())["ok"] is True
        refusal = json.loads(next_line(lambda ln: "connect refused" in ln, PATIENCE))
        assert refusal["subsystem"] == "openclaw_gateway.server"
        assert refusal["level"] == "info"
    finally:
        follow.send_signal(signal.SIGINT)
        follow.wait(10)
    assert follow.returncode == 0
    assert token not in path.read_text()

    bad = run_cli(["logs", "--url", url, "--token", "nope-" + "x" * 40], home)
    assert bad.returncode == 4, bad.stderr
    gone = run_cli(["logs", "--follow", "--url", "ws://127.0.0.1:1"], home)
    assert gone.returncode == 3, gone.stderr
