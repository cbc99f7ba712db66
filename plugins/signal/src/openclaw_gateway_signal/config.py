"""``[plugins.signal]``: the shared channel keys plus one table per Signal account.

```toml
[plugins.signal]
dm_policy = "pairing"
allow_from = ["+15551234567"]            # numbers (or ACI UUIDs) always allowed in DMs
groups = ["Pmpi+EfPWmsxiomLe9Nx2XF9HOE483p6iKiFj65iMwI="]   # group ids answered

[plugins.signal.accounts.default]
account = "+15550100100"                 # the bot's number, registered or linked in signal-cli
# mode = "managed"                       # the gateway runs `signal-cli -a … daemon --http …`
# cli_path = "signal-cli"
# mode = "external"; url = "http://127.0.0.1:8080"   # a daemon you run yourself
```
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from openclaw_gateway.api import ChannelConfig

Mode = Literal["managed", "external"]
TEXT_LIMIT = 4000
_NUMBER = re.compile(r"^\+[1-9]\d{6,14}$")
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def sender_id(value: str) -> str:
    """An allowlist entry: an E.164 number (spaces and dashes allowed) or an ACI UUID."""
    compact = re.sub(r"[\s().-]", "", value)
    if _NUMBER.match(compact):
        return compact
    if _UUID.match(value.strip()):
        return value.strip().lower()
    raise ValueError(f"{value!r} is neither an E.164 number (+15551234567) nor a Signal UUID")


class SignalAccount(BaseModel):
    model_config = ConfigDict(extra="forbid")

    account: str = Field(description="the bot's Signal number (E.164), as signal-cli knows it")
    mode: Mode = Field(
        "managed",
        description="managed: the gateway starts signal-cli's daemon and supervises it;"
        " external: attach to a daemon at `url`",
    )
    url: str | None = Field(None, description="external: the daemon's base URL (http://host:port)")
    cli_path: str = Field("signal-cli", description="managed: the signal-cli executable")
    data_dir: Path | None = Field(None, description="managed: signal-cli's --config directory")
    http_port: int = Field(
        0, ge=0, le=65535, description="managed: the daemon's loopback port (0: pick a free one)"
    )
    read_receipts: bool = Field(True, description="send read receipts when answering")
    start_timeout_s: float = Field(60.0, gt=0, description="managed: wait for the daemon's /check")

    @field_validator("account")
    @classmethod
    def _account(cls, value: str) -> str:
        compact = re.sub(r"[\s().-]", "", value)
        if not _NUMBER.match(compact):
            raise ValueError("must be the bot's number in E.164 form (+15550100100)")
        return compact

    @field_validator("url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("must be an http(s) URL such as http://127.0.0.1:8080")
        return value.rstrip("/")

    @model_validator(mode="after")
    def _external_needs_url(self) -> SignalAccount:
        if self.mode == "external" and self.url is None:
            raise ValueError("mode 'external' needs url (the daemon's http://host:port)")
        return self


class SignalConfig(ChannelConfig[SignalAccount]):
    """``[plugins.signal]``; ``allow_from`` takes numbers or ACI UUIDs, ``groups`` group ids."""

    @field_validator("allow_from")
    @classmethod
    def _senders(cls, values: list[str]) -> list[str]:
        return [sender_id(v) for v in values]
