"""Odd JSON from a client: every request with a usable id gets exactly one answer, and the socket
keeps serving. Raw frames on the wire, before and after connect."""

from __future__ import annotations

import json

import anyio
import pytest

from wire import TOKEN, open_peer, operator

pytestmark = pytest.mark.anyio

DEEP = "[" * 5000 + "]" * 5000
HUGE = "9" * 5000

ODD_FRAMES = {
    "lone surrogate in method": ('{"type":"req","id":"s1","method":"he\\ud800alth"}', "s1"),
    "lone surrogate in params": (
        '{"type":"req","id":"s2","method":"health","params":{"a":"\\udc00"}}',
        "s2",
    ),
    "nested past the parser's depth": (
        '{"type":"req","id":"d1","method":"health","params":' + DEEP + "}",
        "d1",
    ),
    "5,000-digit integer": (
        '{"type":"req","id":"n1","method":"health","params":{"n":' + HUGE + "}}",
        "n1",
    ),
    "lone surrogate in the id": ('{"type":"req","id":"\\ud800","method":"health"}', "invalid"),
    "5,000-digit integer as the id": (
        '{"type":"req","id":' + HUGE + ',"method":"health"}',
        "invalid",
    ),
}


async def answers(peer, count: int = 1, timeout: float = 3.0) -> list[dict]:
    got = []
    with anyio.move_on_after(timeout):
        while len(got) < count + 1:  # one more than expected: there must not be one
            frame = json.loads(await peer.ws.recv())
            if frame.get("type") == "res":
                got.append(frame)
            if len(got) == count:
                timeout = 0.3  # wait a little for a (wrong) second answer
                break
    with anyio.move_on_after(0.3):
        while True:
            frame = json.loads(await peer.ws.recv())
            if frame.get("type") == "res":
                got.append(frame)
    return got


@pytest.mark.parametrize("name", list(ODD_FRAMES))
async def test_odd_json_after_connect_gets_exactly_one_answer(gateway, name):
    text, expected_id = ODD_FRAMES[name]
    peer = await operator(gateway.port, TOKEN)
    await peer.ws.send(text)
    [res] = await answers(peer)
    assert res["id"] == expected_id and res["ok"] is False
    assert res["error"]["code"] == "INVALID_REQUEST"
    assert "unreadable JSON" in res["error"]["message"]
    if "surrogate" in name:
        assert "surrogate" in res["error"]["message"]
    # the socket keeps answering
    ok = await peer.request("health", {})
    assert ok["ok"] is True


async def test_odd_json_as_the_connect_frame_is_answered_then_closed(gateway):
    peer = await open_peer(gateway.port)
    await peer.ws.send('{"type":"req","id":"c1","method":"connect","params":{"x":"\\ud800"}}')
    res = json.loads(await peer.ws.recv())
    assert res["id"] == "c1" and res["error"]["code"] == "INVALID_REQUEST"
    code, _ = await peer.close_info()
    assert code == 1008


async def test_outbound_values_json_allows_but_orjson_refuses_are_encoded():
    from openclaw_gateway.protocol.codec import Fragment, dumps

    encoded = dumps({"s": "a\ud800b", "n": 10**40, "f": Fragment(b'{"x":1}')})
    assert json.loads(encoded) == {"s": "a\ud800b", "n": 10**40, "f": {"x": 1}}
