"""``openclaw-gateway``: run the gateway, and talk to a running one.

Exit codes:
    0  success
    1  the gateway answered with an error (the error is printed)
    2  invalid usage or invalid configuration
    3  the gateway could not be reached, or the connection was lost
    4  the gateway refused the credentials (handshake error)

Imports are lazy so ``openclaw-gateway run`` starts fast and ``--help`` is instant.
"""

from __future__ import annotations

import errno
import gc
import importlib
import json
import os
import sys
from pathlib import Path
from typing import Any

import click

from .common import (
    EXIT_UNREACHABLE,
    EXIT_USAGE,
    Remote,
    _fail,
    _load,
    _print,
    cells,
    connection_options,
    state_dir_option,
    token_file_option,
)

LAZY_COMMANDS = {
    "doctor": (".doctor_cmd", "doctor"),
    "schema": (".schema_cmd", "schema"),
    "service": (".service_cmd", "service"),
    "tls": (".tls_cmd", "tls"),
}
"""Operations commands, imported only when named (``run`` pays nothing for them)."""


class GatewayCLI(click.Group):
    """The core's commands, plus those installed plugins add through ``register_commands``
    (loaded only when a name is not the core's, or for the command list in ``--help``)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._plugin_commands: dict[str, click.Command] | None = None

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is None and cmd_name in LAZY_COMMANDS:
            module, attr = LAZY_COMMANDS[cmd_name]
            command = getattr(importlib.import_module(module, __package__), attr)
            self.add_command(command, cmd_name)
        return command or self.plugin_commands().get(cmd_name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *LAZY_COMMANDS, *self.plugin_commands()})

    def plugin_commands(self) -> dict[str, click.Command]:
        if self._plugin_commands is None:
            from .plugin_commands import collect_plugin_commands

            self._plugin_commands = {
                name: command
                for name, command in collect_plugin_commands().items()
                if name not in self.commands  # the core's names are the core's
            }
        return self._plugin_commands


@click.group(cls=GatewayCLI, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="openclaw-gateway")
def cli() -> None:
    """One WebSocket control plane for every messaging surface and device."""


# --- run -----------------------------------------------------------------------------------------


@cli.command()
@click.option("--port", type=int, help="Port to listen on (default 18789).")
@click.option("--bind", help="loopback (default), lan, or an IP address.")
@click.option("--token", help="Shared token (default: generated once and stored).")
@token_file_option
@state_dir_option
@click.option("--verbose", "-v", is_flag=True, help="Debug logging.")
def run(
    port: int | None, bind: str | None, token: str | None, state_dir: Path | None, verbose: bool
) -> None:
    """Run the gateway in the foreground (logs to stdout and <state dir>/logs/gateway.log;
    SIGTERM stops it cleanly)."""
    import logging

    config = _load(port=port, bind=bind, token=token, state_dir=state_dir)
    logging.basicConfig(
        level=logging.DEBUG if verbose else getattr(logging, config.log_level.upper()),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stdout,
    )
    if not verbose:
        # websockets logs every connection open/close at INFO: noise for operators (and ~20 µs
        # per handshake). Our own refusals are still logged; --verbose shows everything.
        logging.getLogger("websockets").setLevel(logging.WARNING)
    import anyio

    from .. import __version__
    from ..errors import ConfigError
    from ..server.app import run_gateway
    from ..server.gateway import Gateway

    def ready(gw: Gateway) -> None:
        if not gc.isenabled():  # main() paused the collector for start-up
            # What start-up built (modules, models, the registry) lives as long as the process:
            # park it where collections never look (a full pass over it costs ~15 ms, a latency
            # spike for whoever is waiting), then collect normally what serving allocates.
            gc.freeze()
            gc.enable()
        logging.getLogger("openclaw_gateway").info(
            "openclaw-gateway %s listening on %s://%s:%d (%d methods; state %s)",
            __version__,
            "wss" if gw.tls else "ws",
            config.host,
            gw.port,
            len(gw.registry.methods),
            config.state_dir,
        )
        if config.token is None:
            from ..hints import command

            logging.getLogger("openclaw_gateway").info(
                "clients authenticate with the gateway token: show it with `%s`",
                command("token"),
            )

    try:
        try:
            anyio.run(lambda: run_gateway(config, on_ready=ready))
        except BaseExceptionGroup as group:
            # The task group wraps a start-up failure; report the cause, not the group.
            raise _first_cause(group) from None
    except ConfigError as exc:
        _fail(str(exc), EXIT_USAGE)
    except OSError as exc:
        reason = "address in use" if exc.errno == errno.EADDRINUSE else (exc.strerror or str(exc))
        hint = " (is another gateway running? stop it, or choose --port)"
        _fail(
            f"cannot listen on {config.host}:{config.port}: {reason}"
            f"{hint if exc.errno == errno.EADDRINUSE else ''}",
            EXIT_UNREACHABLE,
        )


def _first_cause(group: BaseExceptionGroup[BaseException]) -> BaseException:
    """The configuration or socket error inside a task group's exception group, else the group."""
    from ..errors import ConfigError

    for leaf in _leaves(group):
        if isinstance(leaf, ConfigError | OSError):
            return leaf
    return group


