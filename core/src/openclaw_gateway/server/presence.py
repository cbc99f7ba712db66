"""Presence: who is here (the gateway itself, UI clients, nodes) and queued system events.

Bounded: at most ``max_entries`` entries (oldest non-self first out) and ``max_events`` queued
system-event texts, so a chatty client cannot grow the gateway's memory.
"""

from __future__ import annotations

import os
import platform
import socket
import uuid
from collections import OrderedDict, deque
from typing import Any

from .. import __version__
from ..clock import now_ms


class PresenceBoard:
    def __init__(self, *, max_entries: int = 200, max_events: int = 100) -> None:
        self.max_entries = max_entries
        self.version = 1
        self._entries: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self.system_events: deque[str] = deque(maxlen=max_events)
        host = socket.gethostname()
        self._self_key = "gateway:" + str(uuid.uuid4())
        self._entries[self._self_key] = {
            "host": host,
            "version": __version__,
            "platform": f"{platform.system().lower()} {platform.release()}",
            "deviceFamily": platform.system(),
            "mode": "gateway",
            "reason": "self",
            "instanceId": self._self_key.split(":", 1)[1],
            "text": f"Gateway: {host} · app {__version__} · mode gateway · reason self",
            "ts": now_ms(),
            "pid": os.getpid(),
        }

    def entries(self) -> list[dict[str, Any]]:
        return list(self._entries.values())

    def upsert(self, key: str, entry: dict[str, Any]) -> None:
        self._entries.pop(key, None)
        self._entries[key] = entry
        self._trim()
        self.version += 1

    def add_text(self, text: str) -> None:
        self.system_events.append(text)
        self.upsert("event:" + str(uuid.uuid4()), {"text": text, "ts": now_ms()})

    def _trim(self) -> None:
        while len(self._entries) > self.max_entries:
            for key in self._entries:
                if key != self._self_key:
                    del self._entries[key]
                    break
