"""The OpenAI-compatible provider (plugins/openai) at the wire: the real SDK against a fake server on
127.0.0.1 that speaks streaming Chat Completions, alone and inside a running gateway."""

from __future__ import annotations

import base64
import json
from importlib import metadata
from typing import Any

import anyio
import openclaw_gateway_openai
import pytest
from openclaw_gateway_openai.provider import (
    MISSING_RESULT,
    PLACEHOLDER_KEY,
    OpenAIProvider,
    ToolCallAccumulator,
    to_api_messages,
)

from openclaw_gateway.agent.provider import (
    Finished,
    ImageInput,
    Message,
    ProviderError,
    TextDelta,
    ToolCall,
    ToolCallsReady,
    ToolDefinition,
    Usage,
)
from openclaw_gateway.config import AgentConfig, load_config
from openclaw_gateway.hooks.discovery import LOAD_PLUGINS_ENV
from openclaw_gateway.server.app import start_gateway

from agent_plugins import PLUGIN as TOOL_PLUGIN
from fakes.openai_server import (
    FakeOpenAI,
    Reply,
    Request,
    chunk,
    closed_port,
    error_reply,
    text_reply,
    tool_reply,
)
from wire import TOKEN, Peer, operator

pytestmark = pytest.mark.anyio

ALL = ["operator.read", "operator.write", "operator.admin"]
HELLO = [Message("system", "be brief"), Message("user", "hello")]
ECHO_TOOL = ToolDefinition(
    "echo",
    "Echo text in capitals",
    {"type": "object", "properties": {"text": {"type": "string"}}, "required": ["text"]},
)


@pytest.fixture
def fake():
    with FakeOpenAI(api_key="sk-test", models=("fake-model",)) as server:
        yield server


def provider_for(server: FakeOpenAI, **kw: Any) -> OpenAIProvider:
    kw.setdefault("model", "fake-model")
    kw.setdefault("api_key", "sk-test")
    kw.setdefault("max_retries", 0)
    return OpenAIProvider(base_url=server.base_url, **kw)


async def collect(provider: OpenAIProvider, messages=HELLO, tools=()) -> list[Any]:
    with anyio.fail_after(10):
        return [event async for event in provider.stream(messages, tools)]


async def failure(provider: OpenAIProvider, messages=HELLO) -> tuple[list[Any], str]:
    events: list[Any] = []
    with anyio.fail_after(10), pytest.raises(ProviderError) as caught:
        async for event in provider.stream(messages, ()):
            events.append(event)
    return events, str(caught.value)


# --- streaming -------------------------------------------------------------------------------


async def test_text_streams_as_deltas_then_usage_and_finish(fake):
    fake.script(text_reply("Hel", "lo, ", "world", usage=(12, 5)))
    events = await collect(provider_for(fake))
    assert events == [
        TextDelta("Hel"),
        TextDelta("lo, "),
        TextDelta("world"),
        Usage(12, 5),
        Finished("stop"),
    ]
    request = fake.requests[0]
    assert request.path == "/v1/chat/completions"
    assert request.headers["authorization"] == "Bearer sk-test"
    assert request.body["model"] == "fake-model" and request.body["stream"] is True
    assert request.body["stream_options"] == {"include_usage": True}
    assert request.body["messages"] == [
        {"role": "system", "content": "be brief"},
        {"role": "user", "content": "hello"},
    ]
    assert "tools" not in request.body  # none offered: some servers reject an empty list


async def test_tool_call_fragments_become_whole_calls(fake):
    fake.script(
        tool_reply(
            ("call_a", "echo", '{"text": "split across chunks"}'),
            ("call_b", "node_location_get", '{"nodeId": "n1", "params": {}}'),
            pieces=4,
        )
    )
    events = await collect(provider_for(fake), tools=(ECHO_TOOL,))
    assert events == [
        ToolCallsReady(
            (
                ToolCall("call_a", "echo", '{"text": "split across chunks"}'),
                ToolCall("call_b", "node_location_get", '{"nodeId": "n1", "params": {}}'),
            )
        ),
        Usage(20, 9),
        Finished("tool_calls"),
    ]
    assert fake.requests[0].body["tools"] == [
        {
            "type": "function",
            "function": {
                "name": "echo",
                "description": "Echo text in capitals",
                "parameters": ECHO_TOOL.parameters,
            },
        }
    ]


