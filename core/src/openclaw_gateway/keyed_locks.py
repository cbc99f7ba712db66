"""One lock per key, forgotten when nobody holds or waits for it (bounded memory).

Used wherever work must run one at a time *per something* — a session's agent runs, one client's
auth attempts, the first start of a run id — while different keys proceed in parallel. anyio's
``Lock`` is fair (FIFO), so waiters are served in the order they arrived.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Hashable
from contextlib import asynccontextmanager
from typing import Generic, TypeVar

import anyio

K = TypeVar("K", bound=Hashable)


class KeyedLocks(Generic[K]):
    def __init__(self) -> None:
        self._locks: dict[K, tuple[anyio.Lock, int]] = {}  # key -> (lock, holders + waiters)

    @asynccontextmanager
    async def hold(self, key: K) -> AsyncIterator[None]:
        """Hold ``key``'s lock for the ``async with`` block."""
        lock, users = self._locks.get(key) or (anyio.Lock(), 0)
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[key]
            if users <= 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)

    def __len__(self) -> int:
        return len(self._locks)
