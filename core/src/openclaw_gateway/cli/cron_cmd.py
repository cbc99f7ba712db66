"""``openclaw-gateway cron list|get|status|add|update|remove|run|runs`` (scheduled agent runs)."""

from __future__ import annotations

import re
import sys
from datetime import UTC, datetime
from typing import Any

import click

from .common import EXIT_USAGE, Remote, _fail, _print, cells, connection_options

_UNITS = {"ms": 1, "s": 1000, "m": 60_000, "h": 3_600_000, "d": 86_400_000}


@click.group()
def cron() -> None:
    """Scheduled agent runs on the running gateway (cron jobs)."""


def _every_ms(text: str) -> int:
    """``90s``, ``10m``, ``1h``, ``1d``, ``500ms`` or plain milliseconds."""
    match = re.fullmatch(r"\s*(\d+)\s*(ms|s|m|h|d)?\s*", text)
    if match is None:
        _fail(f"--every {text!r}: use a number with ms, s, m, h or d (e.g. 10m)", EXIT_USAGE)
    return int(match.group(1)) * _UNITS[match.group(2) or "ms"]


def _schedule(cron_expr: str | None, every: str | None, at: str | None, tz: str | None) -> Any:
    """The schedule object for the options (None: none given); a --tz goes into a cron one."""
    given = [value for value in (cron_expr, every, at) if value is not None]
    if len(given) > 1:
        _fail("give one of --cron, --every, --at", EXIT_USAGE)
    if cron_expr is not None:
        return {"kind": "cron", "expr": cron_expr, **({"tz": tz} if tz is not None else {})}
    if every is not None:
        return {"kind": "every", "everyMs": _every_ms(every)}
    if at is not None:
        return {"kind": "at", "at": at}
    return None


def _duration(ms: int) -> str:
    for unit, size in (("d", 86_400_000), ("h", 3_600_000), ("m", 60_000), ("s", 1000)):
        if ms % size == 0:
            return f"{ms // size}{unit}"
    return f"{ms}ms"


def _schedule_text(schedule: Any) -> str:
    """A job's schedule object for people: ``0 9 * * * (Europe/Berlin)``, ``every 10m``, ``at …``."""
    if not isinstance(schedule, dict):
        return str(schedule)
    if schedule.get("kind") == "every":
        return f"every {_duration(int(schedule.get('everyMs') or 0))}"
    if schedule.get("kind") == "at":
        return f"at {schedule.get('at')}"
    return f"{schedule.get('expr')} ({schedule.get('tz') or 'UTC'})"


def _when(ms: Any) -> str:
    if not isinstance(ms, int):
        return "-"
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _table(title: str, rows: list[list[str]], cols: list[str]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title)
    for col in cols:
        table.add_column(col)
    for row in rows:
        table.add_row(*cells(*row))
    Console().print(table)


def _show(result: Any, as_json: bool, line: str) -> None:
    if as_json or not sys.stdout.isatty():
        _print(result, True)
    else:
        click.echo(line)


schedule_options = [
    click.option("--cron", "cron_expr", default=None, help="Cron expression, e.g. '0 9 * * 1-5'."),
    click.option("--every", default=None, help="Fixed interval: 90s, 10m, 1h, 1d."),
    click.option("--at", default=None, help="Once, at an ISO 8601 time (UTC unless --tz)."),
    click.option("--tz", default=None, help="IANA time zone of --cron / an offset-less --at."),
    click.option("--name", default=None),
    click.option("--session", "session_key", default=None, help="Session key (default: own)."),
]


def with_schedule_options(fn: Any) -> Any:
    for option in reversed(schedule_options):
        fn = option(fn)
    return fn


@cron.command("list")
@click.option("--enabled-only", is_flag=True, help="Leave out disabled jobs.")
@click.option("--json", "as_json", is_flag=True)
@connection_options
def cron_list(enabled_only: bool, as_json: bool, remote: Remote) -> None:
    """The cron jobs: schedule, next fire, last outcome."""
    params: dict[str, Any] = {"includeDisabled": not enabled_only, "limit": 200, "offset": 0}
    result = remote.call("cron.list", params)
    jobs = list(result["jobs"])
    while result.get("hasMore") and isinstance(result.get("nextOffset"), int):
        result = remote.call("cron.list", {**params, "offset": result["nextOffset"]})
        jobs += result["jobs"]
    result = {**result, "jobs": jobs, "offset": 0, "hasMore": False, "nextOffset": None}
    if as_json or not sys.stdout.isatty():
        _print(result, True)
        return
    rows = [
        [
            job["id"],
            job["name"],
            _schedule_text(job["schedule"]),
            "yes" if job["enabled"] else "no",
            _when(job["nextRunAtMs"]),
            "running" if job.get("runningRunId") else job.get("lastRunStatus") or "-",
        ]
        for job in jobs
    ]
    title = "Cron jobs" + ("" if result.get("enabled", True) else " (scheduler disabled)")
    _table(title, rows, ["id", "name", "schedule", "enabled", "next run", "last"])


@cron.command("get")
@click.argument("job_id")
@connection_options
def cron_get(job_id: str, remote: Remote) -> None:
    """One job, as JSON."""
    _print(remote.call("cron.get", {"id": job_id}), True)


