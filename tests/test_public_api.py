"""The public plugin API is one module, re-exported at the top, and first-party plugins use
nothing else — so third parties can rely on exactly what docs/plugins.md lists."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import openclaw_gateway
from openclaw_gateway import api

pytestmark = pytest.mark.anyio

ROOT = Path(__file__).parents[1]
PUBLIC = {"openclaw_gateway.api", "openclaw_gateway.testing"}


def core_imports(path: Path) -> list[tuple[int, str]]:
    """``(line, module)`` for every import of the core in ``path`` (type-only ones included)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "openclaw_gateway":
                names = {alias.name for alias in node.names}
                if not names <= {*api.__all__, "__version__"}:
                    found.append((node.lineno, f"openclaw_gateway ({', '.join(sorted(names))})"))
            elif node.module.startswith("openclaw_gateway."):
                found.append((node.lineno, node.module))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("openclaw_gateway."):
                    found.append((node.lineno, alias.name))
    return found


def test_first_party_plugins_import_only_the_public_api() -> None:
    private = [
        f"{path.relative_to(ROOT)}:{line}: {module}"
        for path in sorted(ROOT.glob("plugins/*/src/**/*.py"))
        for line, module in core_imports(path)
        if module not in PUBLIC
    ]
    assert private == [], "plugins reach private core modules:\n" + "\n".join(private)


def test_the_check_catches_a_private_import(tmp_path: Path) -> None:
    sneaky = tmp_path / "sneaky.py"
    sneaky.write_text(
        "from openclaw_gateway.server.gateway import Gateway\n"
        "import openclaw_gateway.state.db\n"
        "from openclaw_gateway import api, hookimpl\n"
        "from openclaw_gateway.api import MethodSpec\n"
    )
    assert [m for _, m in core_imports(sneaky)] == [
        "openclaw_gateway.server.gateway",
        "openclaw_gateway.state.db",
        "openclaw_gateway (api, hookimpl)",
        "openclaw_gateway.api",
    ]


def test_the_top_level_package_re_exports_the_api_lazily() -> None:
    for name in api.__all__:
        assert getattr(openclaw_gateway, name) is getattr(api, name)
    assert set(api.__all__) <= set(dir(openclaw_gateway))
    probe = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, openclaw_gateway; print('openclaw_gateway.api' in sys.modules)",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert probe.stdout.strip() == "False"  # `import openclaw_gateway` (every CLI call) stays cheap


async def test_the_running_gateway_offers_what_gateway_api_promises(gateway) -> None:
    promised = [name for name in vars(api.GatewayAPI) if not name.startswith("_")]
    assert {"config", "port", "plugin_report", "plugin_config", "broadcast", "spawn"} <= set(
        promised
    )
    assert [name for name in promised if not hasattr(gateway, name)] == []
    with pytest.raises(LookupError):
        gateway.plugin_config("nothing-here", api.ChannelConfig)
