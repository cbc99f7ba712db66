"""Configuration layers (flags > env > file > defaults, merged key by key), the secret store and
``config validate`` running exactly the checks ``run`` runs — as a user meets them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from openclaw_gateway.config import load_config
from openclaw_gateway.errors import ConfigError

CLI = [sys.executable, "-m", "openclaw_gateway.cli.main"]

AGENT_TABLE = """
[agent]
provider = "openai"
base_url = "http://127.0.0.1:9/v1"
model = "local-model"
history_limit = 7
"""


def cli(
    args: list[str], home: Path, *, stdin: str | None = None, **env: str
) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("OPENCLAW_GATEWAY_")}
    return subprocess.run(
        [*CLI, *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        env={**clean, "HOME": str(home), "OPENCLAW_GATEWAY_SECRETS_BACKEND": "file", **env},
    )


@pytest.fixture
def home(tmp_path: Path) -> Path:
    (tmp_path / ".openclaw-gateway").mkdir()
    return tmp_path


def write_config(home: Path, text: str) -> None:
    (home / ".openclaw-gateway" / "config.toml").write_text(text)


@pytest.fixture
def no_gateway_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in list(os.environ):
        if key.startswith("OPENCLAW_GATEWAY_"):
            monkeypatch.delenv(key)


def test_env_for_one_key_keeps_the_rest_of_its_table(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_gateway_env: None
) -> None:
    (tmp_path / "config.toml").write_text(AGENT_TABLE)
    monkeypatch.setenv("OPENCLAW_GATEWAY_AGENT__API_KEY", "sk-from-env")
    config = load_config(state_dir=tmp_path)
    assert config.agent.provider == "openai"
    assert config.agent.base_url == "http://127.0.0.1:9/v1"
    assert config.agent.model == "local-model"
    assert config.agent.history_limit == 7
    assert config.agent.api_key is not None
    assert config.agent.api_key.get_secret_value() == "sk-from-env"


def test_node_command_policy_env_for_deny_keeps_the_files_allow_in_both_spellings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_gateway_env: None
) -> None:
    (tmp_path / "config.toml").write_text(
        '[nodes]\nallow_commands = ["system.run"]\n\n[nodes.commands]\nallow = ["camera.snap"]\n'
    )
    monkeypatch.setenv("OPENCLAW_GATEWAY_NODES__COMMANDS__DENY", '["camera.clip"]')
    nodes = load_config(state_dir=tmp_path).nodes
    assert nodes.allow_commands == ["system.run", "camera.snap"]
    assert nodes.deny_commands == ["camera.clip"]


def test_env_for_one_plugin_key_keeps_nested_account_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_gateway_env: None
) -> None:
    (tmp_path / "config.toml").write_text(
        "[plugins.telegram]\ndm_policy = 'open'\n"
        "[plugins.telegram.accounts.default]\n"
        "token = '1:file'\nbase_url = 'http://127.0.0.1:9/bot'\npoll_timeout = 5\n"
    )
    monkeypatch.setenv("OPENCLAW_GATEWAY_PLUGINS__TELEGRAM__ACCOUNTS__DEFAULT__TOKEN", "1:env")
    table = load_config(state_dir=tmp_path).plugins["telegram"].settings()
    assert table["dm_policy"] == "open"
    assert table["accounts"]["default"] == {
        "token": "1:env",
        "base_url": "http://127.0.0.1:9/bot",
        "poll_timeout": 5,
    }


def test_flags_beat_env_beat_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_gateway_env: None
) -> None:
    (tmp_path / "config.toml").write_text("port = 1111\nbind = 'lan'\ntick_interval_ms = 500\n")
    monkeypatch.setenv("OPENCLAW_GATEWAY_PORT", "2222")
    monkeypatch.setenv("OPENCLAW_GATEWAY_BIND", "127.0.0.1")
    config = load_config(state_dir=tmp_path, port=3333)
    assert (config.port, config.bind, config.tick_interval_ms) == (3333, "127.0.0.1", 500)


def test_secret_reference_resolves_from_the_store_in_any_layer(
    home: Path, no_gateway_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = home / ".openclaw-gateway"
    write_config(home, AGENT_TABLE + 'api_key = "secret:openai"\n')
    cp = cli(["secrets", "set", "openai"], home, stdin="sk-stored\n")
    assert cp.returncode == 0, cp.stderr
    assert "sk-stored" not in cp.stdout + cp.stderr
    config = load_config(state_dir=state, secrets_backend="file")
    assert config.agent.api_key is not None
    assert config.agent.api_key.get_secret_value() == "sk-stored"
    assert config.agent.model == "local-model"
    # the same reference from the environment
    write_config(home, AGENT_TABLE)
    monkeypatch.setenv("OPENCLAW_GATEWAY_AGENT__API_KEY", "secret:openai")
    config = load_config(state_dir=state, secrets_backend="file")
    assert config.agent.api_key is not None
    assert config.agent.api_key.get_secret_value() == "sk-stored"


def test_missing_secret_is_a_config_error_naming_field_and_fix(
    tmp_path: Path, no_gateway_env: None
) -> None:
    (tmp_path / "config.toml").write_text(
        "[plugins.telegram.accounts.default]\ntoken = 'secret:telegram.default'\n"
    )
    with pytest.raises(ConfigError) as info:
        load_config(state_dir=tmp_path, secrets_backend="file")
    (path, reason), *_ = info.value.problems
    assert path == "plugins.telegram.accounts.default.token"
    assert "openclaw-gateway secrets set telegram.default" in reason


def test_secrets_cli_set_list_rm_never_shows_values(home: Path) -> None:
    assert cli(["secrets", "set", "telegram.default"], home, stdin="1:abc\n").returncode == 0
    assert cli(["secrets", "set", "slack.bot"], home, stdin="xoxb-1\n").returncode == 0
    listed = cli(["secrets", "list"], home)
    assert listed.stdout.split() == ["slack.bot", "telegram.default"]
    assert "1:abc" not in listed.stdout and "xoxb" not in listed.stdout
    secret_file = home / ".openclaw-gateway" / "secrets" / "telegram.default"
    assert secret_file.stat().st_mode & 0o777 == 0o600
    assert cli(["secrets", "rm", "telegram.default"], home).returncode == 0
    assert cli(["secrets", "list"], home).stdout.split() == ["slack.bot"]
    assert not secret_file.exists()
    assert cli(["secrets", "rm", "telegram.default"], home).returncode == 2
    bad = cli(["secrets", "set", "../escape"], home, stdin="x\n")
    assert bad.returncode == 2 and "bad secret name" in bad.stderr
    assert not (home / ".openclaw-gateway" / "escape").exists()
    assert cli(["secrets", "set", "empty"], home, stdin="\n").returncode == 2


CHECKS = [
    pytest.param(
        "[plugins.telegram]\n[plugins.telegram.accounts.default]\ntoken = '1:SECRETVALUE'\n"
        "unknown_key = 1\n",
        "plugins.telegram.accounts.default.unknown_key",
        id="unknown-plugin-key",
    ),
    pytest.param(
        "[plugins.telegram.accounts.default]\nbase_url = 'http://127.0.0.1:9/bot'\n"
        "[agent]\napi_key = 'sk-SECRETVALUE'\n",
        "plugins.telegram.accounts.default.token",
        id="missing-required-field",
    ),
    pytest.param(
        "[plugins.nosuchsurface]\ntoken = 'SECRETVALUE'\n",
        "no installed plugin is named 'nosuchsurface'",
        id="uninstalled-plugin",
    ),
    pytest.param(
        "[agent]\nprovider = 'nosuchprovider'\napi_key = 'sk-SECRETVALUE'\n",
        "agent provider 'nosuchprovider' is not installed",
        id="uninstalled-provider",
    ),
    pytest.param(
        "auth_mode = 'password'\n",
        "no password is set",
        id="password-mode-without-password",
    ),
]


@pytest.mark.parametrize(("config_text", "expected"), CHECKS)
def test_config_validate_runs_the_checks_run_runs_and_hides_secrets(
    home: Path, config_text: str, expected: str
) -> None:
    write_config(home, config_text)
    validated = cli(["config", "validate"], home)
    started = cli(["run", "--port", "0"], home)
    for cp in (validated, started):
        assert cp.returncode == 2, cp.stdout + cp.stderr
        assert expected in cp.stderr
        assert "SECRETVALUE" not in cp.stdout + cp.stderr


def test_config_validate_prints_effective_config_with_secrets_masked(home: Path) -> None:
    write_config(
        home,
        AGENT_TABLE
        + "[plugins.telegram.accounts.default]\ntoken = '1:SECRETVALUE'\n"
        + "base_url = 'http://127.0.0.1:9/bot'\n",
    )
    cp = cli(["config", "validate"], home, OPENCLAW_GATEWAY_AGENT__API_KEY="sk-SECRETVALUE")
    assert cp.returncode == 0, cp.stderr
    assert "SECRETVALUE" not in cp.stdout + cp.stderr
    assert '"provider": "openai"' in cp.stdout  # the file's [agent] survives the env key
    assert '"base_url": "http://127.0.0.1:9/bot"' in cp.stdout
    assert "configuration is valid" in cp.stderr


def test_uninstalled_plugin_hint_is_a_command_that_works_where_the_user_is() -> None:
    from openclaw_gateway.hints import install_hint

    # A plugin of this checkout: uv installs the workspace's plugins into the env `uv run` uses.
    assert install_hint("telegram").startswith("uv sync --all-packages")
    assert (Path(__file__).parents[1] / "plugins" / "telegram" / "pyproject.toml").is_file()
    # Not part of this checkout: the published extra.
    assert install_hint("matrix") == "pip install 'openclaw-gateway[matrix]'"
