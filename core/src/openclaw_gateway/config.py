"""Configuration: CLI flags, then ``OPENCLAW_GATEWAY_*`` env, then ``<state dir>/config.toml``, then defaults.

The layers are merged field by field (pydantic-settings deep-merges its sources): an env var for
one key, say ``OPENCLAW_GATEWAY_PLUGINS__OPENAI__API_KEY``, overrides that key and keeps the rest
of the file's ``[plugins.openai]`` table. Every field is validated at start; an invalid value fails with its path
and the reason (:class:`~openclaw_gateway.errors.ConfigError`, exit code 2).

Secrets do not belong in the file: any string value may instead be a reference
``"secret:<name>"`` to the secret store (``openclaw-gateway secrets set <name>``, see
``secrets.py``), resolved here, in whichever layer it appears.
"""

from __future__ import annotations

import ipaddress
import os
import tomllib
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from .errors import ConfigError

if TYPE_CHECKING:
    from .secrets import SecretStore

DEFAULT_PORT = 18789
CONFIG_FILE_NAME = "config.toml"


def default_state_dir() -> Path:
    """``~/.openclaw-gateway`` (so ``HOME=<dir>`` isolates an instance)."""
    return Path(os.path.expanduser("~")) / ".openclaw-gateway"


class RateLimitConfig(BaseModel):
    """Auth-failure limits per remote address (loopback included)."""

    model_config = ConfigDict(extra="forbid")

    max_failures: int = Field(10, ge=1)
    window_ms: int = Field(60_000, ge=1000)
    lockout_ms: int = Field(60_000, ge=1000)


class NodeCommandsPolicy(BaseModel):
    """``[nodes.commands]``: the reference's ``gateway.nodes.commands`` spelling."""

    model_config = ConfigDict(extra="forbid")

    allow: list[str] = Field(default_factory=list, description="dangerous commands to arm")
    deny: list[str] = Field(default_factory=list, description="commands never offered")


class NodesConfig(BaseModel):
    """Which node commands the gateway will put up for approval beyond the known safe ones.

    ``commands.allow``/``commands.deny`` (as the reference) and ``allow_commands``/``deny_commands``
    are the same lists; both spellings are merged.
    """

    model_config = ConfigDict(extra="forbid")

    commands: NodeCommandsPolicy = Field(default_factory=NodeCommandsPolicy)
    allow_commands: list[str] = Field(default_factory=list)
    deny_commands: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _merge_spellings(self) -> NodesConfig:
        self.allow_commands = list(dict.fromkeys([*self.allow_commands, *self.commands.allow]))
        self.deny_commands = list(dict.fromkeys([*self.deny_commands, *self.commands.deny]))
        return self


class PluginTable(BaseModel):
    """One ``[plugins.<name>]`` table: ``enabled``, plus the plugin's own settings, which its
    :class:`~openclaw_gateway.hooks.registry.ConfigSection` model validates when plugins load."""

    model_config = ConfigDict(extra="allow")

    enabled: bool = True

    def settings(self) -> dict[str, Any]:
        """The plugin's own keys (everything but ``enabled``)."""
        return dict(self.model_extra or {})


class AgentConfig(BaseModel):
    """The agent: which provider answers, and how runs are bounded."""

    model_config = ConfigDict(extra="forbid")

    provider: str = Field("offline", description="offline, or a provider plugin such as openai")
    model: str | None = None
    base_url: str | None = None
    api_key: SecretStr | None = None
    system_prompt: str = "You are a helpful assistant reachable through the OpenClaw gateway."
    max_tool_rounds: int = Field(8, ge=1, le=64)
    run_timeout_ms: int = Field(600_000, ge=1000)
    history_limit: int = Field(50, ge=1, le=1000)
    image_input: bool = Field(
        True, description="send attached images to the model; false for text-only models"
    )
    node_tools: Literal["off", "safe", "armed", "all"] = Field(
        "safe",
        description="node commands the agent may call: safe ones; armed adds the dangerous ones"
        " the operator armed (location, camera, screen); all adds admin ones to safe",
    )


