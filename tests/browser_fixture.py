"""Headless Chromium for browser tests: Debian's /usr/bin/chromium driven by Playwright (never
``playwright install``: nothing is downloaded at run time). The ``browser`` fixture installs the
package when it may (root + apt, as .ci/run does) or skips the test, saying why.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]


def _install_chromium() -> None:
    """Debian's chromium, installed like .ci/run does when we may (root + apt), so the README's
    one test command also works on a fresh machine; otherwise these tests are skipped, saying why."""
    if Path(CHROMIUM).exists() or os.geteuid() != 0 or shutil.which("apt-get") is None:
        return
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(
        ["apt-get", "update", "-qq"], env=env, capture_output=True, timeout=600, check=False
    )
    subprocess.run(
        ["apt-get", "install", "-y", "-qq", "chromium"],
        env=env,
        capture_output=True,
        timeout=900,
        check=False,
    )


def require_chromium() -> None:
    _install_chromium()
    if not Path(CHROMIUM).exists():  # pragma: no cover - CI installs it (.ci/run)
        pytest.skip(f"{CHROMIUM} is missing: apt-get install -y chromium")


@pytest.fixture
async def browser(tmp_path: Path) -> AsyncIterator[Any]:
    """A launcher: ``await browser(viewport=…)`` → a fresh persistent context (own profile).
    Registered for every test module by conftest.py (``pytest_plugins``)."""
    from playwright import async_api as playwright_api

    require_chromium()
    contexts: list[Any] = []
    async with playwright_api.async_playwright() as pw:

        async def launch(**options: Any) -> Any:
            profile = tmp_path / f"profile{len(contexts)}"
            context = await pw.chromium.launch_persistent_context(
                str(profile), executable_path=CHROMIUM, headless=True, args=ARGS, **options
            )
            contexts.append(context)
            return context

        yield launch
        for context in contexts:
            await context.close()
