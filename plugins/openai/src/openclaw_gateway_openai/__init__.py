"""openclaw-gateway-openai: the OpenAI-compatible streaming agent provider.

Select it with ``[agent] provider = "openai"`` and configure it in its own section::

    [plugins.openai]
    model = "gpt-4o-mini"
    base_url = "http://127.0.0.1:11434/v1"   # any OpenAI-compatible server
    api_key = "secret:openai"

The same keys in ``[agent]`` still work (read when the section leaves them unset) but are
deprecated: the gateway says so at start. This module is the manifest and stays light: the ``openai`` SDK (about a second to import) loads only when the first
agent run builds the provider, not when the gateway starts.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, SecretStr

from openclaw_gateway.api import AgentProviderSpec, ConfigSection, hookimpl

if TYPE_CHECKING:
    from openclaw_gateway.api import AgentConfig

    from .provider import OpenAIProvider

__all__ = ["OpenAIConfig", "make_provider"]

PROVIDER_NAME = "openai"


def make_provider(config: AgentConfig) -> OpenAIProvider:
    """Build the provider from ``[plugins.openai]`` laid over ``[agent]`` (the core merges them;
    raises ``ProviderError`` if unusable)."""
    from .provider import OpenAIProvider

    return OpenAIProvider.from_config(config)


class OpenAIConfig(BaseModel):
    """``[plugins.openai]``: the model server. Keys left unset fall back to ``[agent]``."""

    model_config = ConfigDict(extra="forbid")

    model: str | None = None
    base_url: str | None = None
    api_key: SecretStr | None = None


@hookimpl
def register_config(register: Callable[[ConfigSection], None]) -> None:
    register(ConfigSection(name=PROVIDER_NAME, model=OpenAIConfig))


@hookimpl
def register_agent_providers(register: Callable[[AgentProviderSpec], None]) -> None:
    register(AgentProviderSpec(name=PROVIDER_NAME, factory=make_provider))
