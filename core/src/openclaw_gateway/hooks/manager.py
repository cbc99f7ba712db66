"""Builds the plugin manager and the registry: the core's built-ins first, then installed plugins.

Built-ins are ordinary hook implementations listed in :data:`BUILTIN_PLUGINS`, registered exactly
like third-party plugins (as pytest does with its own plugins); they cannot be disabled and any error
in them is a bug, so it raises. Every other plugin is isolated: it is collected into a scratch
:class:`Registry` and merged all-or-nothing, so a plugin that fails to import, raises in a hook or
registers a taken name is reported *failed* and leaves nothing behind, and the gateway still starts.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

import pluggy
from pydantic import BaseModel, ValidationError

from ..config import GatewayConfig, PluginTable
from ..errors import ConfigError
from ..hints import install_hint
from . import discovery, hookspecs
from .registry import KINDS, ConfigSection, NodeContext, RegistrationError, Registry
from .report import PluginInfo, PluginReport, ServiceStatus

log = logging.getLogger("openclaw_gateway.plugins")

BUILTIN_PLUGINS = (
    "openclaw_gateway.builtin.connect",
    "openclaw_gateway.builtin.health",
    "openclaw_gateway.builtin.presence",
    "openclaw_gateway.builtin.devices",
    "openclaw_gateway.builtin.nodes",
    "openclaw_gateway.builtin.agent",
    "openclaw_gateway.builtin.channels",
    "openclaw_gateway.builtin.channel_pairing",
    "openclaw_gateway.builtin.control_ui",
    "openclaw_gateway.builtin.cron",
    "openclaw_gateway.builtin.heartbeat",
    "openclaw_gateway.builtin.logs",
)

CONTRIBUTIONS = tuple(kind for kind in KINDS if kind != "config")
"""Kinds collected after the config section is validated (``register_config`` comes first)."""


@dataclass
class LoadedPlugins:
    """What :func:`load_plugins` produced: the manager, the merged registry, the report, and each
    loaded plugin's validated config (``None`` for a plugin without a config section)."""

    pm: pluggy.PluginManager
    registry: Registry
    report: PluginReport
    configs: dict[str, BaseModel | None] = field(default_factory=dict)


def create_plugin_manager(extra_plugins: tuple[Any, ...] = ()) -> pluggy.PluginManager:
    """A plugin manager with the hookspecs, the built-ins and any ``extra_plugins``."""
    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    for module_name in BUILTIN_PLUGINS:
        pm.register(importlib.import_module(module_name), name=module_name)
    for plugin in extra_plugins:
        pm.register(plugin)
    return pm


def collect_registry(pm: pluggy.PluginManager) -> Registry:
    """Every plugin of ``pm`` into one registry, strictly: the first error raises."""
    registry = Registry()
    for name, plugin in pm.list_name_plugin():
        registry.merge(collect_plugin(pm, plugin, _label(name), KINDS))
    return registry


def collect_plugin(
    pm: pluggy.PluginManager, plugin: object, label: str, kinds: Iterable[str] = CONTRIBUTIONS
) -> Registry:
    """Call ``plugin``'s own contribution hooks (only its own) into a fresh scratch registry."""
    scratch = Registry()
    for kind in kinds:
        impl = next(
            (i for i in getattr(pm.hook, KINDS[kind].hook).get_hookimpls() if i.plugin is plugin),
            None,
        )
        if impl is None:
            continue

        def register(spec: Any, _kind: str = kind) -> None:
            if not isinstance(spec, KINDS[_kind].spec):
                scratch.add(_kind, spec)  # raises the type error
            scratch.add(_kind, replace(spec, plugin=label))

        kwargs: dict[str, Any] = {"register": register} if "register" in impl.argnames else {}
        if "node" in impl.argnames:
            # Node handlers only run in a node host; here they are only listed.
            kwargs["node"] = NodeContext(settings={})
        impl.function(**kwargs)
    return scratch


