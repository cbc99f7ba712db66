"""A third-party plugin, end to end, with no edit of the core: a separate distribution written to a
temp dir, installed with the core into a fresh venv, found through its ``openclaw_gateway`` entry
point by ``openclaw-gateway run`` from that venv, and used through the CLI and the SDK.

The plugin below is the example of docs/plugins.md.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from openclaw_gateway.client import GatewayClient

pytestmark = pytest.mark.slow

CORE = Path(__file__).resolve().parents[1] / "core"
TOKEN = "third-party-token-0123456789abcdefghijklmnop"

PYPROJECT = """\
[project]
name = "openclaw-gateway-echo"
version = "0.3.0"
requires-python = ">=3.11"
dependencies = ["openclaw-gateway"]

[project.entry-points.openclaw_gateway]
echo = "openclaw_gateway_echo"

[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"
"""

PLUGIN = '''\
"""openclaw-gateway-echo: says things back."""

from pydantic import BaseModel, ConfigDict

from openclaw_gateway import (
    ConfigSection, EventSpec, MethodContext, MethodSpec, NodeCommandSpec, hookimpl,
)


class EchoConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    greeting: str = "hello"


class SayParams(BaseModel):
    text: str


class Said(BaseModel):
    text: str


async def say(ctx: MethodContext, params: SayParams) -> dict:
    config = ctx.gateway.plugin_config("echo", EchoConfig)
    ctx.gateway.broadcast("echo.said", {"text": params.text})
    return {"text": f"{config.greeting}, {params.text}"}


@hookimpl
def register_config(register):
    register(ConfigSection(name="echo", model=EchoConfig))


@hookimpl
def register_methods(register):
    register(MethodSpec(name="echo.say", handler=say, params=SayParams, scope="operator.read"))


@hookimpl
def register_events(register):
    register(EventSpec(name="echo.said", payload=Said, scope="operator.read"))


@hookimpl
def register_node_commands(register):
    register(NodeCommandSpec(name="echo.ping", description="a node answers pong"))
'''


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with the core and the plugin installed from their source folders."""
    uv = shutil.which("uv")
    if uv is None:
        pytest.skip("uv is needed to build the venv quickly")
    root = tmp_path_factory.mktemp("third_party")
    plugin = root / "openclaw-gateway-echo"
    (plugin / "openclaw_gateway_echo").mkdir(parents=True)
    (plugin / "pyproject.toml").write_text(PYPROJECT)
    (plugin / "openclaw_gateway_echo" / "__init__.py").write_text(PLUGIN)
    env = root / "venv"
    subprocess.run([uv, "venv", "-q", "--python", sys.executable, str(env)], check=True)
    subprocess.run(
        [
            uv,
            "pip",
            "install",
            "-q",
            "--python",
            str(env / "bin" / "python"),
            str(CORE),
            str(plugin),
        ],
        check=True,
        timeout=300,
    )
    return env


@pytest.fixture
def home(tmp_path: Path) -> Path:
    state = tmp_path / "home" / ".openclaw-gateway"
    state.mkdir(parents=True)
    (state / "config.toml").write_text('[plugins.echo]\ngreeting = "ahoy"\n')
    return tmp_path / "home"


def cli_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENCLAW_GATEWAY_")}
    env.update(
        HOME=str(home), OPENCLAW_GATEWAY_TOKEN=TOKEN, OPENCLAW_GATEWAY_SECRETS_BACKEND="file"
    )
    return env


@pytest.fixture
def running(venv: Path, home: Path) -> Iterator[int]:
    """``openclaw-gateway run --port 0`` from the venv; yields the port from its log line."""
    proc = subprocess.Popen(
        [str(venv / "bin" / "openclaw-gateway"), "run", "--port", "0"],
        env=cli_env(home),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert proc.stdout is not None
        seen = []
        for line in proc.stdout:
            seen.append(line)
            match = re.search(r"listening on ws://127\.0\.0\.1:(\d+)", line)
            if match:
                yield int(match.group(1))
                break
        else:
            pytest.fail("the gateway exited:\n" + "".join(seen))
    finally:
        proc.terminate()
        assert proc.wait(timeout=10) == 0


def run_cli(venv: Path, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(venv / "bin" / "openclaw-gateway"), *args],
        env=cli_env(home),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_an_installed_plugin_works_with_no_edit_of_the_core(venv, home, running):
    url = f"ws://127.0.0.1:{running}"
    said = run_cli(
        venv, home, "call", "echo.say", "--params", '{"text": "world"}', "--json", "--url", url
    )
    assert said.returncode == 0, said.stderr
    assert json.loads(said.stdout) == {"text": "ahoy, world"}

    async def hello() -> dict:
        async with GatewayClient(url, token=TOKEN) as gw:
            return gw.hello

    import anyio

    features = anyio.run(hello)["features"]
    assert "echo.said" in features["events"] and "echo.say" in features["methods"]

    listed = run_cli(venv, home, "plugins", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    (row,) = json.loads(listed.stdout)["plugins"]
    assert row["name"] == "echo" and row["state"] == "loaded"
    assert (row["distribution"], row["version"]) == ("openclaw-gateway-echo", "0.3.0")
    assert row["registered"]["node_commands"] == ["echo.ping"]

    remote = run_cli(venv, home, "plugins", "list", "--json", "--remote", "--url", url)
    assert remote.returncode == 0, remote.stderr
    assert json.loads(remote.stdout)["plugins"][0]["state"] == "loaded"


def test_invalid_plugin_config_stops_the_start_with_exit_2(venv, home):
    (home / ".openclaw-gateway" / "config.toml").write_text("[plugins.echo]\ngreeting = 5\n")
    result = run_cli(venv, home, "run", "--port", "0")
    assert result.returncode == 2
    assert "plugins.echo.greeting: Input should be a valid string" in result.stderr
