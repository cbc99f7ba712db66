"""A :class:`GatewayMetrics` snapshot as Prometheus metric families (``prometheus_client``)."""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client import CollectorRegistry, ProcessCollector, generate_latest
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4
from prometheus_client.registry import Collector

from openclaw_gateway.api import GatewayMetrics

PREFIX = "openclaw_gateway"


class SnapshotCollector(Collector):
    def __init__(self, snapshot: GatewayMetrics) -> None:
        self.snapshot = snapshot

    def collect(self) -> Iterator[Metric]:
        s = self.snapshot
        info = GaugeMetricFamily(f"{PREFIX}_info", "Gateway version.", labels=["version"])
        info.add_metric([s.version], 1)
        yield info
        yield GaugeMetricFamily(f"{PREFIX}_uptime_seconds", "Seconds since start.", s.uptime_s)

        connections = GaugeMetricFamily(
            f"{PREFIX}_connections", "Open authenticated WebSockets.", labels=["role"]
        )
        for role in sorted({"operator", "node", *s.connections}):
            connections.add_metric([role], s.connections.get(role, 0))
        yield connections
        opened = CounterMetricFamily(
            f"{PREFIX}_connections_opened", "Authenticated WebSockets accepted.", labels=["role"]
        )
        for role, count in sorted(s.connections_opened.items()):
            opened.add_metric([role], count)
        yield opened
        yield CounterMetricFamily(
            f"{PREFIX}_handshakes_refused", "Connect handshakes refused.", s.handshakes_refused
        )

        requests = CounterMetricFamily(
            f"{PREFIX}_requests", "Requests answered.", labels=["method", "outcome"]
        )
        for (method, outcome), count in sorted(s.requests.items()):
            requests.add_metric([method, outcome], count)
        yield requests
        latency = HistogramMetricFamily(
            f"{PREFIX}_request_duration_seconds",
            "Time from a parsed request to its encoded response.",
            labels=["method"],
        )
        bounds = [*(repr(float(b)) for b in s.latency_buckets), "+Inf"]
        for method, histogram in sorted(s.latency.items()):
            cumulative, buckets = 0, []
            for bound, count in zip(bounds, histogram.buckets, strict=True):
                cumulative += count
                buckets.append((bound, cumulative))
            latency.add_metric([method], buckets, histogram.total)
        yield latency

        yield GaugeMetricFamily(
            f"{PREFIX}_agent_runs_active", "Runs queued or running.", s.runs_active
        )
        runs = CounterMetricFamily(
            f"{PREFIX}_agent_runs", "Agent runs ended, by final status.", labels=["status"]
        )
        for status in sorted({"ok", "error", "aborted", *s.runs_finished}):
            runs.add_metric([status], s.runs_finished.get(status, 0))
        yield runs

        yield from _channel_families(s)

        restarts = CounterMetricFamily(
            f"{PREFIX}_plugin_service_restarts",
            "Restarts of supervised plugin services after a crash.",
            labels=["plugin", "service"],
        )
        for svc in s.services:
            restarts.add_metric([svc.plugin, svc.service], svc.restarts)
        yield restarts

        yield GaugeMetricFamily(
            f"{PREFIX}_event_loop_lag_seconds",
            "How late the last one-second timer fired (time the loop was blocked).",
            s.loop_lag_s,
        )
        yield GaugeMetricFamily(
            f"{PREFIX}_event_loop_lag_max_seconds",
            "The worst event-loop lag since start.",
            s.loop_lag_max_s,
        )


def _channel_families(s: GatewayMetrics) -> Iterator[Metric]:
    labels = ["channel", "account"]
    messages = CounterMetricFamily(
        f"{PREFIX}_channel_messages",
        "Channel messages received (in) and replies sent (out).",
        labels=[*labels, "direction"],
    )
    dropped = CounterMetricFamily(
        f"{PREFIX}_channel_messages_dropped",
        "Inbound messages not answered, by reason.",
        labels=[*labels, "reason"],
    )
    restarts = CounterMetricFamily(
        f"{PREFIX}_channel_account_restarts", "Reconnects of a channel account.", labels=labels
    )
    for account in s.channels:
        key = [account.channel, account.account]
        messages.add_metric([*key, "in"], account.counters.get("received", 0))
        messages.add_metric([*key, "out"], account.counters.get("sent", 0))
        for name, count in sorted(account.counters.items()):
            if name.startswith("dropped:"):
                dropped.add_metric([*key, name.removeprefix("dropped:")], count)
        restarts.add_metric(key, account.restarts)
    yield messages
    yield dropped
    yield restarts


def render(snapshot: GatewayMetrics, *, process: bool = True) -> tuple[bytes, str]:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(SnapshotCollector(snapshot))
    if process:
        ProcessCollector(registry=registry)  # process_resident_memory_bytes & co (Linux /proc)
    return generate_latest(registry), CONTENT_TYPE_PLAIN_0_0_4  # as the reference
