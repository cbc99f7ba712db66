"""Supervised plugin services: each ``ServiceSpec.run(context)`` in its own task, restarted with
capped exponential backoff when it raises, its state in ``health``; it never takes the gateway down.

A service that returns has finished (state ``stopped``, not restarted). Shutdown cancels it: clean up
in ``finally``. A run that lasted ``stable_after`` seconds resets the backoff, so a service that
fails once a day restarts quickly, while one that crash-loops waits up to the cap.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

import anyio

from ..backoff import Backoff
from .report import ServiceStatus
from .specs import ServiceContext, ServiceSpec

if TYPE_CHECKING:
    pass


async def supervise(
    spec: ServiceSpec,
    context: ServiceContext,
    status: ServiceStatus,
    *,
    backoff: Backoff,
    on_change: Callable[[], None],
) -> None:
    """Run ``spec`` until it returns or is cancelled, restarting it after each crash.

    ``on_change`` is called at each state change (running, backoff, stopped) to publish ``health``.
    """
    status.stable_after = backoff.stable_after
    while True:
        status.state, status.next_retry_s = "running", None
        status.run_started = time.monotonic()
        on_change()
        try:
            await spec.run(context)
        except Exception as exc:  # a plugin's bug; cancellation is BaseException and passes
            lasted = time.monotonic() - status.run_started
            status.failures = 1 if lasted >= backoff.stable_after else status.failures + 1
            status.restarts += 1
            status.last_error = f"{type(exc).__name__}: {exc}"
            status.next_retry_s = backoff.delay(status.failures)
            status.state = "backoff"
            context.log.error(
                "service %s crashed (%s); restart %d in %.1f s",
                spec.name,
                status.last_error,
                status.restarts,
                status.next_retry_s,
                exc_info=exc,
            )
            on_change()
            await anyio.sleep(status.next_retry_s)
            continue
        status.state = "stopped"
        context.log.info("service %s finished", spec.name)
        on_change()
        return
