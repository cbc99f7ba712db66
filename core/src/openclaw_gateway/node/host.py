"""``openclaw-gateway node run``: a node host with its own device identity, reconnecting forever.

It advertises the commands registered through ``register_node_handlers`` (the built-in
``system.which`` plus every installed node-capability plugin), answers ``node.invoke.request``
events with ``node.invoke.result``, and survives gateway restarts with exponential backoff.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio
import orjson

from ..backoff import Backoff
from ..client import ConnectionLost, DeviceIdentity, GatewayClient, HandshakeError
from ..client.client import Event
from ..hooks.registry import NodeHandlerSpec

log = logging.getLogger("openclaw_gateway.node")


def collect_handlers(extra_plugins: tuple[Any, ...] = ()) -> dict[str, NodeHandlerSpec]:
    """The node-side handlers of the built-in node plugin and of ``extra_plugins``."""
    import pluggy

    from ..hooks import hookspecs

    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    from ..builtin import node_system

    pm.register(node_system)
    for plugin in extra_plugins:
        pm.register(plugin)
    handlers: dict[str, NodeHandlerSpec] = {}
    for impl in pm.hook.register_node_handlers.get_hookimpls():
        impl.function(register=lambda spec: handlers.setdefault(spec.name, spec))
    return handlers


@dataclass
class NodeHostSettings:
    url: str
    token: str | None
    state_dir: Path
    display_name: str
    max_backoff: float = 30.0


class NodeHost:
    def __init__(self, settings: NodeHostSettings, handlers: dict[str, NodeHandlerSpec]) -> None:
        self.settings = settings
        self.handlers = handlers
        self.identity = DeviceIdentity.load_or_create(settings.state_dir / "device.json")
        self.connected = anyio.Event()
        self.client: GatewayClient | None = None

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
            except ConnectionLost as exc:
                log.warning("%s", exc)
            failures += 1
            await anyio.sleep(backoff.delay(failures))

    async def _session(self) -> None:
        client = GatewayClient(
            self.settings.url,
            token=self.settings.token,
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
        except Exception as exc:  # a failing command is reported, never fatal to the host
            code = "UNSUPPORTED" if isinstance(exc, LookupError) else type(exc).__name__
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


async def run_node_host(settings: NodeHostSettings) -> None:
    host = NodeHost(settings, collect_handlers())
    log.info("node %s offers %s", host.node_id[:16], ", ".join(sorted(host.handlers)) or "nothing")
    await host.run()
