"""Slack Web API failures → the core's channel errors.

::

    429 / "ratelimited"                        → TransientSendError(retry_after = Retry-After)
    5xx, internal_error, network, timeouts     → TransientSendError
    invalid_auth, token_revoked, account_inactive, not_authed, …
                                               → AuthError (receiving) / PermanentSendError (sending)
    channel_not_found, not_in_channel, is_archived, anything else
                                               → PermanentSendError
"""

from __future__ import annotations

from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError, SlackRequestError

from openclaw_gateway.api import (
    ChannelError,
    PermanentSendError,
    TransientSendError,
)

AUTH_ERRORS = {
    "invalid_auth": "Slack refused the token",
    "not_authed": "no token was sent",
    "token_revoked": "the token was revoked (the app was uninstalled or the token rotated)",
    "token_expired": "the token expired (token rotation is on: use a non-expiring token)",
    "account_inactive": "the bot's user or workspace is deactivated",
    "not_allowed_token_type": "this kind of token is not allowed here",
    "team_access_not_granted": "the token has no access to this workspace",
    "ekm_access_denied": "the workspace's EKM policy refused access",
    "org_login_required": "the workspace requires the app to be reinstalled (org login)",
}
"""Errors a retry cannot fix because the credentials themselves are refused."""

TRANSIENT_ERRORS = frozenset(
    {"ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"}
)


def _status_and_error(exc: SlackApiError) -> tuple[int | None, str | None, Any]:
    response = exc.response
    status = getattr(response, "status_code", None) or getattr(response, "status", None)
    data = getattr(response, "data", None)
    error = data.get("error") if isinstance(data, dict) else None
    return status, error, getattr(response, "headers", None)


def _retry_after(headers: Any) -> float | None:
    try:
        value = headers.get("Retry-After") if headers is not None else None
        return max(0.0, float(value)) if value is not None else None
    except (TypeError, ValueError):
        return None


def api_error_code(exc: BaseException) -> str | None:
    """The ``error`` of a Slack API response (``channel_not_found`` …), if there is one."""
    return _status_and_error(exc)[1] if isinstance(exc, SlackApiError) else None


def classify(exc: BaseException, *, what: str, auth: type[ChannelError]) -> ChannelError:
    """Map a failure of ``what`` (e.g. ``"chat.postMessage"``) to a channel error; credential
    failures become ``auth`` (:class:`AuthError` while receiving, :class:`PermanentSendError` while
    sending, where the core should give up on the message, not retry it)."""
    if isinstance(exc, ChannelError):
        return exc
    if isinstance(exc, SlackApiError):
        status, error, headers = _status_and_error(exc)
        if status == 429 or error == "ratelimited":
            retry_after = _retry_after(headers)
            return TransientSendError(f"{what}: rate limited (429)", retry_after=retry_after)
        if (status is not None and status >= 500) or error in TRANSIENT_ERRORS:
            return TransientSendError(f"{what}: Slack answered {error or status}")
        if error in AUTH_ERRORS:
            return auth(f"{what}: {error}: {AUTH_ERRORS[error]}")
        if error is None and status is not None and status >= 400:
            return PermanentSendError(f"{what}: HTTP {status}")
        return PermanentSendError(f"{what}: {error or exc}")
    if isinstance(exc, SlackRequestError) and "Failed to upload a file" in str(exc):
        return TransientSendError(f"{what}: {exc}")  # the upload URL answered non-200
    if isinstance(exc, aiohttp.ClientError | TimeoutError | OSError):
        return TransientSendError(f"{what}: {type(exc).__name__}: {exc}")
    return PermanentSendError(f"{what}: {type(exc).__name__}: {exc}")


__all__ = ["AUTH_ERRORS", "api_error_code", "classify"]
