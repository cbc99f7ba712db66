"""``[plugins.telegram]``: the shared channel keys plus one table per bot account.

This module imports pydantic only (no python-telegram-bot), so the gateway validates the config
before any SDK is loaded.

```toml
[plugins.telegram]
dm_policy = "pairing"
require_mention = true

[plugins.telegram.accounts.default]
token = "123456:ABC-DEF…"        # or OPENCLAW_GATEWAY_PLUGINS__TELEGRAM__ACCOUNTS__DEFAULT__TOKEN
# base_url = "http://127.0.0.1:8081/bot"   # a self-hosted Bot API server
# mode = "webhook"
# webhook_url = "https://bot.example.com/telegram/webhook/default"
# webhook_secret = "a-long-random-string"
```
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

from openclaw_gateway.api import ChannelConfig

_TOKEN = re.compile(r"^\d+:[A-Za-z0-9_-]+$")
_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


class TelegramAccount(BaseModel):
    """One bot: ``[plugins.telegram.accounts.<name>]``."""

    model_config = ConfigDict(extra="forbid")

    token: SecretStr = Field(description="the bot token from @BotFather (never logged)")
    base_url: str = Field(
        "https://api.telegram.org/bot",
        description="Bot API base; the token is appended. Point it at a self-hosted Bot API server"
        " (telegram-bot-api --local) or a test server.",
    )
    base_file_url: str | None = Field(
        None,
        description="file download base; default: base_url with '/bot' replaced by '/file/bot'",
    )
    local_mode: bool = Field(
        False,
        description="the Bot API server runs with --local on this host: files are read from its"
        " disk paths instead of downloaded",
    )
    mode: Literal["polling", "webhook"] = "polling"
    poll_timeout: int = Field(
        30, ge=0, le=50, description="long-polling timeout in seconds (getUpdates 'timeout')"
    )
    webhook_url: str | None = Field(
        None,
        description="public HTTPS URL Telegram posts updates to; it must reach this gateway's HTTP"
        " listener at /telegram/webhook/<account> (through your reverse proxy)",
    )
    webhook_secret: SecretStr | None = Field(
        None,
        description="sent by Telegram in X-Telegram-Bot-Api-Secret-Token; 1-256 chars A-Z a-z 0-9 _ -",
    )
    allow_bots: bool = Field(
        False,
        description="answer messages from other bots (is_bot senders); off by default, as on"
        " the other surfaces: two bots answering each other never stop",
    )
    backoff_initial: float = Field(
        1.0, gt=0, description="first delay after a failed poll (seconds; doubles, with jitter)"
    )
    backoff_max: float = Field(30.0, gt=0, description="longest delay between failed polls")

    @field_validator("token")
    @classmethod
    def _check_token(cls, value: SecretStr) -> SecretStr:
        if not _TOKEN.match(value.get_secret_value()):
            raise ValueError("must look like '123456:ABC-DEF…' (the token @BotFather gave you)")
        return value

    @field_validator("base_url", "base_file_url")
    @classmethod
    def _check_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError("must be an http:// or https:// URL")
        return value.rstrip("/") if value is not None else None

    @field_validator("webhook_secret")
    @classmethod
    def _check_secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not _SECRET.match(value.get_secret_value()):
            raise ValueError("must be 1-256 characters of A-Z, a-z, 0-9, '_' and '-'")
        return value

    @model_validator(mode="after")
    def _check_webhook(self) -> TelegramAccount:
        if self.mode == "webhook":
            if not self.webhook_url or not self.webhook_url.startswith(("https://", "http://")):
                raise ValueError("mode = 'webhook' needs webhook_url, a public https:// URL")
            if self.webhook_secret is None:
                raise ValueError("mode = 'webhook' needs webhook_secret (Telegram sends it back)")
        return self

    @property
    def file_url(self) -> str:
        """The download base (``…/file/bot``), derived from ``base_url`` unless set."""
        if self.base_file_url:
            return self.base_file_url
        head, sep, tail = self.base_url.rpartition("/bot")
        return f"{head}/file/bot{tail}" if sep else f"{self.base_url}/file/bot"


class TelegramConfig(ChannelConfig[TelegramAccount]):
    """``[plugins.telegram]``: dm_policy, allow_from, groups, require_mention … and accounts."""
