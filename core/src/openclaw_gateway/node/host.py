"""``openclaw-gateway node run``: a node host with its own device identity, reconnecting forever.

It advertises the commands registered through ``register_node_handlers`` (the built-in
``system.which`` plus every installed node-capability plugin), answers ``node.invoke.request``
events with ``node.invoke.result``, and survives gateway restarts with exponential backoff.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio
import orjson

from ..backoff import Backoff
from ..client import ConnectionLost, DeviceIdentity, GatewayClient, HandshakeError, TlsPinError
from ..client.client import Event
from ..hooks.registry import NodeCommandError, NodeContext, NodeHandlerSpec

log = logging.getLogger("openclaw_gateway.node")


def collect_handlers(
    extra_plugins: tuple[Any, ...] = (),
    *,
    context: NodeContext | None = None,
    load_entrypoints: bool = False,
) -> dict[str, NodeHandlerSpec]:
    """The node-side handlers of the built-in node plugin, of installed plugins (when
    ``load_entrypoints``: the same entry points and ``OPENCLAW_GATEWAY_LOAD_PLUGINS`` allowlist as
    the gateway) and of ``extra_plugins``. A plugin that fails to load or register is logged and
    left out; the node still serves the others."""
    import pluggy
    from pydantic import ValidationError

    from ..hooks import discovery, hookspecs

    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    from ..builtin import node_system

    pm.register(node_system)
    if load_entrypoints:
        discovery.load_allowed(
            pm, lambda entry, exc: log.error("plugin %s could not be loaded: %s", entry.name, exc)
        )
    for plugin in extra_plugins:
        pm.register(plugin)
    node = context or NodeContext(settings={})
    handlers: dict[str, NodeHandlerSpec] = {}
    for impl in pm.hook.register_node_handlers.get_hookimpls():
        found: dict[str, NodeHandlerSpec] = {}  # all of a plugin's handlers, or none of them
        kwargs: dict[str, Any] = {"register": functools.partial(_add_handler, found)}
        if "node" in impl.argnames:
            kwargs["node"] = node
        try:
            impl.function(**kwargs)
        except ValidationError as exc:
            # A typo in node.toml must stop the node, not silently drop a capability.
            raise ValueError(f"plugin {impl.plugin_name}: invalid node config: {exc}") from None
        except Exception as exc:
            log.error("plugin %s failed to register its node handlers: %s", impl.plugin_name, exc)
            continue
        for name, spec in found.items():
            handlers.setdefault(name, spec)
    return handlers


def _add_handler(found: dict[str, NodeHandlerSpec], spec: NodeHandlerSpec) -> None:
    found.setdefault(spec.name, spec)


def load_node_settings(path: Path) -> dict[str, Any]:
    """The node's own config file (TOML: one table per capability); empty when it does not exist.

    Raises :class:`ValueError` naming the file for invalid TOML.
    """
    import tomllib

    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{path}: {exc}") from None


@dataclass
class NodeHostSettings:
    url: str
    token: str | None
    state_dir: Path
    display_name: str
    max_backoff: float = 30.0
    capabilities: dict[str, Any] = field(default_factory=dict)
    tls_fingerprint: str | None = None
    """The gateway certificate's SHA-256, for a self-signed ``wss://`` gateway."""
    """The node config file's tables (``[camera]``, ``[location]``…), handed to the plugins."""


