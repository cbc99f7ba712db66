"""A gateway with node-capability plugins and our node host paired to it, for capability tests.

``async with paired_node(gw, plugins, settings, state_dir) as node:`` starts :class:`NodeHost` with
the plugins' handlers configured from ``settings`` (the tables of a node.toml), approves its
command surface as an admin, and yields a :class:`PairedNode` that invokes commands as an operator.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio
import pytest

from openclaw_gateway.node.host import NodeHost, NodeHostSettings, node_host

from wire import TOKEN, Peer, operator

ALL = ["operator.read", "operator.write", "operator.admin", "operator.pairing"]


def stop_process(proc: subprocess.Popen[Any], grace: float = 10) -> None:
    """SIGTERM, then SIGKILL if it has not exited within ``grace`` seconds."""
    proc.terminate()
    try:
        proc.wait(grace)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def invoke_payload(res: dict[str, Any]) -> dict[str, Any]:
    """The node's payload of a successful ``node.invoke`` answer."""
    assert res["ok"], res
    return res["payload"]["payload"]  # type: ignore[no-any-return]


def node_error(res: dict[str, Any]) -> tuple[str, str]:
    """The node's error code and the message of a failed ``node.invoke`` answer."""
    assert res["ok"] is False, res
    return res["error"]["details"]["nodeError"]["code"], res["error"]["message"]


@dataclass
class PairedNode:
    host: NodeHost
    admin: Peer
    request: dict[str, Any]

    @property
    def node_id(self) -> str:
        return self.host.node_id

    async def invoke(
        self, command: str, params: Any = None, *, timeout_ms: int | None = None, key: str = ""
    ) -> dict[str, Any]:
        body: dict[str, Any] = {
            "nodeId": self.node_id,
            "command": command,
            "idempotencyKey": key or f"{command}-{anyio.current_time()}",
        }
        if params is not None:
            body["params"] = params
        if timeout_ms is not None:
            body["timeoutMs"] = timeout_ms
        return await self.admin.request("node.invoke", body)


@asynccontextmanager
async def paired_node(
    port: int,
    plugins: tuple[Any, ...],
    settings: dict[str, Any],
    state_dir: Path,
    *,
    approve: bool = True,
) -> AsyncIterator[PairedNode]:
    host = node_host(
        NodeHostSettings(
            url=f"ws://127.0.0.1:{port}",
            token=TOKEN,
            state_dir=state_dir,
            display_name="capability-node",
            max_backoff=1.0,
            capabilities=settings,
        ),
        plugins,
    )
    admin = await operator(port, TOKEN, ALL, max_size=None)  # media payloads run to 50 MB
    async with anyio.create_task_group() as tg:
        tg.start_soon(host.run)
        with anyio.fail_after(10):
            request = (await admin.next_event("node.pair.requested"))["payload"]
        if approve:
            res = await admin.request("node.pair.approve", {"requestId": request["requestId"]})
            assert res["ok"], res
        try:
            yield PairedNode(host, admin, request)
        finally:
            # Close first: an await after cancel() would raise Cancelled and hide the test's error.
            with anyio.CancelScope(shield=True):
                await admin.ws.close()
            tg.cancel_scope.cancel()


@contextmanager
def xvfb(width: int = 800, height: int = 600) -> Iterator[str]:
    """A virtual X display (Debian's xvfb) on a free display number; yields ``":N"``.

    Skipped where Xvfb is not installed, except in CI (``.ci/run`` installs it), where its
    absence is a failure rather than a silently skipped test.
    """
    if shutil.which("Xvfb") is None:
        if os.environ.get("CI"):
            raise RuntimeError("Xvfb is not installed (apt-get install xvfb)")
        pytest.skip("Xvfb is not installed")
    read_fd, write_fd = os.pipe()
    proc = subprocess.Popen(
        [
            "Xvfb",
            "-displayfd",
            str(write_fd),
            "-screen",
            "0",
            f"{width}x{height}x24",
            "-nolisten",
            "tcp",
        ],
        pass_fds=(write_fd,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write_fd)
    try:
        with os.fdopen(read_fd) as pipe:
            number = pipe.readline().strip()
        if not number:
            raise RuntimeError("Xvfb did not start")
        yield f":{number}"
    finally:
        stop_process(proc, grace=5)