def load_plugins(
    config: GatewayConfig,
    *,
    extra_plugins: Iterable[object] = (),
    load_entrypoints: bool = False,
) -> LoadedPlugins:
    """Built-ins, then (when asked) entry-point plugins, then ``extra_plugins``; validate config
    sections; collect each plugin in isolation. Raises :class:`ConfigError` for invalid plugin
    config or a ``[plugins.<name>]`` table no installed plugin claims."""
    pm = create_plugin_manager()
    loaded = LoadedPlugins(pm, collect_registry(pm), PluginReport())
    report, tables = loaded.report, config.plugins
    candidates: list[tuple[PluginInfo, object]] = []
    allow = discovery.allowlist()
    if load_entrypoints:
        found = discovery.installed()
        for name in discovery.unmatched(found, allow):
            report.missing[name] = f"named in {discovery.LOAD_PLUGINS_ENV} but not installed"
        for entry in found:
            info = report.add(PluginInfo(entry.name, entry.distribution, entry.version))
            table = tables.get(entry.name)
            if not discovery.allowed(entry, allow):
                info.state, info.reason = "disabled", f"not in {discovery.LOAD_PLUGINS_ENV}"
            elif table is not None and not table.enabled:
                info.state, info.reason = "disabled", f"plugins.{entry.name}.enabled = false"
            else:
                try:
                    candidates.append((info, discovery.load(pm, entry)))
                except Exception as exc:
                    _failed(info, exc, "could not be loaded")
    for plugin in extra_plugins:
        try:
            registered = pm.register(plugin)
        except Exception as exc:
            _failed(report.add(PluginInfo(pm.get_canonical_name(plugin))), exc, "not registered")
            continue
        if registered is not None:
            candidates.append((report.add(PluginInfo(registered)), plugin))

    problems: list[tuple[str, str]] = []
    claimed = set(report.plugins)
    for info, plugin in candidates:
        try:
            problems += _activate(loaded, info, plugin, tables, claimed)
        except Exception as exc:
            _failed(info, exc, "failed while registering")
        if info.state != "loaded":
            pm.unregister(plugin)
    for name in sorted(set(tables) - claimed):
        if not tables[name].enabled:
            continue
        if load_entrypoints and discovery.allowed(discovery.Installed(name, None, None, ""), allow):
            problems.append(
                (
                    f"plugins.{name}",
                    f"no installed plugin is named {name!r}: install it"
                    f" ({install_hint(name)}) or remove the table",
                )
            )
        else:
            report.missing[name] = "configured, but not loaded"
    if problems:
        raise ConfigError(problems)
    return loaded


def _activate(
    loaded: LoadedPlugins,
    info: PluginInfo,
    plugin: object,
    tables: dict[str, PluginTable],
    claimed: set[str],
) -> list[tuple[str, str]]:
    """Validate one plugin's config, collect it, merge it. Returns config problems (fatal)."""
    unknown = [hc.name for hc in loaded.pm.get_hookcallers(plugin) or () if hc.spec is None]
    if unknown:
        raise RegistrationError(f"implements unknown hook(s) {', '.join(sorted(unknown))}")
    config_part = collect_plugin(loaded.pm, plugin, info.name, ("config",))
    sections = list(config_part.config_sections.values())
    if len(sections) > 1:
        raise RegistrationError("a plugin declares at most one config section")
    section: ConfigSection | None = sections[0] if sections else None
    table_name = section.name if section is not None else info.name
    claimed.add(table_name)
    table = tables.get(table_name)
    if table is not None and not table.enabled:
        info.state, info.reason = "disabled", f"plugins.{table_name}.enabled = false"
        return []
    settings = table.settings() if table is not None else {}
    validated: BaseModel | None = None
    if section is not None:
        if table is None and section.required:
            info.state = "idle"
            info.reason = f"not configured: add a [plugins.{table_name}] table to config.toml"
            log.info("plugin %s is idle: %s", info.name, info.reason)
            return []
        try:
            validated = section.model.model_validate(settings)
        except ValidationError as exc:
            info.fail("invalid configuration")
            return [
                (".".join(["plugins", table_name, *map(str, err["loc"])]), err["msg"])
                for err in exc.errors(include_url=False)
            ]
    elif settings:
        return [(f"plugins.{table_name}", f"plugin {info.name!r} takes no settings")]
    scratch = collect_plugin(loaded.pm, plugin, info.name)
    scratch.merge(config_part)
    loaded.registry.merge(scratch)
    info.registered = scratch.summary()
    info.services = {name: ServiceStatus(name) for name in scratch.services}
    loaded.configs[info.name] = validated
    if validated is not None:
        loaded.registry.configs[table_name] = validated
    log.info("plugin %s loaded (%s)", info.name, _describe_registered(info.registered))
    return []


def _failed(info: PluginInfo, exc: BaseException, what: str) -> None:
    info.fail(f"{what}: {type(exc).__name__}: {exc}")
    log.error("plugin %s failed: %s", info.name, info.reason, exc_info=exc)


def _describe_registered(registered: dict[str, list[str]]) -> str:
    return "; ".join(f"{kind}: {', '.join(names)}" for kind, names in registered.items()) or "-"


def _label(plugin_name: str) -> str:
    """Built-ins are reported as the core (empty label); plugins by their registered name."""
    return "" if plugin_name.startswith("openclaw_gateway.builtin.") else plugin_name
