"""The live state of one channel account, as ``channels.status`` and ``health`` show it."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import anyio

from ..clock import now_ms
from .adapter import ChannelAdapter


@dataclass
class AccountState:
    channel: str
    account: str
    state: str = "starting"
    detail: str | None = None
    since_ms: int = field(default_factory=now_ms)
    restarts: int = 0
    last_error: str | None = None
    counters: Counter[str] = field(default_factory=Counter)
    adapter: ChannelAdapter | None = None
    runner: anyio.CancelScope | None = None
    """The account's supervising run (adapter and restart backoff); None when stopped."""
    stopped: anyio.Event = field(default_factory=anyio.Event)
    stop_detail: str | None = None
    changed: anyio.Event = field(default_factory=anyio.Event)
    """Set (and replaced) at every state change: what waiting for one awaits."""

    def set(self, state: str, detail: str | None = None) -> None:
        if (state, detail) != (self.state, self.detail):
            self.state, self.detail, self.since_ms = state, detail, now_ms()
            self.changed.set()
            self.changed = anyio.Event()

    def count(self, reason: str) -> None:
        self.counters[reason] += 1

    def to_wire(self) -> dict[str, Any]:
        return {
            "accountId": self.account,
            "state": self.state,
            "detail": self.detail,
            "sinceMs": self.since_ms,
            "restarts": self.restarts,
            "lastError": self.last_error,
            "counters": dict(self.counters),
        }
