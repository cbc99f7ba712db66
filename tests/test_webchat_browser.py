"""WebChat in a real browser: Debian's headless Chromium driven by Playwright's Python package.

The page is served by an in-process gateway with the webchat plugin and talks to it over the real
WebSocket API, answered by the built-in offline agent. Never ``playwright install``: the browser is
``/usr/bin/chromium`` (``apt-get install chromium``; .ci/run installs it when missing).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import anyio
import openclaw_gateway_webchat as webchat
import pytest

from openclaw_gateway.agent.provider import OfflineProvider
from openclaw_gateway.state import sessions as store

from wire import TOKEN, operator

pytestmark = [pytest.mark.anyio, pytest.mark.slow]

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
OFFLINE_START = "No model is configured"


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


_install_chromium()
if not Path(CHROMIUM).exists():  # pragma: no cover - CI installs it (.ci/run)
    pytest.skip(f"{CHROMIUM} is missing: apt-get install -y chromium", allow_module_level=True)

playwright_api = pytest.importorskip("playwright.async_api")
expect = playwright_api.expect


@pytest.fixture
async def browser(tmp_path: Path) -> AsyncIterator[Any]:
    """A launcher: ``await browser(viewport=…)`` → a fresh persistent context (own profile)."""
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


def slow_offline(gw: Any, delay: float) -> None:
    """The real offline provider, but with a pause between chunks so streaming is observable."""
    gw.runs._provider = OfflineProvider(chunk_delay=delay)


def page_url(gw: Any, fragment: str = "") -> str:
    return f"http://127.0.0.1:{gw.plugin_report['http']['port']}/{fragment}"


async def open_chat(context: Any, gw: Any, token: str = TOKEN) -> Any:
    page = await context.new_page()
    await page.goto(page_url(gw, f"#token={token}"))
    await page.wait_for_selector('#conn[data-state="online"]', timeout=10_000)
    return page


async def send(page: Any, text: str) -> None:
    await page.fill("#input", text)
    await page.press("#input", "Enter")


async def test_send_streams_the_reply_and_reload_shows_the_history(gateway_factory, browser):
    message = 'hello <b>webchat</b> & "friends"'  # markup must show as text, never as HTML
    async with gateway_factory(extra_plugins=(webchat,)) as gw:
        slow_offline(gw, 0.05)
        context = await browser(viewport={"width": 1200, "height": 800})
        page = await open_chat(context, gw)
        assert "token" not in page.url  # the fragment is dropped from the address bar
        stored = await page.evaluate("sessionStorage.getItem('openclaw.webchat.token')")
        assert stored == TOKEN

        await send(page, message)
        reply = page.locator(".msg.assistant").last
        # it streams: the bubble grows while the run status says so, then the run is done
        await page.wait_for_selector('.msg.assistant[data-run-state="streaming"]', timeout=10_000)
        assert await page.locator("#stop").is_visible()
        assert await page.text_content("#run-status") in ("Streaming…", "Thinking…")
        partial = await reply.locator(".body").text_content()
        await page.wait_for_selector('.msg.assistant[data-run-state="done"]', timeout=15_000)
        final = await reply.locator(".body").text_content()
        assert final.startswith(OFFLINE_START)
        assert f'You said: "{message}"' in final
        assert partial and final.startswith(partial) and len(partial) < len(final)
        assert await page.text_content("#run-status") == "Done"
        assert not await page.locator("#stop").is_visible()
        assert await page.locator(".msg.user .body").last.text_content() == message
        assert await page.locator("#log b").count() == 0

        await page.reload()
        await page.wait_for_selector('#conn[data-state="online"]', timeout=10_000)
        await page.wait_for_selector(".msg.assistant", timeout=10_000)
        assert await page.locator(".msg.user .body").all_text_contents() == [message]
        history = await page.locator(".msg.assistant .body").all_text_contents()
        assert len(history) == 1 and f'You said: "{message}"' in history[0]
        assert await page.locator("#login").is_hidden()  # the token survived the reload


async def test_a_wrong_token_shows_the_gateways_error_and_the_form_signs_in(
    gateway_factory, browser, tmp_path
):
    async with gateway_factory(extra_plugins=(webchat,)) as gw:
        context = await browser()
        page = await context.new_page()
        await page.goto(page_url(gw, "#token=not-the-token"))
        error = page.locator("#login-error")
        await error.wait_for(state="visible", timeout=10_000)
        assert "gateway token mismatch" in await error.text_content()
        assert await page.locator("#login").is_visible()
        assert await page.get_attribute("#conn", "data-state") == "error"
        assert await page.evaluate("sessionStorage.getItem('openclaw.webchat.token')") is None
        shot = tmp_path / "webchat-wrong-token.png"
        await page.screenshot(path=str(shot))
        print(f"\nWebChat screenshot: {shot}")
        await anyio.sleep(1.5)  # and it does not retry the bad token in a loop
        assert await page.get_attribute("#conn", "data-state") == "error"

        await page.fill("#token", TOKEN)
        await page.click("#connect")
        await page.wait_for_selector('#conn[data-state="online"]', timeout=10_000)
        assert await page.locator("#login").is_hidden()


async def test_without_a_token_the_page_asks_for_one(gateway_factory, browser):
    async with gateway_factory(extra_plugins=(webchat,)) as gw:
        context = await browser()
        page = await context.new_page()
        await page.goto(page_url(gw))
        await page.locator("#login").wait_for(state="visible", timeout=10_000)
        assert await page.locator("#input").is_disabled()


async def test_stop_aborts_the_running_reply(gateway_factory, browser):
    async with gateway_factory(extra_plugins=(webchat,)) as gw:
        slow_offline(gw, 0.4)
        context = await browser()
        page = await open_chat(context, gw)
        await send(page, "please stop me")
        await page.wait_for_selector('.msg.assistant[data-run-state="streaming"]', timeout=10_000)
        await page.click("#stop")
        await page.wait_for_selector('.msg.assistant[data-run-state="stopped"]', timeout=10_000)
        assert await page.text_content("#run-status") == "Stopped"
        assert not await page.locator("#stop").is_visible()
        text = await page.locator(".msg.assistant .body").last.text_content()
        assert text.startswith("No model") and "You said" not in text  # cut short


async def test_phone_width_renders_without_horizontal_scroll(gateway_factory, browser, tmp_path):
    long_word = "x" * 300  # an unbreakable word must wrap, not widen the page
    async with gateway_factory(extra_plugins=(webchat,)) as gw:
        context = await browser(
            viewport={"width": 375, "height": 740}, device_scale_factor=2, is_mobile=True
        )
        page = await open_chat(context, gw)
        await send(page, f"a long one: {long_word} and https://example.com/{long_word}")
        await page.wait_for_selector('.msg.assistant[data-run-state="done"]', timeout=15_000)
        await send(page, "and a short one")
        await expect(page.locator('.msg.assistant[data-run-state="done"]')).to_have_count(
            2, timeout=15_000
        )
        widths = await page.evaluate(
            """() => ({
                doc: document.documentElement.scrollWidth,
                body: document.body.scrollWidth,
                log: document.getElementById('log').scrollWidth,
                logClient: document.getElementById('log').clientWidth,
                viewport: window.innerWidth,
            })"""
        )
        assert widths["doc"] <= widths["viewport"], widths
        assert widths["body"] <= widths["viewport"], widths
        assert widths["log"] <= widths["logClient"], widths
        for selector in ("#send", "#input", ".topbar h1"):
            box = await page.locator(selector).bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 375, selector

        shot = tmp_path / "webchat-phone.png"
        await page.screenshot(path=str(shot))
        desktop = await browser(viewport={"width": 1200, "height": 800})
        page2 = await open_chat(desktop, gw)
        await expect(page2.locator(".msg.assistant")).to_have_count(2, timeout=10_000)
        shot2 = tmp_path / "webchat-desktop.png"
        await page2.screenshot(path=str(shot2))
        print(f"\nWebChat screenshots: {shot} {shot2}")
        assert shot.stat().st_size > 10_000 and shot2.stat().st_size > 10_000


async def test_reconnects_after_a_gateway_restart_and_refetches_the_history(
    gateway_factory, browser, tmp_path
):
    state_dir = tmp_path / "restarting"
    async with gateway_factory(extra_plugins=(webchat,), state_dir=state_dir) as gw:
        ports = {"port": gw.port, "http_port": gw.plugin_report["http"]["port"]}
        context = await browser()
        page = await open_chat(context, gw)
        await send(page, "before the restart")
        await page.wait_for_selector('.msg.assistant[data-run-state="done"]', timeout=15_000)

    # the gateway is gone: the page says so and keeps retrying with backoff
    await page.wait_for_selector('#conn[data-state="offline"]', timeout=10_000)
    assert "reconnecting" in await page.text_content("#banner")
    assert await page.locator("#input").is_disabled()

    async with gateway_factory(extra_plugins=(webchat,), state_dir=state_dir, **ports) as gw:
        # a message sent by another client while the page was away shows after the reconnect
        peer = await operator(gw.port, TOKEN, scopes=["operator.read", "operator.write"])
        res = await peer.request(
            "chat.send",
            {"sessionKey": "main", "message": "sent while away", "idempotencyKey": "away-1"},
        )
        assert res["ok"], res
        await peer.request("agent.wait", {"runId": "away-1", "timeoutMs": 10_000})
        await peer.ws.close()

        await page.wait_for_selector('#conn[data-state="online"]', timeout=20_000)
        await expect(page.locator(".msg.user")).to_have_count(2, timeout=10_000)
        users = await page.locator(".msg.user .body").all_text_contents()
        assert users == ["before the restart", "sent while away"]
        assert await page.locator("#banner").is_hidden()
        await send(page, "after the restart")
        await expect(page.locator('.msg.assistant[data-run-state="done"]')).to_have_count(
            1, timeout=15_000
        )


async def test_a_seq_gap_refetches_the_history(gateway_factory, browser):
    async with gateway_factory(extra_plugins=(webchat,)) as gw:
        context = await browser()
        page = await open_chat(context, gw)
        await send(page, "first")
        await page.wait_for_selector('.msg.assistant[data-run-state="done"]', timeout=15_000)

        # a message lands in the transcript without an event reaching the page …
        now = int(time.time() * 1000)
        body = {"role": "user", "content": [{"type": "text", "text": "missed"}], "timestamp": now}
        await gw.db.run(store.append_message, gw.db.conn, "agent:main:main", None, body, now)
        # … and the page's next broadcast shows a gap (as when events were dropped)
        (conn,) = [c for c in gw.connections.values() if c.client and c.client.id == "webchat-ui"]
        conn.seq += 3
        gw.broadcast("tick", {"ts": now})
        await expect(page.locator(".msg.user .body", has_text="missed")).to_have_count(
            1, timeout=10_000
        )
