"""Interop fixtures: the official OpenClaw CLI (Node 24 + npm openclaw) and our gateway as a process."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from gateway_process import GatewayProcess, running_gateway
from openclaw_cli import OpenClawCli, ensure_openclaw


@pytest.fixture(scope="session")
def openclaw() -> OpenClawCli:
    return ensure_openclaw()


@pytest.fixture
def our_gateway(tmp_path: Path) -> Iterator[GatewayProcess]:
    """``openclaw-gateway run`` as a real process on a free port, stopped with SIGTERM."""
    with running_gateway(tmp_path) as gw:
        yield gw
