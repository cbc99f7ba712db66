"""openclaw-gateway-canvas: the canvas host, agent-editable documents with A2UI, and the
``canvas.*`` node commands.

The plugin is an object (:data:`plugin`, the entry point) because its parts share state: the
service runs the host, and the methods and agent tool write the documents the host serves. One
gateway process has one plugin object; tests build their own with :class:`CanvasPlugin`.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import anyio
from pydantic import BaseModel, ConfigDict, Field

from openclaw_gateway.api import (
    AgentToolSpec,
    ConfigSection,
    ErrorCode,
    EventSpec,
    GatewayError,
    MethodContext,
    MethodSpec,
    NodeCommandSpec,
    NodeContext,
    NodeHandlerSpec,
    ServiceContext,
    ServiceSpec,
    hookimpl,
)

from .config import CanvasConfig, CanvasNodeSettings

if TYPE_CHECKING:
    from .host import CanvasHost

__version__ = "0.1.0"
__all__ = ["CanvasConfig", "CanvasNodeSettings", "CanvasPlugin", "plugin"]

SECTION = "canvas"
NODE_ROLE = frozenset({"node"})


class SurfaceParams(BaseModel):
    model_config = ConfigDict(extra="ignore")

    surface: str = Field(min_length=1, max_length=100)
    observedUrl: str | None = None


class WriteParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    documentId: str | None = Field(None, description="omit to create a new document")
    html: str = Field(max_length=8 * 1024 * 1024)
    title: str = Field("", max_length=200)
    idempotencyKey: str = Field(min_length=1, max_length=200)


class PushParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    documentId: str | None = None
    messages: list[Any] = Field(min_length=1, max_length=500)
    title: str = Field("", max_length=200)
    idempotencyKey: str = Field(min_length=1, max_length=200)


class CanvasToolParams(BaseModel):
    """The agent's ``canvas`` tool: write an HTML document, or push A2UI messages to one."""

    model_config = ConfigDict(extra="forbid")

    action: str = Field(description="'write' (HTML) or 'a2ui' (push A2UI v0.9 messages)")
    documentId: str | None = Field(None, description="omit to create a new document")
    html: str | None = Field(None, max_length=8 * 1024 * 1024)
    messages: list[Any] | None = None
    title: str = ""


