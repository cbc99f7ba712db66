"""discord.py errors → the channel framework's (transient, permanent, auth), with hints."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator

import aiohttp
import discord

from openclaw_gateway.api import (
    PermanentSendError,
    TransientSendError,
)

AUTH_HINTS = {
    4004: "Discord refused the bot token (gateway close 4004): reset it in the Developer Portal",
    4013: "Discord refused the requested intents (gateway close 4013)",
    4014: (
        "the bot may not use the Message Content intent (gateway close 4014): enable it in the"
        " Developer Portal → your application → Bot → Privileged Gateway Intents"
    ),
}


def deadline(seconds: float) -> asyncio.Timeout:
    """A timeout that cancels discord.py once (asyncio semantics), not at every await as an anyio
    scope does: discord.py's rate-limit bucket awaits in ``__aexit__`` to put its token back, and
    a repeated cancellation there would leave the bucket empty for 30 s."""
    return asyncio.timeout(seconds)


@contextlib.contextmanager
def mapped_errors() -> Iterator[None]:
    """Turn discord.py/aiohttp failures into the core's Transient/Permanent send errors."""
    try:
        yield
    except (TransientSendError, PermanentSendError):
        raise
    except discord.RateLimited as exc:
        raise TransientSendError(
            f"rate limited for {exc.retry_after:.1f} s", exc.retry_after
        ) from exc
    except (discord.Forbidden, discord.NotFound) as exc:
        raise PermanentSendError(describe(exc)) from exc
    except discord.HTTPException as exc:
        if exc.status == 429:
            raise TransientSendError(describe(exc), retry_after(exc)) from exc
        if exc.status >= 500:
            raise TransientSendError(describe(exc)) from exc
        raise PermanentSendError(describe(exc)) from exc
    except TimeoutError as exc:
        raise TransientSendError("Discord did not answer in time") from exc
    except (aiohttp.ClientError, OSError) as exc:
        raise TransientSendError(f"network error: {exc}") from exc


def describe(exc: BaseException) -> str:
    if isinstance(exc, discord.HTTPException):
        return f"Discord {exc.status}: {exc.text or exc.response.reason}".rstrip(": ")
    return f"{type(exc).__name__}: {exc}"


def retry_after(exc: discord.HTTPException) -> float | None:
    header = exc.response.headers.get("Retry-After") if exc.response is not None else None
    try:
        return float(header) if header else None
    except ValueError:
        return None
