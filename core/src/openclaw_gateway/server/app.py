"""Assembling and running a gateway: plugins → registry → state → server → background loops,
plugin services (supervised) and, when some plugin registers routes, the HTTP listener.

``run_gateway`` is what ``openclaw-gateway run`` calls, and it loads installed plugins from their
entry points; tests call ``start_gateway`` to get a running instance on a free port inside their own
task group, with only the ``extra_plugins`` they pass (``load_entrypoints=True`` to opt in).
"""

from __future__ import annotations

import functools
import logging
import os
import signal
import sqlite3
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path
from typing import TYPE_CHECKING, Any

import anyio
from anyio.abc import TaskGroup
from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.http11 import Request, Response

from ..agent.cron import CronScheduler
from ..agent.heartbeat import Heartbeat
from ..agent.media import MediaStore
from ..agent.runs import RunManager
from ..agent.tools import ToolBox
from ..auth.authenticator import AuthSettings
from ..auth.origins import normalize_origin, origin_allowed, own_origins
from ..auth.ratelimit import AuthRateLimiter, client_key
from ..backoff import Backoff
from ..channels.manager import ChannelManager
from ..channels.router import drain as drain_channels
from ..clock import now_ms
from ..config import GatewayConfig
from ..errors import CloseCode
from ..hooks.lifecycle import run_shutdown, run_startup
from ..hooks.manager import LoadedPlugins, load_plugins
from ..hooks.registry import HttpRoute, Registry
from ..hooks.report import ServiceStatus
from ..hooks.specs import ServiceContext, ServiceSpec
from ..hooks.supervisor import supervise
from ..runtime import Spawner
from ..secrets import SecretStore
from ..state.db import Database, open_database, tighten_state_dir
from .control_ui import ControlUi, find_bundle
from .gateway import Gateway
from .hub import ConnectionHub
from .logfile import open_file_log
from .nodes import NodeManager
from .ws import handle_connection

if TYPE_CHECKING:
    from ..net.tls import TlsMaterial

log = logging.getLogger("openclaw_gateway")

TOKEN_SECRET = "gateway-token"  # noqa: S105 - a secret name, not a secret
PASSWORD_SECRET = "gateway-password"  # noqa: S105


def resolve_token(config: GatewayConfig) -> tuple[str, bool]:
    """The shared token: flag/env/config, else the stored one, else a new one (stored).

    Returns ``(token, generated)``.
    """
    if config.token is not None:
        return config.token.get_secret_value(), False
    store = SecretStore(config.state_dir, config.secrets_backend)
    existing = store.get(TOKEN_SECRET)
    if existing:
        return existing, False
    from ..auth.credentials import generate_token

    token = generate_token()
    where = store.set(TOKEN_SECRET, token)
    from ..hints import command

    log.info(
        "generated a new gateway token, stored in %s; show it with `%s`",
        "the OS keyring" if where == "keyring" else where,
        command("token"),
    )
    return token, True


def resolve_password(config: GatewayConfig) -> str | None:
    if config.password is not None:
        return config.password.get_secret_value()
    return SecretStore(config.state_dir, config.secrets_backend).get(PASSWORD_SECRET)


def build_gateway(
    config: GatewayConfig, *, extra_plugins: tuple[Any, ...] = (), load_entrypoints: bool = False
) -> Gateway:
    """A gateway ready to listen: plugins loaded and validated, state opened, auth resolved."""
    return _build(config, extra_plugins, load_entrypoints)[0]


def preflight(
    config: GatewayConfig, *, extra_plugins: tuple[Any, ...] = (), load_entrypoints: bool = False
) -> LoadedPlugins:
    """Every check a start makes before it touches state or sockets: plugins load and their
    tables validate, no table names an uninstalled plugin, the agent provider is installed, and
    password mode has a password. ``run`` and ``config validate`` both call exactly this.

    Raises :class:`~openclaw_gateway.errors.ConfigError` naming every problem.
    """
    from ..errors import ConfigError

    plugins = load_plugins(config, extra_plugins=extra_plugins, load_entrypoints=load_entrypoints)
    problems: list[tuple[str, str]] = []
    provider = config.agent.provider
    if provider != "offline" and provider not in plugins.registry.agent_providers:
        from ..hints import install_hint

        problems.append(
            (
                "agent.provider",
                f"agent provider {provider!r} is not installed ({install_hint(provider)})",
            )
        )
    if provider != "offline":
        from ..agent.provider_settings import deprecated_provider_keys

        old = deprecated_provider_keys(config.agent)
        if old:
            log.warning(
                "[agent] %s: deprecated here; set %s in [plugins.%s] (still read for now)",
                ", ".join(old),
                " and ".join(old),
                provider,
            )
    if config.auth_mode == "password" and not resolve_password(config):
        problems.append(
            (
                "password",
                "auth_mode is 'password' but no password is set (OPENCLAW_GATEWAY_PASSWORD)",
            )
        )
    if problems:
        raise ConfigError(problems)
    return plugins


