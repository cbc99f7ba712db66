"""A total cap on the bytes queued for slow readers, across every socket.

Each socket is already capped (``max_buffered_bytes``, 50 MiB), but twenty stalled sockets under
that cap still held 1.36 GB. Sockets whose unsent bytes pass :data:`LAGGARD_BYTES` are tracked
as *laggards*; when the laggards together hold more than the budget
(``max_total_buffered_bytes``), the worst are shed first — closed as slow consumers — until the
rest fit. Only laggards are summed, and only when one of them is written to, so a healthy socket's
event costs nothing extra.
"""

from __future__ import annotations

from typing import Protocol

LAGGARD_BYTES = 256 * 1024
"""A socket with this much unsent is behind (a healthy one drains within a few ms)."""


class Laggard(Protocol):
    """What the budget needs of a socket (``server.connection.Connection`` is one)."""

    def buffered(self) -> int:
        """Bytes queued for the peer and not yet taken by the kernel."""
        ...

    def shed(self) -> None:
        """Close it as a slow consumer."""
        ...


class BufferBudget:
    def __init__(self, total: int) -> None:
        self.total = total
        self.laggards: set[Laggard] = set()

    def note(self, conn: Laggard, buffered: int) -> None:
        """``conn`` now has ``buffered`` bytes unsent (called when that is past the mark)."""
        if buffered < LAGGARD_BYTES:
            self.laggards.discard(conn)
            return
        self.laggards.add(conn)
        sizes = {c: c.buffered() for c in self.laggards}
        used = sum(sizes.values())
        while used > self.total and sizes:
            worst = max(sizes, key=sizes.__getitem__)
            used -= sizes.pop(worst)
            self.laggards.discard(worst)
            worst.shed()

    def forget(self, conn: Laggard) -> None:
        self.laggards.discard(conn)

    def used(self) -> int:
        """Bytes the laggards hold now."""
        return sum(c.buffered() for c in self.laggards)