class NodeHost:
    def __init__(self, settings: NodeHostSettings, handlers: dict[str, NodeHandlerSpec]) -> None:
        self.settings = settings
        self.handlers = handlers
        self.identity = DeviceIdentity.load_or_create(settings.state_dir / "device.json")
        self.connected = anyio.Event()
        self.client: GatewayClient | None = None

    async def call_gateway(self, method: str, params: Any) -> Any:
        """Call ``method`` on the gateway over the current session (for capability plugins)."""
        client = self.client
        if client is None or not self.connected.is_set():
            raise NodeCommandError("UNAVAILABLE", "the node is not connected to its gateway")
        return await client.call(method, params)

    @property
    def node_id(self) -> str:
        return self.identity.device_id

    @property
    def caps(self) -> list[str]:
        return sorted({spec.cap or spec.name.split(".", 1)[0] for spec in self.handlers.values()})

    async def run(self) -> None:
        """Connect, serve, and reconnect with backoff until cancelled."""
        backoff = Backoff(first=0.5, cap=self.settings.max_backoff, jitter=True)
        failures = 0
        while True:
            try:
                await self._session()
                failures = 0
                log.warning("connection to %s closed; reconnecting", self.settings.url)
            except HandshakeError as exc:
                log.error("gateway refused this node: %s [%s]", exc.message, exc.reason or exc.code)
            except TlsPinError as exc:
                log.error("%s", exc)  # retried: the gateway may be mid-certificate-rotation
            except ConnectionLost as exc:
                log.warning("%s", exc)
            failures += 1
            await anyio.sleep(backoff.delay(failures))

    async def _session(self) -> None:
        client = GatewayClient(
            self.settings.url,
            token=self.settings.token,
            tls_fingerprint=self.settings.tls_fingerprint,
            identity=self.identity,
            role="node",
            scopes=(),
            client_id="node-host",
            client_mode="node",
            display_name=self.settings.display_name,
            caps=self.caps,
            commands=sorted(self.handlers),
        )
        async with client, anyio.create_task_group() as tg:
            self.client = client
            log.info("connected to %s as node %s", self.settings.url, self.node_id[:16])
            self.connected.set()
            async for event in client.events():
                if event.name == "node.invoke.request":
                    tg.start_soon(self._invoke, client, event)
                elif event.name == "node.pair.resolved":
                    log.info("command surface %s", (event.payload or {}).get("decision"))
            tg.cancel_scope.cancel()
        self.connected = anyio.Event()

    async def _invoke(self, client: GatewayClient, event: Event) -> None:
        request: dict[str, Any] = event.payload or {}
        result: dict[str, Any] = {"id": request.get("id"), "nodeId": self.node_id}
        command = str(request.get("command"))
        spec = self.handlers.get(command)
        try:
            if spec is None:
                raise LookupError(f"command not supported by this node: {command}")
            params = orjson.loads(request.get("paramsJSON") or "{}")
            if spec.params is not None:
                params = spec.params.model_validate(params)
            timeout = float(request.get("timeoutMs") or 30_000) / 1000
            with anyio.fail_after(timeout):
                payload = await spec.handler(params)
            result |= {"ok": True, "payloadJSON": orjson.dumps(payload, default=_dump).decode()}
        except NodeCommandError as exc:
            result |= {"ok": False, "error": {"code": exc.code, "message": str(exc)}}
        except TimeoutError:
            message = f"TIMEOUT: {command} did not finish in time"
            result |= {"ok": False, "error": {"code": "TIMEOUT", "message": message}}
        except Exception as exc:  # a failing command is reported, never fatal to the host
            code = "UNSUPPORTED" if isinstance(exc, LookupError) else type(exc).__name__
            if code != "UNSUPPORTED":
                log.exception("node command %s failed", command)
            result |= {"ok": False, "error": {"code": code, "message": str(exc) or code}}
        try:
            await client.call("node.invoke.result", result)
        except Exception as exc:
            log.warning("could not deliver the result of %s: %s", command, exc)


def _dump(value: Any) -> Any:
    from pydantic import BaseModel

    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    raise TypeError(type(value).__name__)


def node_host(settings: NodeHostSettings, extra_plugins: tuple[Any, ...] = ()) -> NodeHost:
    """A node host with the handlers of the built-ins, every installed plugin (or, in tests, only
    ``extra_plugins``), configured from ``settings``. Raises :class:`ValueError` for an invalid
    node config table."""
    host = NodeHost(settings, {})
    context = NodeContext(
        settings=settings.capabilities, state_dir=settings.state_dir, call=host.call_gateway
    )
    host.handlers = collect_handlers(
        extra_plugins, context=context, load_entrypoints=not extra_plugins
    )
    return host


async def run_node_host(settings: NodeHostSettings, host: NodeHost | None = None) -> None:
    host = host or node_host(settings)
    log.info("node %s offers %s", host.node_id[:16], ", ".join(sorted(host.handlers)) or "nothing")
    await host.run()
