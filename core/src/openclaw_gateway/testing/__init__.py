"""Test helpers for plugin authors: run a real gateway in-process and talk to it with the SDK.

    from openclaw_gateway.testing import gateway_for_test, test_client

    @pytest.mark.anyio
    async def test_say(tmp_path):
        async with gateway_for_test(tmp_path, my_plugin, plugins={"echo": {"greeting": "hi"}}) as gw:
            async with test_client(gw, scopes=["operator.read"]) as client:
                assert await client.call("echo.say", {"text": "x"}) == {"text": "hi, x"}

Installing the core also registers a pytest plugin (the ``pytest11`` entry point
``openclaw_gateway``, module :mod:`openclaw_gateway.testing.plugin`) with the fixture
``openclaw_gateway_factory``; disable it with ``-p no:openclaw_gateway``.

Nothing here is imported by the gateway itself, and the names below load on first use, so the
pytest plugin adds nothing to a pytest session that does not use it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._gateway import gateway_for_test, gateway_url, test_client

__all__ = ["gateway_for_test", "gateway_url", "test_client"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from . import _gateway

        return getattr(_gateway, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
