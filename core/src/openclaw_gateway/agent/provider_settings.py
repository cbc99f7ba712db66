"""Which agent provider a gateway uses and with which settings: ``[agent]`` names it, its plugin's
own section (``[plugins.openai]``) holds the model server's keys."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from pydantic import BaseModel

from .provider import AgentProvider, OfflineProvider, ProviderError

if TYPE_CHECKING:
    from ..config import AgentConfig
    from ..hooks.specs import AgentProviderSpec


def make_provider(
    agent: AgentConfig,
    providers: Mapping[str, AgentProviderSpec],
    sections: Mapping[str, BaseModel],
) -> AgentProvider:
    """The configured provider, built by its plugin (``offline`` is the core's own)."""
    if agent.provider == "offline":
        return OfflineProvider()
    spec = providers.get(agent.provider)
    if spec is None:
        from ..hints import install_hint

        raise ProviderError(
            f"agent provider {agent.provider!r} is not installed ({install_hint(agent.provider)})"
        )
    return spec.factory(provider_settings(agent, sections))


PROVIDER_KEYS = ("model", "base_url", "api_key")
"""Model-server settings a provider plugin's own section holds (``[plugins.openai]``)."""


def provider_settings(agent: AgentConfig, sections: Mapping[str, BaseModel]) -> AgentConfig:
    """``[agent]`` with the provider's own section laid over it: a key set in
    ``[plugins.<provider>]`` wins; ``[agent]``'s is the deprecated fallback."""
    section = sections.get(agent.provider)
    if section is None:
        return agent
    update = {
        key: value for key in PROVIDER_KEYS if (value := getattr(section, key, None)) is not None
    }
    return agent.model_copy(update=update) if update else agent


def deprecated_provider_keys(agent: AgentConfig) -> list[str]:
    """The ``[agent]`` keys that belong in the provider's section now."""
    return [key for key in PROVIDER_KEYS if getattr(agent, key) is not None]
