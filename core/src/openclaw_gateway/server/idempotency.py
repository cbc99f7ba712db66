"""The idempotency cache: a repeat of a side-effecting request returns the first result.

Bounded (``max_entries``, oldest evicted) with a TTL (5 minutes, as the reference), keyed by
method and ``idempotencyKey``. Only completed requests are stored; a request that failed
validation never reaches the cache, so the same error simply repeats.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class CachedOutcome:
    ok: bool
    payload: Any
    error: dict[str, Any] | None


class IdempotencyCache:
    def __init__(
        self,
        *,
        max_entries: int = 1000,
        ttl_ms: int = 300_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_entries = max_entries
        self.ttl = ttl_ms / 1000
        self._clock = clock
        self._items: OrderedDict[tuple[str, str], tuple[float, CachedOutcome]] = OrderedDict()

    def get(self, method: str, key: str) -> CachedOutcome | None:
        item = self._items.get((method, key))
        if item is None:
            return None
        stored_at, outcome = item
        if self._clock() - stored_at > self.ttl:
            del self._items[(method, key)]
            return None
        return outcome

    def put(self, method: str, key: str, outcome: CachedOutcome) -> None:
        self._items.pop((method, key), None)
        self._items[(method, key)] = (self._clock(), outcome)
        while len(self._items) > self.max_entries:
            self._items.popitem(last=False)

    def __len__(self) -> int:
        return len(self._items)
