"""``openclaw-gateway doctor``: every check that tells an operator why the gateway would not start,
would not be reachable, or would refuse its clients — each problem with the exact fix.

Checks run offline first (config, plugins, secrets, state dir permissions, TLS, ports, runtime,
clock); when a gateway answers on the configured port they also ask it (health, channel
credential probes, clock skew against it). Nothing is changed: the fixes are printed.
"""

from __future__ import annotations

import os
import shutil
import socket
import stat
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

from .config import GatewayConfig

Status = Literal["ok", "warn", "error", "skip"]
SKEW_WARN_S = 30.0
SKEW_ERROR_S = 120.0  # device signatures carry a time checked to ±120 s
CERT_WARN_DAYS = 30


@dataclass(frozen=True)
class Check:
    id: str
    status: Status
    message: str
    fix: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}


# --- offline checks ------------------------------------------------------------------------------


def check_plugins(config: GatewayConfig) -> list[Check]:
    """Config sections validate, plugins load, the agent provider exists (what `run` checks)."""
    from .errors import ConfigError
    from .server.app import preflight

    try:
        plugins = preflight(config, load_entrypoints=True)
    except ConfigError as exc:
        return [
            Check(
                "config",
                "error",
                f"{path}: {message}",
                f"edit {config.config_file} (or the matching OPENCLAW_GATEWAY_* variable),"
                " then `openclaw-gateway config validate`",
            )
            for path, message in exc.problems
        ]
    checks = [Check("config", "ok", f"configuration is valid ({config.config_file})")]
    for row in sorted(plugins.report.rows(), key=lambda r: str(r["name"])):
        name, state, reason = row["name"], row["state"], row["reason"]
        if state == "failed":
            checks.append(
                Check(
                    f"plugin:{name}",
                    "error",
                    f"plugin {name} failed: {reason}",
                    f"reinstall it (`pip install -U {row['distribution'] or name}`) or disable it"
                    f" with `[plugins.{name}] enabled = false`",
                )
            )
        elif state == "loaded":
            checks.append(
                Check(
                    f"plugin:{name}",
                    "ok",
                    f"plugin {name} {row['version'] or ''} loaded".replace("  ", " "),
                )
            )
        else:
            checks.append(Check(f"plugin:{name}", "skip", f"plugin {name} is {state}: {reason}"))
    return checks


def check_secrets(config: GatewayConfig) -> list[Check]:
    from .secrets import SecretStore
    from .server.app import PASSWORD_SECRET, TOKEN_SECRET

    if config.auth_mode == "token" and config.token is not None:
        return [Check("secrets", "ok", "the gateway token comes from the config/environment")]
    store = SecretStore(config.state_dir, config.secrets_backend)
    name = TOKEN_SECRET if config.auth_mode == "token" else PASSWORD_SECRET
    try:
        value = store.get(name)
    except Exception as exc:  # a locked keyring, an unreadable file
        return [
            Check(
                "secrets",
                "error",
                f"the secret store cannot be read: {type(exc).__name__}: {exc}",
                'unlock the keyring, or use the file store: secrets_backend = "file"',
            )
        ]
    if value:
        return [Check("secrets", "ok", f"the gateway {config.auth_mode} is in the secret store")]
    if config.auth_mode == "password" and config.password is not None:
        return [Check("secrets", "ok", "the gateway password comes from the config/environment")]
    return [
        Check(
            "secrets",
            "warn",
            f"no gateway {config.auth_mode} stored yet",
            "`openclaw-gateway run` generates one at first start (`openclaw-gateway token` shows it)"
            if config.auth_mode == "token"
            else "`openclaw-gateway secrets set gateway.password` (or OPENCLAW_GATEWAY_PASSWORD)",
        )
    ]


def _private(path: Path, mode: int, what: str) -> Check | None:
    try:
        info = path.lstat()
    except FileNotFoundError:
        return None
    if stat.S_ISLNK(info.st_mode):
        return Check(
            f"perms:{path.name}",
            "warn",
            f"{what} {path} is a symlink",
            f"replace {path} with a real {what}",
        )
    problems = []
    if info.st_mode & 0o777 & ~mode:
        problems.append(f"mode {oct(info.st_mode & 0o777)} (should be {oct(mode)})")
    if hasattr(os, "getuid") and info.st_uid != os.getuid():
        problems.append(f"owned by uid {info.st_uid}, not you ({os.getuid()})")
    if not problems:
        return None
    fix = f"chmod {oct(mode)[2:]} {path}"
    if len(problems) > 1 or "owned" in problems[0]:
        fix = f"chown $USER {path} && {fix}"
    return Check(f"perms:{path.name}", "error", f"{what} {path}: {'; '.join(problems)}", fix)


