"""The config every channel shares; a plugin's config model extends :class:`ChannelConfig`.

```toml
[plugins.telegram]
dm_policy = "pairing"          # pairing | allowlist | open | disabled
allow_from = ["12345"]         # sender ids always allowed in DMs
group_policy = "allowlist"     # allowlist | open | disabled
groups = ["-100123"]           # group/channel ids the bot answers in (allowlist policy)
require_mention = true         # in groups, answer only when mentioned
rate_limit_per_minute = 20     # per sender (0 = off); bursts of rate_limit_burst = 10

[plugins.telegram.accounts.default]
token = "secret:telegram.default"  # openclaw-gateway secrets set telegram.default (or env)
```
"""

from __future__ import annotations

from typing import Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

DmPolicy = Literal["pairing", "allowlist", "open", "disabled"]
GroupPolicy = Literal["allowlist", "open", "disabled"]

AccountT = TypeVar("AccountT", bound=BaseModel)


class ChannelConfig(BaseModel, Generic[AccountT]):
    model_config = ConfigDict(extra="forbid")

    enabled: bool = True
    dm_policy: DmPolicy = "pairing"
    allow_from: list[str] = Field(default_factory=list)
    group_policy: GroupPolicy = "allowlist"
    groups: list[str] = Field(default_factory=list)
    require_mention: bool = True
    rate_limit_per_minute: int = Field(20, ge=0, description="per sender; 0 = no limit")
    rate_limit_burst: int = Field(10, ge=1, description="messages a sender may send at once")
    max_inbound_chars: int = Field(
        20_000,
        ge=1,
        description="longer messages are not passed to the agent; the sender is told the limit",
    )
    accounts: dict[str, AccountT] = Field(default_factory=dict)