class CanvasPlugin:
    """The host starts on first use (a write, a push, a capability request), not with the
    gateway: a gateway nobody draws on opens no canvas port and imports none of its code, and a
    second gateway on the same host does not fight over 18793 until it needs a canvas."""

    def __init__(self) -> None:
        self.host: CanvasHost | None = None
        self._service: ServiceContext | None = None  # set while the gateway runs
        self._starting: anyio.Lock | None = None
        self._server: Any = None

    # --- shared by the methods and the agent tool --------------------------------------------------

    async def _require_host(self) -> CanvasHost:
        if self.host is not None and self.host.base_url is not None:
            return self.host
        if self._service is None:
            raise GatewayError(
                ErrorCode.UNAVAILABLE, "the canvas host is not running", retryable=True
            )
        if self._starting is None:
            self._starting = anyio.Lock()
        async with self._starting:
            if self.host is None:
                await self._start(self._service)
        assert self.host is not None
        return self.host

    async def _start(self, ctx: ServiceContext) -> None:
        from .host import CanvasHost

        config = ctx.config if isinstance(ctx.config, CanvasConfig) else CanvasConfig()
        host = CanvasHost(config, ctx.gateway.config.state_dir, ctx.gateway.broadcast)
        try:
            self._server = await host.start()
        except OSError as exc:
            raise GatewayError(
                ErrorCode.UNAVAILABLE,
                f"the canvas host cannot listen on port {config.port}: {exc.strerror or exc};"
                " set [plugins.canvas] port",
                retryable=True,
            ) from None
        self.host = host

    async def write(self, params: WriteParams) -> dict[str, Any]:
        from .documents import DocumentError, check_id, hosted_path, new_id

        host = await self._require_host()
        try:
            doc_id = check_id(params.documentId) if params.documentId else new_id()
            host.documents.write_html(doc_id, params.html, params.title)
        except DocumentError as exc:
            raise GatewayError(ErrorCode.INVALID_REQUEST, str(exc)) from None
        viewers = await host.push(doc_id, {"type": "reload"})
        return {"documentId": doc_id, "path": hosted_path(doc_id), "viewers": viewers}

    async def push_a2ui(self, params: PushParams) -> dict[str, Any]:
        from .a2ui import A2uiError, validate_messages
        from .documents import DocumentError, check_id, hosted_path, new_id

        host = await self._require_host()
        try:
            doc_id = check_id(params.documentId) if params.documentId else new_id()
            messages = validate_messages(params.messages)
            count = host.documents.append_a2ui(doc_id, messages, params.title)
        except (DocumentError, A2uiError) as exc:
            raise GatewayError(ErrorCode.INVALID_REQUEST, str(exc)) from None
        viewers = await host.push(doc_id, {"type": "a2ui", "messages": messages})
        return {
            "documentId": doc_id,
            "path": hosted_path(doc_id),
            "messages": count,
            "viewers": viewers,
        }

    async def refresh(self, holder: str, params: SurfaceParams) -> dict[str, Any]:
        if params.surface != SECTION:
            raise GatewayError(
                ErrorCode.UNAVAILABLE, f"{params.surface} plugin surface unavailable"
            )
        url, expires = (await self._require_host()).scoped_url(holder)
        return {"surface": SECTION, "pluginSurfaceUrls": {SECTION: url}, "expiresAtMs": expires}

    # --- gateway hooks -----------------------------------------------------------------------------

    @hookimpl
    def register_config(self, register: Callable[[ConfigSection], None]) -> None:
        register(ConfigSection(name=SECTION, model=CanvasConfig))

    @hookimpl
    def register_services(self, register: Callable[[ServiceSpec], None]) -> None:
        register(ServiceSpec(name="canvas-host", run=self._serve))

    async def _serve(self, ctx: ServiceContext) -> None:
        """While the gateway runs: remember how to start the host; stop it at shutdown."""
        self._service = ctx
        try:
            await anyio.sleep_forever()
        finally:
            self._service = None
            if self._server is not None:
                self._server.close()
            self.host, self._server = None, None

    @hookimpl
    def register_methods(self, register: Callable[[MethodSpec], None]) -> None:
        async def node_refresh(ctx: MethodContext, params: SurfaceParams) -> Any:
            return await self.refresh(f"node:{ctx.conn.conn_id}", params)

        async def operator_refresh(ctx: MethodContext, params: SurfaceParams) -> Any:
            return await self.refresh(f"operator:{ctx.conn.conn_id}", params)

        async def write(ctx: MethodContext, params: WriteParams) -> Any:
            return await self.write(params)

        async def push(ctx: MethodContext, params: PushParams) -> Any:
            return await self.push_a2ui(params)

        register(
            MethodSpec(
                name="node.pluginSurface.refresh",
                handler=node_refresh,
                params=SurfaceParams,
                roles=NODE_ROLE,
                scope=None,
                description="a fresh capability URL of a plugin surface for this node",
            )
        )
        register(
            MethodSpec(
                # The core answers the Control UI's plugin.surface.refresh with the reference's
                # empty shape; operators ask the canvas host here.
                name="canvas.capability",
                handler=operator_refresh,
                params=SurfaceParams,
                scope="operator.read",
                description="a fresh capability URL of the canvas host (surface: canvas)",
            )
        )
        register(
            MethodSpec(
                name="canvas.write",
                handler=write,
                params=WriteParams,
                scope="operator.write",
                side_effects=True,
                description="create or replace an HTML canvas document (open pages reload)",
            )
        )
        register(
            MethodSpec(
                name="canvas.a2ui.push",
                handler=push,
                params=PushParams,
                scope="operator.write",
                side_effects=True,
                description="append A2UI v0.9 messages to a canvas document (pushed live)",
            )
        )

    @hookimpl
    def register_events(self, register: Callable[[EventSpec], None]) -> None:
        register(EventSpec(name="canvas.action", scope="operator.write"))

    @hookimpl
    def register_agent_tools(self, register: Callable[[AgentToolSpec], None]) -> None:
        async def canvas_tool(params: CanvasToolParams) -> Any:
            if params.action == "write":
                if params.html is None:
                    return {"error": "write needs html"}
                return await self.write(
                    WriteParams(
                        documentId=params.documentId,
                        html=params.html,
                        title=params.title,
                        idempotencyKey=str(uuid.uuid4()),
                    )
                )
            if params.action == "a2ui":
                return await self.push_a2ui(
                    PushParams(
                        documentId=params.documentId,
                        messages=params.messages or [],
                        title=params.title,
                        idempotencyKey=str(uuid.uuid4()),
                    )
                )
            return {"error": "action must be 'write' or 'a2ui'"}

        register(
            AgentToolSpec(
                name="canvas",
                description=(
                    "Write an HTML document, or push A2UI v0.9 messages, to the canvas. Returns the"
                    " document's path; show it on a node with canvas.navigate (that path as url)."
                ),
                handler=canvas_tool,
                params=CanvasToolParams,
            )
        )

    @hookimpl
    def register_node_commands(self, register: Callable[[NodeCommandSpec], None]) -> None:
        from .node import NavigateParams, PresentParams

        register(
            NodeCommandSpec(
                name="canvas.present", params=PresentParams, description="Show the canvas panel"
            )
        )
        register(
            NodeCommandSpec(
                name="canvas.navigate",
                params=NavigateParams,
                description="Open a hosted canvas document in the panel",
            )
        )
        register(NodeCommandSpec(name="canvas.hide", description="Hide the canvas panel"))

    # --- node hooks ------------------------------------------------------------------------------

    @hookimpl
    def register_node_handlers(
        self, register: Callable[[NodeHandlerSpec], None], node: NodeContext
    ) -> None:
        from .node import CanvasPanel, NavigateParams, PresentParams

        panel = CanvasPanel(CanvasNodeSettings.model_validate(node.section(SECTION)), node)
        register(
            NodeHandlerSpec(
                name="canvas.present", handler=panel.present, cap=SECTION, params=PresentParams
            )
        )
        register(
            NodeHandlerSpec(
                name="canvas.navigate", handler=panel.navigate, cap=SECTION, params=NavigateParams
            )
        )
        register(NodeHandlerSpec(name="canvas.hide", handler=panel.hide, cap=SECTION))


plugin = CanvasPlugin()
"""The plugin object the ``openclaw_gateway`` entry point names."""
