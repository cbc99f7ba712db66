"""``openclaw-gateway telegram check``: ask Telegram who each configured bot token belongs to,
without starting the gateway — the first thing to run after storing a token from @BotFather."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import anyio
import click

from openclaw_gateway.api import ChannelContext, ConfigError, InboundMessage, load_config

from .config import TelegramConfig

EXIT_USAGE, EXIT_UNREACHABLE, EXIT_AUTH = 2, 3, 4


@click.group("telegram")
def telegram() -> None:
    """Telegram bots configured in [plugins.telegram]."""


@telegram.command("check")
@click.option("--account", default=None, help="Only this account (default: all).")
@click.option(
    "--state-dir",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="OPENCLAW_GATEWAY_STATE_DIR",
    help="State directory (default ~/.openclaw-gateway).",
)
def check(account: str | None, state_dir: Path | None) -> None:
    """Call getMe with each account's token: the bot's @username, or why Telegram refused."""
    try:
        config = load_config(state_dir=state_dir)
    except ConfigError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    table = config.plugins.get("telegram")
    if table is None:
        click.echo("error: no [plugins.telegram] table in the config", err=True)
        sys.exit(EXIT_USAGE)
    telegram_config = TelegramConfig.model_validate(table.settings())
    names = [account] if account is not None else sorted(telegram_config.accounts)
    worst = 0
    for name in names:
        if name not in telegram_config.accounts:
            click.echo(f"error: no account {name!r} in [plugins.telegram.accounts]", err=True)
            sys.exit(EXIT_USAGE)
        answer = anyio.run(_probe, name, telegram_config)
        if answer.get("ok"):
            click.echo(f"{name}: @{answer['username']} (id {answer['id']})")
        else:
            error = str(answer.get("error"))
            click.echo(f"{name}: {error}", err=True)
            refused = "InvalidToken" in error or "Unauthorized" in error
            worst = max(worst, EXIT_AUTH if refused else EXIT_UNREACHABLE)
    sys.exit(worst)


async def _probe(name: str, config: TelegramConfig) -> dict[str, object]:
    from .adapter import TelegramAdapter

    ctx = ChannelContext(
        channel="telegram",
        account=name,
        config=config.accounts[name],
        log=logging.getLogger(f"openclaw_gateway_telegram.check.{name}"),
        deliver=_never,
        set_status=lambda state, detail: None,
    )
    return await TelegramAdapter(ctx).probe()


async def _never(message: InboundMessage) -> None:
    raise RuntimeError("telegram check does not receive messages")
