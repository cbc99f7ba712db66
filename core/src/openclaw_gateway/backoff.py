"""One retry policy for every loop that waits after a failure: ``first`` seconds, doubling per
consecutive failure, at most ``cap``; optionally jittered (0.5x to 1.5x) so many restarting clients
spread out. A run that lasted ``stable_after`` seconds counts as a success (the next failure starts
from ``first`` again)."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Backoff:
    first: float = 1.0
    cap: float = 60.0
    stable_after: float = 30.0
    jitter: bool = False

    def delay(self, failures: int, rand: Callable[[], float] = random.random) -> float:
        """The wait after the ``failures``-th consecutive failure (1 = the first)."""
        base = float(min(self.cap, self.first * 2 ** max(0, failures - 1)))
        return base * (0.5 + rand()) if self.jitter else base
