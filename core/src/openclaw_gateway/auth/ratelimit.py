"""Auth-failure rate limiting per remote address, loopback included.

The reference exempts loopback (it only slows each failure down), but any local process — a browser
page included — can then guess the token forever. We count failures for every address: after
``max_failures`` within ``window_ms`` the address is locked for ``lockout_ms``. While locked, *every*
credential check from that address is refused with ``AUTH_RATE_LIMITED`` and ``retryAfterMs``,
including a correct one: otherwise the lockout would still answer "right/wrong" to a guesser.
Memory is bounded: at most ``max_tracked`` addresses are remembered (oldest forgotten first).
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class _Record:
    failures: list[float] = field(default_factory=list)
    locked_until: float = 0.0


class AuthRateLimiter:
    def __init__(
        self,
        *,
        max_failures: int = 10,
        window_ms: int = 60_000,
        lockout_ms: int = 60_000,
        max_tracked: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_failures = max_failures
        self.window = window_ms / 1000
        self.lockout = lockout_ms / 1000
        self.max_tracked = max_tracked
        self._clock = clock
        self._records: OrderedDict[str, _Record] = OrderedDict()

    def retry_after_ms(self, address: str) -> int | None:
        """Milliseconds until ``address`` may try again, or None when it is not locked."""
        record = self._records.get(address)
        if record is None:
            return None
        remaining = record.locked_until - self._clock()
        return int(remaining * 1000) + 1 if remaining > 0 else None

    def record_failure(self, address: str) -> int | None:
        """Count a failure; returns the lockout in ms if this failure started one."""
        now = self._clock()
        record = self._records.pop(address, None) or _Record()
        self._records[address] = record
        while len(self._records) > self.max_tracked:
            self._records.popitem(last=False)
        record.failures = [t for t in record.failures if now - t < self.window]
        record.failures.append(now)
        if len(record.failures) >= self.max_failures:
            record.failures.clear()
            record.locked_until = now + self.lockout
            return int(self.lockout * 1000)
        return None

    def record_success(self, address: str) -> None:
        record = self._records.get(address)
        if record is not None and record.locked_until <= self._clock():
            del self._records[address]
