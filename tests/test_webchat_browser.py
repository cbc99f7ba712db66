"""WebChat in a real browser: Debian's headless Chromium driven by Playwright's Python package.

The page is served by an in-process gateway with the webchat plugin and talks to it over the real
WebSocket API, answered by the built-in offline agent. Never ``playwright install``: the browser is
``/usr/bin/chromium`` (``apt-get install chromium``; .ci/run installs it when missing).
"""

from __future__ import annotations

import struct
import time
import zlib
from pathlib import Path
from typing import Any

import anyio
import openclaw_gateway_webchat as webchat
import pytest
from playwright.async_api import expect

from openclaw_gateway.agent.provider import OfflineProvider
from openclaw_gateway.state import sessions as store

from wire import TOKEN, operator

pytestmark = [pytest.mark.anyio, pytest.mark.slow]

OFFLINE_START = "No model is configured"


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
        partial = (partial or "").strip()  # rendered Markdown: the source newline after <p>
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
        (conn,) = [
            c for c in gw.hub.connections.values() if c.client and c.client.id == "webchat-ui"
        ]
        conn.seq += 3
        gw.broadcast("tick", {"ts": now})
        await expect(page.locator(".msg.user .body", has_text="missed")).to_have_count(
            1, timeout=10_000
        )


def png(width: int = 24, height: int = 16, rgb: tuple[int, int, int] = (217, 72, 15)) -> bytes:
    """A real (decodable) PNG of one colour, so the page's thumbnail actually renders."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    row = b"\x00" + bytes(rgb) * width
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )


async def history_of(gw: Any) -> list[dict[str, Any]]:
    """The main session's transcript as another operator client sees it."""
    peer = await operator(gw.port, TOKEN, scopes=["operator.read"])
    try:
        res = await peer.request("chat.history", {"sessionKey": "main"})
    finally:
        await peer.ws.close()
    assert res["ok"], res
    return res["payload"]["messages"]


async def test_attach_an_image_and_a_file_send_them_and_see_them_after_a_reload(
    gateway_factory, browser, tmp_path
):
    image = tmp_path / "red-dot.png"
    image.write_bytes(png(320, 200))
    notes = tmp_path / "notes.txt"
    notes.write_text("remember the milk\n")
    async with gateway_factory(extra_plugins=(webchat,)) as gw:
        context = await browser(viewport={"width": 1200, "height": 800})
        page = await open_chat(context, gw)
        # the paperclip is a labelled button that opens the file picker
        async with page.expect_file_chooser() as chooser_info:
            await page.get_by_role("button", name="Attach files").click()
        chooser = await chooser_info.value
        assert chooser.is_multiple()
        await chooser.set_files([str(image), str(notes)])

        chips = page.locator("#chips .chip")
        await expect(chips).to_have_count(2)
        assert await chips.nth(0).locator(".chip-name").text_content() == "red-dot.png"
        assert await chips.nth(1).locator(".chip-name").text_content() == "notes.txt"
        assert await chips.nth(1).locator(".chip-size").text_content() == "18 B"
        # the image chip shows its thumbnail (an object URL the CSP allows)
        thumb = chips.nth(0).locator("img.chip-thumb")
        assert (await thumb.get_attribute("src")).startswith("blob:")
        await expect(thumb).to_have_js_property("naturalWidth", 320)
        # a chip goes away with its remove button, from the keyboard too
        await page.get_by_role("button", name="Remove notes.txt").focus()
        await page.keyboard.press("Enter")
        await expect(chips).to_have_count(1)
        # the keyboard stays on the chips (the one left), not lost on <body>
        label = await page.evaluate("document.activeElement.getAttribute('aria-label')")
        assert label == "Remove red-dot.png"
        await page.set_input_files("#file", [str(notes)])  # and back
        await expect(chips).to_have_count(2)

        await send(page, "what is this?")
        await page.wait_for_selector('.msg.assistant[data-run-state="done"]', timeout=15_000)
        await expect(chips).to_have_count(0)
        assert await page.locator("#chips").is_hidden()
        reply = await page.locator(".msg.assistant .body").last.text_content()
        assert f"You sent 1 image(s): image/png {image.stat().st_size} bytes." in reply
        # the text file reached the agent too (small text files are shown to it inline)
        assert 'You said: "what is this?' in reply and "remember the milk" in reply
        mine = page.locator(".msg.user").last
        assert await mine.locator(".body").text_content() == "what is this?"
        sent_thumb = mine.locator(".file.thumb img")
        assert await sent_thumb.get_attribute("alt") == "red-dot.png"
        await expect(sent_thumb).to_have_js_property("naturalWidth", 320)
        assert await mine.locator(".file:not(.thumb)").text_content() == "notes.txt · 18 B"
        shot = tmp_path / "webchat-attachments.png"
        await page.screenshot(path=str(shot))
        print(f"\nWebChat screenshot: {shot}")

        # the transcript has references, not bytes; after a reload the page shows chips
        user = (await history_of(gw))[0]
        assert [p["type"] for p in user["content"]] == ["text", "image", "file"]
        assert user["content"][1]["fileName"] == "red-dot.png"
        assert user["content"][2]["mimeType"] == "text/plain"
        await page.reload()
        await page.wait_for_selector('#conn[data-state="online"]', timeout=10_000)
        files = page.locator(".msg.user .file")
        await expect(files).to_have_count(2, timeout=10_000)
        size = f"{image.stat().st_size} B"
        assert await files.all_text_contents() == [f"red-dot.png · {size}", "notes.txt · 18 B"]
        assert await page.locator(".msg.user img").count() == 0  # history has no bytes
        shot2 = tmp_path / "webchat-attachments-history.png"
        await page.screenshot(path=str(shot2))
        print(f"\nWebChat screenshot: {shot2}")