class CronConfig(BaseModel):
    """Scheduled agent runs (``cron.*`` methods; docs/agents.md, "Scheduling")."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = Field(True, description="false stops the scheduler; cron.run still works")
    max_jobs: int = Field(200, ge=1, le=100_000)


class HeartbeatConfig(BaseModel):
    """A periodic agent run on the main session (off by default)."""

    model_config = ConfigDict(extra="forbid")

    every_ms: int = Field(0, ge=0, description="interval; 0 = off (set-heartbeats toggles it)")
    prompt: str = Field(
        "Heartbeat: check whether anything needs attention. If nothing does, reply HEARTBEAT_OK.",
        min_length=1,
    )

    @field_validator("every_ms")
    @classmethod
    def _check_every(cls, value: int) -> int:
        if 0 < value < 100:
            raise ValueError("must be 0 (off) or at least 100 ms")
        return value


class ControlUiConfig(BaseModel):
    """The official Control UI, served at the gateway's own address when a bundle is available
    (``openclaw-gateway ui install``, or ``root``)."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = Field(True, description="serve the Control UI on the WebSocket port")
    root: Path | None = Field(
        None,
        description="a Control UI bundle (a dist/control-ui directory with index.html); default:"
        " the newest one `openclaw-gateway ui install` put in <state dir>/control-ui",
    )

    @field_validator("root")
    @classmethod
    def _absolute(cls, value: Path | None) -> Path | None:
        if value is not None and not value.expanduser().is_absolute():
            raise ValueError(f"{str(value)!r} must be an absolute directory")
        return value.expanduser() if value is not None else None


class MediaConfig(BaseModel):
    """Media the gateway fetches for clients (``send``'s ``mediaUrl``) and keeps under
    ``<state dir>/media`` (docs/security.md, "Media")."""

    model_config = ConfigDict(extra="forbid")

    fetch_timeout_ms: int = Field(30_000, ge=100, description="a whole mediaUrl fetch")
    fetch_max_bytes: int = Field(
        19_464_192, ge=1024, description="largest file fetched for a mediaUrl"
    )
    allow_private_hosts: list[str] = Field(
        default_factory=list,
        description="host names, addresses or CIDRs a mediaUrl may reach although not public",
    )
    local_roots: list[Path] = Field(
        default_factory=list,
        description="directories operator.admin callers may send local files from (none: no"
        " local files at all)",
    )
    max_total_mb: int = Field(
        1024, ge=0, description="media kept under <state dir>/media; oldest pruned (0 = no cap)"
    )
    max_age_days: int = Field(30, ge=0, description="media older than this is pruned (0 = keep)")

    @field_validator("local_roots")
    @classmethod
    def _check_roots(cls, value: list[Path]) -> list[Path]:
        for root in value:
            if not root.expanduser().is_absolute():
                raise ValueError(f"{str(root)!r} must be an absolute directory")
        return [root.expanduser() for root in value]


