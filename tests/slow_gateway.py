"""A gateway process whose agent is slow (tests/agent_plugins.py), for crash tests.

Usage: python slow_gateway.py STATE_DIR TOKEN — prints ``PORT <n>`` once listening.
"""

from __future__ import annotations

import sys
from pathlib import Path

import anyio

sys.path.insert(0, str(Path(__file__).parent))

from openclaw_gateway.config import load_config
from openclaw_gateway.hooks import hookimpl
from openclaw_gateway.hooks.registry import AgentProviderSpec
from openclaw_gateway.server.app import start_gateway

from agent_plugins import AgentTestPlugin, SlowProvider


class VerySlow(AgentTestPlugin):
    @hookimpl
    def register_agent_providers(self, register):  # type: ignore[no-untyped-def]
        register(
            AgentProviderSpec(name="slow", factory=lambda cfg: SlowProvider(delay=0.3, chunks=100))
        )


async def main() -> None:
    config = load_config(
        state_dir=sys.argv[1],
        token=sys.argv[2],
        port=0,
        secrets_backend="file",
        agent={"provider": "slow"},
    )
    async with start_gateway(config, extra_plugins=(VerySlow(),)) as gw:
        print(f"PORT {gw.port}", flush=True)
        await anyio.sleep_forever()


anyio.run(main)