async def test_too_large_and_too_many_files_are_refused_in_the_page(
    gateway_factory, browser, tmp_path
):
    big = tmp_path / "huge-photo.png"
    big.write_bytes(png() + bytes(6_291_456))  # one byte per pixel over the image limit
    small = []
    for i in range(11):
        path = tmp_path / f"a-rather-long-file-name-for-a-phone-screen-{i:02}.csv"
        path.write_text(f"n,{i}\n")
        small.append(str(path))
    async with gateway_factory(extra_plugins=(webchat,)) as gw:
        context = await browser(
            viewport={"width": 375, "height": 740}, device_scale_factor=2, is_mobile=True
        )
        page = await open_chat(context, gw)
        error = page.locator("#attach-error")

        await page.set_input_files("#file", [str(big)])
        await expect(error).to_be_visible()
        message = await error.text_content()
        assert "huge-photo.png" in message and "over the 6 MB limit for images" in message
        assert await page.get_attribute("#attach-error", "role") == "alert"
        await expect(page.locator("#chips .chip")).to_have_count(0)
        await page.press("#input", "Enter")  # nothing to send: no text, no files
        await page.click("#send")

        await page.set_input_files("#file", small)
        await expect(page.locator("#chips .chip")).to_have_count(10)
        assert "1 file — at most 10 files per message" in await error.text_content()
        widths = await page.evaluate(
            "() => [document.documentElement.scrollWidth, window.innerWidth]"
        )
        assert widths[0] <= widths[1], widths  # long names are cut short, not overflowing
        for selector in ("#attach", "#send", "#input", "#chips"):
            box = await page.locator(selector).bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 375, selector
        shot = tmp_path / "webchat-attach-refused.png"
        await page.screenshot(path=str(shot))
        print(f"\nWebChat screenshot: {shot}")

        await page.wait_for_timeout(300)
        assert await page.locator(".msg").count() == 0  # no bubble …
        assert await history_of(gw) == []  # … and the gateway got no run


