"""What to tell the user to type: commands as they run them here.

From a source checkout the gateway runs under ``uv run`` (the README's two commands), and a hint
saying ``openclaw-gateway token`` would fail there with "command not found"; from an installed
wheel the bare command is right. ``uv run`` marks its children with ``UV_RUN_RECURSION_DEPTH``.
"""

from __future__ import annotations

import os
from pathlib import Path


def command(args: str) -> str:
    """``openclaw-gateway <args>`` as the user will type it (``uv run …`` under uv)."""
    prefix = "uv run " if os.environ.get("UV_RUN_RECURSION_DEPTH") else ""
    return f"{prefix}openclaw-gateway {args}"


def install_hint(name: str) -> str:
    """The command that installs the plugin ``name``, as the user will type it.

    From a source checkout (the plugin's folder sits beside the core's) that is ``uv sync
    --all-packages``, which installs every workspace plugin into the checkout's environment; a pip
    install would go to whichever Python ``pip`` belongs to, not the one ``uv run`` uses.
    """
    wheel = f"pip install 'openclaw-gateway[{name}]'"
    # core/src/openclaw_gateway/hints.py -> the repository root of a checkout
    root = Path(__file__).resolve().parents[3]
    if (root / "plugins" / name / "pyproject.toml").is_file():
        return f"uv sync --all-packages (from this checkout; elsewhere: {wheel})"
    return wheel
