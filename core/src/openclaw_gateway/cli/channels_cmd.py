"""``openclaw-gateway channels status`` and ``openclaw-gateway pairing list|approve|reject|revoke``."""

from __future__ import annotations

import sys

import click

from .common import Remote, _print, cells, connection_options


@click.group()
def channels() -> None:
    """Messaging surfaces on the running gateway."""


@channels.command("status")
@click.option("--probe", is_flag=True, help="Also ask each surface live (getMe / auth.test …).")
@click.option("--json", "as_json", is_flag=True)
@connection_options
def channels_status(
    probe: bool,
    as_json: bool,
    remote: Remote,
) -> None:
    """Each channel and account: state, detail, counters (received, dropped by reason, sent…)."""
    result = remote.call("channels.status", {"probe": probe})
    if as_json or not sys.stdout.isatty():
        _print(result, True)
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title="Channels")
    for col in ("channel", "account", "state", "detail", "counters"):
        table.add_column(col)
    for name, entry in result["channels"].items():
        if not entry["accounts"]:
            table.add_row(*cells(name, "-", "idle", entry.get("idle", ""), ""))
        for account, status in entry["accounts"].items():
            counters = ", ".join(f"{k}={v}" for k, v in sorted(status["counters"].items()))
            table.add_row(
                *cells(name, account, status["state"], status.get("detail") or "", counters)
            )
    Console().print(table)


@click.group()
def pairing() -> None:
    """Approve people who message the assistant on a channel (DM pairing codes)."""


@pairing.command("list")
@click.option("--channel", default=None)
@click.option("--json", "as_json", is_flag=True)
@connection_options
def pairing_list(
    channel: str | None,
    as_json: bool,
    remote: Remote,
) -> None:
    """Pending pairing codes and approved senders."""
    result = remote.call("pairing.list", {"channel": channel})
    if as_json or not sys.stdout.isatty():
        _print(result, True)
        return
    for p in result["pending"]:
        click.echo(
            f"pending  {p['channel']:<10} {p['code']}  {p['senderName'] or ''} ({p['senderId']})"
        )
    for a in result["allowed"]:
        click.echo(f"allowed  {a['channel']:<10} {a['senderName'] or ''} ({a['senderId']})")


@pairing.command("approve")
@click.argument("channel")
@click.argument("code")
@connection_options
def pairing_approve(
    channel: str,
    code: str,
    remote: Remote,
) -> None:
    """Approve the sender who received CODE on CHANNEL (they are told)."""
    result = remote.call("pairing.approve", {"channel": channel, "code": code})
    who = result.get("senderName") or result["senderId"]
    click.echo(
        f"approved {who} on {channel}"
        + ("" if result.get("notified") else " (could not notify them)")
    )


@pairing.command("reject")
@click.argument("channel")
@click.argument("code")
@connection_options
def pairing_reject(
    channel: str,
    code: str,
    remote: Remote,
) -> None:
    """Discard a pending pairing code."""
    remote.call("pairing.reject", {"channel": channel, "code": code})
    click.echo(f"rejected {code} on {channel}")


@pairing.command("revoke")
@click.argument("channel")
@click.argument("sender_id")
@connection_options
def pairing_revoke(
    channel: str,
    sender_id: str,
    remote: Remote,
) -> None:
    """Take an approved sender's access back (their next message gets a pairing code)."""
    remote.call("pairing.revoke", {"channel": channel, "senderId": sender_id})
    click.echo(f"revoked {sender_id} on {channel}")


@channels.command("login")
@click.argument("channel")
@click.option("--account", default=None, help="The account to link (default: the first one).")
@click.option("--force", is_flag=True, help="Unlink the current session and link again.")
@click.option(
    "--phone",
    default=None,
    help="Link by phone number instead of a QR code: prints a code to type on that phone.",
)
@click.option(
    "--wait", "wait_s", default=180.0, show_default=True, help="Seconds to wait for the scan."
)
@connection_options
def channels_login(
    channel: str,
    account: str | None,
    force: bool,
    phone: str | None,
    wait_s: float,
    remote: Remote,
) -> None:
    """Link CHANNEL (WhatsApp: scan the QR code shown here with the phone, WhatsApp → Settings →
    Linked devices). Calls the gateway's ``web.login.start`` / ``web.login.wait``; with
    ``--phone``, ``<channel>.login.pairCode`` (the surface's own method)."""
    import time

    from .qr_png import NotAQrPng, terminal_qr

    # A surface that links through its own program (Signal: signal-cli) offers
    # `openclaw-gateway <channel> link`; this command is the same door for every surface.
    context = click.get_current_context()
    root = context.find_root().command
    plugin_group = root.get_command(context, channel) if isinstance(root, click.Group) else None
    if isinstance(plugin_group, click.Group) and "link" in plugin_group.commands:
        context.invoke(plugin_group.commands["link"], account=account or "default")
        return

    def show(data_url: str) -> None:
        try:
            click.echo(terminal_qr(data_url))
        except NotAQrPng as exc:
            click.echo(f"(cannot draw the QR code here: {exc}; open it from WebChat instead)")

    params: dict[str, object] = {"timeoutMs": 30_000}
    if account is not None:
        params["accountId"] = account
    current: str | None = None
    if phone is not None:
        coded = remote.call(f"{channel}.login.pairCode", {**params, "phone": phone}, timeout=45)
        click.echo(coded["message"])
        if not coded.get("code"):
            sys.exit(0 if "already linked" in coded["message"] else 1)
    else:
        params.update(channel=channel, force=force)
        started = remote.call("web.login.start", params, timeout=45)
        click.echo(started["message"])
        current = started.get("qrDataUrl")
        if current is None:
            linked = started.get("connected") or "already linked" in started["message"]
            sys.exit(0 if linked else 1)
        show(current)
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        wait: dict[str, object] = {"channel": channel, "timeoutMs": 25_000}
        if current is not None:
            wait["currentQrDataUrl"] = current
        if account is not None:
            wait["accountId"] = account
        result = remote.call("web.login.wait", wait, timeout=40)
        if result["connected"]:
            click.echo(result["message"])
            return
        if result.get("qrDataUrl") and phone is None:
            current = result["qrDataUrl"]
            click.echo("The code changed; scan this one:")
            show(current)
        elif "Still waiting" not in result["message"]:
            click.echo(result["message"])
            sys.exit(1)
    click.echo("Gave up waiting for the scan; run the command again.")
    sys.exit(1)
