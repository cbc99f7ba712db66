"""``openclaw-gateway doctor [--json]`` (see doctor.py)."""

from __future__ import annotations

import contextlib
import io
import json
import sys
from pathlib import Path

import click

from .common import EXIT_REMOTE, Remote, _load, connection_options

MARK = {"ok": "✓", "warn": "!", "error": "✗", "skip": "-"}


@click.command()
@click.option("--json", "as_json", is_flag=True, help="One JSON object: checks, problems.")
@click.option("--offline", is_flag=True, help="Do not ask the running gateway.")
@connection_options
def doctor(as_json: bool, offline: bool, remote: Remote) -> None:
    """Check config, secrets, state dir permissions, TLS, ports, plugins, channel credentials and
    clocks; print each problem with its fix. Exit 1 when any check fails."""
    import anyio

    from ..doctor import offline_checks, online_checks

    config = _load(state_dir=remote.state_dir)
    checks = offline_checks(config)
    if not offline:
        try:
            with contextlib.redirect_stderr(io.StringIO()):
                target = remote.target()
        except SystemExit:  # no credential yet: the secrets check already says so
            target = None
        if target is not None:
            checks += anyio.run(
                online_checks, target.url, target.client_options(), min(remote.timeout, 15.0)
            )
    problems = [c for c in checks if c.status == "error"]
    if as_json:
        click.echo(
            json.dumps(
                {
                    "ok": not problems,
                    "stateDir": str(Path(config.state_dir)),
                    "checks": [c.to_dict() for c in checks],
                    "problems": len(problems),
                    "warnings": sum(c.status == "warn" for c in checks),
                },
                indent=2,
            )
        )
    else:
        for check in checks:
            click.echo(f"{MARK[check.status]} {check.message}")
            if check.fix and check.status in ("error", "warn"):
                click.echo(f"    fix: {check.fix}")
        click.echo(
            f"{len(problems)} problem(s), {sum(c.status == 'warn' for c in checks)} warning(s)",
            err=True,
        )
    if problems:
        sys.exit(EXIT_REMOTE)