@dataclass
class _Prepared:
    """What start-up reads from disk, the keyring and plugin imports (blocking work)."""

    plugins: LoadedPlugins
    token: str
    password: str | None
    conn: sqlite3.Connection
    control_ui: Path | None
    tls: TlsMaterial | None = None


def _prepare(
    config: GatewayConfig, extra_plugins: tuple[Any, ...], load_entrypoints: bool
) -> _Prepared:
    """The blocking half of start-up: run in a worker thread, never on the event loop."""
    plugins = preflight(config, extra_plugins=extra_plugins, load_entrypoints=load_entrypoints)
    tighten_state_dir(config.state_dir)
    token, _generated = resolve_token(config)
    password = resolve_password(config) if config.auth_mode == "password" else None
    bundle = (
        find_bundle(config.control_ui.root, config.state_dir) if config.control_ui.enabled else None
    )
    tls = load_tls(config) if config.tls.enabled else None
    return _Prepared(plugins, token, password, open_database(config.db_path), bundle, tls)


def load_tls(config: GatewayConfig) -> TlsMaterial:
    """The certificate pair (generated on first use), or a ConfigError saying what is wrong."""
    import ssl

    from ..errors import ConfigError
    from ..net.tls import load_material

    try:
        material = load_material(config)
    except (OSError, ssl.SSLError, ValueError) as exc:
        raise ConfigError(
            [("tls", f"cannot load the TLS certificate/key: {exc}; check tls.cert and tls.key")]
        ) from exc
    if material.generated:
        log.info("generated a self-signed TLS certificate at %s", material.cert)
    log.info("TLS on: certificate fingerprint sha256 %s", material.fingerprint)
    return material


def _build(
    config: GatewayConfig, extra_plugins: tuple[Any, ...], load_entrypoints: bool
) -> tuple[Gateway, LoadedPlugins]:
    return _assemble(config, _prepare(config, extra_plugins, load_entrypoints))


def _assemble(config: GatewayConfig, prepared: _Prepared) -> tuple[Gateway, LoadedPlugins]:
    plugins, token, password = prepared.plugins, prepared.token, prepared.password
    rl = config.rate_limit
    auth = AuthSettings(
        mode=config.auth_mode,
        token=token,
        password=password,
        allowed_origins=frozenset(normalize_origin(o) for o in config.allowed_origins),
        limiter=AuthRateLimiter(
            max_failures=rl.max_failures, window_ms=rl.window_ms, lockout_ms=rl.lockout_ms
        ),
        remote_shared_secret=config.remote_shared_secret,
    )
    db = Database(config.db_path, conn=prepared.conn)
    registry = plugins.registry
    # The composition root: each collaborator gets exactly what it uses, nothing gets the gateway.
    spawner = Spawner()
    hub = ConnectionHub(
        registry.events,
        spawn=spawner,
        validate=config.validate_results,
        max_total_buffered=config.max_total_buffered_bytes,
    )
    nodes = NodeManager(db=db, config=config.nodes, commands=registry.node_commands, hub=hub)
    runs = RunManager(
        db=db,
        config=config.agent,
        media=MediaStore(
            config.state_dir / "media",
            max_total_bytes=config.media.max_total_mb * 1024 * 1024,
            max_age_s=config.media.max_age_days * 86400,
        ),
        providers=registry.agent_providers,
        plugin_configs=registry.configs,
        toolbox=functools.partial(
            ToolBox, config=config.agent, tools=registry.agent_tools, nodes=nodes
        ),
        broadcast=hub.broadcast,
        spawn=spawner,
    )
    gateway = Gateway(
        config,
        registry=registry,
        db=db,
        auth=auth,
        hub=hub,
        spawner=spawner,
        runs=runs,
        nodes=nodes,
        channels=ChannelManager(
            db=db,
            specs=registry.channels,
            plugin_configs=registry.configs,
            runs=runs,
            broadcast=hub.broadcast,
            spawn=spawner,
            data_root=config.state_dir / "channels",
        ),
        cron=CronScheduler(
            db=db, config=config.cron, runs=runs, broadcast=hub.broadcast, spawn=spawner
        ),
        heartbeat=Heartbeat(config.heartbeat, runs=runs, broadcast=hub.broadcast),
        plugin_report=plugins.report.health(),
    )
    return gateway, plugins


