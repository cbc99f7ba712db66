"""Turning text into validated frames and frames into bytes, on the hot path.

Encoding uses orjson and returns ``bytes`` (sent as text frames without a decode/encode round
trip). Pre-encoded payloads are spliced with :class:`orjson.Fragment`, so a cached snapshot is
serialised once, not once per request.
"""

from __future__ import annotations

import re
from typing import Any

import orjson
from pydantic import BaseModel, ValidationError

from ..errors import ErrorCode, GatewayError
from .frames import RequestFrame

Fragment = orjson.Fragment


def dumps(value: Any) -> bytes:
    """Encode one JSON value (pydantic models are dumped without their unset fields).

    orjson refuses two things JSON itself allows: integers beyond 64 bits and strings holding a
    lone surrogate. Rather than fail a response, those (rare) values are encoded by the standard
    library: big integers as digits, lone surrogates as ``\\uXXXX`` escapes (ASCII output).
    """
    try:
        return orjson.dumps(value, default=_default)
    except orjson.JSONEncodeError:
        return _dumps_slow(value)


def _dumps_slow(value: Any) -> bytes:
    import json

    def default(item: Any) -> Any:
        if isinstance(item, Fragment):
            return json.loads(orjson.dumps(item))  # a fragment dumps as its own bytes
        return _default(item)

    return json.dumps(value, default=default, separators=(",", ":")).encode("ascii")


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


class UnreadableRequest(FrameError):
    """Raised when a frame looks like a request but its JSON cannot be read (a lone surrogate
    escape, nesting past the parser's depth, a number out of range). ``request_id`` is its id
    when that could be recovered and is usable (a non-empty string that is valid Unicode)."""

    def __init__(self, message: str, request_id: str | None) -> None:
        super().__init__(message)
        self.request_id = request_id


MAX_ID_LENGTH = 512


def _usable_id(value: Any) -> str | None:
    if not isinstance(value, str) or not value or len(value) > MAX_ID_LENGTH:
        return None
    try:
        value.encode("utf-8")  # a lone surrogate cannot be sent back
    except UnicodeEncodeError:
        return None
    return value


_ID_FIELD = re.compile(rb'"id"\s*:\s*"((?:[^"\\]|\\.){1,512})"')


def _salvage_id(data: str | bytes) -> str | None:
    """The ``id`` of a frame our parser refused, read leniently (the standard library's parser
    takes what ours refuses; a regex covers nesting past its recursion limit)."""
    import json

    def keep_digits(text: str) -> str:
        return text  # an over-long integer stays text instead of failing the parse

    try:
        obj = json.loads(data, parse_int=keep_digits, parse_float=keep_digits)
    except (ValueError, RecursionError):
        obj = None
    if isinstance(obj, dict):
        return _usable_id(obj.get("id"))
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
    match = _ID_FIELD.search(raw[:65536])
    if match is None:
        return None
    try:
        return _usable_id(json.loads(b'"' + match.group(1) + b'"'))
    except ValueError:
        return None


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
            reason = str((errors[0].get("ctx") or {}).get("error", "invalid JSON"))
            request_id = _salvage_id(data)
            if request_id is None and not _looks_like_request(data):
                raise NotJSON("not JSON") from None
            raise UnreadableRequest(
                f"invalid request frame: unreadable JSON ({_explain(reason, data)})", request_id
            ) from None
        message, pointer = describe_validation_error(exc)
        raise FrameError(f"invalid request frame: {message}", pointer) from None


def _looks_like_request(data: str | bytes) -> bool:
    head = data[:256] if isinstance(data, bytes) else data[:256].encode("utf-8", "surrogatepass")
    return b'"type"' in head and b'"req"' in head


_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


def _explain(reason: str, data: str | bytes) -> str:
    """The parser's reason, said so a client author knows what to fix."""
    lowered = reason.lower()
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
    if "surrogate" in lowered or ("escape" in lowered and _SURROGATE_ESCAPE.search(raw)):
        return f"a string holds a lone UTF-16 surrogate escape, which is not Unicode: {reason}"
    if "recursion" in lowered:
        return f"nested too deeply: {reason}"
    if "number" in lowered:
        return f"a number is out of range: {reason}"
    return reason
