"""Pure handshake rules: protocol negotiation and role checks (PROTOCOL.md §3)."""

from __future__ import annotations

from ..errors import CloseCode, ErrorCode, HandshakeRejected
from . import MIN_NODE_PROTOCOL, PROTOCOL_VERSION
from .frames import ConnectParams


def negotiate_protocol(params: ConnectParams) -> int:
    """The protocol to speak, or :class:`HandshakeRejected` (close 1002) when ranges don't meet.

    Operators need 4; nodes (role and mode ``node``) and probes may still use 3. hello-ok reports
    4 either way, as the reference does.
    """
    low, high = params.minProtocol, params.maxProtocol
    if low <= PROTOCOL_VERSION <= high:
        return PROTOCOL_VERSION
    legacy_ok = (
        params.role == "node" and params.client.mode == "node"
    ) or params.client.mode == "probe"
    if legacy_ok and low <= MIN_NODE_PROTOCOL <= high:
        return PROTOCOL_VERSION
    raise HandshakeRejected(
        ErrorCode.INVALID_REQUEST,
        "protocol mismatch",
        close_code=CloseCode.PROTOCOL_MISMATCH,
        details={
            "code": "PROTOCOL_MISMATCH",
            "clientMinProtocol": low,
            "clientMaxProtocol": high,
            "expectedProtocol": PROTOCOL_VERSION,
            "minimumProbeProtocol": MIN_NODE_PROTOCOL,
        },
    )


def check_role(params: ConnectParams) -> str:
    if params.role not in ("operator", "node"):
        raise HandshakeRejected(ErrorCode.INVALID_REQUEST, "invalid role")
    return params.role


def close_reason(message: str) -> str:
    """Fit a close reason into the 123-byte WebSocket limit without splitting a character."""
    encoded = message.encode()
    if len(encoded) <= 123:
        return message
    return encoded[:123].decode(errors="ignore")
