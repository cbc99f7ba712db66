"""``[plugins.discord]``: the channel settings and one table per bot account."""

from __future__ import annotations

from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

from openclaw_gateway.api import ChannelConfig

DEFAULT_API_BASE = "https://discord.com/api/v10"


class DiscordAccount(BaseModel):
    """One bot account (``[plugins.discord.accounts.<name>]``).

    The bot needs the privileged **Message Content** intent (Developer Portal → Bot → Privileged
    Gateway Intents); without it Discord closes the gateway with 4014 and the account stops with
    that reason in ``channels status``.
    """

    model_config = ConfigDict(extra="forbid")

    token: SecretStr = Field(min_length=1)
    """The bot token (Developer Portal → Bot → Reset Token). Never logged."""
    api_base: str = DEFAULT_API_BASE
    """The REST base URL, API version included."""
    gateway_url: str | None = None
    """Gateway WebSocket URL override; by default it is asked from ``GET /gateway/bot``."""
    send_timeout: float = Field(default=30.0, gt=0, le=600)
    """Seconds one send may take, rate-limit waits included, before it is retried later."""

    @field_validator("api_base")
    @classmethod
    def _http_url(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError("must be an http(s) URL such as https://discord.com/api/v10")
        return value.rstrip("/")

    @field_validator("gateway_url")
    @classmethod
    def _ws_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value)
        if parts.scheme not in ("ws", "wss") or not parts.netloc:
            raise ValueError("must be a ws(s) URL such as wss://gateway.discord.gg")
        return value


class DiscordConfig(ChannelConfig[DiscordAccount]):
    """``[plugins.discord]``: the shared channel settings plus one table per bot account.

    ``groups`` lists guild *channel* ids; a thread is allowed when its parent channel is.
    """