def check_state_dir(config: GatewayConfig) -> list[Check]:
    from .state.db import PRIVATE_DIRS

    root = config.state_dir
    if not root.exists():
        return [
            Check("state_dir", "ok", f"{root} does not exist yet (created 0700 at first start)")
        ]
    found = [_private(root, 0o700, "state dir")]
    found += [_private(root / name, 0o700, "directory") for name in (*PRIVATE_DIRS, "tls")]
    secrets_dir = root / "secrets"
    if secrets_dir.is_dir():
        found += [_private(path, 0o600, "secret file") for path in sorted(secrets_dir.iterdir())]
    found.append(_private(root / "state.db", 0o600, "database"))
    found.append(_private(root / "tls" / "gateway-key.pem", 0o600, "TLS key"))
    problems = [c for c in found if c is not None]
    if not problems and not os.access(root, os.W_OK):
        problems.append(
            Check("state_dir", "error", f"{root} is not writable", f"chown $USER {root}")
        )
    return problems or [Check("state_dir", "ok", f"{root} is private (0700, files 0600)")]


def check_tls(config: GatewayConfig) -> list[Check]:
    if not config.tls.enabled:
        return [Check("tls", "skip", "TLS is off (fine on loopback; see docs/remote.md)")]
    import ssl

    from .net.tls import load_material, tls_paths

    try:
        material = load_material(config, create=False)
    except FileNotFoundError:
        return [
            Check(
                "tls",
                "ok",
                f"a self-signed certificate will be generated at {tls_paths(config)[0]}",
            )
        ]
    except (OSError, ssl.SSLError, ValueError) as exc:
        return [
            Check(
                "tls",
                "error",
                f"the TLS certificate/key do not load: {exc}",
                "fix tls.cert / tls.key (a PEM chain and its key)",
            )
        ]
    from cryptography import x509

    cert = x509.load_pem_x509_certificate(material.cert.read_bytes())
    days = (cert.not_valid_after_utc.timestamp() - time.time()) / 86400
    if days < 0:
        return [
            Check(
                "tls",
                "error",
                f"the TLS certificate expired {-days:.0f} days ago",
                "renew it (or delete the generated pair to get a new one; re-pin clients)",
            )
        ]
    if days < CERT_WARN_DAYS:
        return [
            Check(
                "tls",
                "warn",
                f"the TLS certificate expires in {days:.0f} days",
                "renew it before then",
            )
        ]
    return [
        Check(
            "tls",
            "ok",
            f"TLS certificate valid for {days:.0f} more days; sha256 {material.fingerprint}",
        )
    ]


def _port_free(host: str, port: int) -> OSError | None:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as sock:
        try:
            sock.bind((host, port))
        except OSError as exc:
            return exc
    return None


def running_pid(config: GatewayConfig) -> int | None:
    from .server.app import PID_FILE

    try:
        pid = int((config.state_dir / PID_FILE).read_text().strip())
        os.kill(pid, 0)
    except (OSError, ValueError):
        return None
    return pid


def check_ports(config: GatewayConfig, pid: int | None) -> list[Check]:
    checks = []
    for what, port in (("port", config.port), ("http_port", config.http_listen_port)):
        if port == 0:
            continue
        error = _port_free(config.host, port)
        if error is None:
            checks.append(Check(f"port:{what}", "ok", f"{config.host}:{port} ({what}) is free"))
        elif pid is not None:
            checks.append(
                Check(
                    f"port:{what}",
                    "ok",
                    f"{config.host}:{port} ({what}) is held by the running gateway (pid {pid})",
                )
            )
        else:
            checks.append(
                Check(
                    f"port:{what}",
                    "error",
                    f"{config.host}:{port} ({what}) is taken by another process: {error.strerror}",
                    f"find it with `ss -ltnp 'sport = :{port}'`, or set `{what} = <free port>`",
                )
            )
    return checks


def check_runtime() -> list[Check]:
    """What runs the gateway: this Python, and no Node.js (the reference needs Node 24)."""
    node = shutil.which("node")
    return [
        Check(
            "runtime",
            "ok",
            f"Python {sys.version.split()[0]} ({sys.executable}); Node.js is not needed"
            + (f" ({node} is present, unused)" if node else ""),
        )
    ]


