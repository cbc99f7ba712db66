"""Calling the plugins' ``startup`` / ``shutdown`` hooks on the running gateway, one plugin at a
time, each bounded and isolated: a plugin whose startup raises is marked failed (``health``),
one whose shutdown raises is logged, and neither stops the gateway."""

from __future__ import annotations

import inspect
import logging
from typing import TYPE_CHECKING, Any

import anyio

from .report import PluginReport

if TYPE_CHECKING:
    import pluggy

    from .gateway_api import GatewayAPI

log = logging.getLogger("openclaw_gateway.plugins")

STARTUP_TIMEOUT_S = 30.0
SHUTDOWN_TIMEOUT_S = 10.0


async def run_startup(pm: pluggy.PluginManager, report: PluginReport, gateway: GatewayAPI) -> None:
    for impl in pm.hook.startup.get_hookimpls():
        try:
            with anyio.fail_after(STARTUP_TIMEOUT_S):
                await _call(impl.function, gateway)
        except Exception as exc:
            info = report.plugins.get(impl.plugin_name)
            reason = f"startup failed: {type(exc).__name__}: {exc}"
            if info is not None:
                info.fail(reason)
            log.error("plugin %s: %s", impl.plugin_name, reason, exc_info=exc)


async def run_shutdown(pm: pluggy.PluginManager, gateway: GatewayAPI) -> None:
    for impl in reversed(pm.hook.shutdown.get_hookimpls()):
        try:
            with anyio.fail_after(SHUTDOWN_TIMEOUT_S):
                await _call(impl.function, gateway)
        except Exception:
            log.exception("plugin %s: shutdown failed", impl.plugin_name)


async def _call(function: Any, gateway: GatewayAPI) -> None:
    result = function(gateway=gateway)
    if inspect.isawaitable(result):
        await result
