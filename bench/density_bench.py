"""Density: N gateways on one host, one per tenant (one trust domain per process, as the
reference's multi-tenant guidance says), started together.

    .venv/bin/python bench/density_bench.py            # N = 1, 10, 50
    .venv/bin/python bench/density_bench.py --n 1 10   # a subset

For each N: every gateway gets its own state dir, token and ports, all are started at once, and we
measure the wall time until the last one is listening (and each one's own time to ready), then
after a settle each process's RSS, USS and PSS — PSS splits shared pages (the interpreter, shared
libraries) between the processes that map them, so the PSS sum is the honest host total. Results
go to bench/results/density-<timestamp>.json; bench/README.md records a run.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "results"
READY = b"listening on ws://"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Tenant:
    index: int
    proc: subprocess.Popen[bytes]
    log: Path
    started: float
    ready_s: float | None = None


def start(index: int, root: Path) -> Tenant:
    home = root / f"tenant-{index:03d}"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENCLAW")}
    env.update(
        HOME=str(home),
        OPENCLAW_GATEWAY_SECRETS_BACKEND="file",
        OPENCLAW_GATEWAY_PORT=str(free_port()),
        OPENCLAW_GATEWAY_HTTP_PORT=str(free_port()),
        OPENCLAW_GATEWAY_PLUGINS__CANVAS__PORT="0",
        OPENCLAW_GATEWAY_TOKEN=f"density-token-{index:03d}-" + "x" * 32,
    )
    log = home / "gateway.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [str(REPO / ".venv/bin/openclaw-gateway"), "run", "--state-dir", str(home / "state")],
            env=env,
            cwd=home,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return Tenant(index, proc, log, time.perf_counter())


def measure(n: int, settle: float) -> dict[str, object]:
    with tempfile.TemporaryDirectory(prefix=f"density-{n}-") as tmp:
        root = Path(tmp)
        t0 = time.perf_counter()
        tenants = [start(i, root) for i in range(n)]
        deadline = t0 + 120
        while any(t.ready_s is None for t in tenants):
            for tenant in tenants:
                if tenant.ready_s is None and READY in tenant.log.read_bytes():
                    tenant.ready_s = time.perf_counter() - tenant.started
                if tenant.proc.poll() is not None:
                    raise RuntimeError(f"tenant {tenant.index} exited: {tenant.log.read_text()}")
            if time.perf_counter() > deadline:
                raise RuntimeError("not all gateways became ready within 120 s")
            time.sleep(0.01)
        all_ready = time.perf_counter() - t0
        time.sleep(settle)
        rss, uss, pss = [], [], []
        for tenant in tenants:
            info = psutil.Process(tenant.proc.pid).memory_full_info()
            rss.append(info.rss)
            uss.append(info.uss)
            pss.append(info.pss)
        for tenant in tenants:
            tenant.proc.send_signal(signal.SIGTERM)
        stop0 = time.perf_counter()
        codes = [tenant.proc.wait(30) for tenant in tenants]
        stopped = time.perf_counter() - stop0
    mb = 1024 * 1024
    ready = [t.ready_s or 0.0 for t in tenants]
    return {
        "n": n,
        "all_ready_s": round(all_ready, 3),
        "ready_s_median": round(statistics.median(ready), 3),
        "ready_s_max": round(max(ready), 3),
        "rss_mb_median": round(statistics.median(rss) / mb, 1),
        "uss_mb_median": round(statistics.median(uss) / mb, 1),
        "pss_mb_median": round(statistics.median(pss) / mb, 1),
        "rss_mb_total": round(sum(rss) / mb, 1),
        "pss_mb_total": round(sum(pss) / mb, 1),
        "stop_all_s": round(stopped, 3),
        "exit_codes": sorted(set(codes)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, nargs="+", default=[1, 10, 50])
    parser.add_argument("--settle", type=float, default=3.0, help="seconds idle before measuring")
    args = parser.parse_args()
    rows = []
    for n in args.n:
        row = measure(n, args.settle)
        rows.append(row)
        print(json.dumps(row), flush=True)
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"density-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps({"cpus": os.cpu_count(), "rows": rows}, indent=2) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