def _leaves(exc: BaseException) -> list[BaseException]:
    if isinstance(exc, BaseExceptionGroup):
        return [leaf for inner in exc.exceptions for leaf in _leaves(inner)]
    return [exc]


# --- talking to a running gateway ----------------------------------------------------------------


@cli.command()
@click.argument("method")
@click.option("--params", "params_json", default=None, help="Params as a JSON object.")
@click.option("--json", "as_json", is_flag=True, help="Print raw JSON.")
@click.option("--expect-final", is_flag=True, help="Wait for the final response (e.g. agent).")
@connection_options
def call(
    method: str,
    params_json: str | None,
    as_json: bool,
    expect_final: bool,
    remote: Remote,
) -> None:
    """Call any gateway METHOD and print its result."""
    try:
        params = json.loads(params_json) if params_json else None
    except json.JSONDecodeError as exc:
        _fail(f"--params is not valid JSON: {exc}", EXIT_USAGE)
    result = remote.call(method, params, expect_final=expect_final)
    _print(result, as_json)


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print raw JSON.")
@click.option("--probe", is_flag=True, help="Force a fresh health probe.")
@connection_options
def health(
    as_json: bool,
    probe: bool,
    remote: Remote,
) -> None:
    """Show the gateway's health."""
    result = remote.call("health", {"probe": True} if probe else {})
    if as_json or not sys.stdout.isatty():
        _print(result, True)
        return
    gw = result.get("gateway", {})
    click.echo(
        f"ok: {result.get('ok')}  version: {gw.get('version')}  uptime: {gw.get('uptimeMs', 0) // 1000}s"
        f"  connections: {gw.get('connections')}"
    )
    for plugin_error in (result.get("plugins") or {}).get("errors", []):
        click.echo(f"plugin error: {plugin_error}")


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print raw JSON.")
@connection_options
def status(
    as_json: bool,
    remote: Remote,
) -> None:
    """Show the gateway's status."""
    _print(remote.call("status", {}), as_json)


# --- devices -------------------------------------------------------------------------------------


@cli.group()
def devices() -> None:
    """List, approve, reject and revoke devices (talks to the running gateway)."""


@devices.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print raw JSON.")
@connection_options
def devices_list(
    as_json: bool,
    remote: Remote,
) -> None:
    """Pending pairing requests and paired devices."""
    result = remote.call("device.pair.list", {})
    if as_json or not sys.stdout.isatty():
        _print(result, True)
        return
    from rich.console import Console
    from rich.table import Table

    console = Console()
    pending = Table(title="Pending requests")
    for col in ("requestId", "deviceId", "role", "scopes", "client", "remote"):
        pending.add_column(col)
    for p in result["pending"]:
        pending.add_row(
            *cells(
                p["requestId"],
                p["deviceId"][:16],
                p["role"],
                ",".join(p["scopes"]),
                str(p.get("clientId")),
                str(p.get("remoteIp")),
            )
        )
    paired = Table(title="Paired devices")
    for col in ("deviceId", "roles", "scopes", "client", "via", "connected"):
        paired.add_column(col)
    for d in result["paired"]:
        paired.add_row(
            *cells(
                d["deviceId"][:16],
                ",".join(d["roles"]),
                ",".join(d["scopes"]),
                str(d.get("clientId")),
                d["approvedVia"],
                "yes" if d["connected"] else "no",
            )
        )
    console.print(pending)
    console.print(paired)


@devices.command("approve")
@click.argument("request_id")
@connection_options
def devices_approve(
    request_id: str,
    remote: Remote,
) -> None:
    """Approve a pending pairing request."""
    result = remote.call("device.pair.approve", {"requestId": request_id})
    click.echo(f"approved device {result['device']['deviceId']}")


@devices.command("reject")
@click.argument("request_id")
@connection_options
def devices_reject(
    request_id: str,
    remote: Remote,
) -> None:
    """Reject a pending pairing request."""
    result = remote.call("device.pair.reject", {"requestId": request_id})
    click.echo(f"rejected device {result['deviceId']}")


@devices.command("revoke")
@click.argument("device_id")
@click.option(
    "--role", default=None, help="Revoke only this role's token (default: remove the device)."
)
@connection_options
def devices_revoke(
    device_id: str,
    role: str | None,
    remote: Remote,
) -> None:
    """Revoke a device: remove it (or only its token for --role); its sockets are closed."""
    if role is None:
        remote.call("device.pair.remove", {"deviceId": device_id})
        click.echo(f"removed device {device_id}")
    else:
        remote.call("device.token.revoke", {"deviceId": device_id, "role": role})
        click.echo(f"revoked the {role} token of device {device_id}")


