"""Packaging proof: extras install exactly the surfaces they name, and those stay idle until configured.

Wheels of the core and every plugin are built into a wheelhouse; a fresh venv installs
``openclaw-gateway[telegram,slack]`` from it (third-party dependencies from the package index).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent


def run(args: list[str], **kwargs) -> subprocess.CompletedProcess[str]:
    cp = subprocess.run(args, capture_output=True, text=True, timeout=600, **kwargs)
    assert cp.returncode == 0, f"{args}\n{cp.stdout[-3000:]}\n{cp.stderr[-3000:]}"
    return cp


@pytest.fixture(scope="module")
def wheelhouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheelhouse")
    for project in [ROOT / "core", *sorted((ROOT / "plugins").iterdir())]:
        if (project / "pyproject.toml").exists():
            run(["uv", "build", "--wheel", "--quiet", "--out-dir", str(out), str(project)])
    return out


def install(wheelhouse: Path, tmp_path: Path, requirement: str) -> tuple[Path, set[str]]:
    """A fresh venv with ``requirement`` from the wheelhouse; returns it and what it holds."""
    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", str(venv)])
    python = venv / "bin" / "python"
    run(
        [
            "uv",
            "pip",
            "install",
            "--quiet",
            "--python",
            str(python),
            "--find-links",
            str(wheelhouse),
            requirement,
        ]
    )
    installed = {
        line.split("==")[0].lower()
        for line in run(["uv", "pip", "freeze", "--python", str(python)]).stdout.splitlines()
    }
    return venv, installed


def test_extras_install_exactly_what_they_name(wheelhouse: Path, tmp_path: Path) -> None:
    wheels = {p.name.split("-")[0] for p in wheelhouse.glob("*.whl")}
    assert {
        "openclaw_gateway",
        "openclaw_gateway_telegram",
        "openclaw_gateway_slack",
        "openclaw_gateway_discord",
        "openclaw_gateway_whatsapp",
        "openclaw_gateway_signal",
        "openclaw_gateway_imessage",
    } <= wheels

    venv, installed = install(wheelhouse, tmp_path, "openclaw-gateway[telegram,slack]")
    assert {"openclaw-gateway", "openclaw-gateway-telegram", "openclaw-gateway-slack"} <= installed
    assert "python-telegram-bot" in installed and "slack-sdk" in installed
    assert "openclaw-gateway-discord" not in installed and "discord-py" not in installed
    assert "openclaw-gateway-whatsapp" not in installed and "neonize" not in installed
    assert "openclaw-gateway-signal" not in installed
    assert (
        "openclaw-gateway-webchat" not in installed and "openclaw-gateway-openai" not in installed
    )

    home = tmp_path / "home"
    home.mkdir()
    env = {**os.environ, "HOME": str(home), "OPENCLAW_GATEWAY_SECRETS_BACKEND": "file"}
    env.pop("VIRTUAL_ENV", None)
    listing = run([str(venv / "bin" / "openclaw-gateway"), "plugins", "list", "--json"], env=env)
    plugins = {p["name"]: p for p in json.loads(listing.stdout)["plugins"]}
    assert set(plugins) == {"telegram", "slack"}
    for name in ("telegram", "slack"):
        assert plugins[name]["state"] == "idle", plugins[name]
        assert plugins[name]["distribution"] == f"openclaw-gateway-{name}"


def test_the_signal_extra_pulls_only_what_it_needs(wheelhouse: Path, tmp_path: Path) -> None:
    """signal-cli is an external program: ``[signal]`` installs an HTTP client and a QR encoder."""
    _, installed = install(wheelhouse, tmp_path, "openclaw-gateway[signal]")
    assert {"openclaw-gateway-signal", "httpx", "segno"} <= installed
    assert not {"neonize", "openclaw-gateway-whatsapp", "python-telegram-bot"} & installed


@pytest.mark.parametrize(
    ("extra", "plugin", "brings", "state"),
    [
        ("camera", "camera", {"av"}, None),
        ("screen", "screen", {"mss", "av"}, None),
        ("location", "location", set(), None),
        ("canvas", "canvas", {"a2ui-core"}, None),
        ("metrics", "metrics", {"prometheus-client"}, "idle"),
        ("openai-api", "openai_api", set(), "idle"),
    ],
)
def test_each_capability_extra_installs_alone(
    wheelhouse: Path, tmp_path: Path, extra: str, plugin: str, brings: set[str], state: str | None
) -> None:
    """Every node capability and operations plugin is its own extra, with only its own deps."""
    venv, installed = install(wheelhouse, tmp_path, f"openclaw-gateway[{extra}]")
    distribution = f"openclaw-gateway-{extra}"
    assert {distribution, *brings} <= installed
    others = {"av", "mss", "a2ui-core", "prometheus-client", "openai"} - brings
    assert not others & installed, others & installed
    home = tmp_path / "home"
    home.mkdir()
    env = {**os.environ, "HOME": str(home), "OPENCLAW_GATEWAY_SECRETS_BACKEND": "file"}
    env.pop("VIRTUAL_ENV", None)
    listing = run([str(venv / "bin" / "openclaw-gateway"), "plugins", "list", "--json"], env=env)
    plugins = {p["name"]: p for p in json.loads(listing.stdout)["plugins"]}
    assert set(plugins) == {plugin}
    assert plugins[plugin]["distribution"] == distribution
    assert plugins[plugin]["state"] == (state or "loaded"), plugins[plugin]
