"""bench/fake_llm.py (the instant model behind the agent-run benchmark) speaks the Chat Completions
wire well enough for the real OpenAI SDK: our openai provider streams its reply from it."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import anyio
import pytest
from openclaw_gateway_openai.provider import OpenAIProvider

from openclaw_gateway.agent.provider import Finished, Message, TextDelta, Usage

pytestmark = pytest.mark.anyio

FAKE_LLM = Path(__file__).resolve().parents[1] / "bench" / "fake_llm.py"


@pytest.fixture
def fake_llm() -> Iterator[str]:
    proc = subprocess.Popen(
        [sys.executable, str(FAKE_LLM), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        line = proc.stdout.readline()  # type: ignore[union-attr]
        assert line.startswith("fake-llm listening on "), line
        yield line.split()[3]  # http://127.0.0.1:<port>/v1
    finally:
        proc.terminate()
        proc.wait(10)


async def test_the_openai_provider_streams_the_fixed_reply(fake_llm: str) -> None:
    provider = OpenAIProvider(base_url=fake_llm, model="fake-model", api_key="x", max_retries=0)
    for _ in range(2):  # twice: the server keeps serving after the first stream
        with anyio.fail_after(10):
            events = [e async for e in provider.stream([Message("user", "hello")], ())]
        deltas = [e.text for e in events if isinstance(e, TextDelta)]
        assert deltas == ["Hello", " from", " the fake", " model."]
        assert any(isinstance(e, Usage) and e.output_tokens == 4 for e in events)
        assert events[-1] == Finished("stop")