async def test_server_without_usage_or_done_marker_is_fine(fake):
    reply = text_reply("just text", usage=None)
    reply.events.remove("[DONE]")  # finish_reason arrived; the body simply ends
    fake.script(reply)
    assert await collect(provider_for(fake)) == [TextDelta("just text"), Finished("stop")]


async def test_server_rejecting_stream_options_is_asked_again_without(fake):
    fake.script(
        error_reply(400, "Unrecognized request argument supplied: stream_options"),
        text_reply("ok", usage=None),
        text_reply("again", usage=None),
    )
    provider = provider_for(fake)
    assert await collect(provider) == [TextDelta("ok"), Finished("stop")]
    assert await collect(provider) == [TextDelta("again"), Finished("stop")]
    assert "stream_options" in fake.requests[0].body
    assert ["stream_options" in r.body for r in fake.requests[1:]] == [False, False]


async def test_finish_reason_stop_with_tool_calls_still_yields_the_calls(fake):
    # Some compatible servers (older Ollama) finish with "stop" although they sent tool calls.
    events: list[dict[str, Any] | str] = [
        chunk(
            {
                "tool_calls": [
                    {"id": "c1", "function": {"name": "echo", "arguments": '{"text":"x"}'}}
                ]
            }
        ),
        chunk({}, finish_reason="stop"),
        "[DONE]",
    ]
    fake.script(Reply(events=events))
    assert await collect(provider_for(fake)) == [
        ToolCallsReady((ToolCall("c1", "echo", '{"text":"x"}'),)),
        Finished("tool_calls"),
    ]


