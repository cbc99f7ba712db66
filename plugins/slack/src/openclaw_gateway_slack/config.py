"""``[plugins.slack]``: the shared channel keys plus one table per Slack app (account).

```toml
[plugins.slack]
dm_policy = "pairing"
groups = ["C0123456789"]           # channel ids the bot answers in (group_policy = "allowlist")

[plugins.slack.accounts.default]
bot_token = "xoxb-…"               # or OPENCLAW_GATEWAY_PLUGINS__SLACK__ACCOUNTS__DEFAULT__BOT_TOKEN
app_token = "xapp-…"               # Socket Mode (the default): an app-level token, connections:write
# mode = "events"                  # Events API instead: Slack POSTs to the gateway's HTTP listener
# signing_secret = "…"             #   …and each request is verified with the app's signing secret
# base_url = "https://slack.com/api/"   # GovSlack: https://slack-gov.com/api/
```

This module imports no Slack SDK, so config is validated before anything heavy loads.
"""

from __future__ import annotations

from typing import Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

from openclaw_gateway.api import ChannelConfig

Mode = Literal["socket", "events"]


class SlackAccount(BaseModel):
    """One Slack app installed in one workspace."""

    model_config = ConfigDict(extra="forbid")

    bot_token: SecretStr = Field(description="the bot user OAuth token (xoxb-…)")
    app_token: SecretStr | None = Field(
        None, description="an app-level token with connections:write (xapp-…), for Socket Mode"
    )
    mode: Mode = Field(
        "socket",
        description="socket: Slack's Socket Mode WebSocket, no public URL needed; events: Slack"
        " POSTs events to the gateway's HTTP listener at /slack/events[/<account>]",
    )
    signing_secret: SecretStr | None = Field(
        None, description="the app's signing secret, to verify Events API requests (mode = events)"
    )
    base_url: str = Field(
        "https://slack.com/api/",
        description="the Web API root (GovSlack: https://slack-gov.com/api/; tests: a local fake)",
    )

    @field_validator("bot_token")
    @classmethod
    def _bot_token(cls, value: SecretStr) -> SecretStr:
        if not value.get_secret_value().startswith("xoxb-"):
            raise ValueError("must be a bot token (xoxb-…), from OAuth & Permissions")
        return value

    @field_validator("app_token")
    @classmethod
    def _app_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith("xapp-"):
            raise ValueError("must be an app-level token (xapp-…), from Basic Information")
        return value

    @field_validator("base_url")
    @classmethod
    def _base_url(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("must be an absolute http(s) URL such as https://slack.com/api/")
        return value if value.endswith("/") else value + "/"

    @model_validator(mode="after")
    def _mode_needs(self) -> SlackAccount:
        if self.mode == "socket" and self.app_token is None:
            raise ValueError(
                "mode 'socket' needs app_token (an xapp-… token with connections:write);"
                " or set mode = 'events' with a signing_secret"
            )
        if self.mode == "events" and self.signing_secret is None:
            raise ValueError(
                "mode 'events' needs signing_secret (Basic Information → App Credentials)"
            )
        return self


class SlackConfig(ChannelConfig[SlackAccount]):
    """``[plugins.slack]``: see :class:`~openclaw_gateway.channels.config.ChannelConfig`."""


EVENTS_PATH = "/slack/events"
"""Where Slack posts an Events API account's requests (``/slack/events/<account>`` for others)."""


def events_path(account: str) -> str:
    return EVENTS_PATH if account == "default" else f"{EVENTS_PATH}/{account}"
