"""Turning text into validated frames and frames into bytes, on the hot path.

Encoding uses orjson and returns ``bytes`` (sent as text frames without a decode/encode round
trip). Pre-encoded payloads are spliced with :class:`orjson.Fragment`, so a cached snapshot is
serialised once, not once per request.
"""

from __future__ import annotations

from typing import Any

import orjson
from pydantic import BaseModel, ValidationError

from ..errors import ErrorCode, GatewayError
from .frames import RequestFrame

Fragment = orjson.Fragment


def dumps(value: Any) -> bytes:
    """Encode one JSON value (pydantic models are dumped without their unset fields)."""
    return orjson.dumps(value, default=_default)


def _default(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", exclude_none=True)
    raise TypeError(f"cannot encode {type(value).__name__}")


def loads(data: str | bytes) -> Any:
    """Decode JSON; raises ``orjson.JSONDecodeError`` (a ``ValueError``) on bad input."""
    return orjson.loads(data)


def encode_response(request_id: str, payload: Any) -> bytes:
    return dumps({"type": "res", "id": request_id, "ok": True, "payload": payload})


def encode_error(request_id: str, error: GatewayError, payload: Any = None) -> bytes:
    frame: dict[str, Any] = {"type": "res", "id": request_id, "ok": False, "error": error.to_wire()}
    if payload is not None:
        frame["payload"] = payload
    return dumps(frame)


def encode_event(
    event: str, payload: Any, seq: int | None = None, state_version: Any = None
) -> bytes:
    frame: dict[str, Any] = {"type": "event", "event": event, "payload": payload}
    if seq is not None:
        frame["seq"] = seq
    if state_version is not None:
        frame["stateVersion"] = state_version
    return dumps(frame)


def describe_validation_error(exc: ValidationError) -> tuple[str, str]:
    """Render the first pydantic error the way the reference's ajv does, with its field path.

    Returns ``(message, json_pointer)``, e.g. ``("at /device: must have required property
    'nonce'", "/device/nonce")``.
    """
    err = exc.errors(include_url=False)[0]
    loc = [str(part) for part in err["loc"]]
    pointer = "/" + "/".join(loc) if loc else ""
    kind = err["type"]
    if kind == "missing":
        parent = "/" + "/".join(loc[:-1]) if len(loc) > 1 else ""
        where = f"at {parent}: " if parent else ""
        return f"{where}must have required property '{loc[-1]}'", pointer
    if kind == "extra_forbidden":
        parent = "/" + "/".join(loc[:-1]) if len(loc) > 1 else ""
        return f"at {parent or 'root'}: unexpected property '{loc[-1]}'", pointer
    return f"at {pointer or 'root'}: {err['msg'].lower()}", pointer


def params_error(method: str, exc: ValidationError) -> GatewayError:
    """``INVALID_REQUEST "invalid <method> params: …"`` with the field path in ``details``."""
    message, pointer = describe_validation_error(exc)
    return GatewayError(
        ErrorCode.INVALID_REQUEST,
        f"invalid {method} params: {message}",
        details={"code": "INVALID_PARAMS", "path": pointer},
    )


class FrameError(Exception):
    """Raised when a text frame is not a valid request frame; ``message`` is the wire text."""

    def __init__(self, message: str, pointer: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.pointer = pointer


class NotJSON(FrameError):
    """Raised when a text frame is not JSON at all."""


def parse_request(data: str | bytes) -> RequestFrame:
    """Parse one client frame into a :class:`RequestFrame`.

    Raises :class:`NotJSON` for undecodable text and :class:`FrameError` for JSON that is not a
    request frame (an array, an event, a request without ``id``, unknown properties…).
    """
    try:
        return RequestFrame.model_validate_json(data)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        if errors and errors[0]["type"] == "json_invalid":
            raise NotJSON("not JSON") from None
        message, pointer = describe_validation_error(exc)
        raise FrameError(f"invalid request frame: {message}", pointer) from None
