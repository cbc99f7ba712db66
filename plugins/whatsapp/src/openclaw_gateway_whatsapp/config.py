"""``[plugins.whatsapp]``: the shared channel keys plus one table per WhatsApp number (account).

```toml
[plugins.whatsapp]
dm_policy = "pairing"                  # strangers get a pairing code (openclaw-gateway pairing …)
allow_from = ["+15551234567"]          # E.164 numbers always allowed in DMs
groups = ["120363025246125888@g.us"]   # group chats the bot answers in (mention or reply to it)

[plugins.whatsapp.accounts.default]    # a linked device: `openclaw-gateway channels login whatsapp`
# read_receipts = true                 # blue ticks when the agent starts answering

[plugins.whatsapp.accounts.business]   # or the WhatsApp Business Cloud API
transport = "cloud"
phone_number_id = "106540352242922"
access_token = "secret:whatsapp.business.token"
app_secret = "secret:whatsapp.business.app-secret"
verify_token = "secret:whatsapp.business.verify-token"
```

This module imports neither neonize nor httpx: config is validated before anything heavy loads.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

from openclaw_gateway.api import ChannelConfig

Transport = Literal["linked", "cloud"]

TEXT_LIMIT = 4000
"""The reference's default chunk size (WhatsApp itself takes up to 65,536 characters, but long
messages read badly on a phone)."""

DEFAULT_LOCK = Path("/tmp/openclaw-gateway-whatsapp.lock")  # noqa: S108 - host-wide on purpose
"""One linked session per host: every gateway on this machine, whatever its state dir or user,
locks this file before opening WhatsApp (see :mod:`.lock`)."""

WEBHOOK_PATH = "/whatsapp/webhook"
"""Where Meta posts a Cloud API account's webhook (``/whatsapp/webhook/<account>`` for others)."""

_NUMBER = re.compile(r"^\+?[1-9]\d{6,14}$")


def e164(value: str) -> str:
    """``"+1 (555) 123-4567"`` → ``"+15551234567"``; raises ``ValueError`` for anything else."""
    digits = re.sub(r"[\s().-]", "", value)
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    if not _NUMBER.match(digits):
        raise ValueError(f"{value!r} is not a phone number in E.164 form (+15551234567)")
    return digits if digits.startswith("+") else "+" + digits


def webhook_path(account: str) -> str:
    return WEBHOOK_PATH if account == "default" else f"{WEBHOOK_PATH}/{account}"


class WhatsAppAccount(BaseModel):
    """One WhatsApp number: a linked device (default) or a Cloud API phone number."""

    model_config = ConfigDict(extra="forbid")

    transport: Transport = Field(
        "linked",
        description="linked: this gateway is a linked device of a phone's WhatsApp (QR login);"
        " cloud: the WhatsApp Business Cloud API (Graph API sends, a webhook for receiving)",
    )
    read_receipts: bool = Field(
        True, description="mark a message read (blue ticks) when the agent starts answering it"
    )
    answer_own_devices: bool = Field(
        False,
        description="linked: also answer messages sent from this account's other devices (e.g."
        " notes to yourself); off, so the bot never answers itself",
    )
    lock_path: Path = Field(
        DEFAULT_LOCK,
        description="linked: the host-wide lock that keeps WhatsApp to one gateway per machine",
    )
    phone_number_id: str | None = Field(None, description="cloud: the Graph phone number id")
    access_token: SecretStr | None = Field(
        None, description="cloud: a system-user access token with whatsapp_business_messaging"
    )
    app_secret: SecretStr | None = Field(
        None, description="cloud: the Meta app secret; every webhook post must be signed with it"
    )
    verify_token: SecretStr | None = Field(
        None, description="cloud: the token you typed into the webhook's setup in the Meta app"
    )
    graph_url: str = Field(
        "https://graph.facebook.com", description="cloud: the Graph API root (tests: a local fake)"
    )
    api_version: str = Field("v21.0", pattern=r"^v\d+\.\d+$")
    webhook_max_age_s: int = Field(
        3600,
        ge=60,
        description="cloud: messages older than this when their webhook post arrives are not"
        " answered (a replayed or very late post)",
    )

    @field_validator("graph_url")
    @classmethod
    def _graph_url(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("must be an absolute http(s) URL such as https://graph.facebook.com")
        return value.rstrip("/")

    @model_validator(mode="after")
    def _cloud_needs(self) -> WhatsAppAccount:
        if self.transport == "cloud":
            missing = [
                key
                for key in ("phone_number_id", "access_token", "app_secret", "verify_token")
                if getattr(self, key) is None
            ]
            if missing:
                raise ValueError(
                    f"transport 'cloud' needs {', '.join(missing)} (Meta app → WhatsApp → API"
                    " Setup for the first two, App settings → Basic for app_secret; verify_token"
                    " is any string you also type into the webhook setup)"
                )
        return self


class WhatsAppConfig(ChannelConfig[WhatsAppAccount]):
    """``[plugins.whatsapp]``: see :class:`~openclaw_gateway.api.ChannelConfig`. DM senders are
    E.164 numbers (``allow_from``); ``groups`` are group JIDs (``…@g.us``)."""

    @field_validator("allow_from")
    @classmethod
    def _numbers(cls, values: list[str]) -> list[str]:
        return [e164(v) for v in values]

    @model_validator(mode="after")
    def _one_linked_session(self) -> WhatsAppConfig:
        linked = [name for name, acc in self.accounts.items() if acc.transport == "linked"]
        if len(linked) > 1:
            raise ValueError(
                f"accounts {', '.join(linked)}: one linked WhatsApp session per host (the session"
                " is owned by exactly one gateway); add other numbers with transport = 'cloud'"
            )
        return self