# --- token and config ----------------------------------------------------------------------------


@cli.command()
@click.option(
    "--rotate",
    is_flag=True,
    help="Generate and store a new token (a running gateway switches at once).",
)
@state_dir_option
def token(rotate: bool, state_dir: Path | None) -> None:
    """Print the gateway's shared token (generating one on first use)."""
    from ..auth.credentials import generate_token
    from ..secrets import SecretStore
    from ..server.app import TOKEN_SECRET, resolve_token

    config = _load(state_dir=state_dir)
    if rotate:
        if config.token is not None:
            _fail(
                "the token is set by flag/env/config (OPENCLAW_GATEWAY_TOKEN); change it there",
                EXIT_USAGE,
            )
        new = generate_token()
        where = SecretStore(config.state_dir, config.secrets_backend).set(TOKEN_SECRET, new)
        click.echo(new)
        if _signal_running_gateway(config.state_dir):
            click.echo(f"stored in {where}; the running gateway switched to it", err=True)
        else:
            click.echo(f"stored in {where}; the gateway uses it from its next start", err=True)
        return
    config.state_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    value, generated = resolve_token(config)
    click.echo(value)
    if generated:
        click.echo("(generated a new token and stored it)", err=True)


def _signal_running_gateway(state_dir: Path) -> bool:
    """SIGHUP the gateway serving ``state_dir`` (its pid file), if one is running."""
    import signal

    from ..server.app import PID_FILE

    try:
        pid = int((state_dir / PID_FILE).read_text().strip())
        # A stale pid file (after a crash) may name an unrelated process: check it is ours.
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        if b"openclaw" not in cmdline:
            return False
        os.kill(pid, signal.SIGHUP)
    except (OSError, ValueError):
        return False
    return True


@cli.group("config")
def config_group() -> None:
    """Inspect the configuration."""


def _masked_config(config: Any, plugin_configs: dict[str, Any]) -> dict[str, Any]:
    """The effective config as JSON with every secret masked: core secrets are ``SecretStr``,
    a loaded plugin's table is shown through its validated model (its ``SecretStr`` fields mask
    themselves), and a table no loaded plugin validated shows its keys only."""
    shown: dict[str, Any] = config.model_dump(mode="json", exclude={"plugins"})
    for key in ("token", "password"):
        if shown.get(key) is not None:
            shown[key] = "**********"
    plugins: dict[str, Any] = {}
    for name, table in config.plugins.items():
        model = plugin_configs.get(name)
        if model is not None:
            plugins[name] = {"enabled": table.enabled, **model.model_dump(mode="json")}
        else:
            plugins[name] = {"enabled": table.enabled, **dict.fromkeys(table.settings(), "…")}
    shown["plugins"] = plugins
    return shown


@config_group.command("validate")
@state_dir_option
def config_validate(state_dir: Path | None) -> None:
    """Run the checks `run` runs (config, plugins and their tables, provider, password) without
    starting; print the effective config with secrets masked; exit 2 naming each problem."""
    from ..errors import ConfigError
    from ..server.app import preflight

    config = _load(state_dir=state_dir)
    try:
        loaded = preflight(config, load_entrypoints=True)
    except ConfigError as exc:
        _fail(str(exc), EXIT_USAGE)
    click.echo(json.dumps(_masked_config(config, loaded.registry.configs), indent=2))
    click.echo(
        f"configuration is valid (config file: {config.config_file}"
        f"{'' if config.config_file.exists() else ', not present'})",
        err=True,
    )


from .nodes_cmd import node, nodes  # noqa: E402 - the groups attach themselves below

cli.add_command(nodes)
cli.add_command(node)

from .channels_cmd import channels, pairing  # noqa: E402

cli.add_command(channels)
cli.add_command(pairing)

from .cron_cmd import cron  # noqa: E402

cli.add_command(cron)


from .plugins_cmd import plugins as plugins_group  # noqa: E402

cli.add_command(plugins_group)

from .logs_cmd import logs  # noqa: E402

cli.add_command(logs)

from .secrets_cmd import secrets  # noqa: E402

cli.add_command(secrets)

from .ui_cmd import ui  # noqa: E402

cli.add_command(ui)


def main() -> None:
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    if sys.argv[1:2] == ["run"]:
        # Start-up allocates ~50k objects that all survive: collecting meanwhile is wasted work
        # (~7 % of start-up). `run` turns the collector back on once listening.
        gc.disable()
    try:
        cli(prog_name="openclaw-gateway")
    finally:
        gc.enable()


if __name__ == "__main__":
    main()
