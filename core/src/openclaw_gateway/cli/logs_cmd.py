"""``openclaw-gateway logs``: the running gateway's file log through ``logs.tail`` (once, or
following it with the cursor)."""

from __future__ import annotations

import json
from typing import Any

import click

from .common import EXIT_AUTH, EXIT_REMOTE, EXIT_UNREACHABLE, Remote, _fail, connection_options

FOLLOW_RETRIES = 8
"""Reconnect attempts in a row (1 s, 2 s, 4 s … up to 30 s apart) before ``--follow`` gives up."""

_LEVEL_COLORS = {"fatal": "red", "error": "red", "warn": "yellow", "debug": "bright_black"}


def format_line(raw: str) -> str:
    """``time level subsystem message`` for a JSON line; anything else as it is."""
    try:
        entry = json.loads(raw)
    except ValueError:
        return raw
    if not isinstance(entry, dict):
        return raw
    level = str(entry.get("level") or "")
    parts = [
        str(entry.get("time") or ""),
        click.style(f"{level:<5}", fg=_LEVEL_COLORS.get(level)) if level else "",
        str(entry.get("subsystem") or ""),
        str(entry.get("message") if entry.get("message") is not None else raw),
    ]
    return " ".join(part for part in parts if part)


def _emit(result: dict[str, Any], as_json: bool) -> None:
    for line in result.get("lines", []):
        click.echo(line if as_json else format_line(line))
    if result.get("reset"):
        skipped = result.get("skippedBytes")
        click.echo(
            f"(skipped {skipped} bytes to catch up)" if skipped else "(the log file rotated)",
            err=True,
        )
    elif result.get("truncated"):
        click.echo("(older lines left out: raise --limit or --max-bytes)", err=True)


@click.command()
@click.option("--follow", "-f", is_flag=True, help="Keep printing new lines as they are written.")
@click.option(
    "--limit",
    type=click.IntRange(1, 5000),
    default=200,
    show_default=True,
    help="Lines at most per read.",
)
@click.option(
    "--max-bytes",
    type=click.IntRange(1, 1_000_000),
    default=250_000,
    show_default=True,
    help="Bytes at most per read.",
)
@click.option(
    "--interval",
    type=click.FloatRange(0.1),
    default=1.0,
    show_default=True,
    help="Seconds between reads with --follow.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the raw JSON lines.")
@connection_options
def logs(
    follow: bool, limit: int, max_bytes: int, interval: float, as_json: bool, remote: Remote
) -> None:
    """Print the gateway's log (its file log, read through logs.tail)."""
    params = {"limit": limit, "maxBytes": max_bytes}
    if not follow:
        _emit(remote.call("logs.tail", params), as_json)
        return
    import anyio

    from ..client import ConnectionLost, HandshakeError, RequestError

    try:
        anyio.run(_follow, remote, params, interval, as_json)
    except KeyboardInterrupt:
        pass
    except HandshakeError as exc:
        _fail(f"{exc.message} [{exc.reason or exc.code}]", EXIT_AUTH)
    except RequestError as exc:
        detail = f" [{exc.reason}]" if exc.reason else ""
        _fail(f"{exc.code}: {exc.message}{detail}", EXIT_REMOTE)
    except ConnectionLost as exc:
        _fail(str(exc), EXIT_UNREACHABLE)
    except TimeoutError:
        _fail(f"no answer from the gateway within {remote.timeout:g} s", EXIT_UNREACHABLE)


async def _follow(remote: Remote, params: dict[str, Any], interval: float, as_json: bool) -> None:
    """One connection (scope ``operator.read``) polled with the cursor. Once connected, a lost
    connection is retried with backoff (the gateway restarting); errors it answers end it."""
    import anyio

    from ..client import ConnectionLost, GatewayClient

    target = remote.target()
    cursor: int | None = None
    failures = 0
    while True:
        try:
            async with GatewayClient(
                target.url,
                **target.client_options(),
                scopes=["operator.read"],
                client_id="cli",
                client_mode="cli",
                request_timeout=remote.timeout,
            ) as gw:
                if failures:
                    click.echo("(reconnected)", err=True)
                failures = 0
                while True:
                    call = params if cursor is None else {**params, "cursor": cursor}
                    result = await gw.call("logs.tail", call)
                    _emit(result, as_json)
                    cursor = result["cursor"]
                    await anyio.sleep(interval)
        except (ConnectionLost, TimeoutError) as exc:
            failures += 1
            if cursor is None or failures > FOLLOW_RETRIES:
                raise
            delay = min(30.0, 2.0 ** (failures - 1))
            click.echo(f"(connection lost: {exc or 'timeout'}; retrying in {delay:g} s)", err=True)
            await anyio.sleep(delay)