async def test_local_server_without_a_key_gets_a_placeholder(monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with FakeOpenAI() as server:
        provider = OpenAIProvider(base_url=server.base_url, model="llama3.1", max_retries=0)
        assert (await collect(provider))[0] == TextDelta("You said: ")
        assert server.requests[0].headers["authorization"] == f"Bearer {PLACEHOLDER_KEY}"
        assert PLACEHOLDER_KEY not in repr(provider)


def test_factory_reads_the_agent_table_and_needs_a_model():
    with pytest.raises(ProviderError, match=r"\[plugins\.openai\] model is not set"):
        openclaw_gateway_openai.make_provider(AgentConfig(provider="openai"))
    provider = openclaw_gateway_openai.make_provider(
        AgentConfig(
            provider="openai",
            model="qwen2.5",
            base_url="http://127.0.0.1:11434/v1/",
            api_key="sk-secret-value",
        )
    )
    assert (provider.name, provider.model, provider.base_url) == (
        "openai",
        "qwen2.5",
        "http://127.0.0.1:11434/v1",
    )
    assert "sk-secret-value" not in repr(provider)


# --- failures --------------------------------------------------------------------------------


async def test_401_says_the_key_was_refused(fake):
    _, message = await failure(provider_for(fake, api_key="sk-wrong"))
    assert "HTTP 401" in message and "Incorrect API key" in message and "api_key" in message
    assert fake.base_url in message


async def test_404_names_the_model_and_base_url(fake):
    _, message = await failure(provider_for(fake, model="no-such-model"))
    assert "404" in message and "'no-such-model'" in message and "does not exist" in message


async def test_429_reports_retry_after(fake):
    fake.script(
        error_reply(
            429,
            "Rate limit reached for requests",
            type="requests",
            code="rate_limit_exceeded",
            headers={"retry-after": "7"},
        )
    )
    _, message = await failure(provider_for(fake))
    assert "HTTP 429" in message and "Rate limit reached" in message
    assert "retry after 7 s" in message


async def test_500_reports_the_server_message(fake):
    fake.script(error_reply(500, "The server had an error", type="server_error"))
    _, message = await failure(provider_for(fake))
    assert "HTTP 500" in message and "The server had an error" in message


async def test_5xx_before_streaming_is_retried(fake):
    fake.script(
        error_reply(503, "overloaded", headers={"retry-after-ms": "10"}),
        text_reply("recovered", usage=None),
    )
    events = await collect(provider_for(fake, max_retries=1))
    assert events == [TextDelta("recovered"), Finished("stop")]
    assert len(fake.requests) == 2


async def test_connection_refused():
    port = closed_port()
    provider = OpenAIProvider(base_url=f"http://127.0.0.1:{port}/v1", model="m", max_retries=0)
    _, message = await failure(provider)
    assert message.startswith(f"cannot reach the model server at http://127.0.0.1:{port}/v1")
    assert "base_url" in message


async def test_mid_stream_disconnect_keeps_the_text_and_fails(fake):
    reply = text_reply("one ", "two ", "three ", "four")
    reply.disconnect_after = 3  # role chunk, "one ", "two ", then the socket is cut
    fake.script(reply)
    events, message = await failure(provider_for(fake))
    assert events == [TextDelta("one "), TextDelta("two ")]
    assert "broke mid-answer" in message


async def test_stalled_stream_times_out(fake):
    reply = text_reply("one ", "two")
    reply.stall_after = 2
    fake.script(reply)
    events, message = await failure(provider_for(fake, read_timeout=0.5))
    assert events == [TextDelta("one ")]
    assert "stopped sending for 0.5 s" in message


async def test_malformed_chunk(fake):
    fake.script(Reply(events=[chunk({"content": "fine "}), "{this is not json", "[DONE]"]))
    events, message = await failure(provider_for(fake))
    assert events == [TextDelta("fine ")]
    assert "malformed stream chunk" in message


async def test_chunk_of_the_wrong_shape(fake):
    fake.script(Reply(events=[{"choices": [{"index": 0, "delta": {"content": 42}}]}, "[DONE]"]))
    _, message = await failure(provider_for(fake))
    assert "malformed stream chunk" in message


async def test_error_object_inside_the_stream(fake):
    fake.script(
        Reply(
            events=[
                chunk({"content": "partial"}),
                {"error": {"message": "model overloaded", "type": "server_error"}},
            ]
        )
    )
    events, message = await failure(provider_for(fake))
    assert events == [TextDelta("partial")]
    assert "reported an error mid-answer: model overloaded" in message


async def test_stream_that_ends_before_finishing(fake):
    fake.script(Reply(events=[chunk({"content": "half an ans"})]))  # no finish_reason, no [DONE]
    _, message = await failure(provider_for(fake))
    assert "ended the stream before the answer was complete" in message


async def test_tool_call_without_a_name_is_an_error(fake):
    fake.script(
        Reply(
            events=[
                chunk({"tool_calls": [{"index": 0, "id": "c1", "function": {"arguments": "{}"}}]}),
                chunk({}, finish_reason="tool_calls"),
                "[DONE]",
            ]
        )
    )
    _, message = await failure(provider_for(fake))
    assert "tool call without a function name" in message


# --- request/response shaping (no server) -----------------------------------------------------


def test_messages_map_to_the_chat_completions_shape():
    call = ToolCall("call_1", "echo", '{"text": "x"}')
    api = to_api_messages(
        [
            Message("system", "sys"),
            Message("tool", "orphan result", tool_call_id="call_0", name="echo"),  # history cut
            Message("user", "hi"),
            Message("assistant", "", tool_calls=(call,)),
            Message("tool", '{"echo": "X"}', tool_call_id="call_1", name="echo"),
            Message("assistant", "done"),
            Message("assistant", "thinking", tool_calls=(ToolCall("call_2", "echo", ""),)),
            Message("user", "next"),  # call_2 never got its result (a crash mid-tool)
        ]
    )
    assert api == [
        {"role": "system", "content": "sys"},
        {"role": "user", "content": "hi"},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "call_1",
                    "type": "function",
                    "function": {"name": "echo", "arguments": '{"text": "x"}'},
                }
            ],
        },
        {"role": "tool", "tool_call_id": "call_1", "content": '{"echo": "X"}'},
        {"role": "assistant", "content": "done"},
        {
            "role": "assistant",
            "content": "thinking",
            "tool_calls": [
                {
                    "id": "call_2",
                    "type": "function",
                    "function": {"name": "echo", "arguments": "{}"},
                }
            ],
        },
        {"role": "tool", "tool_call_id": "call_2", "content": MISSING_RESULT},
        {"role": "user", "content": "next"},
    ]


