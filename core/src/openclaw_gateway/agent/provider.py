"""The provider contract (what a model backend streams) and the built-in offline provider.

A provider turns a conversation into a stream of :data:`ProviderEvent` values. Plugins register
providers through ``register_agent_providers``; the core picks one by ``agent.provider`` in config.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import anyio


@dataclass(frozen=True)
class ToolCall:
    """A tool call requested by the model: ``arguments`` is the raw JSON text it produced."""

    id: str
    name: str
    arguments: str


@dataclass(frozen=True)
class ImageInput:
    """An image the user attached; providers that take images send it beside the text."""

    mime: str
    data: bytes = field(repr=False)


@dataclass(frozen=True)
class Message:
    """One conversation message in provider-neutral form (OpenAI chat shape)."""

    role: str  # "system" | "user" | "assistant" | "tool"
    content: str = ""
    tool_calls: tuple[ToolCall, ...] = ()
    tool_call_id: str | None = None
    name: str | None = None
    images: tuple[ImageInput, ...] = ()
    """On user messages: attached images (see ``agent/media.py`` for other files)."""


@dataclass(frozen=True)
class ToolDefinition:
    name: str
    description: str
    parameters: dict[str, Any] = field(default_factory=lambda: {"type": "object", "properties": {}})


@dataclass(frozen=True)
class TextDelta:
    text: str


@dataclass(frozen=True)
class ToolCallsReady:
    calls: tuple[ToolCall, ...]


@dataclass(frozen=True)
class Usage:
    input_tokens: int = 0
    output_tokens: int = 0


@dataclass(frozen=True)
class Finished:
    stop_reason: str = "stop"


ProviderEvent = TextDelta | ToolCallsReady | Usage | Finished


class ProviderError(Exception):
    """Raised by a provider when the model call fails; the message is shown to the user."""


class AgentProvider(ABC):
    """A model backend: what a provider plugin subclasses (as ``llm.Model`` in simonw/llm) and its
    ``AgentProviderSpec.factory`` returns.

    ``name`` (the provider, e.g. ``"openai"``) and ``model`` are shown in run metadata. Only
    :meth:`stream` is required; :meth:`aclose` has a default that does nothing.
    """

    name: str
    model: str

    @abstractmethod
    def stream(
        self, messages: Sequence[Message], tools: Sequence[ToolDefinition]
    ) -> AsyncIterator[ProviderEvent]:
        """One model turn, as an async generator: ``TextDelta``s as the answer streams, then
        ``ToolCallsReady`` (the run calls the tools and asks again) or ``Finished``; ``Usage`` when
        the backend reports it. A failure raises :class:`ProviderError` with a message for the user.
        """

    async def list_models(self) -> list[str]:
        """The model ids the backend serves (OpenAI-compatible servers: ``GET /v1/models``), for
        the Control UI's model list. Default: none beyond the configured one."""
        return []

    async def aclose(self) -> None:  # noqa: B027 - an optional hook, empty by default
        """Release what the provider holds (connection pools); called once at gateway shutdown."""


OFFLINE_NOTICE = (
    "No model is configured, so the built-in offline agent is answering. To talk to a real model,"
    ' set [agent] provider = "openai" with base_url, model and api_key in'
    " ~/.openclaw-gateway/config.toml (works with OpenAI, Ollama, vLLM, llama.cpp, LM Studio)."
)


class OfflineProvider(AgentProvider):
    """Answers without any model, so a fresh install works: it says so and echoes the message.

    A message starting with ``/tool <name> <json>`` calls that tool, which makes tool plumbing
    testable end to end without a model.
    """

    name = "offline"
    model = "offline"

    def __init__(self, chunk_delay: float = 0.0) -> None:
        self.chunk_delay = chunk_delay

    async def stream(
        self, messages: Sequence[Message], tools: Sequence[ToolDefinition]
    ) -> AsyncIterator[ProviderEvent]:
        last = messages[-1] if messages else Message("user", "")
        if last.role == "user" and last.content.startswith("/tool "):
            name, _, args = last.content[6:].strip().partition(" ")
            yield ToolCallsReady(
                (ToolCall(id="call_offline_1", name=name, arguments=args or "{}"),)
            )
            yield Finished("tool_calls")
            return
        if last.role == "tool":
            text = f"Tool {last.name} returned: {last.content}"
        else:
            user_text = last.content.strip()
            text = f'{OFFLINE_NOTICE}\n\nYou said: "{user_text}"'
            if last.images:
                sizes = ", ".join(f"{i.mime} {len(i.data)} bytes" for i in last.images)
                text += f"\n\nYou sent {len(last.images)} image(s): {sizes}."
        words = text.split(" ")
        for start in range(0, len(words), 4):  # a few words per delta, like a model streams
            if self.chunk_delay:
                await anyio.sleep(self.chunk_delay)
            chunk = " ".join(words[start : start + 4])
            yield TextDelta(chunk if start == 0 else " " + chunk)
        yield Usage(
            input_tokens=sum(len(m.content.split()) for m in messages), output_tokens=len(words)
        )
        yield Finished("stop")


def tool_result_text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, default=str)
