"""One Signal account through signal-cli's JSON-RPC HTTP daemon.

``run``: in ``managed`` mode start ``signal-cli -a <account> daemon --http 127.0.0.1:<port>`` as a
child (its exit ends ``run`` with the reason, and the core restarts the account with backoff:
visible in ``channels status``); in ``external`` mode use ``url``. Then wait for ``GET
/api/v1/check`` and read ``GET /api/v1/events`` (server-sent events) for good, reconnecting with
backoff. Each event has an id: the last one handled is saved (``ctx.save_cursor``) and sent back
as ``Last-Event-ID``, so neither a dropped stream nor a gateway restart replays a message.

Sends are ``POST /api/v1/rpc`` JSON-RPC calls: ``send`` (text, quotes, attachments as data URIs —
never a path, which signal-cli would open), ``sendTyping``, ``sendReceipt``, ``getAttachment``.
"""

from __future__ import annotations

import base64
import binascii
import itertools
import json
import socket
import subprocess
from collections.abc import AsyncIterator
from typing import Any

import anyio
import httpx
from anyio.abc import Process, TaskGroup

from openclaw_gateway.api import (
    Attachment,
    AttachmentError,
    Backoff,
    ChannelAdapter,
    ChannelContext,
    OutboundMessage,
    PermanentSendError,
    SendResult,
    TransientSendError,
    check_attachment_size,
)

from .config import TEXT_LIMIT, SignalAccount
from .inbound import GROUP_PREFIX, Skipped, envelope_of, to_inbound

RECONNECT = Backoff(first=1.0, cap=30.0, jitter=True)
PERMANENT_HINTS = ("not registered", "unregistered", "invalid", "not a member", "unknown group")


class DaemonExited(RuntimeError):
    """The managed signal-cli process ended (the core restarts the account with backoff)."""