def test_accumulator_tolerates_compatible_server_variants():
    acc = ToolCallAccumulator()
    # OpenAI: id + name first, argument pieces after, interleaved between two calls.
    acc.add(0, "a", "echo", "")
    acc.add(1, "b", "other", '{"k"')
    acc.add(0, None, None, '{"text":')
    acc.add(1, None, None, ": 1}")
    acc.add(0, None, None, ' "x"}')
    # Whole calls that all reuse index 0 with new ids.
    acc.add(0, "c", "third", "{}")
    # No index at all: continues the last call unless a new id comes.
    acc.add(None, "d", "fourth", '{"a"')
    acc.add(None, None, "fourth", ": 2}")  # the name repeated in a later fragment
    assert acc.calls() == (
        ToolCall("a", "echo", '{"text": "x"}'),
        ToolCall("b", "other", '{"k": 1}'),
        ToolCall("c", "third", "{}"),
        ToolCall("d", "fourth", '{"a": 2}'),
    )
    empty = ToolCallAccumulator()
    empty.add(0, None, "noid", None)
    assert empty.calls() == (ToolCall("call_0", "noid", "{}"),)


# --- in a gateway ----------------------------------------------------------------------------


def agent_config(server: FakeOpenAI, **extra: Any) -> dict[str, Any]:
    return {
        "provider": "openai",
        "base_url": server.base_url,
        "model": "fake-model",
        "api_key": "sk-test",
        "system_prompt": "You are a test assistant.",
        **extra,
    }


async def run_agent(
    peer: Peer, message: str, run_id: str, session_key: str | None = None
) -> tuple[list[dict], dict]:
    """Send ``agent``; return every frame up to the final response, and that response."""
    params = {"message": message, "idempotencyKey": run_id}
    if session_key is not None:
        params["sessionKey"] = session_key
    await peer.send({"type": "req", "id": run_id, "method": "agent", "params": params})
    frames: list[dict] = []
    with anyio.fail_after(15):
        while True:
            frame = await peer.recv()
            frames.append(frame)
            if (
                frame.get("type") == "res"
                and frame.get("id") == run_id
                and (frame.get("payload") or {}).get("status") != "accepted"
            ):
                return frames, frame


def events_of(frames: list[dict], event: str, run_id: str) -> list[dict]:
    return [
        f["payload"]
        for f in frames
        if f.get("type") == "event" and f["event"] == event and f["payload"]["runId"] == run_id
    ]


