"""``openclaw-gateway nodes …`` (manage nodes on the running gateway) and ``node run`` (be one)."""

from __future__ import annotations

import contextlib
import json
import sys
import uuid
from pathlib import Path
from typing import Any

import click

from .common import (
    EXIT_USAGE,
    Remote,
    _fail,
    _load,
    _print,
    cells,
    connection_options,
    tls_fingerprint_option,
    token_file_option,
)


@click.group()
def nodes() -> None:
    """List, approve and invoke nodes (talks to the running gateway)."""


def _table(title: str, rows: list[dict[str, Any]], cols: list[str]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title)
    for col in cols:
        table.add_column(col)
    for row in rows:
        values = []
        for col in cols:
            value = row.get(col)
            values.append(
                ", ".join(map(str, value)) if isinstance(value, list) else str(value or "")
            )
        table.add_row(*cells(*values))
    Console().print(table)


@nodes.command("list")
@click.option("--json", "as_json", is_flag=True)
@connection_options
def nodes_list(
    as_json: bool,
    remote: Remote,
) -> None:
    """Known nodes: paired and connected."""
    result = remote.call("node.list", {})
    if as_json or not sys.stdout.isatty():
        _print(result, True)
    else:
        _table(
            "Nodes",
            result["nodes"],
            ["nodeId", "displayName", "approvalState", "connected", "commands"],
        )


@nodes.command("pending")
@click.option("--json", "as_json", is_flag=True)
@connection_options
def nodes_pending(
    as_json: bool,
    remote: Remote,
) -> None:
    """Pending node approval requests (command surfaces waiting for an operator)."""
    result = remote.call("node.pair.list", {})
    if as_json or not sys.stdout.isatty():
        _print(result["pending"], True)
    else:
        _table(
            "Pending nodes",
            result["pending"],
            ["requestId", "nodeId", "displayName", "commands", "requiredApproveScopes"],
        )


@nodes.command("approve")
@click.argument("request_id")
@connection_options
def nodes_approve(
    request_id: str,
    remote: Remote,
) -> None:
    """Approve a node's command surface."""
    result = remote.call("node.pair.approve", {"requestId": request_id})
    node = result["node"]
    click.echo(
        f"approved node {node['nodeId']} ({', '.join(node.get('commands', [])) or 'no commands'})"
    )


@nodes.command("reject")
@click.argument("request_id")
@connection_options
def nodes_reject(
    request_id: str,
    remote: Remote,
) -> None:
    """Reject a node's pending request."""
    result = remote.call("node.pair.reject", {"requestId": request_id})
    click.echo(f"rejected node {result['nodeId']}")


@nodes.command("describe")
@click.argument("node_id")
@connection_options
def nodes_describe(
    node_id: str,
    remote: Remote,
) -> None:
    """Everything the gateway knows about one node."""
    _print(
        remote.call("node.describe", {"nodeId": node_id}),
        True,
    )


@nodes.command("invoke")
@click.argument("node_id")
@click.argument("command")
@click.option("--params", "params_json", default=None, help="Command params as a JSON object.")
@click.option("--invoke-timeout", type=int, default=30_000, show_default=True, help="Milliseconds.")
@click.option("--idempotency-key", default=None, help="Default: a new random key.")
@click.option("--json", "as_json", is_flag=True)
@connection_options
def nodes_invoke(
    node_id: str,
    command: str,
    params_json: str | None,
    invoke_timeout: int,
    idempotency_key: str | None,
    as_json: bool,
    remote: Remote,
) -> None:
    """Invoke COMMAND on a node and print its result."""
    try:
        params = json.loads(params_json) if params_json else {}
    except json.JSONDecodeError as exc:
        _fail(f"--params is not valid JSON: {exc}", EXIT_USAGE)
    request = {
        "nodeId": node_id,
        "command": command,
        "params": params,
        "timeoutMs": invoke_timeout,
        "idempotencyKey": idempotency_key or str(uuid.uuid4()),
    }
    result = remote.call(
        "node.invoke", request, timeout=max(remote.timeout, invoke_timeout / 1000 + 5)
    )
    _print(result["payload"] if not as_json else result, True)


@click.group()
def node() -> None:
    """Run this machine as a node of a gateway."""


@node.command("run")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=18789, show_default=True)
@click.option("--tls", is_flag=True, help="Connect with wss:// (verifying the certificate).")
@tls_fingerprint_option
@click.option(
    "--token", envvar="OPENCLAW_GATEWAY_TOKEN", help="Gateway shared token (first pairing)."
)
@token_file_option
@click.option(
    "--state-dir",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="OPENCLAW_NODE_STATE_DIR",
    help="Node identity directory (default ~/.openclaw-gateway/node).",
)
@click.option("--display-name", default=None, help="Name shown to operators (default: hostname).")
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar="OPENCLAW_NODE_CONFIG",
    help="The node's capability settings (default <state-dir>/node.toml; docs/nodes/).",
)
@click.option("--verbose", "-v", is_flag=True)
def node_run(
    host: str,
    port: int,
    tls: bool,
    tls_fingerprint: str | None,
    token: str | None,
    state_dir: Path | None,
    display_name: str | None,
    config_path: Path | None,
    verbose: bool,
) -> None:
    """Connect to a gateway as a node and answer its invokes (reconnects forever)."""
    import logging
    import socket

    import anyio

    from ..node.host import (
        NodeHostSettings,
        load_node_settings,
        node_host,
        run_node_host,
    )

    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stdout,
    )
    if state_dir is None:
        state_dir = _load().state_dir / "node"
    try:
        capabilities = load_node_settings(config_path or state_dir / "node.toml")
    except ValueError as exc:
        _fail(f"invalid node config: {exc}", EXIT_USAGE)
    from ..net.tls import normalize_fingerprint

    try:
        pin = normalize_fingerprint(tls_fingerprint) if tls_fingerprint else None
    except ValueError as exc:
        _fail(f"--tls-fingerprint: {exc}", EXIT_USAGE)
    settings = NodeHostSettings(
        url=f"{'wss' if tls or pin else 'ws'}://{host}:{port}",  # a pin implies --tls
        tls_fingerprint=pin,
        token=token,
        state_dir=state_dir,
        display_name=display_name or socket.gethostname(),
        capabilities=capabilities,
    )
    try:
        this_node = node_host(settings)
    except ValueError as exc:
        _fail(str(exc), EXIT_USAGE)
    with contextlib.suppress(KeyboardInterrupt):
        anyio.run(run_node_host, settings, this_node)
