"""The pytest plugin (``pytest11`` entry point ``openclaw_gateway``): fixtures for plugin authors.

``openclaw_gateway_factory``: ``async with openclaw_gateway_factory(*plugins, **config) as gw``,
:func:`openclaw_gateway.testing.gateway_for_test` with the test's ``tmp_path``.

Loaded by pytest in every session of an environment where the core is installed, so it imports
nothing of the gateway until a test asks for the fixture. Async tests need an async runner; the
anyio pytest plugin (``@pytest.mark.anyio``, installed with anyio) runs on asyncio by default.
Disable with ``-p no:openclaw_gateway``.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from ..server.gateway import Gateway

    GatewayFactory = Callable[..., AbstractAsyncContextManager[Gateway]]


@pytest.fixture
def openclaw_gateway_factory(tmp_path: Path) -> GatewayFactory:
    """``async with openclaw_gateway_factory(*plugins, **config) as gw``: a gateway on a free
    loopback port with its own state dir under ``tmp_path``; see ``gateway_for_test``."""
    from ._gateway import gateway_for_test

    def factory(*plugins: object, **config: Any) -> AbstractAsyncContextManager[Gateway]:
        return gateway_for_test(tmp_path, *plugins, **config)

    return factory
