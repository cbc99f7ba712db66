"""Profile openclaw-gateway's hot path under the 8-connection ``health`` load with py-spy.

    uv pip install --python .venv/bin/python py-spy        # once (bench-only tool)
    .venv/bin/python bench/profile_health.py [--conns 8] [--seconds 10] [--native]

Starts ``openclaw-gateway run``, drives it with the same load generator as gateway_bench.py
(health, one request in flight per connection, 2 client processes) and samples it with
``py-spy record --nonblocking`` meanwhile. Prints where the server's CPU goes per request: the
sample share of each function (self and inclusive) and of each layer (asyncio, websockets,
pydantic, orjson, our code), converted into µs per request using the server CPU time measured
in the same run. Raw collapsed stacks and a speedscope file are written to bench/results/.
"""

from __future__ import annotations

import argparse
import collections
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import gateway_bench as gb
import wsraw

LAYERS = [
    ("openclaw_gateway", "our code (openclaw_gateway)"),
    ("websockets/", "websockets"),
    ("asyncio/", "asyncio event loop / transports"),
    ("pydantic", "pydantic"),
    ("anyio/", "anyio"),
    ("orjson", "orjson"),
    ("logging/", "logging"),
]


def layer_of(frame: str) -> str:
    for needle, name in LAYERS:
        if needle in frame:
            return name
    return "other"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--conns", type=int, default=8)
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--rate", type=int, default=499, help="py-spy samples per second")
    ap.add_argument("--native", action="store_true", help="also sample C frames (py-spy --native)")
    ap.add_argument("--top", type=int, default=30)
    ap.add_argument("--out", type=Path, default=gb.BENCH_DIR / "results")
    args = ap.parse_args()
    pyspy = shutil.which("py-spy", path=str(gb.REPO / ".venv/bin")) or shutil.which("py-spy")
    if pyspy is None:
        sys.exit("py-spy not found: uv pip install --python .venv/bin/python py-spy")
    wsraw.raise_fd_limit()
    args.out.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    raw = args.out / f"profile-health-x{args.conns}-{stamp}.collapsed.txt"
    with tempfile.TemporaryDirectory(prefix="gwprof-") as tmp:
        target = gb.Ours(Path(tmp))
        t_spawn = target.start()
        try:
            import asyncio

            ready, _ = asyncio.run(gb.wait_ready(target.port, t_spawn, target.proc, 30, 0.01))  # type: ignore[arg-type]
            gb.log(f"ours ready in {ready:.3f}s (pid {target.proc.pid})")  # type: ignore[union-attr]
            spy_cmd = [
                pyspy,
                "record",
                "--pid",
                str(target.proc.pid),
                *([] if args.native else ["--nonblocking"]),  # --native needs a paused target
                "--rate",
                str(args.rate),
                "--duration",
                str(int(args.seconds + 2)),
                "--format",
                "raw",
                "--output",
                str(raw),
                *(["--native"] if args.native else []),
            ]
            result: dict[str, object] = {}

            def load() -> None:
                time.sleep(1.5)  # let py-spy attach
                result["h"] = gb.health_load(target, args.conns, 2, 0.5, args.seconds)

            th = threading.Thread(target=load)
            th.start()
            spy = subprocess.run(spy_cmd, capture_output=True, text=True)
            th.join()
            if spy.returncode != 0:
                sys.exit(f"py-spy failed: {spy.stderr[-2000:]}")
        finally:
            target.stop()
    h = result["h"]
    assert isinstance(h, dict)
    us_per_req = h["server_cpu_us_per_req"]
    gb.log(
        f"load: {h['req_per_s']:.0f} req/s, p50 {h['p50_ms']:.3f} ms, server CPU "
        f"{h['server_cpu_pct']:.0f}% = {us_per_req:.1f} µs/req (with py-spy attached)"
    )

    import re

    strip_line = re.compile(r":\d+\)$")
    func_self: collections.Counter[str] = collections.Counter()
    self_t: collections.Counter[str] = collections.Counter()
    incl_t: collections.Counter[str] = collections.Counter()
    layer_self: collections.Counter[str] = collections.Counter()
    idle = total = 0
    for line in raw.read_text().splitlines():
        stack, _, n = line.rpartition(" ")
        if not stack:
            continue
        count = int(n)
        frames = stack.split(";")
        leaf = frames[-1]
        # the event loop waiting in epoll is idle time, not work
        if (
            "select (selectors.py" in leaf
            or "poll (selectors.py" in leaf
            or leaf.startswith("epoll_wait (")
        ):
            idle += count
            continue
        total += count
        self_t[leaf] += count
        func_self[strip_line.sub(")", leaf)] += count
        for f in set(frames):
            incl_t[f] += count
        # attribute to the innermost frame that belongs to a known layer
        for f in reversed(frames):
            lay = layer_of(f)
            if lay != "other" or f is frames[0]:
                layer_self[lay] += count
                break
    busy = total or 1
    print(
        f"\nsamples: {total} busy + {idle} idle in epoll "
        f"({100 * total / max(1, total + idle):.0f}% busy)\n"
    )
    print("### where the busy time goes, by layer (self time of the innermost known frame)\n")
    print("| layer | share | µs/req |\n|---|---:|---:|")
    for lay, c in layer_self.most_common():
        print(f"| {lay} | {100 * c / busy:.1f}% | {us_per_req * c / busy:.1f} |")
    print(f"\n### top {args.top} functions by self time (all lines of a function together)\n")
    print("| function | self | µs/req |\n|---|---:|---:|")
    for f, c in func_self.most_common(args.top):
        print(f"| `{f}` | {100 * c / busy:.1f}% | {us_per_req * c / busy:.2f} |")
    print(f"\n### top {args.top} lines by self time\n")
    print("| function | self | µs/req |\n|---|---:|---:|")
    for f, c in self_t.most_common(args.top):
        print(f"| `{f}` | {100 * c / busy:.1f}% | {us_per_req * c / busy:.2f} |")
    print(f"\n### top {args.top} functions by inclusive time\n")
    print("| function | inclusive | µs/req |\n|---|---:|---:|")
    for f, c in incl_t.most_common(args.top):
        print(f"| `{f}` | {100 * c / busy:.1f}% | {us_per_req * c / busy:.2f} |")
    print(f"\nraw collapsed stacks: {raw}")
    os.sync()


if __name__ == "__main__":
    main()
