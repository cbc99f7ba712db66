"""The core's shape: its import graph has no cycle (type-only and function-level imports
included), and nothing below the composition root reaches for the gateway object itself.

A cycle means two folders cannot be understood (or tested) apart; the rule keeps ``agent/``,
``channels/`` and ``hooks/`` below ``server/``, with ``server/app.py`` wiring them together.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
CORE = ROOT / "core" / "src" / "openclaw_gateway"
PLUGINS = sorted(p for p in ROOT.glob("plugins/*/src/*") if (p / "__init__.py").exists())


def module_name(path: Path, package: Path) -> str:
    parts = list(path.relative_to(package.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph(package: Path = CORE) -> dict[str, set[str]]:
    """``{module: {modules of the same package it imports}}``: every ``import``/``from … import``
    anywhere in the file (under ``TYPE_CHECKING`` or inside functions too)."""
    paths = {module_name(p, package): p for p in package.rglob("*.py")}
    graph: dict[str, set[str]] = {name: set() for name in paths}

    def resolve(name: str) -> str | None:
        while name and name not in paths:
            name = name.rpartition(".")[0]
        return name or None

    for name, path in paths.items():
        package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    up = package[: len(package) - (node.level - 1)]
                    base = ".".join(up + ([node.module] if node.module else []))
                submodules = [f"{base}.{alias.name}" for alias in node.names]
                targets = [m for m in submodules if m in paths] or [base]
            for target in targets:
                found = resolve(target)
                if found is not None and found != name:
                    graph[name].add(found)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_the_finder_sees_a_cycle() -> None:
    # The check must be able to fail: a two-module loop and a three-module loop are found.
    graph = {"a": {"b"}, "b": {"a"}, "c": {"d"}, "d": {"e"}, "e": {"c"}, "f": {"a"}}
    assert sorted(cycles(graph)) == [["a", "b"], ["c", "d", "e"]]


def test_core_import_graph_has_no_cycle() -> None:
    graph = import_graph()
    assert "openclaw_gateway.server.gateway" in graph["openclaw_gateway.server.app"]
    assert cycles(graph) == []


@pytest.mark.parametrize("package", PLUGINS, ids=lambda p: p.name)
def test_plugin_import_graph_has_no_cycle(package: Path) -> None:
    assert cycles(import_graph(package)) == []


def test_only_the_server_layer_imports_the_gateway_class() -> None:
    # Collaborators get what they use (db, config, hub, runs …); the concrete gateway is built and
    # handed around only by the composition root and the socket layer that serves it.
    allowed = {
        "openclaw_gateway.server.app",
        "openclaw_gateway.server.dispatch",
        "openclaw_gateway.server.ws",
        "openclaw_gateway.testing._gateway",
        "openclaw_gateway.testing.plugin",
        "openclaw_gateway.cli.main",
    }
    importers = {
        name for name, deps in import_graph().items() if "openclaw_gateway.server.gateway" in deps
    }
    assert importers <= allowed, sorted(importers - allowed)
