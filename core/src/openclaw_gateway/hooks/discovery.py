"""Finding installed plugins: the ``openclaw_gateway`` entry-point group, one entry point at a time.

pluggy's ``load_setuptools_entrypoints`` loads a whole group and stops at the first plugin that
fails to import; we call it once per entry point name so one broken distribution is reported as
*failed* and the others still load. ``OPENCLAW_GATEWAY_LOAD_PLUGINS=a,b`` (entry-point or
distribution names; an empty value loads none) is an allowlist, as ``LLM_LOAD_PLUGINS`` is for llm.
Nothing here runs unless the caller asks: tests never autoload entry points.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from importlib import metadata

import pluggy

from .hookspecs import PROJECT

LOAD_PLUGINS_ENV = "OPENCLAW_GATEWAY_LOAD_PLUGINS"


@dataclass(frozen=True)
class Installed:
    """One entry point of the group: the plugin's name and the distribution that provides it."""

    name: str
    distribution: str | None
    version: str | None
    value: str


def normalize(name: str) -> str:
    """PEP 503 normalisation, so ``Openclaw_Gateway.Echo`` matches ``openclaw-gateway-echo``."""
    return re.sub(r"[-_.]+", "-", name.strip()).lower()


def installed() -> list[Installed]:
    """Every entry point in the group, first distribution wins for a repeated name."""
    found: dict[str, Installed] = {}
    for ep in metadata.entry_points(group=PROJECT):
        dist = ep.dist
        found.setdefault(
            ep.name,
            Installed(
                name=ep.name,
                distribution=dist.metadata["Name"] if dist is not None else None,
                version=dist.version if dist is not None else None,
                value=ep.value,
            ),
        )
    return list(found.values())


def allowlist(environ: Mapping[str, str] | None = None) -> frozenset[str] | None:
    """The normalised names in ``OPENCLAW_GATEWAY_LOAD_PLUGINS``; ``None`` when it is unset."""
    value = (os.environ if environ is None else environ).get(LOAD_PLUGINS_ENV)
    if value is None:
        return None
    return frozenset(normalize(n) for n in value.split(",") if n.strip())


def allowed(plugin: Installed, allow: frozenset[str] | None) -> bool:
    if allow is None:
        return True
    return normalize(plugin.name) in allow or (
        plugin.distribution is not None and normalize(plugin.distribution) in allow
    )


def unmatched(plugins: list[Installed], allow: frozenset[str] | None) -> list[str]:
    """Allowlisted names that match no installed plugin (reported as unavailable)."""
    if allow is None:
        return []
    known = {normalize(p.name) for p in plugins} | {
        normalize(p.distribution) for p in plugins if p.distribution
    }
    return sorted(allow - known)


def load(pm: pluggy.PluginManager, plugin: Installed) -> object:
    """Import and register one entry point; returns the plugin object. Raises whatever the
    plugin's import raised (the manager marks it failed)."""
    pm.load_setuptools_entrypoints(PROJECT, name=plugin.name)
    obj = pm.get_plugin(plugin.name)
    if obj is None:
        raise LookupError(f"entry point {plugin.name!r} ({plugin.value}) did not register")
    return obj


def load_allowed(
    pm: pluggy.PluginManager, on_error: Callable[[Installed, Exception], None]
) -> None:
    """Load every installed entry point the allowlist admits into ``pm``; a plugin that fails to
    import is handed to ``on_error`` and the others still load (for the CLI and the node host,
    which only need the plugins' hooks; the gateway's manager also reports each one)."""
    allow = allowlist()
    for entry in installed():
        if not allowed(entry, allow):
            continue
        try:
            load(pm, entry)
        except Exception as exc:
            on_error(entry, exc)
