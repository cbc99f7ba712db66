"""Our gateway running as a real process (see the ``our_gateway`` fixture)."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path


@dataclass
class GatewayProcess:
    proc: subprocess.Popen[str]
    port: int
    token: str
    home: Path
    log: list[str]

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"