def _own_page_origins(gateway: Gateway, port: int) -> frozenset[str]:
    hosts = {"127.0.0.1", "localhost", "[::1]"}
    if gateway.config.bind not in ("loopback", "lan"):
        hosts.add(gateway.config.bind)
    return own_origins(hosts, [port])


@asynccontextmanager
async def start_gateway(
    config: GatewayConfig, *, extra_plugins: tuple[Any, ...] = (), load_entrypoints: bool = False
) -> AsyncIterator[Gateway]:
    """Run a gateway for the duration of the ``async with`` block (port 0 picks a free port).

    While it runs, its log records also go to its own file log (``log_file``, ``logs.tail``).
    """
    file_log = open_file_log(config)
    try:
        async with _serve(config, extra_plugins, load_entrypoints) as gateway:
            if file_log is not None:
                file_log.mask(lambda: (gateway.auth_settings.token, gateway.auth_settings.password))
            yield gateway
    finally:
        if file_log is not None:
            await file_log.aclose()


@asynccontextmanager
async def _serve(
    config: GatewayConfig, extra_plugins: tuple[Any, ...], load_entrypoints: bool
) -> AsyncIterator[Gateway]:
    prepared = await anyio.to_thread.run_sync(
        functools.partial(_prepare, config, extra_plugins, load_entrypoints)
    )
    gateway, plugins = _assemble(config, prepared)
    gateway.tls = prepared.tls
    async with anyio.create_task_group() as tg:
        ui = ControlUi(prepared.control_ui) if config.control_ui.enabled else None
        server = await _listen(gateway, tg, ui)
        await _start_http(gateway, plugins, tg)
        http = plugins.report.http or {}
        if ui is not None and http.get("url") and "/" in http.get("routes", []):
            ui.webchat_url = f"{http['url']}/"  # named on the page shown without a bundle
        _start_services(gateway, plugins, tg)
        await run_startup(plugins.pm, plugins.report, gateway)
        await gateway.count_sessions()
        _publish_plugins(gateway, plugins)
        try:
            yield gateway
        finally:
            with anyio.CancelScope(shield=True):
                # Replies being generated are finished (or their senders told) first, while the
                # surfaces are still connected; then the plugins' own shutdown hooks.
                await drain_channels(gateway.channels.runtime, config.shutdown_grace_ms / 1000)
                await run_shutdown(plugins.pm, gateway)
                await shutdown(gateway, server)
                await gateway.runs.aclose()
            tg.cancel_scope.cancel()
    gateway.db.close()


async def _listen(gateway: Gateway, tg: TaskGroup, ui: ControlUi | None = None) -> Server:
    config = gateway.config

    def spawn(fn: Callable[[], Any]) -> None:
        tg.start_soon(fn)

    gateway.spawner.attach(spawn)

    async def process_request(conn: ServerConnection, request: Request) -> Response | None:
        if ui is not None and "websocket" not in request.headers.get("Upgrade", "").lower():
            return await _static_page(ui, request)  # the Control UI: plain GETs, same origin
        # A foreign page is refused here, before its socket counts against the pre-auth limit
        # (else 32 sockets from any web page lock the local CLI out). The connect step checks
        # the Origin again and names the setting to change.
        origin = request.headers.get("Origin")
        if origin is not None and not origin_allowed(origin, gateway.auth_settings.allowed_origins):
            seen = "".join(c for c in origin[:200] if c.isprintable())
            log.debug("refused a WebSocket upgrade from origin %r", seen)
            return conn.respond(
                HTTPStatus.FORBIDDEN,
                f"Origin not allowed: {seen}; add it to allowed_origins"
                " (OPENCLAW_GATEWAY_ALLOWED_ORIGINS)\n",
            )
        ip = client_key(str(conn.remote_address[0]) if conn.remote_address else "?")
        if gateway.hub.preauth[ip] >= config.max_preauth_connections_per_ip:
            return conn.respond(
                HTTPStatus.SERVICE_UNAVAILABLE, "Too many unauthenticated sockets\n"
            )
        return None

    async def handler(ws: ServerConnection) -> None:
        await handle_connection(gateway, ws)

    server = await serve(
        handler,
        config.host,
        config.port,
        max_size=config.max_preauth_payload,
        compression=None,  # per-connection zlib state would cost ~100 KB per socket
        process_request=process_request,
        server_header=None,
        ssl=gateway.tls.context if gateway.tls else None,
    )
    port = next(iter(server.sockets)).getsockname()[1]
    gateway.port = port
    allowed = set(gateway.auth_settings.allowed_origins) | _own_page_origins(gateway, port)
    gateway.auth_settings.allowed_origins = frozenset(allowed)
    tg.start_soon(_tick_loop, gateway)
    tg.start_soon(_health_loop, gateway)
    return server


