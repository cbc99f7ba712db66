"""``systemd-analyze --user verify`` for a unit file, outside any running user manager."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path


def verify_user_unit(unit: Path) -> tuple[int, list[str]]:
    """The exit status and the lines that name ``unit`` (other installed user units may have
    their own complaints): an unknown key or a non-executable ExecStart shows up there."""
    # A short runtime dir: socket paths under it must fit in sun_path (108 bytes).
    runtime = Path(tempfile.mkdtemp(prefix="xr", dir="/tmp"))
    try:
        verified = subprocess.run(
            ["systemd-analyze", "--user", "verify", str(unit)],
            capture_output=True,
            text=True,
            env={**os.environ, "XDG_RUNTIME_DIR": str(runtime)},
        )
    finally:
        shutil.rmtree(runtime, ignore_errors=True)
    output = (verified.stdout + verified.stderr).splitlines()
    return verified.returncode, [line for line in output if unit.name in line]
