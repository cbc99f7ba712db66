"""The service definitions, rendered from where the gateway is installed and its state dir.

systemd (user unit):

* ``Type=exec``: started means the process exists; ``openclaw-gateway run`` listens within a
  fraction of a second and ``Restart=on-failure`` brings it back after a crash (not after
  ``systemctl --user stop``, and not after a config error: exit 2 is ``RestartPreventExitStatus``
  — restarting cannot fix a typo, and the journal says what to change).
* ``ExecReload`` sends SIGHUP: the gateway re-reads its stored token/password (``token --rotate``).
* SIGTERM starts the graceful shutdown: replies in flight get ``shutdown_grace_ms`` (15 s) to
  finish, then sockets close with 1012. ``TimeoutStopSec`` leaves room for that.
* Hardening that works in a user manager without user namespaces (so it cannot fail with
  226/NAMESPACE on hosts that disable them): no new privileges, no SUID/SGID, no realtime,
  native syscalls only, a 0077 umask, no personality changes.

launchd (agent plist): ``RunAtLoad``, ``KeepAlive`` unless it exited cleanly, the same command,
stdout/stderr to ``~/Library/Logs/openclaw-gateway.log``, ``ExitTimeOut`` as the stop timeout.
"""

from __future__ import annotations

import plistlib
import shlex
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_NAME = "openclaw-gateway"
STOP_TIMEOUT_S = 30
"""Graceful stop budget: the 15 s reply grace plus closing sockets, with room to spare."""
CONFIG_ERROR_EXIT = 2


@dataclass(frozen=True)
class ServiceSpec:
    """What to run: ``argv`` (the interpreter and ``-m openclaw_gateway.cli.main run …``)."""

    name: str
    argv: tuple[str, ...]
    state_dir: Path
    environment: dict[str, str] = field(default_factory=dict)
    description: str = "openclaw-gateway: one WebSocket control plane for messaging and devices"


def gateway_argv(python: str, state_dir: Path) -> tuple[str, ...]:
    return (python, "-m", "openclaw_gateway.cli.main", "run", "--state-dir", str(state_dir))


def _systemd_quote(arg: str) -> str:
    # systemd splits ExecStart like a shell (quotes, backslashes); `%` and `$` are specifiers.
    escaped = arg.replace("%", "%%").replace("$", "$$")
    return (
        escaped if escaped and not any(c in escaped for c in " \t\"'\\;") else shlex.quote(escaped)
    )


def systemd_unit(spec: ServiceSpec) -> str:
    env = "".join(
        f"Environment={_systemd_quote(f'{key}={value}')}\n"
        for key, value in sorted({"PYTHONUNBUFFERED": "1", **spec.environment}.items())
    )
    return (
        "[Unit]\n"
        f"Description={spec.description}\n"
        "After=network-online.target\n"
        "Wants=network-online.target\n"
        "StartLimitIntervalSec=300\n"
        "StartLimitBurst=10\n"
        "\n"
        "[Service]\n"
        "Type=exec\n"
        f"ExecStart={' '.join(_systemd_quote(a) for a in spec.argv)}\n"
        "ExecReload=/bin/kill -HUP $MAINPID\n"
        "Restart=on-failure\n"
        "RestartSec=2\n"
        f"RestartPreventExitStatus={CONFIG_ERROR_EXIT}\n"
        "KillSignal=SIGTERM\n"
        "KillMode=mixed\n"
        f"TimeoutStopSec={STOP_TIMEOUT_S}\n"
        f"{env}"
        "UMask=0077\n"
        "NoNewPrivileges=yes\n"
        "LockPersonality=yes\n"
        "RestrictRealtime=yes\n"
        "RestrictSUIDSGID=yes\n"
        "SystemCallArchitectures=native\n"
        "LimitNOFILE=65536\n"
        "\n"
        "[Install]\n"
        "WantedBy=default.target\n"
    )


def launchd_label(name: str) -> str:
    return f"dev.{name}"


def launchd_plist(spec: ServiceSpec, log_file: Path) -> bytes:
    return plistlib.dumps(
        {
            "Label": launchd_label(spec.name),
            "ProgramArguments": list(spec.argv),
            "RunAtLoad": True,
            "KeepAlive": {"SuccessfulExit": False},
            "ThrottleInterval": 2,
            "ExitTimeOut": STOP_TIMEOUT_S,
            "ProcessType": "Interactive",
            "Umask": 0o077,
            "EnvironmentVariables": {"PYTHONUNBUFFERED": "1", **spec.environment},
            "StandardOutPath": str(log_file),
            "StandardErrorPath": str(log_file),
        },
        sort_keys=True,
    )
