"""Telegram errors → the channel framework's: transient (retry), permanent, auth."""

from __future__ import annotations

import warnings
from datetime import timedelta

from telegram.error import (
    BadRequest,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
)

from openclaw_gateway.api import PermanentSendError, TransientSendError


def seconds(value: int | float | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def retry_after_seconds(exc: RetryAfter) -> float:
    with warnings.catch_warnings():  # PTB 22 deprecates the int form; both are handled
        warnings.simplefilter("ignore")
        return seconds(exc.retry_after)


def send_error(exc: TelegramError) -> Exception:
    """Map a PTB error from a send to the core's Transient/PermanentSendError."""
    if isinstance(exc, RetryAfter):
        seconds = retry_after_seconds(exc)
        return TransientSendError(f"Telegram rate limit: retry after {seconds:g}s", seconds)
    if isinstance(exc, InvalidToken):
        return PermanentSendError("the bot token was rejected by Telegram (401)")
    if isinstance(exc, Forbidden | BadRequest):  # bot blocked/kicked, chat not found, too long…
        return PermanentSendError(exc.message)
    if isinstance(exc, NetworkError):  # 5xx, timeouts, refused/dropped connections
        return TransientSendError(f"Telegram unavailable: {exc.message}")
    return PermanentSendError(exc.message)


# --- downloads ----------------------------------------------------------------------------------


def get_file_error(exc: TelegramError) -> str:
    if isinstance(exc, BadRequest):
        if "too big" in exc.message.lower():  # the cloud Bot API serves files up to 20 MB
            return "Telegram will not hand out files over 20 MB to bots (getFile: file is too big)"
        return f"getFile: {exc.message}"  # e.g. invalid file_id
    if isinstance(exc, InvalidToken):
        return "Telegram refused the bot token (401)"
    if isinstance(exc, RetryAfter):
        return f"getFile: rate limited (retry after {retry_after_seconds(exc):g}s)"
    return f"getFile: {type(exc).__name__}: {exc.message}"
