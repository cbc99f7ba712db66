"""``openclaw_gateway.testing``: the helpers and the pytest fixture plugin authors test with."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest
from pydantic import BaseModel

from openclaw_gateway.client import RequestError
from openclaw_gateway.hooks import hookimpl
from openclaw_gateway.hooks.registry import MethodContext, MethodSpec
from openclaw_gateway.testing import gateway_for_test, gateway_url, test_client

pytestmark = pytest.mark.anyio


class AddParams(BaseModel):
    a: int
    b: int


class Adder:
    """A tiny plugin object: one method that needs ``operator.write``."""

    @staticmethod
    async def add(ctx: MethodContext, params: AddParams) -> dict[str, Any]:
        return {"sum": params.a + params.b}

    @hookimpl
    def register_methods(self, register: Any) -> None:
        register(
            MethodSpec(name="adder.add", handler=self.add, params=AddParams, scope="operator.write")
        )


async def test_gateway_for_test_and_test_client(tmp_path) -> None:
    async with gateway_for_test(tmp_path, Adder()) as gw:
        assert gw.port != 0
        assert gateway_url(gw) == f"ws://127.0.0.1:{gw.port}"
        assert len(gw.auth_settings.token or "") >= 32  # generated per gateway
        assert gw.config.secrets_backend == "file"
        assert gw.config.state_dir.parent == tmp_path
        async with test_client(gw) as client:
            assert await client.call("adder.add", {"a": 2, "b": 3}) == {"sum": 5}
        async with test_client(gw, scopes=["operator.read"]) as client:
            with pytest.raises(RequestError) as err:
                await client.call("adder.add", {"a": 2, "b": 3})
            assert "operator.write" in str(err.value)


async def test_fixture_from_the_pytest11_entry_point(openclaw_gateway_factory) -> None:
    async with (
        openclaw_gateway_factory(Adder(), tick_interval_ms=60_000) as first,
        openclaw_gateway_factory() as second,
    ):
        assert first.port != second.port
        assert first.config.state_dir != second.config.state_dir
        assert first.config.tick_interval_ms == 60_000
        async with test_client(first, scopes=["operator.write"]) as client:
            assert await client.call("adder.add", {"a": 1, "b": 1}) == {"sum": 2}
        async with test_client(second) as client:
            with pytest.raises(RequestError):
                await client.call("adder.add", {"a": 1, "b": 1})


def test_the_plugin_imports_nothing_of_the_gateway() -> None:
    """pytest loads the plugin in every session of an environment with the core installed."""
    code = (
        "import sys, openclaw_gateway.testing.plugin; "
        "print(sorted(m for m in sys.modules if m.startswith('openclaw_gateway')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == [
        "['openclaw_gateway',",
        "'openclaw_gateway.testing',",
        "'openclaw_gateway.testing.plugin']",
    ]


async def test_the_documented_example_method_and_event(tmp_path) -> None:
    """docs/plugins.md's test: a call through test_client, and the event it broadcasts."""
    from plugin_fixtures import echo

    async with (
        gateway_for_test(tmp_path, echo, plugins={"echo": {"greeting": "hi"}}) as gw,
        test_client(gw, scopes=["operator.read", "operator.write"]) as client,
    ):
        assert await client.call("echo.say", {"text": "x"}) == {"text": "hi, x"}
        said = await client.next_event("echo.said")
        assert said.payload == {"text": "x"}