@cron.command("status")
@click.option("--json", "as_json", is_flag=True)
@connection_options
def cron_status(as_json: bool, remote: Remote) -> None:
    """The scheduler: enabled, jobs, runs in flight, next wake."""
    result = remote.call("cron.status", {})
    _show(
        result,
        as_json,
        f"scheduler {'enabled' if result['enabled'] else 'disabled'}: {result['jobs']} job(s),"
        f" {result['running']} running, next wake {_when(result['nextWakeAtMs'])}",
    )


@cron.command("add")
@click.option("--message", "-m", required=True, help="The prompt each run sends to the agent.")
@with_schedule_options
@click.option("--disabled", is_flag=True, help="Create it disabled.")
@click.option("--json", "as_json", is_flag=True)
@connection_options
def cron_add(
    message: str,
    cron_expr: str | None,
    every: str | None,
    at: str | None,
    tz: str | None,
    name: str | None,
    session_key: str | None,
    disabled: bool,
    as_json: bool,
    remote: Remote,
) -> None:
    """Add a job: --message and one of --cron, --every, --at."""
    schedule = _schedule(cron_expr, every, at, tz)
    if schedule is None:
        _fail("give one of --cron, --every, --at", EXIT_USAGE)
    params: dict[str, Any] = {
        "schedule": schedule,
        "payload": {"kind": "agentTurn", "message": message},
        "enabled": not disabled,
    }
    if tz is not None and cron_expr is None:
        params["tz"] = tz  # an offset-less --at (refused with --every)
    for key, value in (("name", name), ("sessionKey", session_key)):
        if value is not None:
            params[key] = value
    job = remote.call("cron.add", params)
    _show(
        job,
        as_json,
        f"added {job['id']} ({_schedule_text(job['schedule'])}),"
        f" next run {_when(job['nextRunAtMs'])}",
    )


@cron.command("update")
@click.argument("job_id")
@click.option("--message", "-m", default=None, help="A new prompt.")
@with_schedule_options
@click.option("--enable/--disable", "enabled", default=None)
@click.option("--json", "as_json", is_flag=True)
@connection_options
def cron_update(
    job_id: str,
    message: str | None,
    cron_expr: str | None,
    every: str | None,
    at: str | None,
    tz: str | None,
    name: str | None,
    session_key: str | None,
    enabled: bool | None,
    as_json: bool,
    remote: Remote,
) -> None:
    """Change a job (only what is given); a new schedule or --enable reschedules it."""
    patch: dict[str, Any] = {}
    schedule = _schedule(cron_expr, every, at, tz)
    for key, value in (
        ("schedule", schedule),
        ("tz", None if cron_expr is not None else tz),
        ("payload", None if message is None else {"kind": "agentTurn", "message": message}),
        ("name", name),
        ("sessionKey", session_key),
        ("enabled", enabled),
    ):
        if value is not None:
            patch[key] = value
    if not patch:
        _fail("nothing to change (see --help)", EXIT_USAGE)
    job = remote.call("cron.update", {"id": job_id, "patch": patch})
    _show(
        job,
        as_json,
        f"updated {job['id']} ({_schedule_text(job['schedule'])}),"
        f" next run {_when(job['nextRunAtMs'])}",
    )


cron.add_command(cron_update, "edit")


@cron.command("remove")
@click.argument("job_id")
@connection_options
def cron_remove(job_id: str, remote: Remote) -> None:
    """Delete a job and its run history."""
    remote.call("cron.remove", {"id": job_id})
    click.echo(f"removed {job_id}")


@cron.command("run")
@click.argument("job_id")
@click.option("--json", "as_json", is_flag=True)
@connection_options
def cron_run(job_id: str, as_json: bool, remote: Remote) -> None:
    """Run a job now (see its outcome with `cron runs`)."""
    result = remote.call("cron.run", {"id": job_id})
    if result.get("enqueued"):
        line = f"started: run {result['runId']}"
    else:
        line = f"not run ({result.get('reason')})" + (
            f": run {result['runId']} is in progress" if result.get("runId") else ""
        )
    _show(result, as_json, line)


@cron.command("runs")
@click.argument("job_id")
@click.option("--limit", type=click.IntRange(1, 200), default=20, show_default=True)
@click.option("--run-id", default=None, help="Only this run.")
@click.option("--json", "as_json", is_flag=True)
@connection_options
def cron_runs(job_id: str, limit: int, run_id: str | None, as_json: bool, remote: Remote) -> None:
    """A job's run history, newest first."""
    params: dict[str, Any] = {"id": job_id, "limit": limit}
    if run_id is not None:
        params["runId"] = run_id
    result = remote.call("cron.runs", params)
    if as_json or not sys.stdout.isatty():
        _print(result, True)
        return
    rows = [
        [
            run["runId"],
            run["status"],
            run["reason"],
            _when(run["runAtMs"]),
            "-" if run.get("durationMs") is None else f"{run['durationMs']} ms",
            run.get("error") or run.get("summary") or "",
        ]
        for run in result["entries"]
    ]
    title = f"Runs of {job_id} ({result['total']} kept)"
    _table(title, rows, ["run", "status", "reason", "started", "took", "error / summary"])
