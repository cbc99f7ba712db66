"""Install, remove, inspect and read the logs of the gateway service (systemd user manager on
Linux, launchd on macOS), by running the supervisor's own tools (``systemctl --user``,
``journalctl --user``, ``launchctl``) — never by poking at their state directly.

Where the supervisor is not reachable (a container without a user manager, an SSH session without
lingering), ``install`` still writes the unit and says exactly which command to run next.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from .units import ServiceSpec, launchd_label, launchd_plist, systemd_unit


@dataclass
class Outcome:
    """What a command did, and what the operator still has to do (``todo``: exact commands)."""

    path: Path
    done: list[str] = field(default_factory=list)
    todo: list[str] = field(default_factory=list)


def _unit_info(kind: str, path: Path) -> dict[str, Any]:
    return {"supervisor": kind, "unit": str(path), "installed": path.exists()}


def _run(argv: Sequence[str]) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(list(argv), capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return subprocess.CompletedProcess(list(argv), 127, "", str(exc))


class Supervisor(Protocol):
    kind: str

    def path(self, name: str) -> Path: ...
    def install(self, spec: ServiceSpec, *, start: bool) -> Outcome: ...
    def uninstall(self, name: str) -> Outcome: ...
    def status(self, name: str) -> dict[str, Any]: ...
    def logs_argv(self, name: str, *, follow: bool, lines: int) -> list[str]: ...


class SystemdUser:
    kind = "systemd"

    def __init__(self, environ: dict[str, str] | None = None) -> None:
        self.environ = environ if environ is not None else dict(os.environ)

    def unit_dir(self) -> Path:
        config = self.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
        return Path(config) / "systemd" / "user"

    def path(self, name: str) -> Path:
        return self.unit_dir() / f"{name}.service"

    def _systemctl(self, *args: str) -> subprocess.CompletedProcess[str]:
        return _run(["systemctl", "--user", *args])

    def install(self, spec: ServiceSpec, *, start: bool) -> Outcome:
        path = self.path(spec.name)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(systemd_unit(spec))
        outcome = Outcome(path, done=[f"wrote {path}"])
        unit = path.name
        steps = [("daemon-reload",), ("enable", *(("--now",) if start else ()), unit)]
        for step in steps:
            result = self._systemctl(*step)
            command = "systemctl --user " + " ".join(step)
            if result.returncode != 0:
                reason = (result.stderr or result.stdout).strip().splitlines()
                outcome.todo.append(
                    f"{command}   # failed here: {reason[-1] if reason else result.returncode}"
                )
                outcome.todo.append(
                    "loginctl enable-linger $USER   # keeps the user manager (and the gateway)"
                    " running after you log out"
                )
                return outcome
            outcome.done.append(command)
        return outcome

    def uninstall(self, name: str) -> Outcome:
        path = self.path(name)
        outcome = Outcome(path)
        if self._systemctl("disable", "--now", path.name).returncode == 0:
            outcome.done.append(f"systemctl --user disable --now {path.name}")
        if path.exists():
            path.unlink()
            outcome.done.append(f"removed {path}")
        self._systemctl("daemon-reload")
        return outcome

    def status(self, name: str) -> dict[str, Any]:
        info = _unit_info(self.kind, self.path(name))
        result = self._systemctl(
            "show",
            self.path(name).name,
            "--property=LoadState,ActiveState,SubState,MainPID,NRestarts,UnitFileState",
        )
        if result.returncode != 0:
            info["error"] = (result.stderr or result.stdout).strip() or "systemctl failed"
            return info
        for line in result.stdout.splitlines():
            key, _, value = line.partition("=")
            if key:
                info[key[:1].lower() + key[1:]] = int(value) if value.isdigit() else value
        return info

    def logs_argv(self, name: str, *, follow: bool, lines: int) -> list[str]:
        argv = ["journalctl", "--user", "-u", f"{name}.service", "-n", str(lines), "--no-pager"]
        return [*argv, "-f"] if follow else argv


class LaunchdAgent:
    kind = "launchd"

    def __init__(self, home: Path | None = None) -> None:
        self.home = home or Path.home()

    def path(self, name: str) -> Path:
        return self.home / "Library" / "LaunchAgents" / f"{launchd_label(name)}.plist"

    def log_file(self, name: str) -> Path:
        return self.home / "Library" / "Logs" / f"{name}.log"

    def _domain(self) -> str:
        return f"gui/{os.getuid()}"

    def install(self, spec: ServiceSpec, *, start: bool) -> Outcome:
        path = self.path(spec.name)
        path.parent.mkdir(parents=True, exist_ok=True)
        self.log_file(spec.name).parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(launchd_plist(spec, self.log_file(spec.name)))
        outcome = Outcome(path, done=[f"wrote {path}"])
        if start:
            command = ["launchctl", "bootstrap", self._domain(), str(path)]
            result = _run(command)
            if result.returncode == 0:
                outcome.done.append(" ".join(command))
            else:
                outcome.todo.append(
                    " ".join(command) + f"   # failed here: {result.stderr.strip()}"
                )
        return outcome

    def uninstall(self, name: str) -> Outcome:
        path = self.path(name)
        outcome = Outcome(path)
        if (
            _run(["launchctl", "bootout", f"{self._domain()}/{launchd_label(name)}"]).returncode
            == 0
        ):
            outcome.done.append(f"launchctl bootout {self._domain()}/{launchd_label(name)}")
        if path.exists():
            path.unlink()
            outcome.done.append(f"removed {path}")
        return outcome

    def status(self, name: str) -> dict[str, Any]:
        info = _unit_info(self.kind, self.path(name))
        result = _run(["launchctl", "print", f"{self._domain()}/{launchd_label(name)}"])
        info["activeState"] = "active" if result.returncode == 0 else "inactive"
        for line in result.stdout.splitlines():
            key, _, value = line.strip().partition(" = ")
            if key in ("state", "pid", "last exit code"):
                info[key.replace(" ", "_")] = value
        return info

    def logs_argv(self, name: str, *, follow: bool, lines: int) -> list[str]:
        return ["tail", "-n", str(lines), *(["-F"] if follow else []), str(self.log_file(name))]


def supervisor_for(platform: str | None = None) -> Supervisor:
    """launchd on macOS, the systemd user manager elsewhere (LookupError without systemctl)."""
    platform = platform or sys.platform
    if platform == "darwin":
        return LaunchdAgent()
    if shutil.which("systemctl") is None:
        raise LookupError(
            "no service manager found: systemctl is not installed (run `openclaw-gateway run`"
            " under your own supervisor; docs/service.md)"
        )
    return SystemdUser()
