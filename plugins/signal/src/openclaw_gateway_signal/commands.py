"""``openclaw-gateway signal link``: make signal-cli a linked device of a phone's Signal.

Runs ``signal-cli [--config DIR] link -n NAME`` (the account's ``cli_path`` and ``data_dir``),
shows the ``sgnl://linkdevice…`` URI it prints as a QR code in the terminal, and waits: the phone
scans it (Signal → Settings → Linked devices → +), signal-cli finishes and exits. Stop the gateway
(or this account) first: one signal-cli at a time may use its data directory. Registering a new
number stays a signal-cli step (docs/channels/signal.md).
"""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import click

from openclaw_gateway.api import ConfigError, load_config

from .config import SignalConfig

EXIT_USAGE, EXIT_FAILED = 2, 1


@click.group("signal")
def signal() -> None:
    """Signal accounts configured in [plugins.signal]."""


@signal.command("link")
@click.option("--account", default="default", show_default=True)
@click.option("--device-name", default="openclaw-gateway", show_default=True)
@click.option(
    "--state-dir",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="OPENCLAW_GATEWAY_STATE_DIR",
    help="State directory (default ~/.openclaw-gateway).",
)
def link(account: str, device_name: str, state_dir: Path | None) -> None:
    """Link signal-cli to a phone's Signal: scan the QR code shown here."""
    try:
        config = load_config(state_dir=state_dir)
    except ConfigError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    table = config.plugins.get("signal")
    settings = SignalConfig.model_validate(table.settings()) if table is not None else None
    if settings is None or account not in settings.accounts:
        click.echo(f"error: no [plugins.signal.accounts.{account}] in the config", err=True)
        sys.exit(EXIT_USAGE)
    chosen = settings.accounts[account]
    args = [chosen.cli_path]
    if chosen.data_dir is not None:
        args += ["--config", str(chosen.data_dir)]
    args += ["link", "-n", device_name]
    try:
        proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    except FileNotFoundError:
        click.echo(f"error: {chosen.cli_path} not found: install signal-cli first", err=True)
        sys.exit(EXIT_USAGE)
    assert proc.stdout is not None
    shown = False
    for line in proc.stdout:
        line = line.strip()
        if line.startswith("sgnl://") and not shown:
            click.echo("Scan this with the phone (Signal → Settings → Linked devices → +):")
            click.echo(terminal_qr(line))
            click.echo(line)
            shown = True
        elif line:
            click.echo(line)
    code = proc.wait()
    if code != 0 or not shown:
        click.echo(f"error: signal-cli link exited with code {code}", err=True)
        sys.exit(EXIT_FAILED)
    click.echo(f"Linked. Start the gateway: Signal account {account} ({chosen.account}).")


def terminal_qr(text: str) -> str:
    import segno

    buffer = io.StringIO()
    segno.make_qr(text).terminal(out=buffer, compact=True)
    return buffer.getvalue()
