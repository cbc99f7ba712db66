"""The canvas host's settings (gateway ``[canvas]``) and the node's (``[canvas]`` in node.toml)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class CanvasConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    port: int = Field(18793, ge=0, le=65535, description="0 picks a free port")
    bind: str = Field("127.0.0.1", description="the host listens on loopback unless told")
    public_url: str | None = Field(
        None, description="base URL nodes reach the host at (default http://<bind>:<port>)"
    )
    capability_ttl_ms: int = Field(600_000, ge=1000, description="lifetime of a capability URL")
    max_document_bytes: int = Field(2 * 1024 * 1024, ge=1024)
    max_a2ui_messages: int = Field(1000, ge=1)


class CanvasNodeSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    enabled: bool = True
    viewer: list[str] = Field(
        default_factory=list,
        description="command that shows a URL, '{url}' replaced (e.g. chromium --app={url});"
        " empty: the node keeps the panel state only",
    )
    allow_external_urls: bool = Field(
        False, description="let canvas.navigate open URLs outside this gateway's canvas host"
    )
