"""``logs.tail``: bounded, cursor-based reads of the gateway's file log (the reference's method).

The params are the reference's closed schema; the result is ``{file, cursor, size, lines,
truncated, reset, skippedBytes?}`` with its cursor semantics (``readLogSlice``): the cursor is the
byte offset just after the last complete line returned, so polling with it returns only new lines; a
line still being written is returned once complete; a cursor beyond the file's size (the file
rotated) resets to the tail of the new file; a cursor more than ``maxBytes`` behind skips ahead.
The file is read in a worker thread, never on the event loop.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import anyio
from pydantic import BaseModel, ConfigDict, Field, Strict

from ..auth.scopes import READ
from ..errors import ErrorCode, GatewayError
from ..hooks import hookimpl
from ..hooks.registry import MethodContext, MethodSpec
from ..server.logfile import log_path

DEFAULT_LIMIT = 500
DEFAULT_MAX_BYTES = 250_000
MAX_LIMIT = 5000
MAX_BYTES = 1_000_000


class LogsTailParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    cursor: Annotated[int, Strict(), Field(ge=0)] | None = None
    limit: Annotated[int, Strict(), Field(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT
    maxBytes: Annotated[int, Strict(), Field(ge=1, le=MAX_BYTES)] = DEFAULT_MAX_BYTES


def read_tail(path: Path, cursor: int | None, limit: int, max_bytes: int) -> dict[str, Any]:
    """One slice of ``path`` as ``logs.tail`` returns it (without ``file``). Blocking I/O."""
    try:
        size = os.stat(path).st_size
    except FileNotFoundError:
        size = 0
    reset = truncated = False
    skipped: int | None = None
    if cursor is not None and cursor > size:  # rotated (or another file): start over
        reset = True
        start = max(0, size - max_bytes)
        truncated = start > 0
    elif cursor is not None:
        start = cursor
        if size - start > max_bytes:  # fell too far behind: skip to the last max_bytes
            reset = truncated = True
            bounded = size - max_bytes
            skipped, start = bounded - start, bounded
    else:
        start = max(0, size - max_bytes)
        truncated = start > 0
    result: dict[str, Any] = {"cursor": size, "size": size, "lines": []}
    if size > start:
        try:
            with open(path, "rb") as fh:
                fh.seek(max(0, start - 1))
                data = fh.read(size - max(0, start - 1))
        except FileNotFoundError:  # rotated away between stat and open
            data = b""
            result["cursor"] = result["size"] = 0
            reset = cursor is not None and cursor > 0
            truncated, skipped = False, None
        if data:
            starts_a_line = start == 0 or data[:1] == b"\n"
            if start > 0:
                data = data[1:]
            lines = data.split(b"\n")
            lines.pop()  # the incomplete last line (or "" after the final newline)
            if not starts_a_line and lines:
                lines.pop(0)  # the rest of a line that began before ``start``
            if len(lines) > limit:
                truncated = True
                lines = lines[-limit:]
            result["cursor"] = start + data.rfind(b"\n") + 1
            result["lines"] = [line.decode("utf-8", "replace") for line in lines]
    result["truncated"] = truncated
    result["reset"] = reset
    if skipped is not None:
        result["skippedBytes"] = skipped
    return result


async def logs_tail(ctx: MethodContext, params: LogsTailParams) -> dict[str, Any]:
    config = ctx.core.config
    if not config.log_file:
        raise GatewayError(ErrorCode.UNAVAILABLE, "the file log is off (log_file = false)")
    path = log_path(config)
    try:
        tail = await anyio.to_thread.run_sync(
            read_tail, path, params.cursor, params.limit, params.maxBytes
        )
    except OSError as exc:
        raise GatewayError(
            ErrorCode.UNAVAILABLE, f"log read failed: {exc.strerror or exc}"
        ) from None
    return {"file": str(path), **tail}


@hookimpl
def register_methods(register: Callable[[MethodSpec], None]) -> None:
    register(
        MethodSpec(
            name="logs.tail",
            handler=logs_tail,
            params=LogsTailParams,
            scope=READ,
            description="the last lines of the gateway's file log, or those after a cursor",
        )
    )
