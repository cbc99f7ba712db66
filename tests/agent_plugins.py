"""Test-only plugins for agent runs: a slow provider, a failing provider, a tool, a safe node command.

Plain objects registered with ``gateway_factory(extra_plugins=(…,))`` — no entry points.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from typing import Any

import anyio
from pydantic import BaseModel

from openclaw_gateway.agent.provider import (
    AgentProvider,
    Finished,
    Message,
    ProviderError,
    TextDelta,
    ToolCall,
    ToolCallsReady,
    ToolDefinition,
)
from openclaw_gateway.hooks import hookimpl
from openclaw_gateway.hooks.registry import AgentProviderSpec, AgentToolSpec, NodeCommandSpec


class SlowProvider(AgentProvider):
    """Streams ``chunks`` words, ``delay`` seconds apart; '/tool NAME ARGS' asks for a tool."""

    name = "slow"
    model = "slow-1"

    def __init__(self, delay: float = 0.05, chunks: int = 5) -> None:
        self.delay = delay
        self.chunks = chunks

    async def stream(
        self, messages: Sequence[Message], tools: Sequence[ToolDefinition]
    ) -> AsyncIterator[Any]:
        last = messages[-1]
        if last.role == "user" and last.content.startswith("/tool "):
            name, _, args = last.content[6:].partition(" ")
            yield ToolCallsReady((ToolCall("call-1", name, args or "{}"),))
            yield Finished("tool_calls")
            return
        if last.role == "tool":
            yield TextDelta(f"tool said {last.content}")
            yield Finished("stop")
            return
        for i in range(self.chunks):
            await anyio.sleep(self.delay)
            yield TextDelta(f"w{i} ")
        yield Finished("stop")


class BrokenProvider(AgentProvider):
    name = "broken"
    model = "broken-1"

    async def stream(
        self, messages: Sequence[Message], tools: Sequence[ToolDefinition]
    ) -> AsyncIterator[Any]:
        yield TextDelta("partial ")
        raise ProviderError("the model backend answered 500")


class EchoParams(BaseModel):
    text: str


async def echo_tool(params: EchoParams) -> dict[str, str]:
    return {"echo": params.text.upper()}


class AgentTestPlugin:
    @hookimpl
    def register_agent_providers(self, register: Callable[[AgentProviderSpec], None]) -> None:
        register(AgentProviderSpec(name="slow", factory=lambda cfg: SlowProvider()))
        register(AgentProviderSpec(name="broken", factory=lambda cfg: BrokenProvider()))

    @hookimpl
    def register_agent_tools(self, register: Callable[[AgentToolSpec], None]) -> None:
        register(
            AgentToolSpec(
                name="echo",
                description="Echo text in capitals",
                handler=echo_tool,
                params=EchoParams,
            )
        )

    @hookimpl
    def register_node_commands(self, register: Callable[[NodeCommandSpec], None]) -> None:
        register(
            NodeCommandSpec(
                name="location.get", permission="safe", description="Where the device is"
            )
        )


PLUGIN = AgentTestPlugin()
