"""The official Control UI (the ``openclaw`` package's ``dist/control-ui``, the bundle the interop
tests install) in Debian's headless Chromium against our gateway, which serves it at its own
address: every view loads with no ``unknown method`` and no page error, and a chat message sent
from the UI gets the agent's reply on screen."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import anyio
import pytest

from openclaw_cli import OpenClawCli

pytestmark = [pytest.mark.anyio, pytest.mark.interop, pytest.mark.slow]

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
VIEWS = [
    "agents",
    "dashboards",
    "systems",
    "automations",
    "plugins",
    "usage",
    "settings",
    "logs",
    "debug",
    "channels",
    "sessions",
    "nodes",
    "cron",
    "skills",
    "config",
    "settings/appearance?section=__appearance__",
    "chat/main",
]
"""The UI's pages an operator walks (its sidebar, the settings pages, the chat)."""
TOKEN = "control-ui-token-0123456789abcdef0123"


@pytest.fixture
def bundle(openclaw: OpenClawCli) -> Path:
    root = openclaw.openclaw_bin.parent.parent / "openclaw" / "dist" / "control-ui"
    if not (root / "index.html").is_file():
        pytest.skip(f"no Control UI bundle at {root}")
    return root


async def test_every_view_loads_and_chat_answers(gateway_factory, bundle: Path) -> None:
    playwright_api = pytest.importorskip("playwright.async_api")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing")
    async with gateway_factory(token=TOKEN, control_ui={"root": str(bundle)}) as gw:
        requests: dict[str, str] = {}
        failures: list[tuple[str, dict[str, Any]]] = []
        page_errors: list[str] = []

        def sent(payload: Any) -> None:
            frame = _json(payload)
            if frame.get("type") == "req":
                requests[frame["id"]] = frame["method"]

        def received(payload: Any) -> None:
            frame = _json(payload)
            if frame.get("type") == "res" and not frame.get("ok"):
                failures.append((requests.get(frame["id"], "?"), frame.get("error") or {}))

        async with playwright_api.async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
            page = await browser.new_page()
            page.on("pageerror", lambda exc: page_errors.append(f"{page.url}: {exc}"))
            page.on(
                "websocket",
                lambda ws: (ws.on("framesent", sent), ws.on("framereceived", received)),
            )
            base = f"http://127.0.0.1:{gw.port}"
            await page.goto(f"{base}/#token={TOKEN}")
            await anyio.sleep(3)
            for view in VIEWS:
                await page.goto(f"{base}/{view}")
                await anyio.sleep(1.5)

            box = page.locator("textarea").first
            await box.click()
            await box.type("hello from the control ui")
            await page.keyboard.press("Enter")
            reply = page.get_by_text('You said: "hello from the control ui"', exact=True)
            await playwright_api.expect(reply).to_be_visible(timeout=15_000)
            await browser.close()

        unknown = [(m, e) for m, e in failures if "unknown method" in str(e.get("message"))]
        assert unknown == [], unknown
        # When a page is left mid-load the UI can send a request on a fresh socket before its
        # connect; every gateway refuses that (the reference's own words, golden
        # non_connect_first_frame), and the UI reconnects. Anything else is a failure.
        handshake_race = "invalid handshake: first request must be connect"
        assert [(m, e) for m, e in failures if e.get("message") != handshake_race] == [], failures
        assert page_errors == [], page_errors
        assert {"chat.send", "chat.startup", "sessions.list", "agents.list"} <= set(
            requests.values()
        )


def _json(payload: Any) -> dict[str, Any]:
    text = (
        payload if isinstance(payload, str) else getattr(payload, "get", lambda _k: None)("payload")
    )
    try:
        value = json.loads(text) if isinstance(text, str | bytes) else {}
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
