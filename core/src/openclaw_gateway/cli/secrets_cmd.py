"""``openclaw-gateway secrets set|list|rm NAME``: the secret store, where tokens live.

Config refers to a stored secret as ``"secret:NAME"`` (``token = "secret:telegram.default"``).
Values are read from a hidden prompt or stdin, never from the command line (argv is visible to
every local user in /proc/PID/cmdline), and never printed.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from ..secrets import SecretStore

from .common import EXIT_USAGE, _fail, state_dir_option


def _store(state_dir: Path | None) -> SecretStore:
    from ..config import open_secret_store
    from ..errors import ConfigError

    try:
        return open_secret_store(state_dir)
    except ConfigError as exc:
        _fail(str(exc), EXIT_USAGE)


def _check_name(name: str) -> None:
    from ..secrets import valid_name

    if not valid_name(name):
        _fail(f"bad secret name {name!r}: letters, digits, '.', '_' and '-' only", EXIT_USAGE)


@click.group()
def secrets() -> None:
    """Store tokens and keys outside the config file (keyring, or 0600 files)."""


@secrets.command("set")
@click.argument("name")
@state_dir_option
def set_secret(name: str, state_dir: Path | None) -> None:
    """Store secret NAME; the value comes from a hidden prompt or stdin.

    Use it from config as "secret:NAME". A running gateway reads it at its next start.
    """
    _check_name(name)
    if sys.stdin.isatty():
        value = click.prompt(f"value for {name}", hide_input=True, confirmation_prompt=True)
    else:
        value = sys.stdin.read()
    value = value.strip()
    if not value:
        _fail("empty value: nothing stored", EXIT_USAGE)
    store = _store(state_dir)
    where = store.set(name, value)
    click.echo(f'stored secret {name} ({where}); refer to it as "secret:{name}"', err=True)


@secrets.command("list")
@state_dir_option
def list_secrets(state_dir: Path | None) -> None:
    """Print the names of the stored secrets (never their values)."""
    store = _store(state_dir)
    for name in store.names():
        click.echo(name)


@secrets.command("rm")
@click.argument("name")
@state_dir_option
def remove_secret(name: str, state_dir: Path | None) -> None:
    """Delete secret NAME."""
    _check_name(name)
    store = _store(state_dir)
    if not store.remove(name):
        _fail(f"no secret named {name!r}", EXIT_USAGE)
    click.echo(f"removed secret {name}", err=True)
