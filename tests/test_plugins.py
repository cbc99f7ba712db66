"""The plugin platform: collection of every kind, clashes, config sections, discovery through entry
points (a fake distribution on sys.path, no pip), isolation of broken plugins, and the report."""

from __future__ import annotations

import json
from pathlib import Path

import anyio
import pytest
from click.testing import CliRunner

from openclaw_gateway.cli.main import cli
from openclaw_gateway.config import load_config
from openclaw_gateway.errors import ConfigError
from openclaw_gateway.hooks import hookimpl
from openclaw_gateway.hooks.manager import load_plugins
from openclaw_gateway.hooks.registry import (
    EventSpec,
    MethodSpec,
    RegistrationError,
    Registry,
)

from plugin_fixtures import clash, echo, needy, raises, typo
from wire import TOKEN, connect_frame, open_peer

ECHO = "plugin_fixtures.echo"


async def _noop(ctx, params):
    return {}


def details(gw) -> dict[str, dict]:
    return {row["name"]: row for row in gw.plugin_report["details"]}


def fake_distribution(site: Path, dist: str, entry_points: dict[str, str]) -> None:
    """An installed distribution as importlib.metadata sees it: a dist-info folder on sys.path."""
    info = site / f"{dist.replace('-', '_')}-1.2.3.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 1.2.3\n")
    lines = "".join(f"{name} = {value}\n" for name, value in entry_points.items())
    (info / "entry_points.txt").write_text(f"[openclaw_gateway]\n{lines}")


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "site"
    path.mkdir()
    monkeypatch.syspath_prepend(str(path))
    monkeypatch.delenv("OPENCLAW_GATEWAY_LOAD_PLUGINS", raising=False)
    return path


def config(tmp_path: Path, toml: str = "", **flags):
    state = tmp_path / "state"
    state.mkdir(exist_ok=True)
    (state / "config.toml").write_text(toml)
    return load_config(state_dir=state, token=TOKEN, port=0, secrets_backend="file", **flags)


# --- the registry ---------------------------------------------------------------------------------


def test_registry_add_rejects_wrong_type_and_reports_the_first_owner():
    reg = Registry()
    reg.add("methods", MethodSpec(name="a.b", handler=_noop, plugin="first"))
    with pytest.raises(RegistrationError, match="expects a MethodSpec, got EventSpec"):
        reg.add("methods", EventSpec(name="x"))
    with pytest.raises(
        RegistrationError, match=r"method 'a\.b' is already registered by plugin 'first'"
    ):
        reg.add("methods", MethodSpec(name="a.b", handler=_noop, plugin="second"))


def test_registry_merge_is_all_or_nothing():
    reg, scratch = Registry(), Registry()
    reg.add("events", EventSpec(name="taken"))
    scratch.add("methods", MethodSpec(name="fresh", handler=_noop))
    scratch.add("events", EventSpec(name="taken", plugin="late"))
    with pytest.raises(RegistrationError, match="already registered by the core"):
        reg.merge(scratch)
    assert "fresh" not in reg.methods


def test_every_kind_is_collected(tmp_path):
    loaded = load_plugins(config(tmp_path), extra_plugins=(echo,))
    reg = loaded.registry
    assert reg.methods["echo.say"].plugin == ECHO
    assert "echo.said" in reg.events and "echo.ping" in reg.node_commands
    assert set(reg.http_routes) == {"/echo", "/echo/assets/*", "/echo/hook", "/echo/boom"}
    assert "echo.ticker" in reg.services and "echo" in reg.config_sections
    assert reg.plugin_config("echo", echo.EchoConfig).greeting == "hello"
    row = loaded.report.plugins[ECHO]
    assert row.state == "loaded"
    assert row.registered["methods"] == ["echo.say"]
    assert row.registered["node_commands"] == ["echo.ping"]
    assert "health" in reg.methods  # the built-ins are there too, and not in the report
    assert all(not name.startswith("openclaw_gateway.builtin") for name in loaded.report.plugins)


# --- isolation ------------------------------------------------------------------------------------


def test_a_plugin_raising_in_a_hook_fails_and_leaves_nothing(tmp_path):
    loaded = load_plugins(config(tmp_path), extra_plugins=(raises, echo))
    row = loaded.report.plugins["plugin_fixtures.raises"]
    assert row.state == "failed"
    assert "RuntimeError: plugin bug in register_methods" in row.reason
    assert "raises.partial" not in loaded.registry.methods
    assert "raises.event" not in loaded.registry.events
    assert loaded.report.plugins[ECHO].state == "loaded"


def test_a_name_clash_with_the_core_fails_the_plugin_not_the_gateway(tmp_path):
    loaded = load_plugins(config(tmp_path), extra_plugins=(clash,))
    row = loaded.report.plugins["plugin_fixtures.clash"]
    assert row.state == "failed"
    assert "method 'health' is already registered by the core" in row.reason
    assert loaded.registry.methods["health"].plugin == ""
    assert "clash.event" not in loaded.registry.events


