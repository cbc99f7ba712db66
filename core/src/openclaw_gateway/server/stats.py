"""Request counters and latency histograms, kept by the dispatcher for ``/metrics``.

Plain dicts and a bisect per request (well under a microsecond): the Prometheus exposition
(``builtin/metrics.py``) reads them only when scraped, so a gateway nobody scrapes pays nothing
else and ``prometheus_client`` is never imported. Labels are bounded: a method name that is not
registered is counted as ``unknown`` (a client cannot grow the label set).
"""

from __future__ import annotations

import time
from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass, field

import anyio

LATENCY_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0)
"""Upper bounds in seconds (plus +Inf): most methods answer in well under a millisecond."""


@dataclass
class Histogram:
    buckets: list[int] = field(default_factory=lambda: [0] * (len(LATENCY_BUCKETS) + 1))
    total: float = 0.0
    count: int = 0

    def observe(self, seconds: float) -> None:
        self.buckets[bisect_left(LATENCY_BUCKETS, seconds)] += 1
        self.total += seconds
        self.count += 1


@dataclass
class RequestStats:
    """``requests[(method, outcome)]`` and a latency histogram per method."""

    requests: Counter[tuple[str, str]] = field(default_factory=Counter)
    latency: dict[str, Histogram] = field(default_factory=dict)
    connections_opened: Counter[str] = field(default_factory=Counter)  # by role
    handshakes_refused: int = 0
    loop_lag: float = 0.0  # seconds the last timer woke late
    loop_lag_max: float = 0.0  # the worst since start

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


@dataclass(frozen=True)
class ChannelAccountMetrics:
    channel: str
    account: str
    state: str
    restarts: int
    counters: dict[str, int]  # received, sent, dropped:<reason>, …


@dataclass(frozen=True)
class ServiceMetrics:
    plugin: str
    service: str
    state: str
    restarts: int


@dataclass(frozen=True)
class GatewayMetrics:
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