class TlsConfig(BaseModel):
    """``wss://`` on the gateway port and ``https://`` on the plugin HTTP listener."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = Field(False, description="serve TLS on the gateway and plugin HTTP ports")
    cert: Path | None = Field(
        None, description="PEM certificate (chain); default: a generated self-signed one"
    )
    key: Path | None = Field(None, description="PEM private key for cert")

    @model_validator(mode="after")
    def _pair(self) -> TlsConfig:
        if (self.cert is None) != (self.key is None):
            raise ValueError("set both tls.cert and tls.key, or neither (a pair is generated)")
        return self


class _Layered(BaseSettings):
    """Settings read through the layers, highest first: flags (init), env, ``config.toml``.
    pydantic-settings deep-merges its sources, so the layers combine key by key."""

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, ConfigFileSource(settings_cls))


class GatewayConfig(_Layered):
    """All settings of one gateway instance."""

    model_config = SettingsConfigDict(
        env_prefix="OPENCLAW_GATEWAY_",
        env_nested_delimiter="__",
        extra="forbid",
        validate_default=True,
    )

    state_dir: Path = Field(default_factory=default_state_dir)
    port: int = Field(DEFAULT_PORT, ge=0, le=65535, description="0 picks a free port")
    bind: str = Field("loopback", description="loopback | lan | an IP address to listen on")
    auth_mode: Literal["token", "password"] = "token"
    token: SecretStr | None = None
    password: SecretStr | None = None
    allowed_origins: list[str] = Field(default_factory=list)
    remote_shared_secret: bool = Field(
        False,
        description="let clients on other hosts authenticate with the shared token/password alone"
        " (no device key, no approval); for clients that cannot sign, e.g. WebChat on the LAN",
    )
    trusted_proxies: list[str] = Field(
        default_factory=list,
        description="addresses/CIDRs of reverse proxies whose X-Forwarded-For is believed",
    )
    tick_interval_ms: int = Field(30_000, ge=100)
    health_refresh_ms: int = Field(60_000, ge=100)
    handshake_timeout_ms: int = Field(15_000, ge=100)
    max_payload: int = Field(25 * 1024 * 1024, ge=1024)
    max_preauth_payload: int = Field(64 * 1024, ge=1024)
    max_buffered_bytes: int = Field(50 * 1024 * 1024, ge=1024)
    max_total_buffered_bytes: int = Field(
        256 * 1024 * 1024,
        ge=1024,
        description="unsent bytes across all sockets; past it the worst laggards are closed",
    )
    max_preauth_connections_per_ip: int = Field(32, ge=1)
    rate_limit: RateLimitConfig = Field(default_factory=RateLimitConfig)
    tls: TlsConfig = Field(default_factory=TlsConfig)
    nodes: NodesConfig = Field(default_factory=NodesConfig)
    agent: AgentConfig = Field(default_factory=AgentConfig)
    cron: CronConfig = Field(default_factory=CronConfig)
    heartbeat: HeartbeatConfig = Field(default_factory=HeartbeatConfig)
    media: MediaConfig = Field(default_factory=MediaConfig)
    control_ui: ControlUiConfig = Field(default_factory=ControlUiConfig)
    plugins: dict[str, PluginTable] = Field(
        default_factory=dict, description="[plugins.<name>] tables; enabled = false disables one"
    )
    http_port: int | None = Field(
        None, ge=0, le=65535, description="plugin HTTP routes; default port + 1 (0 if port is 0)"
    )
    http_max_body: int = Field(1024 * 1024, ge=1024, description="request body limit, bytes")
    http_head_timeout_ms: int = Field(
        10_000, ge=100, description="a request head must arrive whole within this (slowloris)"
    )
    http_body_timeout_ms: int = Field(30_000, ge=100, description="then its body within this")
    http_max_connections: int = Field(256, ge=1, description="open HTTP connections in all")
    http_max_connections_per_client: int = Field(
        32, ge=1, description="open HTTP connections per client address (loopback is one)"
    )
    shutdown_grace_ms: int = Field(
        15_000,
        ge=0,
        description="at SIGTERM, how long replies being generated may take before their senders"
        " are told the reply was lost",
    )
    service_restart_ms: int = Field(1000, ge=10, description="first restart delay of a service")
    service_restart_max_ms: int = Field(60_000, ge=10, description="restart delay cap")
    secrets_backend: Literal["auto", "keyring", "file"] = "auto"
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    validate_results: bool = Field(
        False,
        description="check every method result and event payload against its declared model"
        " (plugin development and tests; costs a validation per frame)",
    )
    log_file: bool = Field(
        True, description="JSON-lines log in <state dir>/logs/gateway.log (logs.tail reads it)"
    )

    @field_validator("state_dir")
    @classmethod
    def _expand_state_dir(cls, value: Path) -> Path:
        return value.expanduser()

    @field_validator("bind")
    @classmethod
    def _check_bind(cls, value: str) -> str:
        if value in ("loopback", "lan"):
            return value
        try:
            ipaddress.ip_address(value)
        except ValueError:
            raise ValueError("must be 'loopback', 'lan' or an IP address") from None
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _check_proxies(cls, value: list[str]) -> list[str]:
        from .auth.proxies import parse_networks

        parse_networks(value)
        return value

    @field_validator("allowed_origins")
    @classmethod
    def _check_origins(cls, value: list[str]) -> list[str]:
        for origin in value:
            if origin.strip() == "*" or "://" not in origin:
                raise ValueError(
                    f"{origin!r} is not an origin; list each allowed page origin, "
                    "e.g. 'https://chat.example.com' ('*' is refused on purpose)"
                )
        return value

    @property
    def host(self) -> str:
        """The address to listen on."""
        if self.bind == "loopback":
            return "127.0.0.1"
        if self.bind == "lan":
            return "0.0.0.0"  # noqa: S104 - explicit opt-in by the operator
        return self.bind

    @property
    def http_listen_port(self) -> int:
        """Where plugin HTTP routes are served: ``http_port``, else the WS port + 1 (0 stays 0)."""
        if self.http_port is not None:
            return self.http_port
        return 0 if self.port in (0, 65535) else self.port + 1

    @property
    def config_file(self) -> Path:
        return self.state_dir / CONFIG_FILE_NAME

    @property
    def db_path(self) -> Path:
        return self.state_dir / "state.db"

    @model_validator(mode="before")
    @classmethod
    def _resolve_secret_refs(cls, data: Any) -> Any:
        # Runs on the merged layers, so a reference works from flags, env and the file alike.
        if not isinstance(data, dict):
            return data
        from .secrets import SecretStore, resolve_references

        state_dir = data.get("state_dir")
        store = SecretStore(
            Path(state_dir).expanduser() if state_dir else default_state_dir(),
            data.get("secrets_backend", "auto"),
        )
        return resolve_references(data, store)


class ConfigFileSource(PydanticBaseSettingsSource):
    """``<state dir>/config.toml``, the lowest layer above the defaults.

    The state dir is the one the higher layers (flag, env) chose: pydantic-settings hands each
    source the state merged so far. The file cannot move the state dir (its ``state_dir`` key is
    ignored): the file lives in it.
    """

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False  # unused: __call__ reads the whole file at once

    def __call__(self) -> dict[str, Any]:
        state_dir = self.current_state.get("state_dir")
        path = Path(state_dir).expanduser() if state_dir else default_state_dir()
        values = _read_toml(path / CONFIG_FILE_NAME)
        values.pop("state_dir", None)
        return values


class SecretStoreLocation(_Layered):
    """Just where the secret store is, through the same layers as :class:`GatewayConfig` but
    without resolving ``secret:`` references: ``secrets set`` must work while the config still
    refers to the secret it is about to store."""

    model_config = SettingsConfigDict(
        env_prefix="OPENCLAW_GATEWAY_", env_nested_delimiter="__", extra="ignore"
    )

    state_dir: Path = Field(default_factory=default_state_dir)
    secrets_backend: Literal["auto", "keyring", "file"] = "auto"


def open_secret_store(state_dir: Path | None = None) -> SecretStore:
    """The secret store of the instance whose state dir the flag/env/default names."""
    from .secrets import SecretStore

    flags: dict[str, Any] = {"state_dir": Path(state_dir).expanduser()} if state_dir else {}
    try:
        where = SecretStoreLocation(**flags)
    except ValidationError as exc:
        raise _config_error(exc) from None
    return SecretStore(where.state_dir.expanduser(), where.secrets_backend)


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        return {}
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([(str(path), f"not valid TOML: {exc}")]) from None


def load_config(**flags: Any) -> GatewayConfig:
    """Build the config from flags (None = not given), env and the config file.

    Raises :class:`ConfigError` naming every invalid field or missing secret.
    """
    from .secrets import SecretMissing

    given = {k: v for k, v in flags.items() if v is not None}
    if "state_dir" in given:
        given["state_dir"] = Path(given["state_dir"]).expanduser()
    try:
        return GatewayConfig(**given)
    except SecretMissing as exc:
        raise ConfigError([(exc.path, str(exc))]) from None
    except ValidationError as exc:
        raise _config_error(exc) from None


def _config_error(exc: ValidationError) -> ConfigError:
    return ConfigError(
        [
            (".".join(str(p) for p in err["loc"]) or "config", err["msg"])
            for err in exc.errors(include_url=False)
        ]
    )
