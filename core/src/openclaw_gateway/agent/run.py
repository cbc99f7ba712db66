"""One agent run: its state while it executes, and its shapes on the wire (``agent.wait``, the
final ``agent`` response). :class:`~.runs.RunManager` queues and executes runs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import anyio

from ..clock import now_ms
from ..state import sessions as store
from .sessions import DEFAULT_AGENT


@dataclass
class Run:
    run_id: str
    session_key: str
    kind: str
    session_id: str = ""
    agent_id: str = DEFAULT_AGENT
    status: str = "queued"  # queued | running | ok | error | aborted
    accepted_at_ms: int = field(default_factory=now_ms)
    started_at_ms: int | None = None
    ended_at_ms: int | None = None
    text: str = ""
    error: str | None = None
    stop_reason: str | None = None
    seq: int = 0
    done: anyio.Event = field(default_factory=anyio.Event)
    cancel: anyio.CancelScope | None = None
    abort_requested: bool = False
    provider: str | None = None
    model: str | None = None
    turn: int | None = None
    """The id of this run's user message: the transcript position it answers."""
    listeners: list[Callable[[str], None]] = field(default_factory=list)
    """Called with each piece of assistant text as it streams (``GatewayAPI.ask_agent``)."""

    @property
    def active(self) -> bool:
        return self.status in ("queued", "running")

    @property
    def summary(self) -> str:
        if self.status == "ok":
            return "completed"
        if self.status == "aborted":
            return "aborted"
        return self.error or "failed"

    def wait_result(self) -> dict[str, Any]:
        out: dict[str, Any] = {"runId": self.run_id, "status": self.status}
        if self.started_at_ms is not None:
            out["startedAt"] = self.started_at_ms
        if self.ended_at_ms is not None:
            out["endedAt"] = self.ended_at_ms
        if self.error:
            out["error"] = self.error
        return out

    def final_payload(self) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "runId": self.run_id,
            "status": self.status,
            "summary": self.summary,
        }
        if self.status == "ok":
            payload["result"] = {
                "payloads": [{"text": self.text, "mediaUrl": None}],
                "meta": {
                    "durationMs": (self.ended_at_ms or 0) - (self.started_at_ms or 0),
                    "agentMeta": {
                        "sessionId": self.session_id,
                        "provider": self.provider,
                        "model": self.model,
                    },
                },
            }
        return payload

    @classmethod
    def from_record(cls, record: store.RunRecord) -> Run:
        run = cls(record.run_id, record.session_key, record.kind)
        run.status = record.status
        run.error = record.error if record.status != "ok" else None
        if record.status == "error" and record.summary:
            run.error = record.summary
        run.text = record.text or ""
        run.started_at_ms = record.started_at_ms
        run.ended_at_ms = record.ended_at_ms
        run.done.set()
        return run