async def test_gateway_agent_streams_the_model_answer(gateway_factory, fake):
    fake.script(text_reply("The answer ", "is ", "42.", usage=(30, 4)))
    async with gateway_factory(
        extra_plugins=(openclaw_gateway_openai,), agent=agent_config(fake)
    ) as gw:
        assert "openclaw_gateway_openai" in gw.plugin_report["loaded"]
        peer = await operator(gw.port, TOKEN, ALL)
        frames, final = await run_agent(peer, "What is the answer?", "oa-1")
        assert final["ok"] is True and final["payload"]["status"] == "ok"
        result = final["payload"]["result"]
        assert result["payloads"][0]["text"] == "The answer is 42."
        assert result["meta"]["agentMeta"]["provider"] == "openai"
        assert result["meta"]["agentMeta"]["model"] == "fake-model"

        agent_events = events_of(frames, "agent", "oa-1")
        assistant = [e["data"] for e in agent_events if e["stream"] == "assistant"]
        assert [a["delta"] for a in assistant] == ["The answer ", "is ", "42."]
        assert assistant[-1]["text"] == "The answer is 42."
        usage = [e["data"] for e in agent_events if e["stream"] == "usage"]
        assert usage == [{"inputTokens": 30, "outputTokens": 4}]
        model = [e["data"] for e in agent_events if e["data"].get("phase") == "model"]
        assert model == [{"phase": "model", "provider": "openai", "model": "fake-model"}]

        chat = events_of(frames, "chat", "oa-1")
        assert [c["deltaText"] for c in chat if c["state"] == "delta"] == [
            "The answer ",
            "is ",
            "42.",
        ]
        if not any(c["state"] == "final" for c in chat):  # may trail the final response
            chat.append((await peer.next_event("chat"))["payload"])
        assert chat[-1]["state"] == "final"
        assert chat[-1]["message"]["content"][0]["text"] == "The answer is 42."

        sent = fake.requests[0].body["messages"]
        assert sent == [
            {"role": "system", "content": "You are a test assistant."},
            {"role": "user", "content": "What is the answer?"},
        ]


def tool_then_answer(request: Request) -> Reply:
    """The fake model: asks for ``echo`` on the first turn, answers with its result after."""
    last = request.body["messages"][-1]
    if last["role"] == "tool":
        return text_reply("The tool said ", last["content"])
    return tool_reply(("call_echo_1", "echo", json.dumps({"text": last["content"]})))


async def test_gateway_tool_call_round_trip(gateway_factory):
    with FakeOpenAI(api_key="sk-test", responder=tool_then_answer) as server:
        async with gateway_factory(
            extra_plugins=(openclaw_gateway_openai, TOOL_PLUGIN), agent=agent_config(server)
        ) as gw:
            peer = await operator(gw.port, TOKEN, ALL)
            frames, final = await run_agent(peer, "shout this", "oa-tool", "main")
            assert final["ok"] is True, final
            text = final["payload"]["result"]["payloads"][0]["text"]
            assert text == 'The tool said {"echo": "SHOUT THIS"}'

            tool_events = [
                e["data"] for e in events_of(frames, "agent", "oa-tool") if e["stream"] == "tool"
            ]
            assert [(t["phase"], t["name"], t["toolCallId"]) for t in tool_events] == [
                ("start", "echo", "call_echo_1"),
                ("result", "echo", "call_echo_1"),
            ]
            assert tool_events[1]["ok"] is True
            assert tool_events[1]["result"] == {"echo": "SHOUT THIS"}

            first, second = (r.body for r in server.requests)
            assert "echo" in [t["function"]["name"] for t in first["tools"]]
            assert second["messages"][-2:] == [
                {
                    "role": "assistant",
                    "content": None,
                    "tool_calls": [
                        {
                            "id": "call_echo_1",
                            "type": "function",
                            "function": {"name": "echo", "arguments": '{"text": "shout this"}'},
                        }
                    ],
                },
                {
                    "role": "tool",
                    "tool_call_id": "call_echo_1",
                    "content": '{"echo": "SHOUT THIS"}',
                },
            ]

            # The next run replays the stored tool exchange to the model in the same shape.
            server.responder = lambda request: text_reply("noted")
            _, again = await run_agent(peer, "thanks", "oa-tool-2", "main")
            assert again["ok"] is True
            replay = server.requests[-1].body["messages"]
            assert [m["role"] for m in replay] == [
                "system",
                "user",
                "assistant",
                "tool",
                "assistant",
                "user",
            ]
            assert replay[2]["tool_calls"][0]["id"] == replay[3]["tool_call_id"] == "call_echo_1"
            assert replay[4]["content"] == text


