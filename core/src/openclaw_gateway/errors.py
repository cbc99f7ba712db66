"""The one exception tree of the gateway, with the stable wire codes clients branch on.

    GatewayError                 Raised when a request cannot be served; carries a wire error.
    ├── HandshakeRejected        Raised when a connect is refused; also names the close code.
    └── ConfigError              Raised when configuration is invalid (startup fails, exit 2).

Wire errors are ``{"code", "message", "details"?, "retryable"?, "retryAfterMs"?}``. The top-level
``code`` is one of :class:`ErrorCode`; the specific reason lives in ``details.code`` (as in the
reference gateway, e.g. ``AUTH_TOKEN_MISMATCH``), so clients branch on that.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any


class ErrorCode(StrEnum):
    """Top-level error codes of the OpenClaw Gateway protocol."""

    INVALID_REQUEST = "INVALID_REQUEST"
    FORBIDDEN = "FORBIDDEN"
    NOT_PAIRED = "NOT_PAIRED"
    UNAVAILABLE = "UNAVAILABLE"
    APPROVAL_NOT_FOUND = "APPROVAL_NOT_FOUND"


class CloseCode:
    """WebSocket close codes the gateway uses (PROTOCOL.md §1)."""

    NORMAL = 1000
    PROTOCOL_MISMATCH = 1002
    POLICY = 1008
    TOO_BIG = 1009
    INTERNAL = 1011
    SERVICE_RESTART = 1012
    DEVICE_REMOVED = 4001


class GatewayError(Exception):
    """Raised when a request cannot be served; becomes an ``ok:false`` response on the wire."""

    def __init__(
        self,
        code: ErrorCode,
        message: str,
        *,
        details: dict[str, Any] | None = None,
        retryable: bool | None = None,
        retry_after_ms: int | None = None,
        payload: Any = None,
    ) -> None:
        super().__init__(message)
        self.payload = payload
        """Sent beside the error (``agent`` reports a failed run's result this way)."""
        self.code = code
        self.message = message
        self.details = details
        self.retryable = retryable
        self.retry_after_ms = retry_after_ms

    def to_wire(self) -> dict[str, Any]:
        """The ``error`` object of a response frame."""
        error: dict[str, Any] = {"code": str(self.code), "message": self.message}
        if self.details is not None:
            error["details"] = self.details
        if self.retryable is not None:
            error["retryable"] = self.retryable
        if self.retry_after_ms is not None:
            error["retryAfterMs"] = self.retry_after_ms
        return error


class HandshakeRejected(GatewayError):
    """Raised when a ``connect`` is refused: the error is answered, then the socket is closed.

    ``respond`` is False for failures the reference answers with a bare close (no ``res``).
    ``counts_as_failure`` marks a wrong credential or signature (a guess), which the auth-failure
    rate limit counts; a missing credential does not count.
    """

    def __init__(
        self,
        code: ErrorCode,
        message: str,
        *,
        close_code: int = CloseCode.POLICY,
        close_reason: str | None = None,
        respond: bool = True,
        counts_as_failure: bool = False,
        details: dict[str, Any] | None = None,
        retryable: bool | None = None,
        retry_after_ms: int | None = None,
    ) -> None:
        super().__init__(
            code, message, details=details, retryable=retryable, retry_after_ms=retry_after_ms
        )
        self.close_code = close_code
        self.close_reason = message if close_reason is None else close_reason
        self.respond = respond
        self.counts_as_failure = counts_as_failure


class ConfigError(Exception):
    """Raised when the configuration is invalid; names each field path and the reason."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        self.problems = problems
        lines = "\n".join(f"  {path}: {reason}" for path, reason in problems)
        super().__init__(f"invalid configuration:\n{lines}")


def invalid_request(message: str, **details: Any) -> GatewayError:
    """Shorthand for the most common error, ``INVALID_REQUEST`` with optional details."""
    return GatewayError(ErrorCode.INVALID_REQUEST, message, details=details or None)


def missing_scope(scope: str) -> GatewayError:
    """The reference's exact shape for an operator lacking a scope (PROTOCOL.md §7)."""
    return GatewayError(
        ErrorCode.FORBIDDEN,
        f"missing scope: {scope}",
        details={"code": "MISSING_SCOPE", "missingScope": scope, "requiredScopes": [scope]},
    )
