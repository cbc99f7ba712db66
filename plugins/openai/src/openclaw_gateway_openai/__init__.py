"""openclaw-gateway-openai: the OpenAI-compatible streaming agent provider.

Select it with ``[agent] provider = "openai"``; it reads ``model``, ``base_url`` and ``api_key``
from the ``[agent]`` table, so it declares no config section of its own. This module is the
manifest and stays light: the ``openai`` SDK (about a second to import) loads only when the first
agent run builds the provider, not when the gateway starts.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from openclaw_gateway.api import AgentProviderSpec, hookimpl

if TYPE_CHECKING:
    from openclaw_gateway.api import AgentConfig

    from .provider import OpenAIProvider

__all__ = ["make_provider"]

PROVIDER_NAME = "openai"


def make_provider(config: AgentConfig) -> OpenAIProvider:
    """Build the provider from the ``[agent]`` table (raises ``ProviderError`` if unusable)."""
    from .provider import OpenAIProvider

    return OpenAIProvider.from_config(config)


@hookimpl
def register_agent_providers(register: Callable[[AgentProviderSpec], None]) -> None:
    register(AgentProviderSpec(name=PROVIDER_NAME, factory=make_provider))