async def test_gateway_provider_failure_is_a_final_error(gateway_factory, fake):
    async with gateway_factory(
        extra_plugins=(openclaw_gateway_openai,), agent=agent_config(fake, api_key="sk-wrong")
    ) as gw:
        peer = await operator(gw.port, TOKEN, ALL)
        frames, final = await run_agent(peer, "hello?", "oa-fail")
        assert final["ok"] is False
        assert final["payload"]["status"] == "error"
        assert "HTTP 401" in final["payload"]["summary"]
        assert "HTTP 401" in final["error"]["message"]
        chat = events_of(frames, "chat", "oa-fail")
        if not chat:
            chat = [(await peer.next_event("chat"))["payload"]]
        assert chat[-1]["state"] == "error" and "api_key" in chat[-1]["errorMessage"]


async def test_gateway_mid_stream_disconnect_ends_the_run(gateway_factory, fake):
    reply = text_reply("partial ", "answer ", "lost")
    reply.disconnect_after = 3
    fake.script(reply)
    async with gateway_factory(
        extra_plugins=(openclaw_gateway_openai,), agent=agent_config(fake)
    ) as gw:
        peer = await operator(gw.port, TOKEN, ALL)
        _, final = await run_agent(peer, "go", "oa-cut")
        assert final["ok"] is False and "broke mid-answer" in final["payload"]["summary"]
        history = await peer.request("chat.history", {"sessionKey": "agent:main:explicit:oa-cut"})
        messages = history["payload"]["messages"]
        assert messages[-1]["role"] == "assistant"
        assert messages[-1]["content"][0]["text"] == "partial answer "


async def test_gateway_without_a_model_says_so(gateway_factory):
    async with gateway_factory(
        extra_plugins=(openclaw_gateway_openai,),
        agent={"provider": "openai", "base_url": "http://127.0.0.1:9/v1"},
    ) as gw:
        peer = await operator(gw.port, TOKEN, ALL)
        _, final = await run_agent(peer, "hi", "oa-nomodel")
        assert final["ok"] is False and "model is not set" in final["payload"]["summary"]


# --- packaging -------------------------------------------------------------------------------


def test_distribution_entry_point_and_core_extra():
    eps = [
        ep
        for ep in metadata.entry_points(group="openclaw_gateway")
        if ep.dist is not None and ep.dist.metadata["Name"] == "openclaw-gateway-openai"
    ]
    assert [(ep.name, ep.value) for ep in eps] == [("openai", "openclaw_gateway_openai")]
    requires = metadata.requires("openclaw-gateway-openai") or []
    assert any(r.startswith("openai") for r in requires)
    core_requires = metadata.requires("openclaw-gateway") or []
    assert "openclaw-gateway-openai; extra == 'openai'" in [
        r.replace('"', "'") for r in core_requires
    ]


async def test_entry_point_is_discovered_by_a_gateway(tmp_path, monkeypatch):
    monkeypatch.setenv(LOAD_PLUGINS_ENV, "openai")
    config = load_config(
        state_dir=tmp_path,
        port=0,
        token=TOKEN,
        secrets_backend="file",
        agent={"provider": "openai", "model": "m"},
    )
    async with start_gateway(config, load_entrypoints=True) as gw:
        assert gw.plugin_report["loaded"] == ["openai"]
        assert gw.registry.agent_providers["openai"].plugin == "openai"


async def test_gateway_abort_cuts_a_streaming_answer(gateway_factory, fake):
    reply = text_reply("thinking ", "very ", "slowly")
    reply.stall_after = 2  # the first words, then the server goes quiet (connection open)
    fake.script(reply)
    async with gateway_factory(
        extra_plugins=(openclaw_gateway_openai,), agent=agent_config(fake)
    ) as gw:
        peer = await operator(gw.port, TOKEN, ALL)
        started = await peer.request(
            "chat.send", {"sessionKey": "main", "message": "go", "idempotencyKey": "oa-abort"}
        )
        assert started["payload"]["status"] == "started"
        with anyio.fail_after(10):
            delta = await peer.next_event("chat")
            assert delta["payload"]["state"] == "delta"
            aborted = await peer.request("chat.abort", {"sessionKey": "main"})
            assert aborted["payload"]["runIds"] == ["oa-abort"]
            done = await peer.request("agent.wait", {"runId": "oa-abort", "timeoutMs": 5000})
        assert done["payload"]["status"] == "aborted"