async def _static_page(ui: ControlUi, request: Request) -> Response:
    from websockets.datastructures import Headers

    page = await ui.page(request.path)
    headers = Headers([("Content-Type", page.content_type), *page.headers])
    headers["Content-Length"] = str(len(page.body))
    headers["Connection"] = "close"
    return Response(page.status, HTTPStatus(page.status).phrase, headers, page.body)


def _publish_plugins(gateway: Gateway, plugins: LoadedPlugins) -> None:
    """Put the current plugin report into ``health``/``status`` and push a fresh ``health``."""
    gateway.plugin_report = plugins.report.health()
    gateway.refresh_health()


def core_services(gateway: Gateway) -> list[ServiceSpec]:
    """The core's own long-running loops, run exactly like plugin services: supervised, so a
    crash in one is logged and restarted with backoff instead of stopping the gateway."""

    async def cron(_: ServiceContext) -> None:
        await gateway.cron.run()

    async def heartbeat(_: ServiceContext) -> None:
        await gateway.heartbeat.run()

    async def channels(_: ServiceContext) -> None:
        await gateway.channels.run()

    async def media_prune(_: ServiceContext) -> None:
        await gateway.runs.media.prune()

    async def loop_lag(_: ServiceContext) -> None:
        from .stats import watch_loop_lag

        await watch_loop_lag(gateway.stats)

    return [
        ServiceSpec("cron", cron),
        ServiceSpec("heartbeat", heartbeat),
        ServiceSpec("channels", channels),
        ServiceSpec("media-prune", media_prune),
        ServiceSpec("loop-lag", loop_lag),
    ]


def _start_services(gateway: Gateway, plugins: LoadedPlugins, tg: TaskGroup) -> None:
    config = gateway.config
    backoff = Backoff(config.service_restart_ms / 1000, config.service_restart_max_ms / 1000)
    for spec in [*core_services(gateway), *plugins.registry.services.values()]:
        context = ServiceContext(
            gateway=gateway,
            config=plugins.configs.get(spec.plugin),
            log=logging.getLogger(f"openclaw_gateway.plugins.{spec.plugin or 'core'}"),
            plugin=spec.plugin,
            service=spec.name,
        )
        info = plugins.report.plugins.get(spec.plugin)
        status = info.services[spec.name] if info is not None else ServiceStatus(spec.name)
        tg.start_soon(
            functools.partial(
                supervise,
                spec,
                context,
                status,
                backoff=backoff,
                # A plugin's service state is in health; the core's loops only log theirs.
                on_change=functools.partial(_publish_plugins, gateway, plugins)
                if spec.plugin
                else _nothing,
            ),
            name=f"service {spec.plugin or 'core'}:{spec.name}",
        )


def _nothing() -> None:
    pass


def _wanted_routes(registry: Registry) -> dict[str, HttpRoute]:
    wanted = {}
    for path, route in registry.http_routes.items():
        try:
            if route.when is None or route.when(registry.configs):
                wanted[path] = route
        except Exception:  # a plugin's bug: its route is not served, the gateway starts
            log.exception("plugin %s: deciding whether to serve %s failed", route.plugin, path)
    return wanted


