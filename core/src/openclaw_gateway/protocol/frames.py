"""Pydantic models of every frame and of the ``connect`` params (PROTOCOL.md §2-§3).

Objects are closed (``extra="forbid"``) where the reference's schema is closed, so unknown fields are
refused with their path instead of being silently ignored.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

NonEmpty = Annotated[str, StringConstraints(min_length=1)]

CLIENT_IDS = (
    "webchat-ui",
    "openclaw-control-ui",
    "openclaw-browser-copilot",
    "openclaw-tui",
    "webchat",
    "cli",
    "gateway-client",
    "openclaw-macos",
    "openclaw-linux",
    "openclaw-ios",
    "openclaw-watchos",
    "openclaw-android",
    "node-host",
    "openclaw-worker",
    "test",
    "fingerprint",
    "openclaw-probe",
)
ClientId = Literal[
    "webchat-ui",
    "openclaw-control-ui",
    "openclaw-browser-copilot",
    "openclaw-tui",
    "webchat",
    "cli",
    "gateway-client",
    "openclaw-macos",
    "openclaw-linux",
    "openclaw-ios",
    "openclaw-watchos",
    "openclaw-android",
    "node-host",
    "openclaw-worker",
    "test",
    "fingerprint",
    "openclaw-probe",
]
ClientMode = Literal["webchat", "cli", "ui", "backend", "node", "worker", "probe", "test"]


class Closed(BaseModel):
    """A JSON object that refuses unknown properties."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class RequestFrame(Closed):
    """``{"type":"req","id","method","params"?,"traceparent"?}`` sent by clients."""

    type: Literal["req"]
    id: NonEmpty
    method: NonEmpty
    params: Any = None
    traceparent: Annotated[str, StringConstraints(max_length=128)] | None = None


class ClientInfo(Closed):
    """Who is connecting: ``connect.params.client``."""

    id: ClientId
    version: NonEmpty
    platform: NonEmpty
    mode: ClientMode
    displayName: str | None = None
    buildId: Annotated[str, StringConstraints(max_length=96)] | None = None
    deviceFamily: str | None = None
    modelIdentifier: str | None = None
    timeZone: Annotated[str, StringConstraints(max_length=64)] | None = None
    instanceId: str | None = None


class DeviceProof(Closed):
    """The signed device identity block: all five fields are required when present."""

    id: str
    publicKey: str
    signature: str
    signedAt: Annotated[int, Field(ge=0)]
    nonce: str


class AuthParams(Closed):
    """Credentials offered in ``connect.params.auth``."""

    token: str | None = None
    password: str | None = None
    deviceToken: str | None = None
    bootstrapToken: str | None = None
    approvalRuntimeToken: str | None = None
    agentRuntimeIdentityToken: str | None = None


class ConnectParams(Closed):
    """``connect`` request params (PROTOCOL.md §3 step 3)."""

    minProtocol: Annotated[int, Field(ge=1)]
    maxProtocol: Annotated[int, Field(ge=1)]
    client: ClientInfo
    role: str = "operator"
    scopes: list[str] = Field(default_factory=list)
    caps: list[str] = Field(default_factory=list)
    commands: list[str] = Field(default_factory=list)
    permissions: dict[str, bool] | None = None
    pathEnv: str | None = None
    locale: str | None = None
    userAgent: str | None = None
    device: DeviceProof | None = None
    auth: AuthParams | None = None
    modelCatalog: Any = None
    computerUse: Any = None
    workerRuns: Any = None


class Empty(BaseModel):
    """Params of methods that take none; extra keys are ignored like the reference does."""

    model_config = ConfigDict(extra="ignore")


# --- what the gateway sends (documented for schema export and codegen; the hot path encodes these
# by hand in codec.py, so they are never instantiated per frame) ---------------------------------


class ErrorShape(BaseModel):
    """``res.error`` and ``hello`` failures: a stable ``code``, a human ``message`` and, where a
    client branches on it, ``details.code`` (``AUTH_TOKEN_MISMATCH``, ``MISSING_SCOPE``, …)."""

    code: str
    message: str
    details: Any = None
    retryable: bool | None = None
    retryAfterMs: int | None = None


class ResponseFrame(BaseModel):
    """``{"type":"res","id","ok","payload"?|"error"?}``: exactly one per request with an id."""

    type: Literal["res"]
    id: NonEmpty
    ok: bool
    payload: Any = None
    error: ErrorShape | None = None


class EventFrame(BaseModel):
    """``{"type":"event","event","payload"?,"seq"?,"stateVersion"?}`` pushed by the gateway."""

    type: Literal["event"]
    event: NonEmpty
    payload: Any = None
    seq: int | None = None
    stateVersion: dict[str, int] | None = None
