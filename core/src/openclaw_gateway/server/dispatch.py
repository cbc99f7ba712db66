"""From a validated request frame to a response: authorization, params, idempotency, handler.

An unknown method is ``INVALID_REQUEST`` "unknown method: <name>" whatever the caller's scopes.
(A deliberate difference: the reference checks authorization first and tells a read-scoped caller
"missing scope: operator.admin" for a method that does not exist, which sends clients, the
official Control UI among them, looking for a scope problem that is not there. Method names are
public anyway: ``hello-ok`` lists them all in ``features.methods``.)
"""

from __future__ import annotations

import logging
from time import perf_counter
from typing import Any

from pydantic import ValidationError

from ..auth.scopes import ROLE_OPERATOR
from ..errors import CloseCode, ErrorCode, GatewayError, invalid_request, missing_scope
from ..hooks.registry import MethodContext, MethodSpec
from ..protocol.codec import encode_error, encode_response, params_error
from ..protocol.frames import RequestFrame
from .connection import Connection
from .contract import ContractError, check_result
from .gateway import Gateway
from .idempotency import CachedOutcome

log = logging.getLogger("openclaw_gateway.dispatch")


def authorize(conn: Connection, method: str, spec: MethodSpec | None, params: Any) -> MethodSpec:
    """Return the spec if ``conn`` may call it, else raise the reference's error."""
    if conn.role == ROLE_OPERATOR:
        if spec is None:
            raise invalid_request(f"unknown method: {method}")
        if ROLE_OPERATOR not in spec.roles:
            raise invalid_request("unauthorized role: operator")
        required = spec.scope_for(params) if spec.scope_for is not None else spec.scope
        if required is not None and required not in conn.scopes:
            raise missing_scope(required)
        return spec
    if spec is None:
        raise invalid_request(f"unknown method: {method}")
    if conn.role not in spec.roles:
        raise invalid_request(f"unauthorized role: {conn.role}")
    return spec


async def dispatch(gateway: Gateway, conn: Connection, frame: RequestFrame) -> bytes:
    """Serve one request; always returns the encoded response frame (never raises)."""
    started = perf_counter()
    encoded, outcome = await _serve(gateway, conn, frame)
    method = frame.method if frame.method in gateway.registry.methods else "unknown"
    gateway.stats.observe(method, outcome, perf_counter() - started)
    return encoded


async def _serve(gateway: Gateway, conn: Connection, frame: RequestFrame) -> tuple[bytes, str]:
    """The response frame and its outcome (``ok`` or the error code) for the metrics."""
    try:
        spec = authorize(
            conn, frame.method, gateway.registry.methods.get(frame.method), frame.params
        )
        params: Any = frame.params
        if spec.params is not None:
            try:
                params = spec.params.model_validate({} if params is None else params)
            except ValidationError as exc:
                raise params_error(spec.name, exc) from None
        key: str | None = getattr(params, "idempotencyKey", None) if spec.side_effects else None
        if key is not None and spec.dedupe:
            cached = gateway.idempotency.get(spec.name, key)
            if cached is not None:
                if cached.ok:
                    return encode_response(frame.id, cached.payload), "ok"
                error = _error_from_wire(cached.error or {})
                return encode_error(frame.id, error, payload=cached.payload), error.code.value
        conn.forbidden_streak = 0
        ctx = MethodContext(gateway=gateway, conn=conn, request_id=frame.id)
        try:
            result = await spec.handler(ctx, params)
        except GatewayError as exc:
            if key is not None and spec.dedupe:
                gateway.idempotency.put(spec.name, key, CachedOutcome(False, None, exc.to_wire()))
            raise
        if gateway.config.validate_results:
            check_result(spec, result)
        if key is not None and spec.dedupe:
            gateway.idempotency.put(spec.name, key, CachedOutcome(True, result, None))
        return encode_response(frame.id, result), "ok"
    except GatewayError as exc:
        if exc.code == ErrorCode.FORBIDDEN:
            _count_forbidden(gateway, conn)
        return encode_error(frame.id, exc, payload=exc.payload), exc.code.value
    except ContractError as exc:
        log.error("%s", exc)
        return encode_error(
            frame.id,
            GatewayError(ErrorCode.UNAVAILABLE, f"internal error in {frame.method}: {exc}"),
        ), "internal_error"
    except Exception:
        log.exception("method %s failed", frame.method)
        return encode_error(
            frame.id, GatewayError(ErrorCode.UNAVAILABLE, f"internal error in {frame.method}")
        ), "internal_error"


MAX_FORBIDDEN_STREAK = 30
"""Unauthorized calls in a row before the socket is closed (a client probing for what it may do)."""


def _count_forbidden(gateway: Gateway, conn: Connection) -> None:
    conn.forbidden_streak += 1
    if conn.forbidden_streak == MAX_FORBIDDEN_STREAK:
        log.warning("closing %s (%s): repeated unauthorized calls", conn.conn_id, conn.remote_ip)
        gateway.hub.close_connection(conn, CloseCode.POLICY, "repeated unauthorized calls")


def _error_from_wire(error: dict[str, Any]) -> GatewayError:
    return GatewayError(
        ErrorCode(error.get("code", "UNAVAILABLE")),
        str(error.get("message", "")),
        details=error.get("details"),
        retryable=error.get("retryable"),
        retry_after_ms=error.get("retryAfterMs"),
    )
