"""A plugin's declared shapes (``MethodSpec(result=)``, ``EventSpec(payload=)``) are held to in
tests and debug mode, and an unregistered event is refused by name."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from pydantic import BaseModel

from openclaw_gateway.hooks import hookimpl
from openclaw_gateway.hooks.registry import EventSpec, MethodContext, MethodSpec
from openclaw_gateway.server.contract import ContractError, UnknownEvent

from wire import TOKEN, operator

pytestmark = pytest.mark.anyio


class Weather(BaseModel):
    city: str
    celsius: float


class Sloppy:
    """A plugin whose handler forgot its own contract."""

    def __init__(self) -> None:
        self.__name__ = "sloppy_weather"  # the name pluggy registers it under

    @hookimpl
    def register_methods(self, register: Callable[[MethodSpec], None]) -> None:
        async def good(ctx: MethodContext, params: Any) -> Any:
            return {"city": "Oslo", "celsius": -3.5}

        async def bad(ctx: MethodContext, params: Any) -> Any:
            return {"city": "Oslo", "temp": "cold"}

        register(MethodSpec(name="weather.good", handler=good, result=Weather))
        register(MethodSpec(name="weather.bad", handler=bad, result=Weather))

    @hookimpl
    def register_events(self, register: Callable[[EventSpec], None]) -> None:
        register(EventSpec(name="weather.changed", payload=Weather))


async def test_a_result_that_breaks_its_model_is_refused_in_tests(gateway_factory):
    async with gateway_factory(extra_plugins=(Sloppy(),)) as gw:
        peer = await operator(gw.port, TOKEN, ["operator.read"])
        good = await peer.request("weather.good", {})
        assert good["ok"] and good["payload"] == {"city": "Oslo", "celsius": -3.5}
        bad = await peer.request("weather.bad", {})
        assert bad["ok"] is False and bad["error"]["code"] == "UNAVAILABLE"
        message = bad["error"]["message"]
        assert "weather.bad" in message and "sloppy_weather" in message and "Weather" in message


async def test_off_by_default_in_production(gateway_factory):
    async with gateway_factory(extra_plugins=(Sloppy(),), validate_results=False) as gw:
        peer = await operator(gw.port, TOKEN, ["operator.read"])
        bad = await peer.request("weather.bad", {})
        assert bad["ok"] and bad["payload"] == {"city": "Oslo", "temp": "cold"}


async def test_event_payloads_and_unknown_events(gateway_factory):
    async with gateway_factory(extra_plugins=(Sloppy(),)) as gw:
        peer = await operator(gw.port, TOKEN, ["operator.read"])
        gw.broadcast("weather.changed", {"city": "Oslo", "celsius": 1.0})
        event = await peer.next_event("weather.changed")
        assert event["payload"] == {"city": "Oslo", "celsius": 1.0}
        with pytest.raises(
            ContractError, match=r"weather\.changed.*sloppy_weather.*Weather.*celsius"
        ):
            gw.broadcast("weather.changed", {"city": "Oslo"})
        with pytest.raises(UnknownEvent, match=r"'weather\.typo'.*test_contract"):
            gw.broadcast("weather.typo", {})
        conn = next(iter(gw.hub.connections.values()))
        with pytest.raises(UnknownEvent, match=r"weather\.typo"):
            gw.hub.send_event(conn, "weather.typo", {})
