"""Prometheus metrics (the ``metrics`` plugin): off until configured, never public, and what the
gateway did shows up in the exposition — parsed with prometheus_client's own parser."""

from __future__ import annotations

import httpx
import openclaw_gateway_metrics
import pytest
from openclaw_gateway_metrics.exposition import render
from prometheus_client.parser import text_string_to_metric_families

from openclaw_gateway.api import ChannelAccountMetrics, GatewayMetrics, ServiceMetrics

from wire import TOKEN, operator

pytestmark = pytest.mark.anyio


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    out = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            out[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return out


def metrics_url(gw, path: str = "/metrics") -> str:
    return f"http://127.0.0.1:{gw.plugin_report['http']['port']}{path}"


async def test_metrics_are_off_until_configured(gateway_factory):
    async with gateway_factory(extra_plugins=(openclaw_gateway_metrics,)) as gw:
        assert "http" not in gw.plugin_report  # no route wanted: no HTTP port at all


async def test_a_scrape_needs_the_gateway_token_and_is_rate_limited(gateway_factory):
    async with (
        gateway_factory(
            extra_plugins=(openclaw_gateway_metrics,),
            plugins={"metrics": {}},
            rate_limit={"max_failures": 3, "window_ms": 60_000, "lockout_ms": 60_000},
        ) as gw,
        httpx.AsyncClient() as http,
    ):
        anonymous = await http.get(metrics_url(gw))
        assert anonymous.status_code == 401
        assert anonymous.headers["www-authenticate"].startswith("Bearer")
        assert "openclaw_gateway" not in anonymous.text
        wrong = {"authorization": "Bearer not-the-token"}
        assert (await http.get(metrics_url(gw), headers=wrong)).status_code == 401
        assert (await http.get(metrics_url(gw), headers=wrong)).status_code == 401
        locked = await http.get(metrics_url(gw), headers={"authorization": f"Bearer {TOKEN}"})
        # Locked out: even the right token waits (no guessing oracle while locked).
        assert locked.status_code == 429
        assert int(locked.headers["retry-after"]) > 0


async def test_what_the_gateway_did_is_in_the_exposition(gateway_factory):
    async with (
        gateway_factory(extra_plugins=(openclaw_gateway_metrics,), plugins={"metrics": {}}) as gw,
        httpx.AsyncClient() as http,
    ):
        admin = await operator(
            gw.port, TOKEN, ["operator.read", "operator.write", "operator.admin"]
        )
        run = await admin.request("agent", {"message": "hi", "idempotencyKey": "m1"})
        assert run["ok"], run
        waited = await admin.request(
            "agent.wait", {"runId": run["payload"]["runId"], "timeoutMs": 5000}
        )
        assert waited["payload"]["status"] == "ok"
        # Connected after the run: a peer that never reads its events would stall its socket.
        reader = await operator(gw.port, TOKEN, scopes=["operator.read"])
        for _ in range(3):
            assert (await admin.request("health"))["ok"]
        assert not (await admin.request("no.such.method"))["ok"]
        denied = await reader.request("token.rotate.nothing")  # unknown: INVALID_REQUEST
        assert not denied["ok"]
        forbidden = await reader.request("node.pair.approve", {"requestId": "x"})
        assert "missing scope" in forbidden["error"]["message"]

        headers = {"authorization": f"Bearer {TOKEN}"}
        response = await http.get(metrics_url(gw), headers=headers)
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
        got = samples(response.text)
        # The reference's path serves the same exposition.
        alias = await http.get(metrics_url(gw, "/api/diagnostics/prometheus"), headers=headers)
        assert alias.status_code == 200 and "openclaw_gateway_requests_total" in alias.text

        def value(name: str, **labels: str) -> float:
            return got[(name, tuple(sorted(labels.items())))]

        assert value("openclaw_gateway_requests_total", method="health", outcome="ok") == 3
        assert (
            value("openclaw_gateway_requests_total", method="unknown", outcome="INVALID_REQUEST")
            == 2
        )
        assert value("openclaw_gateway_request_duration_seconds_count", method="health") == 3
        assert (
            value("openclaw_gateway_request_duration_seconds_bucket", method="health", le="+Inf")
            == 3
        )
        assert value("openclaw_gateway_connections", role="operator") == 2
        assert value("openclaw_gateway_connections_opened_total", role="operator") == 2
        refused = forbidden["error"]["code"]
        assert (
            value("openclaw_gateway_requests_total", method="node.pair.approve", outcome=refused)
            == 1
        )
        assert value("openclaw_gateway_agent_runs_total", status="ok") == 1
        assert value("openclaw_gateway_agent_runs_active") == 0
        assert value("process_resident_memory_bytes") > 10_000_000
        assert value("openclaw_gateway_event_loop_lag_seconds") >= 0
        assert value("openclaw_gateway_info", version=gw.metrics().version) == 1
        # A method name a client makes up never becomes a label.
        assert not any("no.such.method" in str(key) for key in got)
        await reader.ws.close()
        await admin.ws.close()


def test_channel_and_service_counters_render_with_bounded_labels():
    snapshot = GatewayMetrics(
        version="t",
        uptime_s=1.0,
        connections={},
        connections_opened={},
        handshakes_refused=4,
        requests={},
        latency_buckets=(0.1, 1.0),
        latency={},
        runs_active=0,
        runs_finished={},
        channels=[
            ChannelAccountMetrics(
                "telegram",
                "default",
                "running",
                2,
                {"received": 7, "sent": 5, "dropped:duplicate": 1, "dropped:rate-limited": 1},
            )
        ],
        services=[ServiceMetrics("canvas", "host", "running", 3)],
        loop_lag_s=0.002,
        loop_lag_max_s=0.05,
    )
    body, _ = render(snapshot, process=False)
    got = samples(body.decode())
    key = (("account", "default"), ("channel", "telegram"))
    assert got[("openclaw_gateway_channel_messages_total", (*key, ("direction", "in")))] == 7
    assert got[("openclaw_gateway_channel_messages_total", (*key, ("direction", "out")))] == 5
    assert (
        got[("openclaw_gateway_channel_messages_dropped_total", (*key, ("reason", "duplicate")))]
        == 1
    )
    assert got[("openclaw_gateway_channel_account_restarts_total", key)] == 2
    assert (
        got[
            (
                "openclaw_gateway_plugin_service_restarts_total",
                (("plugin", "canvas"), ("service", "host")),
            )
        ]
        == 3
    )
    assert got[("openclaw_gateway_handshakes_refused_total", ())] == 4
    assert got[("openclaw_gateway_event_loop_lag_max_seconds", ())] == 0.05
    assert ("process_resident_memory_bytes", ()) not in got
