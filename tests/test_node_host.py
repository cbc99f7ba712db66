"""The Python node host: pairs, answers invokes, and survives a gateway restart."""

from __future__ import annotations

import socket

import anyio
import pytest

from openclaw_gateway.node.host import NodeHost, NodeHostSettings, collect_handlers

from wire import TOKEN, operator

pytestmark = pytest.mark.anyio

ALL = ["operator.read", "operator.write", "operator.admin", "operator.pairing"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def invoke_which(port: int, node_id: str, key: str) -> dict:
    admin = await operator(port, TOKEN, ALL)
    res = await admin.request(
        "node.invoke",
        {
            "nodeId": node_id,
            "command": "system.which",
            "params": {"bins": ["sh", "no-such-bin"]},
            "idempotencyKey": key,
        },
    )
    await admin.ws.close()
    return res


async def test_node_host_pairs_answers_and_survives_a_restart(gateway_factory, tmp_path):
    port = free_port()
    state = tmp_path / "gw"
    host = NodeHost(
        NodeHostSettings(
            url=f"ws://127.0.0.1:{port}",
            token=TOKEN,
            state_dir=tmp_path / "node",
            display_name="py",
            max_backoff=1.0,
        ),
        collect_handlers(),
    )
    async with anyio.create_task_group() as tg:
        async with gateway_factory(port=port, state_dir=state) as gw:
            tg.start_soon(host.run)
            admin = await operator(gw.port, TOKEN, ALL)
            with anyio.fail_after(10):
                request = (await admin.next_event("node.pair.requested"))["payload"]
            assert request["nodeId"] == host.node_id and request["commands"] == ["system.which"]
            assert (await admin.request("node.pair.approve", {"requestId": request["requestId"]}))[
                "ok"
            ]
            res = await invoke_which(gw.port, host.node_id, "first")
            assert res["ok"], res
            assert set(res["payload"]["payload"]["bins"]) == {"sh"}
            # A command the host does not have is reported as the node's failure, not a hang.
            unknown = await admin.request(
                "node.invoke",
                {"nodeId": host.node_id, "command": "system.run", "idempotencyKey": "x"},
            )
            assert unknown["ok"] is False
        # The gateway is gone; the host keeps trying and reconnects to the restarted one.
        async with gateway_factory(port=port, state_dir=state):
            with anyio.fail_after(15):
                while True:
                    res = await invoke_which(port, host.node_id, f"again-{anyio.current_time()}")
                    if res["ok"]:
                        break
                    assert res["error"]["details"]["code"] == "PAIRING_CHANGED", res
                    await anyio.sleep(0.2)
            assert set(res["payload"]["payload"]["bins"]) == {"sh"}
        tg.cancel_scope.cancel()
    # The host kept one identity (and its device token) across the restart.
    assert (tmp_path / "node" / "device.json").exists()