async def test_paste_and_drop_attach_files_and_a_message_may_be_only_files(
    gateway_factory, browser
):
    async with gateway_factory(extra_plugins=(webchat,)) as gw:
        context = await browser()
        page = await open_chat(context, gw)
        data = list(png())
        # what a browser fires for a file dropped on the chat and a screenshot pasted
        await page.evaluate(
            """(bytes) => {
                const file = (name) => new File([new Uint8Array(bytes)], name, {type: 'image/png'});
                const drop = new DataTransfer();
                drop.items.add(file('dropped.png'));
                const log = document.getElementById('log');
                log.dispatchEvent(new DragEvent('dragenter', {dataTransfer: drop, bubbles: true}));
                window.dropShown = !document.getElementById('drop').hidden;
                log.dispatchEvent(new DragEvent('drop',
                    {dataTransfer: drop, bubbles: true, cancelable: true}));
                const clip = new DataTransfer();
                clip.items.add(file('image.png'));
                document.getElementById('input').dispatchEvent(new ClipboardEvent('paste',
                    {clipboardData: clip, bubbles: true, cancelable: true}));
            }""",
            data,
        )
        assert await page.evaluate("window.dropShown")
        assert await page.locator("#drop").is_hidden()
        names = await page.locator("#chips .chip-name").all_text_contents()
        assert names[0] == "dropped.png"
        assert names[1].startswith("pasted-") and names[1].endswith(".png"), names

        await page.press("#input", "Enter")  # no text: the files alone are the message
        await page.wait_for_selector('.msg.assistant[data-run-state="done"]', timeout=15_000)
        reply = await page.locator(".msg.assistant .body").last.text_content()
        size = len(png())
        assert f"You sent 2 image(s): image/png {size} bytes, image/png {size} bytes." in reply
        mine = page.locator(".msg.user").last
        await expect(mine.locator(".file.thumb img")).to_have_count(2)
        assert await mine.locator(".body").is_hidden()
        user = (await history_of(gw))[0]
        assert user["content"][0] == {"type": "text", "text": ""}


async def test_an_unavailable_attachment_shows_why(gateway_factory, browser):
    async with gateway_factory(extra_plugins=(webchat,)) as gw:
        now = int(time.time() * 1000)
        body = {
            "role": "user",
            "content": [
                {"type": "text", "text": "see attached"},
                {"type": "file", "fileName": "scan.pdf", "unavailable": "too large (40 MB)"},
            ],
            "timestamp": now,
        }
        await gw.db.run(store.append_message, gw.db.conn, "agent:main:main", None, body, now)
        context = await browser()
        page = await open_chat(context, gw)
        item = page.locator(".msg.user .file.unavailable")
        await expect(item).to_have_text("scan.pdf · unavailable: too large (40 MB)")


async def test_the_link_page_shows_whatsapps_qr_code_as_an_image(
    gateway_factory, browser, tmp_path: Path, monkeypatch
) -> None:
    import openclaw_gateway_whatsapp
    from openclaw_gateway_whatsapp import linked as linked_module

    from fakes.neonize_client import Clients

    clients = Clients()
    monkeypatch.setattr(linked_module, "neonize_client", clients)
    plugins = {"whatsapp": {"accounts": {"default": {"lock_path": str(tmp_path / "wa.lock")}}}}
    async with gateway_factory(
        extra_plugins=(webchat, openclaw_gateway_whatsapp), plugins=plugins
    ) as gw:
        with anyio.fail_after(10):
            while gw.channels.accounts[("whatsapp", "default")].state != "needs-login":
                await anyio.sleep(0.02)
        context = await browser()
        page = await context.new_page()
        url = f"http://127.0.0.1:{gw.plugin_report['http']['port']}/link#token={TOKEN}"
        await page.goto(url)
        with anyio.fail_after(10):
            while not (clients.built and clients.last.running):
                await anyio.sleep(0.02)
        await clients.last.show_qr("2@browser-code")
        qr = page.locator("#link-qr")
        await expect(qr).to_be_visible(timeout=10_000)
        src = await qr.get_attribute("src")
        assert src is not None and src.startswith("data:image/png;base64,")
        assert "#token" not in page.url  # the token left the address bar
        await expect(page.locator("#link-message")).to_contain_text("Scan this QR code")
        await anyio.sleep(0.2)  # the page is now waiting (web.login.wait)
        await clients.last.pair()
        await expect(page.locator("#link-message")).to_have_text(
            "Linked as +15550100100.", timeout=10_000
        )
        await expect(qr).to_be_hidden()


MARKDOWN = """**bold** and `inline`

```
print("hi")
```

- one
- two

| a | b |
|---|---|
| 1 | 2 |

[docs](https://example.com/docs)"""

