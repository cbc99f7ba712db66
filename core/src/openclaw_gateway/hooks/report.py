"""The per-plugin report: what each plugin is, what state it is in and why, what it registered.

One :class:`PluginReport` is built while plugins load (``manager.py``) and updated by the service
supervisor; ``health``/``status`` show :meth:`PluginReport.health` and ``openclaw-gateway plugins
list`` prints :meth:`PluginReport.rows`. Kept apart from the manager so the CLI and the supervisor
depend on plain data, not on pluggy.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Literal

State = Literal["loaded", "idle", "disabled", "failed"]
ServiceState = Literal["starting", "running", "backoff", "stopped"]


@dataclass
class ServiceStatus:
    """The live state of one supervised service (mutated by ``supervisor.py``)."""

    name: str
    state: ServiceState = "starting"
    restarts: int = 0
    failures: int = 0
    """Consecutive crashes since the last run that lasted ``stable_after`` seconds."""
    last_error: str | None = None
    next_retry_s: float | None = None
    run_started: float = 0.0
    stable_after: float = 30.0

    @property
    def healthy(self) -> bool:
        if self.state == "backoff":
            return False
        if self.failures and self.state == "running":
            return time.monotonic() - self.run_started >= self.stable_after
        return True

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "state": self.state,
            "restarts": self.restarts,
            "lastError": self.last_error,
            "nextRetryS": self.next_retry_s,
        }


@dataclass
class PluginInfo:
    """One plugin as the operator sees it."""

    name: str
    distribution: str | None = None
    version: str | None = None
    state: State = "loaded"
    reason: str = ""
    registered: dict[str, list[str]] = field(default_factory=dict)
    services: dict[str, ServiceStatus] = field(default_factory=dict)

    def fail(self, reason: str) -> None:
        self.state, self.reason, self.registered = "failed", reason, {}

    @property
    def effective_state(self) -> State:
        """``failed`` also while one of its services is crash-looping."""
        if self.state == "loaded" and not all(s.healthy for s in self.services.values()):
            return "failed"
        return self.state

    @property
    def effective_reason(self) -> str:
        if self.state == "loaded":
            for svc in self.services.values():
                if not svc.healthy:
                    return (
                        f"service {svc.name!r} crashed: {svc.last_error}"
                        f" (restarted {svc.restarts} times)"
                    )
        return self.reason

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "distribution": self.distribution,
            "version": self.version,
            "state": self.effective_state,
            "reason": self.effective_reason,
            "registered": self.registered,
            "services": [s.to_dict() for s in self.services.values()],
        }


@dataclass
class PluginReport:
    """Every third-party plugin (built-ins are the core and are not listed), plus configured or
    allowlisted names that match no installed plugin, and the HTTP listener's address."""

    plugins: dict[str, PluginInfo] = field(default_factory=dict)
    missing: dict[str, str] = field(default_factory=dict)
    """Name → why it is unavailable (configured or allowlisted, but not installed/loaded)."""
    http: dict[str, Any] | None = None

    def add(self, info: PluginInfo) -> PluginInfo:
        self.plugins[info.name] = info
        return info

    def rows(self) -> list[dict[str, Any]]:
        return [info.to_dict() for info in self.plugins.values()]

    def health(self) -> dict[str, Any]:
        """The reference's ``plugins`` shape (``loaded``/``errors``/``unavailable``), plus
        ``details`` (one row per plugin) and ``http`` when the HTTP listener runs."""
        rows = self.rows()
        report: dict[str, Any] = {
            "loaded": [r["name"] for r in rows if r["state"] == "loaded"],
            "errors": [
                {"plugin": r["name"], "error": r["reason"]} for r in rows if r["state"] == "failed"
            ],
            "unavailable": [
                {"plugin": r["name"], "state": r["state"], "reason": r["reason"]}
                for r in rows
                if r["state"] in ("idle", "disabled")
            ]
            + [{"plugin": n, "state": "missing", "reason": why} for n, why in self.missing.items()],
            "details": rows,
        }
        if self.http is not None:
            report["http"] = self.http
        return report