def test_a_clash_between_plugins_is_reported_against_the_second(tmp_path):
    class First:
        @hookimpl
        def register_methods(self, register):
            register(MethodSpec(name="dup.method", handler=_noop))

    class Second(First):
        pass

    first, second = First(), Second()
    loaded = load_plugins(config(tmp_path), extra_plugins=(first, second))
    rows = list(loaded.report.plugins.values())
    assert [r.state for r in rows] == ["loaded", "failed"]
    assert f"already registered by plugin {rows[0].name!r}" in rows[1].reason


def test_an_unknown_hook_is_a_failure_not_silence(tmp_path):
    loaded = load_plugins(config(tmp_path), extra_plugins=(typo,))
    row = loaded.report.plugins["plugin_fixtures.typo"]
    assert row.state == "failed" and "unknown hook(s) register_method" in row.reason


# --- config sections ------------------------------------------------------------------------------


def test_plugin_config_is_validated_with_the_field_path(tmp_path):
    with pytest.raises(ConfigError) as err:
        load_plugins(config(tmp_path, "[plugins.echo]\ngreeting = 5\n"), extra_plugins=(echo,))
    assert "plugins.echo.greeting: Input should be a valid string" in str(err.value)


def test_plugin_config_from_file_and_env(tmp_path, monkeypatch):
    monkeypatch.setenv("OPENCLAW_GATEWAY_PLUGINS__ECHO__GREETING", "hi from env")
    loaded = load_plugins(
        config(tmp_path, "[plugins.echo]\nenabled = true\n"), extra_plugins=(echo,)
    )
    assert loaded.registry.plugin_config("echo", echo.EchoConfig).greeting == "hi from env"


def test_enabled_false_disables_a_plugin(tmp_path):
    loaded = load_plugins(
        config(tmp_path, "[plugins.echo]\nenabled = false\n"), extra_plugins=(echo,)
    )
    assert loaded.report.plugins[ECHO].state == "disabled"
    assert "plugins.echo.enabled = false" in loaded.report.plugins[ECHO].reason
    assert "echo.say" not in loaded.registry.methods


def test_a_plugin_whose_required_section_is_absent_stays_idle_and_says_so(tmp_path):
    loaded = load_plugins(config(tmp_path), extra_plugins=(needy,))
    row = loaded.report.plugins["plugin_fixtures.needy"]
    assert row.state == "idle" and "[plugins.needy]" in row.reason
    assert "needy.call" not in loaded.registry.methods
    health = loaded.report.health()
    assert health["unavailable"][0]["plugin"] == "plugin_fixtures.needy"

    configured = config(tmp_path, '[plugins.needy]\napi_key = "k"\n')
    assert "needy.call" in load_plugins(configured, extra_plugins=(needy,)).registry.methods


def test_a_plugin_without_a_section_refuses_settings(tmp_path):
    with pytest.raises(ConfigError, match=r"plugins.plugin_fixtures.clash: .* takes no settings"):
        load_plugins(
            config(tmp_path, '[plugins."plugin_fixtures.clash"]\nx = 1\n'), extra_plugins=(clash,)
        )


# --- discovery through entry points ---------------------------------------------------------------


def test_entry_points_load_only_when_asked(tmp_path, site):
    fake_distribution(site, "openclaw-gateway-echo", {"echo": "plugin_fixtures.echo"})
    assert load_plugins(config(tmp_path)).report.plugins == {}
    loaded = load_plugins(config(tmp_path), load_entrypoints=True)
    row = loaded.report.plugins["echo"]
    assert (row.distribution, row.version, row.state) == (
        "openclaw-gateway-echo",
        "1.2.3",
        "loaded",
    )
    assert loaded.registry.methods["echo.say"].plugin == "echo"


def test_an_import_failure_is_isolated(tmp_path, site):
    fake_distribution(site, "openclaw-gateway-broken", {"broken": "plugin_fixtures.broken_import"})
    fake_distribution(site, "openclaw-gateway-echo", {"echo": "plugin_fixtures.echo"})
    loaded = load_plugins(config(tmp_path), load_entrypoints=True)
    broken = loaded.report.plugins["broken"]
    assert broken.state == "failed"
    assert (
        "ModuleNotFoundError" in broken.reason and "openclaw_gateway_no_such_sdk" in broken.reason
    )
    assert loaded.report.plugins["echo"].state == "loaded"
    assert loaded.report.health()["errors"] == [{"plugin": "broken", "error": broken.reason}]


