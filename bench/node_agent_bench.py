"""Node invoke, agent-run and WebChat benchmarks: openclaw-gateway (ours) vs the official Node gateway.

    .venv/bin/python bench/node_agent_bench.py                          # everything (~6 min)
    .venv/bin/python bench/node_agent_bench.py --benches invoke --targets ours
    .venv/bin/python bench/node_agent_bench.py --report bench/results/node-agent-A.json

1. **invoke** — ``node.invoke`` round trip through the gateway. A raw-socket node (role ``node``,
   client ``node-host``/``node``, Ed25519 device identity signing the v3 payload, auto-paired on
   loopback with the shared token, declaring ``system.which``) runs in its own process and answers
   every ``node.invoke.request`` at once with ``node.invoke.result`` (a 31-byte ``payloadJSON``).
   An admin operator approves its command surface (``node.pair.list`` → ``node.pair.approve``).
   Then 1 and 8 operator connections (worker processes, epoll over raw sockets like
   bench/gateway_bench.py) each keep one ``node.invoke {command: "system.which"}`` in flight, every
   call with its own ``idempotencyKey``: invokes/s, p50/p99 latency, server CPU per invoke.
2. **agent** — sequential agent runs on one operator connection: ``agent`` with expect-final
   semantics (the ``accepted`` ack, then the final ``res``), and ``chat.send`` + the ``chat``
   ``state:"final"`` event. Each run in its own fresh session. Runs/s, latency to the final,
   first-event latency (request sent → first ``agent`` event of the run), server CPU per run.
   Targets: ours with the built-in offline provider, ours with the openai provider plugin against
   bench/fake_llm.py, and the reference with its model pointed at the same fake (custom provider
   ``fake``, ``api: "openai-completions"``).
3. **webchat** (ours) — the HTTP listener (WS port + 1): ``/`` + ``webchat/app.js`` +
   ``webchat/app.css`` fetched over one keep-alive connection, and page load in headless Chromium
   (Playwright, /usr/bin/chromium) until the page's own status says ``online``.

The server runs pinned to the first CPU(s) (the Node reference is not pinned), every client
process, the node process and the fake model on the last CPU. Rounds: the median round is reported.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import datetime as dt
import hashlib
import http.client
import json
import multiprocessing as mp
import os
import platform
import select
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from array import array
from pathlib import Path
from typing import Any

import orjson
import psutil

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
sys.path.insert(0, str(BENCH_DIR))
import gateway_bench as gb  # noqa: E402
import wsraw  # noqa: E402

HOST = gb.HOST
TOKEN = gb.TOKEN
OP_SCOPES = ["operator.admin", "operator.read", "operator.write", "operator.pairing"]
NODE_CLIENT = {
    "id": "node-host",
    "displayName": "bench-node",
    "version": "bench",
    "platform": "linux",
    "deviceFamily": "Linux",
    "mode": "node",
}
NODE_RESULT_JSON = json.dumps(json.dumps({"bins": {"sh": "/usr/bin/sh"}}))  # as a JSON string
log = gb.log
REPLIES = (b"Hello from the fake model.", b"No model is configured")  # fake_llm, offline


# ---------------------------------------------------------------------------------------------
# Node peer: device identity + a process that answers invokes


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


class DeviceKey:
    """Ed25519 device identity; the v3 proof as in tests/wire.py (PROTOCOL.md §5)."""

    def __init__(self) -> None:
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
        from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

        self.private = Ed25519PrivateKey.generate()
        self.public_raw = self.private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        self.device_id = hashlib.sha256(self.public_raw).hexdigest()

    def connect_params(self, challenge: dict[str, Any], token: str) -> bytes:
        c = NODE_CLIENT
        signed_at = int(challenge.get("ts") or time.time() * 1000)
        nonce = str(challenge["nonce"])
        fields = [
            "v3",
            self.device_id,
            c["id"],
            c["mode"],
            "node",
            "",  # scopes
            str(signed_at),
            token,
            nonce,
            c["platform"].lower(),
            c["deviceFamily"].lower(),
        ]
        signature = _b64url(self.private.sign("|".join(fields).encode()))
        return orjson.dumps(
            {
                "minProtocol": 4,
                "maxProtocol": 4,
                "client": c,
                "caps": ["system"],
                "commands": ["system.which"],
                "role": "node",
                "scopes": [],
                "auth": {"token": token},
                "device": {
                    "id": self.device_id,
                    "publicKey": _b64url(self.public_raw),
                    "signature": signature,
                    "signedAt": signed_at,
                    "nonce": nonce,
                },
            }
        )


def node_worker(port: int, pipe: Any) -> None:
    """The node: connect, report ("ready", nodeId), answer every node.invoke.request at once."""
    gb.pin_client()
    key = DeviceKey()
    sock, reader, _, _ = wsraw.sync_authed(
        HOST, port, TOKEN, [], params=lambda ch: key.connect_params(ch, TOKEN)
    )
    pipe.send(("ready", key.device_id))
    sock.setblocking(False)
    ep = select.epoll()
    ep.register(sock.fileno(), select.EPOLLIN)
    ep.register(pipe.fileno(), select.EPOLLIN)
    answered = other = 0
    node_id = key.device_id.encode()
    head = b'{"type":"req","id":"n'
    mid = b'","method":"node.invoke.result","params":{"id":"'
    tail = (
        b'","nodeId":"'
        + node_id
        + b'","ok":true,"payloadJSON":'
        + NODE_RESULT_JSON.encode()
        + b"}}"
    )
    running = True
    while running:
        for fd, _ in ep.poll(5.0):
            if fd == pipe.fileno():
                cmd = pipe.recv()
                if cmd[0] == "stop":
                    running = False
                elif cmd[0] == "count":
                    pipe.send(("count", answered, other))
                continue
            try:
                data = sock.recv(262144)
            except BlockingIOError:
                continue
            if not data:
                running = False
                break
            for op, payload in reader.feed(data):
                if op == 9:
                    sock.send(wsraw.pong(payload))
                elif op == 1 and b'"node.invoke.request"' in payload:
                    # the invoke id, without parsing the whole frame: "payload":{… "id":"<id>"
                    i = payload.find(b'"id":"', payload.find(b'"payload":')) + 6
                    inv_id = payload[i : payload.index(b'"', i)]
                    answered += 1
                    sock.send(wsraw.text_frame(head + str(answered).encode() + mid + inv_id + tail))
                else:
                    other += 1
    with contextlib.suppress(OSError):
        sock.send(wsraw.close_frame())
    sock.close()
    pipe.send(("stopped", answered, other))


def start_node(port: int) -> tuple[Any, Any, str]:
    ctx = mp.get_context("spawn")
    a, b = ctx.Pipe()
    p = ctx.Process(target=node_worker, args=(port, b), daemon=True)
    p.start()
    msg = gb._recv(a, 60)
    assert msg[0] == "ready", msg
    return p, a, msg[1]


def stop_node(proc: Any, pipe: Any) -> tuple[int, int]:
    out = (0, 0)
    with contextlib.suppress(OSError, EOFError, TimeoutError):
        pipe.send(("stop",))
        msg = gb._recv(pipe, 10)
        out = (msg[1], msg[2])
    proc.join(timeout=5)
    if proc.is_alive():
        proc.kill()
        proc.join(timeout=5)
    return out


# ---------------------------------------------------------------------------------------------
# A blocking operator connection for set-up calls and the sequential agent runs


class Op:
    def __init__(self, port: int, scopes: list[str] | None = None) -> None:
        self.sock, self.reader, _, _ = wsraw.sync_authed(HOST, port, TOKEN, scopes or OP_SCOPES)
        self.sock.settimeout(None)
        self.pending: list[bytes] = []
        self.arrival = 0.0
        self.n = 0

    def next_frame(self, deadline: float) -> tuple[bytes, float]:
        while not self.pending:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no frame in time")
            r, _, _ = select.select([self.sock], [], [], left)
            if not r:
                continue
            data = self.sock.recv(1 << 20)
            t = wsraw.now()
            if not data:
                raise ConnectionError("server closed the connection")
            for op, payload in self.reader.feed(data):
                if op == 9:
                    self.sock.sendall(wsraw.pong(payload))
                elif op == 8:
                    raise ConnectionError("server closed the connection")
                elif op == 1:
                    self.pending.append(payload)
            self.arrival = t
        return self.pending.pop(0), self.arrival

    def send(self, method: str, params: Any) -> tuple[str, float]:
        self.n += 1
        rid = f"o{self.n}"
        _, req = wsraw.request(method, orjson.dumps(params), rid)
        t = wsraw.now()
        self.sock.sendall(wsraw.text_frame(req))
        return rid, t

    def call(self, method: str, params: Any, timeout: float = 30) -> dict[str, Any]:
        rid, _ = self.send(method, params)
        deadline = time.monotonic() + timeout
        while True:
            data, _ = self.next_frame(deadline)
            if data.startswith(gb.RES_PREFIX):
                f = orjson.loads(data)
                if f.get("id") == rid:
                    return f  # type: ignore[no-any-return]

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.sock.sendall(wsraw.close_frame())
        self.sock.close()


def approve_node(port: int, node_id: str, timeout: float = 60) -> dict[str, Any]:
    """node.pair.list until the node's request shows up, node.pair.approve it, then one invoke
    that succeeds (the reference answers PAIRING_CHANGED for a moment after a node connects)."""
    op = Op(port)
    t0 = time.monotonic()
    try:
        request = None
        while request is None:
            listing = op.call("node.pair.list", {})
            for p in (listing.get("payload") or {}).get("pending", []):
                if p.get("nodeId") == node_id:
                    request = p
            if request is None:
                if time.monotonic() - t0 > timeout:
                    raise RuntimeError(f"no pairing request for the node: {listing}")
                time.sleep(0.2)
        res = op.call("node.pair.approve", {"requestId": request["requestId"]})
        if not res.get("ok"):
            raise RuntimeError(f"node.pair.approve failed: {res}")
        last: dict[str, Any] = {}
        while time.monotonic() - t0 < timeout:
            last = op.call(
                "node.invoke",
                {
                    "nodeId": node_id,
                    "command": "system.which",
                    "params": {"bins": ["sh"]},
                    "timeoutMs": 10000,
                    "idempotencyKey": f"probe-{uuid.uuid4().hex}",
                },
            )
            if last.get("ok"):
                return {
                    "approve_s": time.monotonic() - t0,
                    "approved_commands": request.get("commands"),
                    "probe_payload": last["payload"].get("payload"),
                }
            time.sleep(0.2)
        raise RuntimeError(f"node.invoke never succeeded: {last}")
    finally:
        op.close()


# ---------------------------------------------------------------------------------------------
# Invoke load workers (processes; epoll over raw sockets, one invoke in flight per socket)


def invoke_worker(port: int, nconns: int, node_id: str, wid: int, pipe: Any) -> None:
    gb.pin_client()
    conns = gb._open_many(port, nconns, ["operator.admin", "operator.read", "operator.write"])
    pipe.send(("ready", nconns))
    _, t_start, warmup, duration = pipe.recv()
    run = uuid.uuid4().hex[:8].encode()
    a = b'{"type":"req","id":"'
    b = (
        b'","method":"node.invoke","params":{"nodeId":"'
        + node_id.encode()
        + b'","command":"system.which","params":{"bins":["sh"]},"timeoutMs":10000,'
        b'"idempotencyKey":"' + run + b"-" + str(wid).encode() + b"-"
    )
    c = b'"}}'

    def request(n: int, fd: int) -> bytes:
        key = str(n).encode() + b"-" + str(fd).encode()  # unique per call: the gateway dedupes keys
        return a + key + b + key + c

    def ok(payload: bytes) -> bool:
        return b'"ok":true' in payload[:96]

    r = gb.closed_loop(conns, t_start, warmup, duration, request, ok)
    pipe.send(
        (
            "result",
            r["count"],
            r["lat"].tobytes(),
            r["events"],
            r["cpu"],
            r["errors"],
            r["first_error"],
        )
    )


def invoke_load(
    target: gb.Target,
    node_id: str,
    node_proc: Any,
    nconns: int,
    nworkers: int,
    warmup: float,
    duration: float,
) -> dict[str, Any]:
    ctx = mp.get_context("spawn")
    workers = []
    for wid, c in enumerate(gb._split(nconns, nworkers)):
        a, b = ctx.Pipe()
        p = ctx.Process(target=invoke_worker, args=(target.port, c, node_id, wid, b), daemon=True)
        p.start()
        workers.append((p, a))
    node_ps = psutil.Process(node_proc.pid)
    try:
        for _, pipe in workers:
            msg = gb._recv(pipe, 120)
            assert msg[0] == "ready", msg
        t_start = wsraw.now() + 0.3
        for _, pipe in workers:
            pipe.send(("go", t_start, warmup, duration))
        time.sleep(max(0.0, t_start + warmup - wsraw.now()))
        s_cpu0 = target.cpu_seconds()
        n_cpu0 = sum(node_ps.cpu_times()[:2])
        time.sleep(max(0.0, t_start + warmup + duration - wsraw.now()))
        s_cpu1 = target.cpu_seconds()
        n_cpu1 = sum(node_ps.cpu_times()[:2])
        count = events = errors = 0
        client_cpu = 0.0
        first_error = ""
        lats = array("d")
        for _, pipe in workers:
            msg = gb._recv(pipe, 60)
            assert msg[0] == "result", msg
            count += msg[1]
            lats.frombytes(msg[2])
            events += msg[3]
            client_cpu += msg[4]
            errors += msg[5]
            first_error = first_error or msg[6]
    finally:
        gb._reap(workers)
    lat_list = lats.tolist()
    return {
        "connections": nconns,
        "client_processes": len(workers),
        "invokes": count,
        "errors": errors,
        "first_error": first_error,
        "invokes_per_s": count / duration,
        "p50_ms": (gb.pct(lat_list, 50) or 0) * 1000,
        "p99_ms": (gb.pct(lat_list, 99) or 0) * 1000,
        "server_cpu_pct": 100 * (s_cpu1 - s_cpu0) / duration,
        "server_cpu_us_per_invoke": 1e6 * (s_cpu1 - s_cpu0) / count if count else None,
        "node_cpu_us_per_invoke": 1e6 * (n_cpu1 - n_cpu0) / count if count else None,
        "client_cpu_us_per_invoke": 1e6 * client_cpu / count if count else None,
        "events_received": events,
    }


# ---------------------------------------------------------------------------------------------
# Agent runs (sequential, one connection, in the orchestrator: ms-scale runs, cheap client)


def one_run(op: Op, mode: str, key: str, timeout: float = 120) -> dict[str, Any]:
    """One run; times relative to the send: ack, first agent event, final (res or chat event)."""
    kb = key.encode()
    if mode == "agent":
        rid, t0 = op.send("agent", {"message": "hello", "idempotencyKey": key})
    else:
        params = {"sessionKey": f"bench-{key}", "message": "hello", "idempotencyKey": key}
        rid, t0 = op.send("chat.send", params)
    rb = b'"id":"' + rid.encode() + b'"'
    deadline = time.monotonic() + timeout
    ack = first = final = None
    error = ""
    chat_final = False
    reply = False  # the model's text (fake or offline) was in the final res / chat final
    res_final = mode != "agent"  # chat.send has one res only
    while final is None:
        data, t = op.next_frame(deadline)
        if data.startswith(gb.RES_PREFIX) and rb in data[:64]:
            f = orjson.loads(data)
            status = (f.get("payload") or {}).get("status")
            if not f.get("ok"):
                error = json.dumps(f.get("error"))[:300]
                final = t
            elif ack is None and status in ("accepted", "started"):
                ack = t
            else:
                res_final = True
                if mode == "agent":
                    reply = any(r in data for r in REPLIES)
                    final = t
        elif kb in data:
            if first is None and b'"event":"agent"' in data[:40]:
                first = t
            if b'"event":"chat"' in data[:40]:
                if b'"state":"final"' in data:
                    chat_final = True
                    if mode == "chat":
                        reply = any(r in data for r in REPLIES)
                        final = t
                elif b'"state":"error"' in data:
                    error = data[:300].decode(errors="replace")
                    final = t
    return {
        "total": final - t0,
        "ack": (ack - t0) if ack is not None else None,
        "first_event": (first - t0) if first is not None else None,
        "error": error,
        "chat_final_seen": chat_final,
        "res_final_seen": res_final,
        "reply_seen": reply,
    }


def agent_rounds(target: gb.Target, mode: str, args: argparse.Namespace) -> dict[str, Any]:
    op = Op(target.port)
    nonce = uuid.uuid4().hex[:6]
    try:
        for i in range(args.agent_warmup_runs):  # the reference's first run takes ~10 s
            r = one_run(op, mode, f"{mode}-{nonce}-w{i}")
            if r["error"]:
                raise RuntimeError(f"{target.name} {mode} warm-up run failed: {r['error']}")
        rounds = []
        for rnd in range(args.rounds):
            runs: list[dict[str, Any]] = []
            cpu0 = target.cpu_seconds()
            t0 = wsraw.now()
            while wsraw.now() - t0 < args.agent_duration:
                runs.append(one_run(op, mode, f"{mode}-{nonce}-{rnd}-{len(runs)}"))
            wall = wsraw.now() - t0
            cpu = target.cpu_seconds() - cpu0
            ok = [r for r in runs if not r["error"]]
            tot = [r["total"] for r in ok]
            firsts = [r["first_event"] for r in ok if r["first_event"] is not None]
            acks = [r["ack"] for r in ok if r["ack"] is not None]
            rounds.append(
                {
                    "runs": len(runs),
                    "errors": len(runs) - len(ok),
                    "first_error": next((r["error"] for r in runs if r["error"]), ""),
                    "runs_per_s": len(ok) / wall,
                    "total_p50_ms": (gb.pct(tot, 50) or 0) * 1000,
                    "total_p99_ms": (gb.pct(tot, 99) or 0) * 1000,
                    "first_event_p50_ms": (gb.pct(firsts, 50) or 0) * 1000 if firsts else None,
                    "first_event_p99_ms": (gb.pct(firsts, 99) or 0) * 1000 if firsts else None,
                    "ack_p50_ms": (gb.pct(acks, 50) or 0) * 1000 if acks else None,
                    "server_cpu_ms_per_run": 1000 * cpu / len(runs) if runs else None,
                    "server_cpu_pct": 100 * cpu / wall,
                    "chat_final_seen": sum(r["chat_final_seen"] for r in ok),
                    "res_final_seen": sum(r["res_final_seen"] for r in ok),
                    "reply_seen": sum(r["reply_seen"] for r in ok),
                }
            )
            r = rounds[-1]
            log(
                f"  {target.name} {mode} round {rnd + 1}: {r['runs_per_s']:.1f} runs/s, total p50 "
                f"{r['total_p50_ms']:.1f} ms, first event p50 {r['first_event_p50_ms']} ms, "
                f"server CPU {r['server_cpu_ms_per_run']:.2f} ms/run, errors {r['errors']}"
            )
    finally:
        op.close()
    best = sorted(rounds, key=lambda r: r["runs_per_s"])[len(rounds) // 2]
    return {**best, "rounds_runs_per_s": [r["runs_per_s"] for r in rounds], "all_rounds": rounds}


# ---------------------------------------------------------------------------------------------
# WebChat (ours)


def http_page_fetch(port: int, reps: int) -> dict[str, Any]:
    paths = ["/", "/webchat/app.js", "/webchat/app.css"]
    sizes: dict[str, int] = {}
    warm: list[float] = []
    cold: list[float] = []
    for _ in range(3):  # warm the caches
        conn = http.client.HTTPConnection(HOST, port, timeout=10)
        for p in paths:
            conn.request("GET", p)
            r = conn.getresponse()
            sizes[p] = len(r.read())
            if r.status != 200:
                raise RuntimeError(f"GET {p}: HTTP {r.status}")
        conn.close()
    for _ in range(reps):
        # cold: a new connection for each file, like three parallel browser sockets made serial
        t0 = wsraw.now()
        for p in paths:
            conn = http.client.HTTPConnection(HOST, port, timeout=10)
            conn.request("GET", p)
            conn.getresponse().read()
            conn.close()
        cold.append(wsraw.now() - t0)
        t0 = wsraw.now()
        conn = http.client.HTTPConnection(HOST, port, timeout=10)
        for p in paths:
            conn.request("GET", p)
            conn.getresponse().read()
        warm.append(wsraw.now() - t0)
        conn.close()
    return {
        "reps": reps,
        "bytes": sizes,
        "keepalive_p50_ms": (gb.pct(warm, 50) or 0) * 1000,
        "keepalive_p99_ms": (gb.pct(warm, 99) or 0) * 1000,
        "conn_per_file_p50_ms": (gb.pct(cold, 50) or 0) * 1000,
        "conn_per_file_p99_ms": (gb.pct(cold, 99) or 0) * 1000,
    }


# records, in the page's own clock (ms since navigation start), when its status turns online
ONLINE_PROBE = """
new MutationObserver((_, obs) => {
  const c = document.getElementById("conn");
  if (c && c.dataset.state === "online" && window.__benchOnline === undefined) {
    window.__benchOnline = performance.now();
    obs.disconnect();
  }
}).observe(document, {subtree: true, childList: true, attributes: true});
"""


def browser_page_load(port: int, http_port: int, reps: int) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
    url = f"http://127.0.0.1:{http_port}/#token={TOKEN}"
    online: list[float] = []
    dcl: list[float] = []
    blank: list[float] = []
    page_online: list[float] = []  # navigation start → #conn data-state="online", page's clock
    with sync_playwright() as pw:
        t0 = time.monotonic()
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=args)
        launch_s = time.monotonic() - t0
        try:
            for i in range(reps + 2):  # 2 warm-ups
                context = browser.new_context()  # fresh: no cache, no sessionStorage
                context.add_init_script(ONLINE_PROBE)
                page = context.new_page()
                t0 = time.monotonic()
                page.goto(url, wait_until="commit")
                page.wait_for_selector('#conn[data-state="online"]', timeout=15000)
                t1 = time.monotonic()
                nav = page.evaluate(
                    "JSON.stringify(performance.getEntriesByType('navigation')[0].toJSON())"
                )
                in_page = page.evaluate("window.__benchOnline")
                context.close()
                # the browser's own floor: a fresh context loading a one-line inline page
                context = browser.new_context()
                page = context.new_page()
                t2 = time.monotonic()
                page.goto("data:text/html,<p>floor</p>", wait_until="load")
                t3 = time.monotonic()
                context.close()
                if i >= 2:
                    blank.append(t3 - t2)
                    online.append(t1 - t0)
                    dcl.append(json.loads(nav)["domContentLoadedEventEnd"] / 1000)
                    page_online.append(in_page / 1000)
        finally:
            browser.close()
    return {
        "reps": reps,
        "browser_launch_s": launch_s,
        "online_p50_ms": statistics.median(online) * 1000,
        "online_max_ms": max(online) * 1000,
        "dom_content_loaded_p50_ms": statistics.median(dcl) * 1000,
        "page_online_p50_ms": statistics.median(page_online) * 1000,
        "blank_page_p50_ms": statistics.median(blank) * 1000,
        "online_all_ms": [x * 1000 for x in online],
    }


# ---------------------------------------------------------------------------------------------


def start_fake_llm() -> tuple[subprocess.Popen[bytes], int]:
    port = gb.free_port()
    proc = subprocess.Popen(
        [sys.executable, str(BENCH_DIR / "fake_llm.py"), "--port", str(port)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    cpus = gb._cpus("GWBENCH_CLIENT_CPUS")
    if cpus:
        os.sched_setaffinity(proc.pid, cpus)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection((HOST, port), timeout=1):
            return proc, port
        time.sleep(0.05)
    proc.kill()
    raise RuntimeError("fake_llm did not start")


def make_target(kind: str, workdir: Path, fake_port: int) -> gb.Target:
    base = f"http://127.0.0.1:{fake_port}/v1"
    if kind == "ours" or kind == "ours-offline":
        t: gb.Target = gb.Ours(workdir)
    elif kind == "ours-fake":
        t = gb.Ours(workdir)
        t.config_toml = (  # type: ignore[attr-defined]
            f'[agent]\nprovider = "openai"\nbase_url = "{base}"\n'
            'model = "fake-model"\napi_key = "x"\n'
        )
    elif kind in ("reference", "reference-fake"):
        t = gb.Reference(workdir)
        if kind == "reference-fake":
            t.config = {  # type: ignore[attr-defined]
                "agents": {"defaults": {"model": {"primary": "fake/fake-model"}}},
                "models": {
                    "mode": "merge",
                    "providers": {
                        "fake": {
                            "baseUrl": base,
                            "apiKey": "sk-fake",
                            "api": "openai-completions",
                            "models": [
                                {
                                    "id": "fake-model",
                                    "name": "Fake",
                                    "reasoning": False,
                                    "input": ["text"],
                                    "cost": {
                                        "input": 0,
                                        "output": 0,
                                        "cacheRead": 0,
                                        "cacheWrite": 0,
                                    },
                                    "contextWindow": 128000,
                                    "maxTokens": 8192,
                                }
                            ],
                        }
                    },
                },
            }
    else:
        raise ValueError(kind)
    t.name = kind
    return t


def started(target: gb.Target) -> float:
    import asyncio

    t_spawn = target.start()
    target.pin()
    ref = isinstance(target, gb.Reference)
    try:
        s, _ = asyncio.run(
            gb.wait_ready(
                target.port, t_spawn, target.proc, 120 if ref else 30, 0.1 if ref else 0.01
            )  # type: ignore[arg-type]
        )
    except BaseException:
        target.stop()
        raise
    log(f"{target.name}: ready in {s:.2f}s on port {target.port}")
    return s


def bench_invoke(kind: str, args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    target = make_target(kind, workdir, 0)
    started(target)
    node = None
    try:
        node, node_pipe, node_id = start_node(target.port)
        pairing = approve_node(target.port, node_id)
        log(f"{kind}: node {node_id[:12]}… approved in {pairing['approve_s']:.2f}s: {pairing}")
        out: dict[str, Any] = {"pairing": pairing, "levels": {}}
        for n in args.conns:
            rounds = [
                invoke_load(target, node_id, node, n, args.workers, args.warmup, args.duration)
                for _ in range(args.rounds)
            ]
            h = sorted(rounds, key=lambda r: r["invokes_per_s"])[len(rounds) // 2]
            h["rounds_invokes_per_s"] = [r["invokes_per_s"] for r in rounds]
            h["rounds_server_cpu_us"] = [r["server_cpu_us_per_invoke"] for r in rounds]
            out["levels"][str(n)] = h
            log(
                f"{kind}: invoke x{n}: {h['invokes_per_s']:.0f}/s p50 {h['p50_ms']:.3f} ms "
                f"p99 {h['p99_ms']:.3f} ms, server {h['server_cpu_us_per_invoke']} µs/invoke "
                f"({h['server_cpu_pct']:.0f}%), node {h['node_cpu_us_per_invoke']} µs, "
                f"errors {h['errors']} {h['first_error'][:200]} "
                f"(rounds {[round(x) for x in h['rounds_invokes_per_s']]})"
            )
        out["node_answered"] = stop_node(node, node_pipe)
        node = None
    finally:
        if node is not None:
            node.kill()
        target.stop()
    return out


def bench_agent(kind: str, args: argparse.Namespace, workdir: Path, fake: Any) -> dict[str, Any]:
    fake_proc, fake_port = fake
    target = make_target(kind, workdir, fake_port)
    started(target)
    out: dict[str, Any] = {}
    try:
        for mode in ("agent", "chat"):
            fcpu0 = sum(psutil.Process(fake_proc.pid).cpu_times()[:2])
            out[mode] = agent_rounds(target, mode, args)
            fcpu = sum(psutil.Process(fake_proc.pid).cpu_times()[:2]) - fcpu0
            out[mode]["fake_llm_cpu_s"] = fcpu
            r = out[mode]
            log(
                f"{kind} {mode}: {r['runs_per_s']:.1f} runs/s (rounds "
                f"{[round(x, 1) for x in r['rounds_runs_per_s']]}), total p50 "
                f"{r['total_p50_ms']:.1f} ms, first event p50 {r['first_event_p50_ms']} ms, "
                f"server CPU {r['server_cpu_ms_per_run']:.2f} ms/run"
            )
        out["rss_after"] = target.rss()["rss"]
    finally:
        target.stop()
    return out


def bench_webchat(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    target = make_target("ours", workdir, 0)
    started(target)
    out: dict[str, Any] = {}
    try:
        http_port = target.port + 1
        cpu0 = target.cpu_seconds()
        out["http"] = http_page_fetch(http_port, args.webchat_reps)
        out["http"]["server_cpu_ms_per_page"] = (
            1000 * (target.cpu_seconds() - cpu0) / (2 * args.webchat_reps + 3)
        )
        h = out["http"]
        log(
            f"webchat HTTP: / + app.js + app.css = {sum(h['bytes'].values())} bytes; keep-alive p50 "
            f"{h['keepalive_p50_ms']:.2f} ms p99 {h['keepalive_p99_ms']:.2f} ms; a connection per "
            f"file p50 {h['conn_per_file_p50_ms']:.2f} ms; server CPU "
            f"{h['server_cpu_ms_per_page']:.2f} ms/page"
        )
        if args.browser_reps:
            try:
                cpu0 = target.cpu_seconds()
                out["browser"] = browser_page_load(target.port, http_port, args.browser_reps)
                out["browser"]["server_cpu_ms_per_load"] = (
                    1000 * (target.cpu_seconds() - cpu0) / (args.browser_reps + 2)
                )
                b = out["browser"]
                log(
                    f"webchat browser: online p50 {b['online_p50_ms']:.0f} ms (max "
                    f"{b['online_max_ms']:.0f}; in-page {b['page_online_p50_ms']:.0f} ms), "
                    "DOMContentLoaded p50 "
                    f"{b['dom_content_loaded_p50_ms']:.0f} ms, launch {b['browser_launch_s']:.2f}s"
                )
            except Exception as exc:  # report and go on
                out["browser"] = {"error": f"{type(exc).__name__}: {exc}"[:500]}
                log(f"webchat browser: skipped: {out['browser']['error']}")
    finally:
        target.stop()
    return out


# --- report -----------------------------------------------------------------------------------


def _ratio(a: float | None, b: float | None) -> str:
    if a is None or not b:
        return "—"
    v = a / b
    return f"{v:.2f}x" if v >= 0.1 else f"{v:.3f}x"


def markdown(res: dict[str, Any]) -> str:
    f = gb._fmt
    lines: list[str] = []
    inv = res.get("invoke", {})
    if inv:
        o, r = inv.get("ours"), inv.get("reference")
        lines += [
            "**node.invoke round trip** (node answers at once; one invoke in flight per operator "
            "connection)",
            "",
            "| metric | unit | ours | reference | ours/reference |",
            "|---|---|---:|---:|---:|",
        ]
        rows = [
            ("invokes/s", "invokes_per_s", "/s (higher is better)"),
            ("latency p50", "p50_ms", "ms"),
            ("latency p99", "p99_ms", "ms"),
            ("server CPU per invoke", "server_cpu_us_per_invoke", "µs"),
            ("node peer CPU per invoke", "node_cpu_us_per_invoke", "µs"),
            ("operator clients CPU per invoke", "client_cpu_us_per_invoke", "µs"),
        ]
        for n in sorted({k for t in (o, r) if t for k in t["levels"]}, key=int):
            for label, key, unit in rows:
                a = o["levels"].get(n, {}).get(key) if o else None
                b = r["levels"].get(n, {}).get(key) if r else None
                lines.append(f"| x{n} conn {label} | {unit} | {f(a)} | {f(b)} | {_ratio(a, b)} |")
        lines.append("")
        for name, t in inv.items():
            for n, h in t["levels"].items():
                lines.append(
                    f"* {name} x{n}: rounds {', '.join(f'{x:,.0f}' for x in h['rounds_invokes_per_s'])} "
                    f"invokes/s; server CPU {h['server_cpu_pct']:.0f}%; errors {h['errors']}"
                )
        lines.append("")
    ag = res.get("agent", {})
    if ag:
        names = list(ag)
        lines += [
            "**agent runs** (sequential, one connection, a fresh session per run)",
            "",
            "| metric | unit | " + " | ".join(names) + " | ours-fake/reference-fake |",
            "|---|---|" + "---:|" * (len(names) + 1),
        ]
        rows2 = [
            ("runs/s", "runs_per_s", "/s (higher is better)"),
            ("request → final p50", "total_p50_ms", "ms"),
            ("request → final p99", "total_p99_ms", "ms"),
            ("request → first agent event p50", "first_event_p50_ms", "ms"),
            ("request → first agent event p99", "first_event_p99_ms", "ms"),
            ("request → ack p50", "ack_p50_ms", "ms"),
            ("server CPU per run", "server_cpu_ms_per_run", "ms"),
        ]
        for mode, mlabel in (
            ("agent", "`agent` (expect final)"),
            ("chat", "`chat.send` → chat final"),
        ):
            for label, key, unit in rows2:
                vals = [ag[n].get(mode, {}).get(key) for n in names]
                ratio = _ratio(
                    ag.get("ours-fake", {}).get(mode, {}).get(key),
                    ag.get("reference-fake", {}).get(mode, {}).get(key),
                )
                lines.append(
                    f"| {mlabel} {label} | {unit} | "
                    + " | ".join(f(v) for v in vals)
                    + f" | {ratio} |"
                )
        lines.append("")
        for n in names:
            for mode in ("agent", "chat"):
                m = ag[n].get(mode)
                if m:
                    lines.append(
                        f"* {n} {mode}: rounds {', '.join(f'{x:.1f}' for x in m['rounds_runs_per_s'])} "
                        f"runs/s; {m['runs']} runs in the median round, errors {m['errors']}, "
                        f"model reply in the final {m['reply_seen']}/{m['runs'] - m['errors']}; "
                        f"server CPU {m['server_cpu_pct']:.0f}%; fake LLM CPU {m['fake_llm_cpu_s']:.2f} s total"
                    )
        lines.append("")
    wc = res.get("webchat")
    if wc:
        h = wc["http"]
        lines += [
            "**WebChat page load** (ours; HTTP listener = WS port + 1)",
            "",
            "| metric | value |",
            "|---|---:|",
            f"| `/` + `webchat/app.js` + `webchat/app.css` ({sum(h['bytes'].values()):,} bytes), one keep-alive connection, p50 / p99 | {f(h['keepalive_p50_ms'])} / {f(h['keepalive_p99_ms'])} ms |",
            f"| same, a new connection per file, p50 / p99 | {f(h['conn_per_file_p50_ms'])} / {f(h['conn_per_file_p99_ms'])} ms |",
            f"| server CPU per page (3 files) | {f(h['server_cpu_ms_per_page'])} ms |",
        ]
        b = wc.get("browser") or {}
        if "online_p50_ms" in b:
            lines += [
                f"| headless Chromium: navigation → page status `online` (fresh context), p50 / max of {b['reps']} | {f(b['online_p50_ms'])} / {f(b['online_max_ms'])} ms |",
                f"| headless Chromium: same, in the page's clock (navigation start → `online`), p50 | {f(b.get('page_online_p50_ms'))} ms |",
                f"| headless Chromium: DOMContentLoaded p50 | {f(b['dom_content_loaded_p50_ms'])} ms |",
                f"| headless Chromium floor: fresh context + an inline one-line page to `load`, p50 | {f(b.get('blank_page_p50_ms'))} ms |",
                f"| headless Chromium: browser launch (once, not in the above) | {f(b['browser_launch_s'] * 1000)} ms |",
                f"| server CPU per browser page load (HTTP + WS handshake + page's first calls) | {f(b['server_cpu_ms_per_load'])} ms |",
            ]
        elif b:
            lines.append(f"| headless Chromium | not measured: {b.get('error')} |")
        lines.append("")
    m = res["meta"]
    head = (
        f"Measured {m['date']} on {m['machine']} ({m['cpus']} CPUs), Python {m['python']}; "
        f"client CPUs {m['client_cpus']}, Python server CPUs {m['server_cpus']}, reference unpinned; "
        f"invoke: {m['args']['warmup']} s warm-up + {m['args']['duration']} s per round; agent: "
        f"{m['args']['agent_duration']} s per round; median of {m['args']['rounds']} rounds."
    )
    return head + "\n\n" + "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--benches", default="invoke,agent,webchat")
    ap.add_argument("--targets", default="ours,reference")
    ap.add_argument("--conns", default="1,8")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--warmup", type=float, default=1.0)
    ap.add_argument("--duration", type=float, default=5.0)
    ap.add_argument("--agent-duration", type=float, default=10.0)
    ap.add_argument("--agent-warmup-runs", type=int, default=3)
    ap.add_argument("--webchat-reps", type=int, default=200)
    ap.add_argument("--browser-reps", type=int, default=10, help="0 skips the browser")
    ap.add_argument("--pin", choices=("auto", "off"), default="auto")
    ap.add_argument("--out", type=Path, default=BENCH_DIR / "results")
    ap.add_argument("--report", nargs="+", type=Path, help="print the table of result JSON files")
    args = ap.parse_args()
    args.conns = [int(c) for c in args.conns.split(",")]

    if args.report:
        merged: dict[str, Any] = {}
        for p in args.report:
            data = json.loads(p.read_text())
            for k, v in data.items():
                if isinstance(v, dict) and k != "meta":
                    merged.setdefault(k, {}).update(v)
                else:
                    merged[k] = v
        print(markdown(merged))
        return

    wsraw.raise_fd_limit()
    if args.pin == "auto" and len(os.sched_getaffinity(0)) >= 2:
        cpus = sorted(os.sched_getaffinity(0))
        os.environ["GWBENCH_CLIENT_CPUS"] = str(cpus[-1])
        os.environ["GWBENCH_SERVER_CPUS"] = ",".join(map(str, cpus[:-1]))
        gb.pin_client()
    benches = [b for b in args.benches.split(",") if b]
    targets = [t for t in args.targets.split(",") if t]
    res: dict[str, Any] = {
        "meta": {
            "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "machine": f"{platform.machine()} {gb._cpu_model()}",
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "client_cpus": os.environ.get("GWBENCH_CLIENT_CPUS", "all"),
            "server_cpus": os.environ.get("GWBENCH_SERVER_CPUS", "all (unpinned)"),
            "args": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
        }
    }
    args.out.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    out_json = args.out / f"node-agent-{stamp}.json"

    def save() -> None:
        out_json.write_text(json.dumps(res, indent=2))

    fake = None
    with tempfile.TemporaryDirectory(prefix="nabench-") as tmp:
        work = Path(tmp)
        try:
            if "invoke" in benches:
                res["invoke"] = {}
                for t in targets:
                    log(f"=== invoke: {t} ===")
                    res["invoke"][t] = bench_invoke(t, args, work)
                    save()
            if "agent" in benches:
                fake = start_fake_llm()
                res["agent"] = {}
                kinds = []
                if "ours" in targets:
                    kinds += ["ours-offline", "ours-fake"]
                if "reference" in targets:
                    kinds += ["reference-fake"]
                for k in kinds:
                    log(f"=== agent: {k} ===")
                    try:
                        res["agent"][k] = bench_agent(k, args, work, fake)
                    except Exception as exc:  # keep the other targets' numbers
                        log(f"{k}: FAILED {type(exc).__name__}: {exc}")
                        res.setdefault("failures", {})[f"agent {k}"] = (
                            f"{type(exc).__name__}: {exc}"
                        )
                    save()
            if "webchat" in benches and "ours" in targets:
                log("=== webchat: ours ===")
                res["webchat"] = bench_webchat(args, work)
                save()
        finally:
            if fake is not None:
                fake[0].terminate()
                try:
                    fake[0].wait(5)
                except subprocess.TimeoutExpired:
                    fake[0].kill()
    md = markdown(res)
    out_json.with_suffix(".md").write_text(md)
    print()
    print(md)
    log(f"wrote {out_json} and .md")


if __name__ == "__main__":
    main()
