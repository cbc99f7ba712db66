"""``openclaw-gateway service install|uninstall|status|logs`` (see service/)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import click

from .common import EXIT_REMOTE, EXIT_USAGE, _fail, _load, state_dir_option

name_option = click.option(
    "--name",
    default="openclaw-gateway",
    show_default=True,
    help="Service name (one per gateway: several gateways on one host need distinct names).",
)


def _supervisor() -> Any:
    from ..service.manager import supervisor_for

    try:
        return supervisor_for(os.environ.get("OPENCLAW_GATEWAY_SERVICE_PLATFORM"))
    except LookupError as exc:
        _fail(str(exc), EXIT_USAGE)


def _report(outcome: Any) -> None:
    for line in outcome.done:
        click.echo(f"✓ {line}")
    if outcome.todo:
        click.echo("Not finished; run:", err=True)
        for line in outcome.todo:
            click.echo(f"  {line}", err=True)


@click.group()
def service() -> None:
    """Run the gateway under systemd (user unit) or launchd, restarted when it crashes."""


@service.command("install")
@name_option
@state_dir_option
@click.option("--no-start", is_flag=True, help="Write and enable the unit; do not start it now.")
@click.option("--print", "print_only", is_flag=True, help="Print the unit instead of installing.")
def service_install(name: str, state_dir: Path | None, no_start: bool, print_only: bool) -> None:
    """Write the unit for this installation and state dir, enable it at login, start it."""
    from ..service.units import ServiceSpec, gateway_argv, launchd_plist, systemd_unit

    config = _load(state_dir=state_dir)  # a broken config fails here, not in a restart loop
    spec = ServiceSpec(name, gateway_argv(sys.executable, config.state_dir), config.state_dir)
    supervisor = _supervisor()
    if print_only:
        if supervisor.kind == "launchd":
            click.echo(launchd_plist(spec, supervisor.log_file(name)).decode(), nl=False)
        else:
            click.echo(systemd_unit(spec), nl=False)
        return
    outcome = supervisor.install(spec, start=not no_start)
    _report(outcome)
    if outcome.todo:
        sys.exit(EXIT_REMOTE)


@service.command("uninstall")
@name_option
def service_uninstall(name: str) -> None:
    """Stop the service, disable it and remove its unit."""
    outcome = _supervisor().uninstall(name)
    _report(outcome)
    if not outcome.done:
        click.echo(f"nothing to remove: {outcome.path} is not installed", err=True)


@service.command("status")
@name_option
@click.option("--json", "as_json", is_flag=True)
def service_status(name: str, as_json: bool) -> None:
    """Whether the service is installed and running (exit 1 when it is not active)."""
    info = _supervisor().status(name)
    if as_json:
        click.echo(json.dumps(info, indent=2))
    else:
        for key, value in info.items():
            click.echo(f"{key}: {value}")
    if info.get("activeState") != "active":
        sys.exit(EXIT_REMOTE)


@service.command("logs")
@name_option
@click.option("--follow", "-f", is_flag=True)
@click.option("--lines", "-n", type=int, default=200, show_default=True)
def service_logs(name: str, follow: bool, lines: int) -> None:
    """The service's log (journalctl --user, or the launchd log file)."""
    argv = _supervisor().logs_argv(name, follow=follow, lines=lines)
    try:
        os.execvp(argv[0], argv)  # noqa: S606 - the supervisor's own log reader, fixed argv
    except OSError as exc:
        _fail(
            f"cannot run {argv[0]}: {exc.strerror or exc}; try `openclaw-gateway logs`", EXIT_USAGE
        )
