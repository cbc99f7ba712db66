"""Helpers shared by the CLI commands: config loading, exit codes, calling the running gateway."""

from __future__ import annotations

import functools
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

import click

EXIT_OK, EXIT_REMOTE, EXIT_USAGE, EXIT_UNREACHABLE, EXIT_AUTH = 0, 1, 2, 3, 4


def _fail(message: str, code: int) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


def _load(**flags: Any) -> Any:
    from ..config import load_config
    from ..errors import ConfigError

    try:
        return load_config(**flags)
    except ConfigError as exc:
        _fail(str(exc), EXIT_USAGE)


state_dir_option = click.option(
    "--state-dir",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="OPENCLAW_GATEWAY_STATE_DIR",
    help="State directory (default ~/.openclaw-gateway).",
)


@dataclass(frozen=True)
class Remote:
    """Where and how a command reaches the running gateway (from ``--url/--token/--timeout``)."""

    url: str | None
    token: str | None
    state_dir: Path | None
    timeout: float
    tls_fingerprint: str | None = None

    def call(
        self,
        method: str,
        params: Any = None,
        *,
        expect_final: bool = False,
        timeout: float | None = None,
    ) -> Any:
        """Call ``method``; on failure print the error and exit with the documented code."""
        return _call(
            method,
            params,
            target=self.target(),
            timeout=timeout if timeout is not None else self.timeout,
            expect_final=expect_final,
        )

    def target(self) -> Target:
        return _target(self.url, self.token, self.state_dir, self.tls_fingerprint)


def token_file_option(fn: Any) -> Any:
    """Add ``--token-file PATH`` (env ``OPENCLAW_GATEWAY_TOKEN_FILE``) beside ``--token``: a token
    on the command line is readable by every local user in /proc/PID/cmdline; a 0600 file is not.
    The file's token wins over ``--token``/``OPENCLAW_GATEWAY_TOKEN``."""

    @functools.wraps(fn)
    def with_token_file(*args: Any, token_file: Path | None, **kwargs: Any) -> Any:
        if token_file is not None:
            try:
                value = token_file.read_text().strip()
            except OSError as exc:
                _fail(f"cannot read --token-file {token_file}: {exc.strerror or exc}", EXIT_USAGE)
            if not value:
                _fail(f"--token-file {token_file} is empty", EXIT_USAGE)
            kwargs["token"] = value
        return fn(*args, **kwargs)

    return click.option(
        "--token-file",
        type=click.Path(dir_okay=False, path_type=Path),
        envvar="OPENCLAW_GATEWAY_TOKEN_FILE",
        help="Read the shared token from this file (keeps it out of the process list).",
    )(with_token_file)


def connection_options(fn: Any) -> Any:
    """Add ``--url/--token/--timeout/--state-dir`` and hand the command a :class:`Remote`."""

    @functools.wraps(fn)
    def with_remote(
        *args: Any,
        url: str | None,
        token: str | None,
        timeout: float,
        state_dir: Path | None,
        tls_fingerprint: str | None,
        **kwargs: Any,
    ) -> Any:
        remote = Remote(url, token, state_dir, timeout, tls_fingerprint)
        return fn(*args, remote=remote, **kwargs)

    command: Any = click.option(
        "--url", envvar="OPENCLAW_GATEWAY_URL", help="Gateway URL (default from config)."
    )(token_file_option(with_remote))
    command = click.option(
        "--token", envvar="OPENCLAW_GATEWAY_TOKEN", help="Shared token (default: stored)."
    )(command)
    command = click.option(
        "--timeout", type=float, default=30.0, show_default=True, help="Seconds."
    )(command)
    command = tls_fingerprint_option(command)
    return state_dir_option(command)


def tls_fingerprint_option(fn: Any) -> Any:
    return click.option(
        "--tls-fingerprint",
        envvar="OPENCLAW_GATEWAY_TLS_FINGERPRINT",
        help="Pin the wss:// gateway's certificate (SHA-256, as `tls fingerprint` prints it).",
    )(fn)


@dataclass(frozen=True)
class Target:
    """A resolved gateway to connect to: URL, credential and certificate pin."""

    url: str
    token: str | None
    password: str | None
    tls_fingerprint: str | None

    def client_options(self) -> dict[str, Any]:
        return {
            "token": self.token,
            "password": self.password,
            "tls_fingerprint": self.tls_fingerprint,
        }