PNG = b"\x89PNG\r\n\x1a\n" + bytes(16)


def test_user_images_become_image_url_parts_or_a_note_for_text_only_models():
    message = Message("user", "what is it?", images=(ImageInput("image/png", PNG),))
    url = "data:image/png;base64," + base64.b64encode(PNG).decode()
    assert to_api_messages([message]) == [
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "what is it?"},
                {"type": "image_url", "image_url": {"url": url}},
            ],
        }
    ]
    text_only = to_api_messages([message], images=False)[0]["content"]
    assert text_only.startswith("what is it?") and "cannot see images" in text_only


async def test_gateway_sends_attached_images_to_the_model(gateway_factory, fake):
    fake.script(text_reply("A black square."))
    fake.script(text_reply("Still a square."))
    async with gateway_factory(
        extra_plugins=(openclaw_gateway_openai,), agent=agent_config(fake)
    ) as gw:
        peer = await operator(gw.port, TOKEN, ALL)
        attachment = {"mimeType": "image/png", "content": base64.b64encode(PNG).decode()}
        res = await peer.request(
            "chat.send",
            {
                "sessionKey": "main",
                "message": "describe",
                "idempotencyKey": "im-1",
                "attachments": [attachment],
            },
        )
        assert res["ok"], res
        done = await peer.request("agent.wait", {"runId": "im-1", "timeoutMs": 5000})
        assert done["payload"]["status"] == "ok"
        user = fake.requests[0].body["messages"][-1]
        assert user["content"][1]["image_url"]["url"].startswith("data:image/png;base64,")
        assert base64.b64decode(user["content"][1]["image_url"]["url"].split(",")[1]) == PNG
        # The next turn still shows the model the earlier image (it is in the history window).
        await peer.request(
            "chat.send", {"sessionKey": "main", "message": "and now?", "idempotencyKey": "im-2"}
        )
        await peer.request("agent.wait", {"runId": "im-2", "timeoutMs": 5000})
        history = fake.requests[1].body["messages"]
        assert history[1]["content"][1]["type"] == "image_url"
        assert history[-1] == {"role": "user", "content": "and now?"}


async def test_the_provider_is_configured_in_its_own_section(gateway_factory, fake, caplog):
    """``[plugins.openai]`` holds the model server's settings; ``[agent]`` only picks the
    provider. A key in both: the section wins. The old ``[agent]`` keys still work, with a
    deprecation warning at start."""
    fake.script(text_reply("from the section"))
    section = {"base_url": fake.base_url, "model": "fake-model", "api_key": "sk-test"}
    async with gateway_factory(
        extra_plugins=(openclaw_gateway_openai,),
        agent={"provider": "openai", "model": "stale-model"},
        plugins={"openai": section},
    ) as gw:
        peer = await operator(gw.port, TOKEN, ALL)
        _frames, final = await run_agent(peer, "hi", "sec-1")
        assert final["payload"]["result"]["payloads"][0]["text"] == "from the section"
        assert final["payload"]["result"]["meta"]["agentMeta"]["model"] == "fake-model"
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert any(
        "[agent] model: deprecated here; set model in [plugins.openai]" in w for w in warnings
    )

    caplog.clear()
    fake.script(text_reply("no agent keys"))
    async with gateway_factory(
        extra_plugins=(openclaw_gateway_openai,),
        agent={"provider": "openai"},
        plugins={"openai": section},
    ) as gw:
        peer = await operator(gw.port, TOKEN, ALL)
        _frames, final = await run_agent(peer, "hi", "sec-2")
        assert final["payload"]["result"]["payloads"][0]["text"] == "no agent keys"
    assert not [r for r in caplog.records if "deprecated" in r.getMessage()]
