"""``openclaw-gateway plugins list``: which plugins are installed and what state they are in.

By default the report is computed *locally*, exactly as ``run`` computes it at start (installed
entry points + ``OPENCLAW_GATEWAY_LOAD_PLUGINS`` + the config file), so it works with no gateway
running and shows what the next start will do — including config errors (exit 2). ``--remote``
asks the running gateway instead (its ``health``), which adds live service state: restarts and
the last error.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from .common import EXIT_USAGE, Remote, _fail, _load, connection_options

STATE_STYLE = {"loaded": "green", "idle": "yellow", "disabled": "dim", "failed": "bold red"}


@click.group()
def plugins() -> None:
    """Installed plugins: loaded, idle (not configured), disabled or failed, and why."""


@plugins.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print raw JSON.")
@click.option(
    "--remote", "ask_remote", is_flag=True, help="Ask the running gateway (adds service restarts)."
)
@connection_options
def plugins_list(
    as_json: bool,
    ask_remote: bool,
    remote: Remote,
) -> None:
    """List plugins with their distribution, version, state, reason and registrations."""
    if ask_remote:
        report = remote.call("health", {})
        rows: list[dict[str, Any]] = report.get("plugins", {}).get("details", [])
        missing = [
            u
            for u in report.get("plugins", {}).get("unavailable", [])
            if u.get("state") == "missing"
        ]
    else:
        from ..errors import ConfigError
        from ..hooks.manager import load_plugins

        config = _load(state_dir=remote.state_dir)
        try:
            loaded = load_plugins(config, load_entrypoints=True)
        except ConfigError as exc:
            _fail(str(exc), EXIT_USAGE)
        rows = loaded.report.rows()
        missing = [
            {"plugin": name, "state": "missing", "reason": why}
            for name, why in loaded.report.missing.items()
        ]
    if as_json or not sys.stdout.isatty():
        click.echo(json.dumps({"plugins": rows, "missing": missing}, indent=2))
        return
    _print_table(rows, missing)


def _print_table(rows: list[dict[str, Any]], missing: list[dict[str, Any]]) -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from .common import cells

    table = Table(title="Plugins")
    for column in ("name", "distribution", "version", "state", "registered", "reason"):
        table.add_column(column, overflow="fold")
    for row in rows:
        registered = "\n".join(f"{k}: {', '.join(v)}" for k, v in row["registered"].items())
        for svc in row.get("services", []):
            if svc["restarts"]:
                registered += f"\nservice {svc['name']}: {svc['restarts']} restarts"
        state = row["state"]
        table.add_row(
            *cells(
                row["name"],
                row.get("distribution") or "",
                row.get("version") or "",
                Text(state, style=STATE_STYLE.get(state, "")),
                registered,
                row.get("reason") or "",
            )
        )
    for item in missing:
        table.add_row(
            *cells(item["plugin"], "", "", Text("missing", style="yellow"), "", item["reason"])
        )
    console = Console()
    if not rows and not missing:
        console.print("no plugins installed (entry-point group 'openclaw_gateway')")
        return
    console.print(table)