HOSTILE = [
    "<script>window.__pwned = 1</script>",
    '<img src=x onerror="window.__pwned = 2">',
    "[click](javascript:window.__pwned=3)",
    '<iframe src="javascript:window.__pwned=4"></iframe>',
    '<svg onload="window.__pwned=5"></svg>',
    "[x](data:text/html,<script>window.__pwned=6</script>)",
    '<a href="javascript:window.__pwned=7">a</a>',
    '<details open ontoggle="window.__pwned=8">d</details>',
    '![img](x" onerror="window.__pwned=9)',
    '<form action="javascript:window.__pwned=10"><button>go</button></form>',
    "<style>body{display:none}</style>",
    "``` \n</code></pre><script>window.__pwned=11</script>\n```",
]


async def test_the_assistants_markdown_is_rendered_and_sanitized(gateway_factory, browser):
    async with gateway_factory(extra_plugins=(webchat,)) as gw:
        context = await browser(viewport={"width": 1200, "height": 800})
        page = await open_chat(context, gw)
        await send(page, MARKDOWN)  # the offline agent echoes it back inside its reply
        await page.wait_for_selector('.msg.assistant[data-run-state="done"]', timeout=15_000)
        reply = page.locator(".msg.assistant .body").last
        assert await reply.locator("strong").first.text_content() == "bold"
        assert 'print("hi")' in (await reply.locator("pre code").text_content() or "")
        assert await reply.locator("pre button.copy").count() == 1
        assert await reply.locator("ul > li").all_text_contents() == ["one", "two"]
        assert await reply.locator("td").all_text_contents() == ["1", "2"]
        link = reply.locator("a[href='https://example.com/docs']")
        assert await link.get_attribute("rel") == "noopener noreferrer nofollow"
        assert await link.get_attribute("target") == "_blank"
        # the user's own bubble shows what they typed, literally
        assert (await page.locator(".msg.user .body").last.text_content()) == MARKDOWN

        for i, attack in enumerate(HOSTILE):
            await send(page, attack)
            done = page.locator('.msg.assistant[data-run-state="done"]')
            with anyio.fail_after(15):  # (the page's CSP forbids wait_for_function's eval)
                while await done.count() < i + 2:
                    await anyio.sleep(0.05)
        await page.reload()  # the history is rendered by the same path
        await page.wait_for_selector('#conn[data-state="online"]', timeout=10_000)
        await page.wait_for_selector(".msg.assistant", timeout=10_000)
        await anyio.sleep(0.5)
        assert await page.evaluate("window.__pwned") is None
        log = page.locator("#log")
        for tag in ("script", "iframe", "svg", "img", "form", "style", "details"):
            assert await log.locator(tag).count() == 0, tag
        hrefs = await page.eval_on_selector_all(
            "#log a", "els => els.map(e => e.getAttribute('href'))"
        )
        assert all(h is None or h.startswith(("https:", "http:", "mailto:", "#")) for h in hrefs), (
            hrefs
        )
        handlers = await page.evaluate(
            "Array.from(document.querySelectorAll('#log *')).flatMap(e => Array.from(e.attributes)"
            ".map(a => a.name)).filter(n => n.startsWith('on'))"
        )
        assert handlers == []


async def test_shift_enter_is_a_newline_and_the_header_fits_a_phone(gateway_factory, browser):
    async with gateway_factory(extra_plugins=(webchat,)) as gw:
        context = await browser(viewport={"width": 360, "height": 740})
        page = await open_chat(context, gw)
        await page.click("#input")
        await page.keyboard.type("first line")
        await page.keyboard.press("Shift+Enter")
        await page.keyboard.type("second line")
        assert await page.input_value("#input") == "first line\nsecond line"
        assert await page.locator(".msg.user").count() == 0  # nothing was sent
        await page.keyboard.press("Enter")
        await page.wait_for_selector(".msg.user", timeout=10_000)
        assert (
            await page.locator(".msg.user .body").last.text_content() == "first line\nsecond line"
        )
        widths = await page.evaluate(
            "[document.documentElement.scrollWidth, document.querySelector('.topbar').scrollWidth]"
        )
        assert max(widths) <= 360, widths
