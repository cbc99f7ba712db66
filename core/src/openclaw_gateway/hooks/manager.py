"""Builds the plugin manager: the core's built-ins first, then installed plugins.

Built-ins are ordinary hook implementations listed in :data:`BUILTIN_PLUGINS`, registered exactly
like third-party plugins (as pytest does with its own plugins).
"""

from __future__ import annotations

import importlib
from dataclasses import replace
from typing import Any

import pluggy

from . import hookspecs
from .registry import EventSpec, MethodSpec, NodeCommandSpec, Registry

BUILTIN_PLUGINS = (
    "openclaw_gateway.builtin.connect",
    "openclaw_gateway.builtin.health",
    "openclaw_gateway.builtin.presence",
    "openclaw_gateway.builtin.devices",
    "openclaw_gateway.builtin.nodes",
)


def create_plugin_manager(extra_plugins: tuple[Any, ...] = ()) -> pluggy.PluginManager:
    """A plugin manager with the hookspecs, the built-ins and any ``extra_plugins`` (tests)."""
    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    for module_name in BUILTIN_PLUGINS:
        pm.register(importlib.import_module(module_name), name=module_name)
    for plugin in extra_plugins:
        pm.register(plugin)
    return pm


def collect_registry(pm: pluggy.PluginManager) -> Registry:
    """Call the contribution hooks of every plugin and fill one :class:`Registry`.

    Each implementation is called on its own so a clash is attributed to the plugin that caused it.
    """
    registry = Registry()
    for impl in pm.hook.register_methods.get_hookimpls():
        label = _label(impl.plugin_name)

        def add_method(spec: MethodSpec, _label: str = label) -> None:
            if not isinstance(spec, MethodSpec):
                raise TypeError(f"register() expects a MethodSpec, got {type(spec).__name__}")
            registry.add_method(replace(spec, plugin=_label))

        impl.function(register=add_method)
    for impl in pm.hook.register_events.get_hookimpls():
        label = _label(impl.plugin_name)

        def add_event(spec: EventSpec, _label: str = label) -> None:
            if not isinstance(spec, EventSpec):
                raise TypeError(f"register() expects an EventSpec, got {type(spec).__name__}")
            registry.add_event(replace(spec, plugin=_label))

        impl.function(register=add_event)
    for impl in pm.hook.register_node_commands.get_hookimpls():
        label = _label(impl.plugin_name)

        def add_node_command(spec: NodeCommandSpec, _label: str = label) -> None:
            if not isinstance(spec, NodeCommandSpec):
                raise TypeError(f"register() expects a NodeCommandSpec, got {type(spec).__name__}")
            registry.add_node_command(replace(spec, plugin=_label))

        impl.function(register=add_node_command)
    return registry


def _label(plugin_name: str) -> str:
    """Built-ins are reported as the core (empty label); plugins by their registered name."""
    return "" if plugin_name.startswith("openclaw_gateway.builtin.") else plugin_name
