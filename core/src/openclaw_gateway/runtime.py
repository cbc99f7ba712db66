"""The two callables the running gateway hands its collaborators instead of itself: ``Spawn``
(background work, through :class:`Spawner`, into the gateway's task group once it runs) and
``Broadcast`` (an event to every socket allowed to see it).

The parts that start background work (runs, channel replies, socket closes) get a ``Spawn``
callable at construction, before the task group exists; the composition root attaches the group
when the server starts. Anything spawned after shutdown is cancelled with the group.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

Spawn = Callable[[Callable[[], Awaitable[Any]]], None]
"""Run ``fn()`` in the background: what every collaborator is given instead of the gateway."""

Broadcast = Callable[[str, Any], int]
"""Send a registered event to every socket allowed to see it (``ConnectionHub.broadcast``);
returns how many sockets it was queued to."""


class Spawner:
    def __init__(self) -> None:
        self._start: Spawn | None = None

    def attach(self, start: Spawn) -> None:
        """Route spawned work to ``start`` (the task group's ``start_soon``)."""
        self._start = start

    @property
    def running(self) -> bool:
        return self._start is not None

    def __call__(self, fn: Callable[[], Awaitable[Any]]) -> None:
        if self._start is None:
            raise RuntimeError("gateway is not running")
        self._start(fn)
