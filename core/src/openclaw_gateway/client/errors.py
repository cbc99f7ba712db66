"""Client-side exceptions (see the package docstring for the tree)."""

from __future__ import annotations

from typing import Any


class ClientError(Exception):
    """Raised for anything the client cannot do."""


class RequestError(ClientError):
    """Raised when the gateway answers a request with ``ok:false``."""

    def __init__(self, error: dict[str, Any], payload: Any = None) -> None:
        self.code: str = str(error.get("code", "UNAVAILABLE"))
        self.message: str = str(error.get("message", ""))
        self.details: Any = error.get("details")
        self.retryable: bool | None = error.get("retryable")
        self.retry_after_ms: int | None = error.get("retryAfterMs")
        self.payload = payload
        super().__init__(f"{self.code}: {self.message}")

    @property
    def reason(self) -> str | None:
        """The specific reason (``details.code``), e.g. ``AUTH_TOKEN_MISMATCH``."""
        if isinstance(self.details, dict):
            code = self.details.get("code")
            return str(code) if code is not None else None
        return None


class HandshakeError(RequestError):
    """Raised when the gateway refuses the ``connect`` handshake."""

    def __init__(self, error: dict[str, Any], close_code: int | None = None) -> None:
        super().__init__(error)
        self.close_code = close_code


class ConnectionLost(ClientError):
    """Raised when the connection closes (or cannot be opened) while a call is pending."""

    def __init__(self, message: str, code: int | None = None, reason: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.reason = reason


class TlsPinError(ConnectionLost):
    """Raised when a ``wss://`` gateway presents a certificate other than the pinned one."""
