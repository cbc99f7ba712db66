"""``[plugins.imessage]``: the shared channel keys plus one table per Mac (account).

```toml
[plugins.imessage]
dm_policy = "pairing"
allow_from = ["+15551234567", "ann@example.com"]   # handles: phone numbers or Apple ID emails
groups = ["chat:42", "iMessage;+;chat123456789"]   # group chats: chat:<rowid> or the chat GUID

[plugins.imessage.accounts.default]
mention_names = ["claw"]                           # in groups, answer messages naming the bot
cli_path = "imsg"                                  # on the Mac itself
# cli_path = "/usr/local/bin/imsg-over-ssh"        # or a wrapper: ssh mac imsg "$@"
```
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from openclaw_gateway.api import ChannelConfig

TEXT_LIMIT = 4000


class IMessageAccount(BaseModel):
    model_config = ConfigDict(extra="forbid")

    cli_path: str = Field(
        "imsg", description="the imsg executable, or a wrapper that runs it on the Mac over SSH"
    )
    args: list[str] = Field(default_factory=list, description="arguments before `rpc`")
    service: Literal["auto", "imessage", "sms"] = Field("auto", description="how to send")
    read_receipts: bool = Field(True, description="mark chats read when answering")
    mention_names: list[str] = Field(
        default_factory=list,
        description="in groups, a message naming one of these (case-insensitive) addresses the bot"
        " (the bridge reports no @mentions)",
    )
    attachments_root: Path = Field(
        Path("~/Library/Messages/Attachments"),
        description="incoming attachments are read only from under this directory (on the Mac)",
    )

    @field_validator("attachments_root")
    @classmethod
    def _expand(cls, value: Path) -> Path:
        return value.expanduser()


class IMessageConfig(ChannelConfig[IMessageAccount]):
    """``[plugins.imessage]``: see :class:`~openclaw_gateway.api.ChannelConfig`."""