def test_the_allowlist_env(tmp_path, site, monkeypatch):
    fake_distribution(site, "openclaw-gateway-echo", {"echo": "plugin_fixtures.echo"})
    monkeypatch.setenv("OPENCLAW_GATEWAY_LOAD_PLUGINS", "")
    row = load_plugins(config(tmp_path), load_entrypoints=True).report.plugins["echo"]
    assert row.state == "disabled" and "OPENCLAW_GATEWAY_LOAD_PLUGINS" in row.reason

    monkeypatch.setenv("OPENCLAW_GATEWAY_LOAD_PLUGINS", "OpenClaw_Gateway.Echo, nope")
    loaded = load_plugins(config(tmp_path), load_entrypoints=True)
    assert loaded.report.plugins["echo"].state == "loaded"
    assert "not installed" in loaded.report.missing["nope"]


def test_a_table_for_a_plugin_that_is_not_installed_fails_fast(tmp_path, site):
    # A name no real plugin uses: the workspace installs every real surface (telegram, slack …).
    toml = "[plugins.carrierpigeon]\ntoken = 'x'\n"
    with pytest.raises(
        ConfigError, match=r"plugins.carrierpigeon: no installed plugin .*pip install"
    ):
        load_plugins(config(tmp_path, toml), load_entrypoints=True)
    # Without entry points (tests, embedding) it is only reported.
    assert "carrierpigeon" in load_plugins(config(tmp_path, toml)).report.missing


# --- the running gateway --------------------------------------------------------------------------


@pytest.mark.anyio
async def test_a_plugin_method_event_and_report_over_the_wire(gateway_factory):
    async with gateway_factory(extra_plugins=(echo, clash)) as gw:
        peer = await open_peer(gw.port)
        frame = connect_frame(token=TOKEN)
        await peer.send(frame)
        hello = (await peer.recv_res(frame["id"]))["payload"]
        assert "echo.say" in hello["features"]["methods"]
        assert "echo.said" in hello["features"]["events"]
        res = await peer.request("echo.say", {"text": "there"})
        assert res["payload"] == {"text": "hello, there"}
        assert (await peer.next_event("echo.said"))["payload"] == {"text": "there"}
        health = (await peer.request("health"))["payload"]["plugins"]
        assert health["loaded"] == [ECHO]
        assert health["errors"][0]["plugin"] == "plugin_fixtures.clash"
        status = (await peer.request("status"))["payload"]["plugins"]
        assert {row["name"]: row["state"] for row in status["details"]} == {
            ECHO: "loaded",
            "plugin_fixtures.clash": "failed",
        }
        await peer.ws.close()


@pytest.mark.anyio
async def test_the_gateway_fixture_never_autoloads(gateway_factory, site):
    fake_distribution(site, "openclaw-gateway-echo", {"echo": "plugin_fixtures.echo"})
    async with gateway_factory() as gw:
        assert "echo.say" not in gw.registry.methods
        assert gw.plugin_report["details"] == []


@pytest.mark.anyio
async def test_a_service_gets_the_gateway_and_its_config(gateway_factory):
    echo.service_seen.clear()
    async with gateway_factory(extra_plugins=(echo,), plugins={"echo": {"greeting": "yo"}}) as gw:
        with anyio.fail_after(5):
            while "gateway" not in echo.service_seen:
                await anyio.sleep(0.01)
        assert echo.service_seen["gateway"] is gw
        assert echo.service_seen["config"].greeting == "yo"
        assert details(gw)[ECHO]["services"][0]["state"] == "running"


# --- plugins list -----------------------------------------------------------------------------------


def test_plugins_list_computes_the_report_locally(tmp_path, site, monkeypatch):
    fake_distribution(site, "openclaw-gateway-echo", {"echo": "plugin_fixtures.echo"})
    fake_distribution(site, "openclaw-gateway-broken", {"broken": "plugin_fixtures.broken_import"})
    state = tmp_path / "state"
    state.mkdir()
    (state / "config.toml").write_text('[plugins.echo]\ngreeting = "hey"\n')
    runner = CliRunner()
    result = runner.invoke(cli, ["plugins", "list", "--json", "--state-dir", str(state)])
    assert result.exit_code == 0, result.output
    rows = {row["name"]: row for row in json.loads(result.output)["plugins"]}
    assert rows["echo"]["state"] == "loaded"
    assert rows["echo"]["registered"]["methods"] == ["echo.say"]
    assert rows["broken"]["state"] == "failed"

    piped = runner.invoke(cli, ["plugins", "list", "--state-dir", str(state)])
    assert piped.exit_code == 0  # not a terminal: JSON, as with --json
    assert json.loads(piped.output)["plugins"] == json.loads(result.output)["plugins"]


def test_invalid_plugin_config_exits_2_naming_the_field(tmp_path, site):
    fake_distribution(site, "openclaw-gateway-echo", {"echo": "plugin_fixtures.echo"})
    state = tmp_path / "state"
    state.mkdir()
    (state / "config.toml").write_text("[plugins.echo]\ngreeting = 5\n")
    for args in (["plugins", "list"], ["run", "--port", "0"]):
        result = CliRunner().invoke(cli, [*args, "--state-dir", str(state)])
        assert result.exit_code == 2, result.output
        assert "plugins.echo.greeting: Input should be a valid string" in result.output
