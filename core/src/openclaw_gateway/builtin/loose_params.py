"""Params for methods whose callers (the official Control UI) send version-dependent fields: the
handler reads what it needs, the rest is ignored rather than refused."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class AnyParams(BaseModel):
    model_config = ConfigDict(extra="allow")
