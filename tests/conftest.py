"""Shared fixtures: an in-process gateway on a free port; raw WebSocket helpers live in wire.py.

Never ``from conftest import …`` in a test: two conftest modules exist (tests/, tests/interop/) and
whichever is imported first owns the name. Shared constants live in ``wire.py``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from openclaw_gateway.config import load_config
from openclaw_gateway.server.app import start_gateway
from openclaw_gateway.server.gateway import Gateway

from wire import TOKEN

GatewayFactory = Callable[..., AbstractAsyncContextManager[Gateway]]

pytest_plugins = ["browser_fixture"]  # the headless Chromium ``browser`` fixture


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def gateway_factory(tmp_path: Path) -> GatewayFactory:
    """``async with gateway_factory(**config) as gw``: a gateway on 127.0.0.1 with a free port."""
    counter = iter(range(1000))

    @asynccontextmanager
    async def factory(
        *, extra_plugins: tuple[Any, ...] = (), **overrides: Any
    ) -> AsyncIterator[Gateway]:
        overrides.setdefault("token", TOKEN)
        overrides.setdefault("port", 0)
        overrides.setdefault("secrets_backend", "file")
        overrides.setdefault("validate_results", True)
        overrides.setdefault("state_dir", tmp_path / f"state{next(counter)}")
        config = load_config(**overrides)
        async with start_gateway(config, extra_plugins=extra_plugins) as gw:
            yield gw

    return factory


@pytest.fixture
async def gateway(gateway_factory: GatewayFactory) -> AsyncIterator[Gateway]:
    async with gateway_factory() as gw:
        yield gw
