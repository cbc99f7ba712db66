"""openclaw-gateway: one WebSocket control plane for every messaging surface and device.

The public plugin API (:mod:`openclaw_gateway.api`) is re-exported here, loaded on first use so
that ``import openclaw_gateway`` (every CLI call) stays instant::

    from openclaw_gateway import hookimpl, MethodSpec, ChannelAdapter, GatewayAPI
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    # import_module, not "from . import api": that would ask this very hook for "api" first.
    api = importlib.import_module("openclaw_gateway.api")
    if name in api.__all__:
        return getattr(api, name)
    raise AttributeError(f"module 'openclaw_gateway' has no attribute {name!r}")


def __dir__() -> list[str]:
    api = importlib.import_module("openclaw_gateway.api")
    return sorted([*globals(), *api.__all__])