async def _start_http(gateway: Gateway, plugins: LoadedPlugins, tg: TaskGroup) -> None:
    """The plugin HTTP listener, only when some plugin registered a route that its config wants
    served (h11 loads lazily)."""
    routes = _wanted_routes(plugins.registry)
    if not routes:
        return
    from .http import HttpServer

    config = gateway.config
    server = HttpServer(
        routes.values(),
        max_body=config.http_max_body,
        gateway=gateway,
        head_timeout=config.http_head_timeout_ms / 1000,
        body_timeout=config.http_body_timeout_ms / 1000,
        max_connections=config.http_max_connections,
        max_per_client=config.http_max_connections_per_client,
        ssl_context=gateway.tls.context if gateway.tls else None,
    )
    port = config.http_listen_port
    try:
        port = await tg.start(functools.partial(server.serve, config.host, port))
    except OSError as exc:
        error = f"cannot listen on {config.host}:{port} (http_port): {exc.strerror or exc}"
        log.error("plugin HTTP routes are not served: %s", error)
        plugins.report.http = {"url": None, "error": error, "routes": sorted(routes)}
    else:
        host = "127.0.0.1" if config.bind in ("loopback", "lan") else config.host
        url = f"{'https' if gateway.tls else 'http'}://{host}:{port}"
        log.info("plugin HTTP routes on %s (%s)", url, ", ".join(sorted(routes)))
        # Pages served here (WebChat, canvas) open the WebSocket from this origin: it is our own.
        auth = gateway.auth_settings
        auth.allowed_origins = auth.allowed_origins | _own_page_origins(gateway, port)
        plugins.report.http = {"url": url, "port": port, "routes": sorted(routes)}
    _publish_plugins(gateway, plugins)


async def _tick_loop(gateway: Gateway) -> None:
    interval = gateway.config.tick_interval_ms / 1000
    while True:
        await anyio.sleep(interval)
        gateway.broadcast("tick", {"ts": now_ms()})


async def _health_loop(gateway: Gateway) -> None:
    interval = gateway.config.health_refresh_ms / 1000
    while True:
        await anyio.sleep(interval)
        await gateway.count_sessions()
        gateway.refresh_health()


async def shutdown(gateway: Gateway, server: Server, reason: str = "gateway stopping") -> None:
    """Tell every peer, close every socket with 1012, stop listening."""
    gateway.broadcast("shutdown", {"reason": reason})
    server.close(close_connections=False)
    with anyio.move_on_after(5):
        async with anyio.create_task_group() as tg:
            for conn in tuple(gateway.hub.connections.values()):
                tg.start_soon(conn.ws.close, CloseCode.SERVICE_RESTART, "service restart")
    server.close()
    with anyio.move_on_after(5):
        await server.wait_closed()


async def run_gateway(
    config: GatewayConfig,
    *,
    on_ready: Callable[[Gateway], None] | None = None,
    load_entrypoints: bool = True,
) -> None:
    """Serve until SIGTERM/SIGINT, then shut down gracefully (exit status 0).

    SIGHUP re-reads the stored shared secret (``openclaw-gateway token --rotate`` sends it): sockets
    that authenticated with the old one are closed with 4001 ``gateway auth changed``.
    """
    async with start_gateway(config, load_entrypoints=load_entrypoints) as gateway:
        pid_file = config.state_dir / PID_FILE
        pid_file.write_text(f"{os.getpid()}\n")
        try:
            # Handlers first, then "listening": a supervisor that signals as soon as it sees the
            # ready line (ExecReload's SIGHUP) must not hit the default action, which kills.
            with anyio.open_signal_receiver(
                signal.SIGTERM, signal.SIGINT, signal.SIGHUP
            ) as signals:
                if on_ready is not None:
                    on_ready(gateway)
                async for signum in signals:
                    if signum == signal.SIGHUP:
                        await reload_shared_secret(gateway)
                        continue
                    log.info("received %s, shutting down", signal.Signals(signum).name)
                    break
        finally:
            pid_file.unlink(missing_ok=True)


PID_FILE = "gateway.pid"
"""Written in the state dir while ``run`` serves, so ``token --rotate`` can signal it."""


async def reload_shared_secret(gateway: Gateway) -> bool:
    """Pick up a rotated token/password; returns whether it changed. The secret store (keyring
    or file) is read in a worker thread."""
    config = gateway.config
    settings = gateway.auth_settings
    if config.auth_mode == "token":
        new, _ = await anyio.to_thread.run_sync(resolve_token, config)
        changed, settings.token = new != settings.token, new
    else:
        new_password = await anyio.to_thread.run_sync(resolve_password, config)
        changed = bool(new_password) and new_password != settings.password
        if changed:
            settings.password = new_password
    if not changed:
        log.info("SIGHUP: the shared secret is unchanged")
        return False
    closed = 0
    for conn in tuple(gateway.hub.connections.values()):
        if conn.auth_method in ("token", "password"):
            gateway.hub.close_connection(conn, CloseCode.DEVICE_REMOVED, "gateway auth changed")
            closed += 1
    log.warning("the shared secret changed: closed %d socket(s) that used the old one", closed)
    return True
