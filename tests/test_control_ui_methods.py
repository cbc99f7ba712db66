"""The methods the official Control UI calls, in-process: every one the UI called on the reference
(``control_ui_methods.json``: each with the params the UI sent, read off the reference 2026.9.6
answering the UI on its pages) is
registered and answers an admin; the views of our own state carry it (sessions, chat history,
models from the provider's ``/v1/models``); hello-ok has the fields the UI reads."""

from __future__ import annotations

import json
from pathlib import Path

import anyio
import pytest

from fakes.openai_server import FakeOpenAI
from wire import TOKEN, operator

pytestmark = pytest.mark.anyio

ALL = ["operator.read", "operator.write", "operator.admin", "operator.pairing"]
UI_METHODS = json.loads((Path(__file__).parent / "control_ui_methods.json").read_text())


async def test_every_method_the_control_ui_calls_is_answered(gateway) -> None:
    from wire import connect_frame, open_peer

    admin = await open_peer(gateway.port)
    frame = connect_frame(token=TOKEN, scopes=ALL)
    await admin.send(frame)
    hello = (await admin.recv_res(frame["id"]))["payload"]
    assert set(UI_METHODS) <= set(hello["features"]["methods"]), sorted(
        set(UI_METHODS) - set(hello["features"]["methods"])
    )
    assert "published-model-catalog" in hello["features"]["capabilities"]
    assert hello["controlUiWidgetKinds"] == [] and hello["pluginSurfaceUrls"] == {}
    assert hello["snapshot"]["sessionDefaults"]["modelConfigured"] is True
    for method, params in UI_METHODS.items():
        if method == "connect":
            continue
        res = await admin.request(method, params)  # with the params the UI sent the reference
        assert res["ok"], (method, res)
    await admin.ws.close()


async def test_admin_only_views_refuse_a_reader(gateway) -> None:
    reader = await operator(gateway.port, TOKEN, ["operator.read"])
    for method in ("update.status", "exec.approvals.get", "openclaw.setup.detect"):
        res = await reader.request(method, {})
        assert res["error"]["details"]["missingScope"] == "operator.admin", method
    config = await reader.request("config.get", {})
    assert config["ok"] and config["payload"]["raw"] == ""  # the file only for admins
    await reader.ws.close()


async def test_sessions_and_chat_startup_show_our_state(gateway) -> None:
    admin = await operator(gateway.port, TOKEN, ALL)
    empty = await admin.request("sessions.list", {"agentId": "main", "limit": 200})
    defaults = empty["payload"]["defaults"]
    assert defaults["modelSelectionTarget"] == "session"
    assert (defaults["modelProvider"], defaults["model"]) == ("offline", "offline")
    sent = await admin.request(
        "chat.send", {"sessionKey": "agent:main:main", "message": "hi", "idempotencyKey": "ui-1"}
    )
    assert sent["ok"]
    with anyio.fail_after(10):
        while True:
            event = await admin.next_event("chat")
            if event["payload"]["state"] == "final":
                break
    listed = await admin.request("sessions.list", {})
    [row] = listed["payload"]["sessions"]
    assert row["key"] == "agent:main:main" and row["isMain"] and row["classification"] == "main"
    startup = await admin.request("chat.startup", {"sessionKey": "agent:main:main", "limit": 80})
    payload = startup["payload"]
    assert [m["role"] for m in payload["messages"]] == ["user", "assistant"]
    assert payload["sessionInfo"]["key"] == "agent:main:main"
    assert payload["defaults"]["modelSelectionTarget"] == "session"
    described = await admin.request("sessions.describe", {"key": "agent:main:main"})
    assert described["payload"]["session"]["key"] == "agent:main:main"
    nothing = await admin.request("sessions.describe", {"key": "agent:main:nope"})
    assert nothing["payload"] == {"session": None}
    await admin.ws.close()


async def test_models_list_asks_the_openai_compatible_server(gateway_factory) -> None:
    with FakeOpenAI(models=("llama3.2", "qwen2.5")) as server:
        plugins = {"openai": {"base_url": server.base_url, "model": "llama3.2", "api_key": "k"}}
        import openclaw_gateway_openai

        async with gateway_factory(
            extra_plugins=(openclaw_gateway_openai,), agent={"provider": "openai"}, plugins=plugins
        ) as gw:
            admin = await operator(gw.port, TOKEN, ALL)
            listed = await admin.request("models.list", {"view": "configured", "agentId": "main"})
            refs = [m["ref"] for m in listed["payload"]["models"]]
            assert refs == ["openai/llama3.2", "openai/qwen2.5"]
            assert listed["payload"]["models"][0]["configured"] is True
            agents = await admin.request("agents.list", {})
            assert agents["payload"]["agents"][0]["model"] == {"primary": "openai/llama3.2"}
            await admin.ws.close()
        assert [r.path for r in server.requests if r.method == "GET"] == ["/v1/models"]


async def test_models_list_without_a_reachable_server_still_answers(gateway_factory) -> None:
    from fakes.openai_server import closed_port

    plugins = {"openai": {"base_url": f"http://127.0.0.1:{closed_port()}/v1", "model": "m"}}
    import openclaw_gateway_openai

    async with gateway_factory(
        extra_plugins=(openclaw_gateway_openai,), agent={"provider": "openai"}, plugins=plugins
    ) as gw:
        admin = await operator(gw.port, TOKEN, ALL)
        listed = await admin.request("models.list", {})
        assert [m["ref"] for m in listed["payload"]["models"]] == ["openai/m"]
        await admin.ws.close()


def test_every_reference_method_we_leave_out_is_written_down(tmp_path: Path) -> None:
    import re

    from openclaw_gateway.config import load_config
    from openclaw_gateway.hooks.manager import load_plugins

    reference = json.loads((Path(__file__).parent / "reference_methods.json").read_text())
    docs = (Path(__file__).parents[1] / "docs" / "protocol.md").read_text()
    section = docs.split("## Reference methods we leave out", 1)[1].split("\n## ", 1)[0]
    covered = {m.group(1) for m in re.finditer(r"`([A-Za-z]+)\.\*`", section)}
    # The core and every plugin of this checkout (WhatsApp serves web.login.*).
    config = load_config(state_dir=tmp_path)
    ours = set(load_plugins(config, load_entrypoints=True).registry.methods)
    left_out = [m for m in reference if m not in ours]
    undocumented = [m for m in left_out if m.split(".")[0] not in covered]
    assert undocumented == [], undocumented
    assert len(left_out) < len(reference)  # and we do serve a good part of it