async def sse_events(lines: AsyncIterator[str]) -> AsyncIterator[tuple[str | None, str]]:
    """``(id, data)`` of each server-sent event (comments and other fields skipped)."""
    event_id: str | None = None
    data: list[str] = []
    async for line in lines:
        if line == "":
            if data:
                yield event_id, "\n".join(data)
            event_id, data = None, []
            continue
        if line.startswith(":"):
            continue
        name, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if name == "data":
            data.append(value)
        elif name == "id":
            event_id = value


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class SignalAdapter(ChannelAdapter):
    text_limit = TEXT_LIMIT
    markup = "plain"

    def __init__(self, ctx: ChannelContext) -> None:
        assert isinstance(ctx.config, SignalAccount)
        self.ctx = ctx
        self.config = ctx.config
        self.base_url: str | None = ctx.config.url
        self.http = httpx.AsyncClient(
            timeout=httpx.Timeout(30.0, connect=5.0), follow_redirects=False
        )
        self.last_event_id: str | None = None
        self.bot_uuid: str | None = None
        self.process: Process | None = None
        self.daemon_log: list[str] = []
        self._ids = itertools.count(1)
        self._newest: dict[str, tuple[str, int]] = {}  # chat → (sender, timestamp) last received

    # -- lifecycle ----------------------------------------------------------------------------

    async def run(self) -> None:
        self.last_event_id = await self.ctx.load_cursor()
        try:
            async with anyio.create_task_group() as tg:
                if self.config.mode == "managed" and not await self._start_daemon(tg):
                    return
                await self._wait_ready()
                await self._read_events()
        except BaseExceptionGroup as group:
            # One cause (the daemon exited, a refused start): the core shows it as it is.
            if len(group.exceptions) == 1 and isinstance(group.exceptions[0], Exception):
                raise group.exceptions[0] from None
            raise
        finally:
            with anyio.CancelScope(shield=True):
                await self._stop_daemon()
                await self.http.aclose()

    async def _start_daemon(self, tg: TaskGroup) -> bool:
        config = self.config
        port = config.http_port or free_port()
        args = [config.cli_path, "-a", config.account]
        if config.data_dir is not None:
            args += ["--config", str(config.data_dir)]
        args += ["daemon", "--http", f"127.0.0.1:{port}"]
        try:
            self.process = await anyio.open_process(
                args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
            )
        except FileNotFoundError:
            detail = (
                f"{config.cli_path} not found: install signal-cli (docs/channels/signal.md) or set"
                f" plugins.signal.accounts.{self.ctx.account}.cli_path"
            )
            self.ctx.set_status("not-installed", detail)
            self.ctx.log.error("signal[%s]: %s", self.ctx.account, detail)
            await anyio.sleep_forever()
            return False
        self.base_url = f"http://127.0.0.1:{port}"
        tg.start_soon(self._watch_daemon, self.process)
        return True

    async def _watch_daemon(self, process: Process) -> None:
        """Keep the daemon's last lines of output; when it exits, end ``run`` with them."""
        if process.stderr is not None:
            pending = ""
            async for chunk in process.stderr:
                pending += chunk.decode(errors="replace")
                *lines, pending = pending.split("\n")
                self._keep(lines)
            self._keep([pending])
        code = await process.wait()
        last = self.daemon_log[-1] if self.daemon_log else "no output"
        raise DaemonExited(f"signal-cli exited with code {code}: {last}")

    def _keep(self, lines: list[str]) -> None:
        for line in lines:
            if line.strip():
                self.daemon_log = [*self.daemon_log[-19:], line.strip()]
                self.ctx.log.debug("signal-cli: %s", line)

    async def _stop_daemon(self) -> None:
        process, self.process = self.process, None
        if process is None or process.returncode is not None:
            return
        process.terminate()
        with anyio.move_on_after(5):
            await process.wait()
            return
        process.kill()

    async def _wait_ready(self) -> None:
        deadline = anyio.current_time() + self.config.start_timeout_s
        self.ctx.set_status("starting", f"waiting for signal-cli at {self.base_url}")
        while True:
            try:
                response = await self.http.get(f"{self.base_url}/api/v1/check", timeout=5)
                if response.status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if anyio.current_time() > deadline:
                raise TransientSendError(
                    f"signal-cli at {self.base_url} did not answer /api/v1/check"
                )
            await anyio.sleep(0.2)

    async def _read_events(self) -> None:
        failures = 0
        while True:
            headers = {"Accept": "text/event-stream"}
            if self.last_event_id:
                headers["Last-Event-ID"] = self.last_event_id
            try:
                async with self.http.stream(
                    "GET",
                    f"{self.base_url}/api/v1/events",
                    headers=headers,
                    timeout=httpx.Timeout(None, connect=5.0),
                ) as response:
                    if response.status_code != 200:
                        raise TransientSendError(f"/api/v1/events answered {response.status_code}")
                    failures = 0
                    self.ctx.set_status("connected", f"{self.config.account} via {self.base_url}")
                    async for event_id, data in sse_events(response.aiter_lines()):
                        await self._handle(event_id, data)
                detail = "signal-cli closed the event stream"
            except (httpx.HTTPError, TransientSendError) as exc:
                detail = f"{type(exc).__name__}: {exc}"
            if self.process is not None and self.process.returncode is not None:
                await anyio.sleep(1)  # the watcher is about to end run with the daemon's reason
            failures += 1
            delay = RECONNECT.delay(failures)
            self.ctx.set_status("reconnecting", f"{detail}; again in {delay:.1f}s")
            await anyio.sleep(delay)

    async def _handle(self, event_id: str | None, data: str) -> None:
        try:
            event = json.loads(data)
        except ValueError:
            self.ctx.count("skipped:malformed")
        else:
            envelope, _account = envelope_of(event)
            if envelope is None:
                self.ctx.count("skipped:malformed")
            else:
                message = to_inbound(
                    envelope,
                    account_name=self.ctx.account,
                    bot_number=self.config.account,
                    bot_uuid=self.bot_uuid,
                )
                if isinstance(message, Skipped):
                    self.ctx.count(message.reason)
                else:
                    self._newest[message.chat_id] = (message.sender_id, message.ts_ms)
                    await self.ctx.deliver(message)  # raises at shutdown: not confirmed, replayed
        if event_id:
            self.last_event_id = event_id
            await self.ctx.save_cursor(event_id)

    # -- JSON-RPC -----------------------------------------------------------------------------

    async def rpc(self, method: str, params: dict[str, Any]) -> Any:
        if self.base_url is None:
            raise TransientSendError("signal-cli is not running")
        request = {"jsonrpc": "2.0", "id": next(self._ids), "method": method, "params": params}
        try:
            response = await self.http.post(f"{self.base_url}/api/v1/rpc", json=request)
        except httpx.HTTPError as exc:
            raise TransientSendError(
                f"signal-cli unreachable: {type(exc).__name__}: {exc}"
            ) from exc
        if response.status_code >= 500:
            raise TransientSendError(f"signal-cli answered {response.status_code}")
        try:
            body = response.json()
        except ValueError:
            raise TransientSendError(
                f"signal-cli answered {response.status_code}, not JSON"
            ) from None
        error = body.get("error") if isinstance(body, dict) else None
        if error:
            message = str(error.get("message") if isinstance(error, dict) else error)
            if any(hint in message.lower() for hint in PERMANENT_HINTS):
                raise PermanentSendError(f"signal-cli {method}: {message}")
            raise TransientSendError(f"signal-cli {method}: {message}")
        return body.get("result") if isinstance(body, dict) else None

    @staticmethod
    def _target(chat_id: str) -> dict[str, Any]:
        if chat_id.startswith(GROUP_PREFIX):
            return {"groupId": chat_id.removeprefix(GROUP_PREFIX)}
        return {"recipient": [chat_id]}

    async def send(self, message: OutboundMessage) -> SendResult:
        params: dict[str, Any] = self._target(message.chat_id)
        params["message"] = message.text
        if message.reply_to:
            timestamp, _, author = message.reply_to.partition(":")
            if timestamp.isdigit() and author:
                params["quoteTimestamp"] = int(timestamp)
                params["quoteAuthor"] = author
        if message.attachments:
            urls = []
            for attachment in message.attachments:
                if attachment.data is None:
                    raise PermanentSendError("a Signal attachment needs its bytes (data)")
                mime = attachment.mime or "application/octet-stream"
                name = (attachment.name or "file").replace(";", "_").replace(",", "_")
                b64 = base64.b64encode(attachment.data).decode()
                urls.append(f"data:{mime};filename={name};base64,{b64}")
            params["attachments"] = urls
        result = await self.rpc("send", params)
        sent_at = result.get("timestamp") if isinstance(result, dict) else None
        return SendResult(message_id=f"{sent_at}:{self.config.account}" if sent_at else None)

    async def typing(self, chat_id: str, thread_id: str | None) -> None:
        """Show "typing…" in the chat, and (with ``read_receipts``) send a read receipt for its newest
        message."""
        newest = self._newest.get(chat_id)
        if self.config.read_receipts and newest is not None:
            sender, timestamp = newest
            await self.rpc(
                "sendReceipt",
                {"recipient": [sender], "targetTimestamp": [timestamp], "type": "read"},
            )
        await self.rpc("sendTyping", self._target(chat_id))

    async def fetch_attachment(self, attachment: Attachment, *, max_bytes: int) -> bytes:
        check_attachment_size(attachment.size, max_bytes)
        if not attachment.file_id:
            raise AttachmentError("the attachment has no id")
        try:
            result = await self.rpc("getAttachment", {"id": attachment.file_id})
        except (TransientSendError, PermanentSendError) as exc:
            raise AttachmentError(str(exc)) from None
        encoded: Any = result.get("data") if isinstance(result, dict) else result
        if not isinstance(encoded, str):
            raise AttachmentError("signal-cli returned no attachment data")
        if len(encoded) > (max_bytes * 4) // 3 + 8:
            raise AttachmentError(f"the file is over the {max_bytes}-byte limit")
        try:
            data = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            raise AttachmentError("signal-cli returned undecodable attachment data") from None
        if len(data) > max_bytes:
            raise AttachmentError(f"the file is over the {max_bytes}-byte limit")
        return data

    async def probe(self) -> dict[str, Any]:
        try:
            response = await self.http.get(f"{self.base_url}/api/v1/check", timeout=5)
        except httpx.HTTPError as exc:
            return {"ok": False, "live": True, "error": f"{type(exc).__name__}: {exc}"}
        return {
            "ok": response.status_code == 200,
            "live": True,
            "account": self.config.account,
            "mode": self.config.mode,
            "daemon": self.base_url,
            "lastEventId": self.last_event_id,
        }
