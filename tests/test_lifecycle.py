"""The plugins' ``startup`` / ``shutdown`` hooks on a real gateway: called once each, in order,
with the running gateway; a failing startup marks only its plugin failed."""

from __future__ import annotations

from typing import Any

import pytest

from openclaw_gateway import GatewayAPI, hookimpl

from wire import TOKEN, operator

pytestmark = pytest.mark.anyio


class Recorder:
    def __init__(self, name: str, log: list[str], *, fail: bool = False) -> None:
        self.__name__ = name
        self.log = log
        self.fail = fail

    @hookimpl
    async def startup(self, gateway: GatewayAPI) -> None:
        if self.fail:
            raise RuntimeError("no database for me")
        self.log.append(f"{self.__name__} up on {gateway.port}")

    @hookimpl
    def shutdown(self, gateway: GatewayAPI) -> None:
        self.log.append(f"{self.__name__} down")


async def test_startup_and_shutdown_run_once_in_order(gateway_factory):
    log: list[str] = []
    first, second = Recorder("first", log), Recorder("second", log)
    async with gateway_factory(extra_plugins=(first, second)) as gw:
        port = gw.port
        assert sorted(log) == sorted([f"first up on {port}", f"second up on {port}"])
        peer = await operator(gw.port, TOKEN, ["operator.read"])
        assert (await peer.request("health", {}))["ok"]
    ups, downs = log[:2], log[2:]
    order = [entry.split()[0] for entry in ups]
    assert [entry.split()[0] for entry in downs] == list(reversed(order))


async def test_a_failing_startup_marks_only_that_plugin_failed(gateway_factory):
    log: list[str] = []
    async with gateway_factory(
        extra_plugins=(Recorder("broken", log, fail=True), Recorder("fine", log))
    ) as gw:
        peer = await operator(gw.port, TOKEN, ["operator.read"])
        health: dict[str, Any] = (await peer.request("health", {}))["payload"]
        errors = {e["plugin"]: e["error"] for e in health["plugins"]["errors"]}
        assert "startup failed: RuntimeError: no database for me" in errors["broken"]
        assert "fine" in health["plugins"]["loaded"]
        assert any(entry.startswith("fine up") for entry in log)


async def test_a_crashing_core_loop_is_restarted_and_the_gateway_keeps_serving(
    gateway_factory, monkeypatch, caplog
):
    # The core's own loops (cron, heartbeat, channels, media pruning) run supervised like plugin
    # services: before, a bug that made one raise took the whole gateway down with it.
    import anyio

    from openclaw_gateway.agent.cron import CronScheduler

    calls: list[int] = []
    restarted = anyio.Event()

    async def flaky_run(self: CronScheduler) -> None:
        calls.append(len(calls))
        if len(calls) == 1:
            raise RuntimeError("a scheduler bug")
        restarted.set()
        await anyio.sleep_forever()

    monkeypatch.setattr(CronScheduler, "run", flaky_run)
    async with gateway_factory(service_restart_ms=10, service_restart_max_ms=50) as gw:
        with anyio.fail_after(5):
            await restarted.wait()
        peer = await operator(gw.port, TOKEN, ["operator.read"])
        assert (await peer.request("health", {}))["ok"]
    assert len(calls) == 2
    assert any("a scheduler bug" in r.getMessage() or r.exc_info for r in caplog.records)