def check_clock(
    run: Callable[[list[str]], subprocess.CompletedProcess[str]] | None = None,
) -> list[Check]:
    """Is the system clock synchronised (device signatures are checked to ±120 s)?"""
    if run is None and shutil.which("timedatectl") is None:
        return [
            Check(
                "clock",
                "skip",
                "no timedatectl here: cannot tell whether the clock is synchronised",
            )
        ]
    runner = run or (
        lambda argv: subprocess.run(argv, capture_output=True, text=True, timeout=5, check=False)
    )
    result = runner(["timedatectl", "show", "-p", "NTPSynchronized", "--value"])
    if result.returncode != 0:
        return [
            Check("clock", "skip", "timedatectl could not say whether the clock is synchronised")
        ]
    if result.stdout.strip() == "yes":
        return [Check("clock", "ok", "the system clock is NTP-synchronised")]
    return [
        Check(
            "clock",
            "warn",
            "the system clock is not NTP-synchronised: device signatures more than 120 s off are refused",
            "sudo timedatectl set-ntp true",
        )
    ]


def offline_checks(config: GatewayConfig) -> list[Check]:
    pid = running_pid(config)
    return [
        *check_plugins(config),
        *check_secrets(config),
        *check_state_dir(config),
        *check_tls(config),
        *check_ports(config, pid),
        *check_runtime(),
        *check_clock(),
    ]


# --- checks against the running gateway --------------------------------------------------------


async def online_checks(url: str, client_options: dict[str, Any], timeout: float) -> list[Check]:
    """Health, clock skew and each channel account's credential probe, from the live gateway."""
    import anyio

    from .client import ClientError, GatewayClient

    try:
        with anyio.fail_after(timeout):
            async with GatewayClient(
                url, **client_options, client_id="cli", client_mode="cli", request_timeout=timeout
            ) as gw:
                sent = time.time()
                health = await gw.call("health")
                rtt = time.time() - sent
                channels = await gw.call("channels.status", {"probe": True})
    except (ClientError, TimeoutError, OSError) as exc:
        return [
            Check(
                "gateway",
                "skip",
                f"no running gateway answered at {url} ({exc}); live checks skipped",
            )
        ]
    checks = [
        Check(
            "gateway",
            "ok" if health.get("ok") else "warn",
            f"the gateway at {url} answers health (ok={health.get('ok')})",
        )
    ]
    skew = abs(health.get("ts", 0) / 1000 - (sent + rtt / 2))
    if skew > SKEW_ERROR_S:
        checks.append(
            Check(
                "clock_skew",
                "error",
                f"this machine and the gateway disagree by {skew:.0f} s: device signatures will be refused",
                "synchronise both clocks (timedatectl set-ntp true)",
            )
        )
    elif skew > SKEW_WARN_S:
        checks.append(
            Check(
                "clock_skew",
                "warn",
                f"this machine and the gateway disagree by {skew:.0f} s",
                "synchronise both clocks (timedatectl set-ntp true)",
            )
        )
    else:
        checks.append(Check("clock_skew", "ok", f"clock skew against the gateway: {skew:.1f} s"))
    for channel, info in sorted((channels.get("channels") or {}).items()):
        for account_id, account in sorted((info.get("accounts") or {}).items()):
            checks.append(_account_check(channel, account_id, account))
    return checks


def _account_check(channel: str, account_id: str, account: dict[str, Any]) -> Check:
    name = f"{channel}/{account_id}"
    probe = account.get("probe") or {}
    fix = (
        f"check its credentials (`openclaw-gateway secrets set {channel}.{account_id}`), then"
        " `openclaw-gateway channels status --probe`"
    )
    if probe.get("ok") is False:
        return Check(
            f"channel:{name}",
            "error",
            f"{name}: the credential probe failed: {probe.get('error')}",
            fix,
        )
    if probe.get("ok"):
        return Check(f"channel:{name}", "ok", f"{name}: credentials accepted")
    state = account.get("state")
    detail = account.get("lastError") or account.get("detail") or ""
    if state == "auth-failed":
        return Check(f"channel:{name}", "error", f"{name}: credentials refused: {detail}", fix)
    return Check(
        f"channel:{name}",
        "warn",
        f"{name} is {state} and could not be probed {detail}".rstrip(),
        fix,
    )