def _target(
    url: str | None,
    token: str | None,
    state_dir: Path | None,
    tls_fingerprint: str | None = None,
) -> Target:
    from ..net.tls import normalize_fingerprint

    config = _load(state_dir=state_dir)
    if tls_fingerprint:
        try:
            tls_fingerprint = normalize_fingerprint(tls_fingerprint)
        except ValueError as exc:
            _fail(f"--tls-fingerprint: {exc}", EXIT_USAGE)
    if url is None:
        host = "127.0.0.1" if config.bind in ("loopback", "lan") else config.bind
        url = f"{'wss' if config.tls.enabled else 'ws'}://{host}:{config.port}"
        if config.tls.enabled and not tls_fingerprint:
            tls_fingerprint = _local_fingerprint(config)
    password = config.password.get_secret_value() if config.password else None
    if token is None and config.token is not None:
        token = config.token.get_secret_value()
    if token is None:
        from ..secrets import SecretStore
        from ..server.app import PASSWORD_SECRET, TOKEN_SECRET

        store = SecretStore(config.state_dir, config.secrets_backend)
        token = store.get(TOKEN_SECRET)
        if config.auth_mode == "password" and password is None:
            password = store.get(PASSWORD_SECRET)
    if config.auth_mode == "password":
        token = None
        if password is None:
            _fail(_no_secret_message(config, "password"), EXIT_USAGE)
    elif token is None:
        _fail(_no_secret_message(config, "token"), EXIT_USAGE)
    return Target(url, token, password, tls_fingerprint or None)


def _local_fingerprint(config: Any) -> str | None:
    """The local gateway's own certificate: pinned without asking (as the reference's CLI does
    for a local TLS gateway). None before the gateway first generated it."""
    import ssl

    from ..net.tls import load_material

    try:
        return load_material(config, create=False).fingerprint
    except (OSError, ValueError, ssl.SSLError):
        return None


def _no_secret_message(config: Any, kind: str) -> str:
    """Say that no credential was found, everywhere we looked, and how to get one."""
    from ..hints import command
    from ..server.app import PASSWORD_SECRET, TOKEN_SECRET

    name = TOKEN_SECRET if kind == "token" else PASSWORD_SECRET
    env = "OPENCLAW_GATEWAY_TOKEN" if kind == "token" else "OPENCLAW_GATEWAY_PASSWORD"
    flags = "--token / --token-file, " if kind == "token" else ""
    store = config.state_dir / "secrets" / name
    return (
        f"no gateway {kind} found. Looked in: {flags}{env}, {config.config_file},"
        f" and the secret store of {config.state_dir} ({store}, or the OS keyring service"
        f" 'openclaw-gateway:{config.state_dir}'). Run the gateway once (`{command('run')}`)"
        f" to generate one, then `{command('token')}` prints it; for another machine's gateway"
        " pass --token-file"
    )


def _call(
    method: str,
    params: Any,
    *,
    target: Target,
    timeout: float,
    expect_final: bool = False,
) -> Any:
    import anyio

    from ..client import ConnectionLost, GatewayClient, HandshakeError, RequestError

    async def go() -> Any:
        async with GatewayClient(
            target.url,
            **target.client_options(),
            client_id="cli",
            client_mode="cli",
            request_timeout=timeout,
        ) as gw:
            return await gw.call(method, params, expect_final=expect_final)

    try:
        return anyio.run(go)
    except HandshakeError as exc:
        _fail(f"{exc.message} [{exc.reason or exc.code}]", EXIT_AUTH)
    except RequestError as exc:
        detail = f" [{exc.reason}]" if exc.reason else ""
        _fail(f"{exc.code}: {exc.message}{detail}", EXIT_REMOTE)
    except ConnectionLost as exc:
        _fail(str(exc), EXIT_UNREACHABLE)
    except TimeoutError:
        _fail(f"no answer from the gateway within {timeout:g} s", EXIT_UNREACHABLE)


def cells(*values: Any) -> list[Any]:
    """Table cells shown exactly as written. rich reads ``[...]`` in a plain string as markup, so
    "[plugins.telegram]" in a plugin's reason would vanish; a ``Text`` is never parsed. Pass a
    ``Text`` to style a cell on purpose."""
    from rich.text import Text

    return [v if isinstance(v, Text) else Text("" if v is None else str(v)) for v in values]


def _print(result: Any, as_json: bool) -> None:
    if as_json or not sys.stdout.isatty():
        click.echo(json.dumps(result, indent=2, sort_keys=False))
        return
    from rich.console import Console
    from rich.pretty import Pretty

    Console().print(Pretty(result))
