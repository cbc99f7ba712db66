"""The helpers behind :mod:`openclaw_gateway.testing` (imported on first use)."""

from __future__ import annotations

import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from ..auth.credentials import generate_token
from ..client import GatewayClient
from ..config import load_config
from ..server.app import start_gateway
from ..server.gateway import Gateway


@asynccontextmanager
async def gateway_for_test(
    tmp_path: Path | str, *plugins: object, load_entrypoints: bool = False, **config: Any
) -> AsyncIterator[Gateway]:
    """``async with gateway_for_test(tmp_path, plugin, **config) as gw``: a running gateway.

    It listens on 127.0.0.1 on a free port (``gw.port``) with a fresh state dir under ``tmp_path``
    (one per call), file-backed secrets and a generated shared token (``gw.auth_settings.token``,
    which :func:`test_client` uses). Only ``plugins`` (modules or objects with ``@hookimpl``
    functions) are loaded besides the built-ins; installed entry points only with
    ``load_entrypoints=True``. ``config`` is any ``GatewayConfig`` field, e.g.
    ``plugins={"echo": {"greeting": "hi"}}``; it overrides the defaults above.
    """
    config.setdefault("port", 0)
    config.setdefault("bind", "loopback")
    config.setdefault("secrets_backend", "file")
    config.setdefault("token", generate_token())
    config.setdefault("validate_results", True)  # a plugin's declared shapes are held to in tests
    if config.get("state_dir") is None:
        config["state_dir"] = Path(tempfile.mkdtemp(prefix="gateway-", dir=tmp_path))
    gateway_config = load_config(**config)
    async with start_gateway(
        gateway_config, extra_plugins=tuple(plugins), load_entrypoints=load_entrypoints
    ) as gw:
        yield gw


def gateway_url(gateway: Gateway) -> str:
    """The ``ws://`` URL of a gateway started by :func:`gateway_for_test` (for raw-wire tests)."""
    host = gateway.config.host
    if host in ("0.0.0.0", "::"):  # noqa: S104 - only reading the config
        host = "127.0.0.1"
    if ":" in host:
        host = f"[{host}]"
    return f"ws://{host}:{gateway.port}"


@asynccontextmanager
async def test_client(
    gateway: Gateway, *, scopes: list[str] | tuple[str, ...] | None = None, **client: Any
) -> AsyncIterator[GatewayClient]:
    """``async with test_client(gw, scopes=[...]) as client``: a connected ``GatewayClient``.

    Authenticates with the gateway's shared secret (token, or password in password mode) unless
    ``token=``/``password=``/``identity=`` say otherwise; ``scopes`` defaults to the client's
    (every operator scope). Other keywords go to ``GatewayClient``.
    """
    settings = gateway.auth_settings
    if not {"token", "password", "identity"} & client.keys():
        if settings.mode == "password":
            client["password"] = settings.password
        else:
            client["token"] = settings.token
    if scopes is not None:
        client["scopes"] = scopes
    async with GatewayClient(gateway_url(gateway), **client) as connected:
        yield connected


# Named like a test, so keep pytest from collecting it where it is imported into a test module.
test_client.__test__ = False  # type: ignore[attr-defined]
