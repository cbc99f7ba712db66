"""Request counters and latency histograms, kept by the dispatcher for ``/metrics``.

Plain dicts and a bisect per request (well under a microsecond): the Prometheus exposition (the
``metrics`` plugin, through ``GatewayAPI.metrics()``) reads them only when scraped, so a gateway
nobody scrapes pays nothing else and ``prometheus_client`` is never imported. Labels are bounded:
a method name that is not registered is counted as ``unknown`` (a client cannot grow the label
set).
"""

from __future__ import annotations

import time
from bisect import bisect_left
from collections import Counter
from typing import NamedTuple

import anyio

LATENCY_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0)
"""Upper bounds in seconds (plus +Inf): most methods answer in well under a millisecond."""


class Histogram:
    """Bucket counts (not cumulative; the last is +Inf), their sum and count."""

    __slots__ = ("buckets", "count", "total")

    def __init__(
        self, buckets: list[int] | None = None, total: float = 0.0, count: int = 0
    ) -> None:
        self.buckets = buckets if buckets is not None else [0] * (len(LATENCY_BUCKETS) + 1)
        self.total = total
        self.count = count

    def observe(self, seconds: float) -> None:
        self.buckets[bisect_left(LATENCY_BUCKETS, seconds)] += 1
        self.total += seconds
        self.count += 1


class RequestStats:
    """``requests[(method, outcome)]`` and a latency histogram per method."""

    # Plain classes, not dataclasses: this module loads at every start, and generating a
    # dataclass's methods costs ~0.5 ms each.
    def __init__(self) -> None:
        self.requests: Counter[tuple[str, str]] = Counter()
        self.latency: dict[str, Histogram] = {}
        self.connections_opened: Counter[str] = Counter()  # by role
        self.handshakes_refused = 0
        self.loop_lag = 0.0  # seconds the last timer woke late
        self.loop_lag_max = 0.0  # the worst since start

    def observe(self, method: str, outcome: str, seconds: float) -> None:
        self.requests[(method, outcome)] += 1
        histogram = self.latency.get(method)
        if histogram is None:
            histogram = self.latency[method] = Histogram()
        histogram.observe(seconds)


LAG_INTERVAL = 1.0


async def watch_loop_lag(stats: RequestStats, interval: float = LAG_INTERVAL) -> None:
    """How late a timer fires is how long something blocked the event loop (one wake-up a
    second; the core's ``loop-lag`` service)."""
    while True:
        started = time.perf_counter()
        await anyio.sleep(interval)
        lag = max(0.0, time.perf_counter() - started - interval)
        stats.loop_lag = lag
        stats.loop_lag_max = max(stats.loop_lag_max, lag)


class ChannelAccountMetrics(NamedTuple):
    channel: str
    account: str
    state: str
    restarts: int
    counters: dict[str, int]  # received, sent, dropped:<reason>, …


class ServiceMetrics(NamedTuple):
    plugin: str
    service: str
    state: str
    restarts: int


class GatewayMetrics(NamedTuple):
    """A point-in-time copy of what the gateway counts (``GatewayAPI.metrics()``), for
    exporters: the Prometheus plugin, or anything else a plugin wants to feed."""

    version: str
    uptime_s: float
    connections: dict[str, int]  # open sockets by role
    connections_opened: dict[str, int]
    handshakes_refused: int
    requests: dict[tuple[str, str], int]  # (method, outcome) -> count
    latency_buckets: tuple[float, ...]
    latency: dict[str, Histogram]  # per method; bucket counts are not cumulative
    runs_active: int
    runs_finished: dict[str, int]  # by final status
    channels: list[ChannelAccountMetrics]
    services: list[ServiceMetrics]
    loop_lag_s: float
    loop_lag_max_s: float
