"""The OpenAI-compatible HTTP API (the ``openai_api`` plugin), driven by the official ``openai``
Python SDK as the client: models, completions whole and streamed, session continuation, auth and
the request limits."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator, Sequence
from typing import Any

import anyio
import httpx
import openai
import openclaw_gateway_openai_api
import pytest

from openclaw_gateway.api import (
    AgentProvider,
    AgentProviderSpec,
    Finished,
    Message,
    TextDelta,
    ToolDefinition,
    hookimpl,
)

from wire import TOKEN

pytestmark = pytest.mark.anyio

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


class HistoryProvider(AgentProvider):
    """Answers in three streamed pieces what it was given: the newest user text, how many user
    turns the session holds, and how many images came with the newest one."""

    name = "history"
    model = "history-1"

    async def stream(
        self, messages: Sequence[Message], tools: Sequence[ToolDefinition]
    ) -> AsyncIterator[Any]:
        users = [m for m in messages if m.role == "user"]
        yield TextDelta(f"turns={len(users)} ")
        yield TextDelta(f"images={len(users[-1].images)} ")
        yield TextDelta(f"said={users[-1].content}")
        yield Finished("stop")


class HistoryPlugin:
    @hookimpl
    def register_agent_providers(self, register):
        register(AgentProviderSpec(name="history", factory=lambda cfg: HistoryProvider()))


def _client(gw, key: str = TOKEN) -> openai.AsyncOpenAI:
    port = gw.plugin_report["http"]["port"]
    return openai.AsyncOpenAI(base_url=f"http://127.0.0.1:{port}/v1", api_key=key, max_retries=0)


@pytest.fixture
async def api_gateway(gateway_factory):
    async with gateway_factory(
        extra_plugins=(openclaw_gateway_openai_api, HistoryPlugin()),
        plugins={"openai_api": {}},
        agent={"provider": "history"},
    ) as gw:
        yield gw


async def test_off_by_default(gateway_factory):
    async with gateway_factory(extra_plugins=(openclaw_gateway_openai_api,)) as gw:
        assert "http" not in gw.plugin_report


async def test_models_are_agent_targets(api_gateway):
    async with _client(api_gateway) as client:
        ids = [m.id async for m in client.models.list()]
        assert ids == ["openclaw", "openclaw/default", "openclaw/main"]
        assert (await client.models.retrieve("openclaw/main")).id == "openclaw/main"
        with pytest.raises(openai.NotFoundError):
            await client.models.retrieve("gpt-4o")


async def test_a_completion_whole_and_streamed(api_gateway):
    async with _client(api_gateway) as client:
        whole = await client.chat.completions.create(
            model="openclaw",
            messages=[
                {"role": "system", "content": "be brief"},
                {"role": "user", "content": "hello there"},
            ],
        )
        answer = whole.choices[0].message.content
        assert whole.object == "chat.completion" and whole.choices[0].finish_reason == "stop"
        # Stateless: the system message reached the agent as context of a fresh session.
        assert answer.startswith("turns=1 images=0 said=Conversation so far:")
        assert "System: be brief" in answer and answer.endswith("User: hello there")

        stream = await client.chat.completions.create(
            model="openclaw/default",
            messages=[{"role": "user", "content": "stream please"}],
            stream=True,
        )
        pieces, finishes = [], []
        async for chunk in stream:
            assert chunk.object == "chat.completion.chunk"
            choice = chunk.choices[0]
            if choice.delta.content:
                pieces.append(choice.delta.content)
            if choice.finish_reason:
                finishes.append(choice.finish_reason)
        assert pieces == ["turns=1 ", "images=0 ", "said=stream please"]
        assert finishes == ["stop"]


async def test_the_user_field_continues_one_session(api_gateway):
    async with _client(api_gateway) as client:
        for turn, text in enumerate(["one", "two", "three"], start=1):
            reply = await client.chat.completions.create(
                model="openclaw",
                user="alice-thread-1",
                messages=[{"role": "user", "content": text}],
            )
            assert reply.choices[0].message.content == f"turns={turn} images=0 said={text}"
        other = await client.chat.completions.create(
            model="openclaw", user="bob", messages=[{"role": "user", "content": "hi"}]
        )
        assert other.choices[0].message.content.startswith("turns=1 ")
        # The explicit header routes too, and the key is shown back.
        raw = await client.chat.completions.with_raw_response.create(
            model="openclaw",
            messages=[{"role": "user", "content": "x"}],
            extra_headers={"x-openclaw-session-key": "my-app:thread-9"},
        )
        assert raw.headers["x-openclaw-session-key"] == "agent:main:my-app:thread-9"
        with pytest.raises(openai.BadRequestError, match="reserved"):
            await client.chat.completions.create(
                model="openclaw",
                messages=[{"role": "user", "content": "x"}],
                extra_headers={"x-openclaw-session-key": "cron:job-1"},
            )


async def test_images_as_data_urls_within_the_limits(api_gateway):
    png = "data:image/png;base64," + base64.b64encode(PNG).decode()

    def user(*urls: str) -> list[dict[str, Any]]:
        parts: list[dict[str, Any]] = [{"type": "text", "text": "look"}]
        parts += [{"type": "image_url", "image_url": {"url": u}} for u in urls]
        return [{"role": "user", "content": parts}]

    async with _client(api_gateway) as client:
        reply = await client.chat.completions.create(model="openclaw", messages=user(png, png))
        assert reply.choices[0].message.content == "turns=1 images=2 said=look"
        with pytest.raises(openai.BadRequestError, match="at most 8 images"):
            await client.chat.completions.create(model="openclaw", messages=user(*[png] * 9))
        with pytest.raises(openai.BadRequestError, match="not fetched"):
            await client.chat.completions.create(
                model="openclaw", messages=user("http://127.0.0.1:1/secret.png")
            )
        with pytest.raises(openai.BadRequestError):
            await client.chat.completions.create(
                model="openclaw", messages=user("data:text/html;base64,PGgxPg==")
            )


async def test_refusals_are_typed_and_never_500(api_gateway):
    async with _client(api_gateway, key="wrong") as client:
        with pytest.raises(openai.AuthenticationError):
            await client.chat.completions.create(
                model="openclaw", messages=[{"role": "user", "content": "x"}]
            )
    async with _client(api_gateway) as client:
        with pytest.raises(openai.NotFoundError, match="does not exist"):
            await client.chat.completions.create(
                model="openclaw/someone-else", messages=[{"role": "user", "content": "x"}]
            )
        with pytest.raises(openai.BadRequestError, match="user message"):
            await client.chat.completions.create(
                model="openclaw", messages=[{"role": "assistant", "content": "x"}]
            )
    url = f"http://127.0.0.1:{api_gateway.plugin_report['http']['port']}/v1/chat/completions"
    headers = {"authorization": f"Bearer {TOKEN}", "content-type": "application/json"}
    odd = [
        b"{not json",
        b'{"model": "openclaw", "messages": [{"role": "user", "content": "\\ud800"}]}',
        b'{"model": "openclaw", "messages": ' + b"[" * 5000 + b"]" * 5000 + b"}",
        b'{"model": 1e999999, "messages": []}',
        b"[]",
    ]
    async with httpx.AsyncClient() as http:
        for body in odd:
            response = await http.post(url, content=body, headers=headers)
            assert response.status_code in (200, 400), (body[:60], response.text)
            if response.status_code == 400:
                assert response.json()["error"]["type"] == "invalid_request_error"
        # Over the 20 MB body limit: refused from the declared length, before it is read.
        port = api_gateway.plugin_report["http"]["port"]
        stream = await anyio.connect_tcp("127.0.0.1", port)
        async with stream:
            await stream.send(
                b"POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\n"
                + f"content-length: {21 * 1024 * 1024}\r\n\r\n".encode()
            )
            assert (await stream.receive()).startswith(b"HTTP/1.1 413")
        # The gateway is still fine.
        ok = await http.post(
            url,
            json={"model": "openclaw", "messages": [{"role": "user", "content": "still here"}]},
            headers=headers,
        )
        assert ok.status_code == 200 and ok.json()["choices"][0]["message"]["content"].endswith(
            "said=still here"
        )
