"""One Mac's Messages through ``imsg rpc``: line-delimited JSON-RPC 2.0 over the child's stdio
(protocol: the imsg project's docs/rpc.md).

``run`` starts ``<cli_path> <args…> rpc`` (``cli_path`` may be a wrapper running imsg on the Mac
over SSH), subscribes with ``watch.subscribe {since_rowid, attachments: true}`` and hands every
``message`` notification to the core; the rowid of the last one handled is saved
(``ctx.save_cursor``), so a restarted bridge (or gateway) resumes after it and answers nothing
twice. The child's exit ends ``run`` with its last words (the core restarts it with backoff); a
line that is not JSON-RPC is logged and skipped. Missing macOS permissions (Full Disk Access for
the Messages database, Automation for sending) stop the account with the fix named.
"""

from __future__ import annotations

import itertools
import json
import subprocess
import time
import uuid
from pathlib import Path
from typing import Any

import anyio
from anyio.abc import ByteReceiveStream, Process
from anyio.streams.text import TextReceiveStream

from openclaw_gateway.api import (
    Attachment,
    AttachmentError,
    AuthError,
    ChannelAdapter,
    ChannelContext,
    OutboundMessage,
    PermanentSendError,
    SendResult,
    TransientSendError,
    check_attachment_size,
)

from .config import TEXT_LIMIT, IMessageAccount
from .inbound import Skipped, target_params, to_inbound

PERMISSION_HINTS = ("authorization denied", "full disk access", "not authorized", "permission")
FIX = (
    "grant Full Disk Access to the process running imsg (System Settings → Privacy & Security →"
    " Full Disk Access: the terminal, or sshd for an SSH wrapper) and allow it to control"
    " Messages (Privacy & Security → Automation)"
)
REQUEST_TIMEOUT_S = 30.0
OUTBOX_TTL_S = 3600


class BridgeExited(RuntimeError):
    """``imsg rpc`` ended; the core restarts the account with backoff."""


class IMessageAdapter(ChannelAdapter):
    text_limit = TEXT_LIMIT
    markup = "plain"

    def __init__(self, ctx: ChannelContext) -> None:
        assert isinstance(ctx.config, IMessageAccount)
        self.ctx = ctx
        self.config = ctx.config
        self.mention_names = [n.lower() for n in ctx.config.mention_names]
        self.process: Process | None = None
        self.since_rowid: int | None = None
        self.last_words: list[str] = []
        self._ids = itertools.count(1)
        self._pending: dict[int, tuple[anyio.Event, list[Any]]] = {}
        self._attachments: dict[str, str] = {}  # file_id → the Mac path imsg reported

    # -- lifecycle ----------------------------------------------------------------------------

    async def run(self) -> None:
        cursor = await self.ctx.load_cursor()
        self.since_rowid = int(cursor) if cursor and cursor.isdigit() else None
        args = [self.config.cli_path, *self.config.args, "rpc"]
        try:
            process = await anyio.open_process(
                args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE
            )
        except FileNotFoundError:
            detail = f"{self.config.cli_path} not found: install imsg on the Mac (docs/channels/imessage.md)"
            self.ctx.set_status("not-installed", detail)
            await anyio.sleep_forever()
            return
        self.process = process
        try:
            async with anyio.create_task_group() as tg:
                tg.start_soon(self._read_stdout, process)
                tg.start_soon(self._read_stderr, process)
                params: dict[str, Any] = {"attachments": True}
                if self.since_rowid is not None:
                    params["since_rowid"] = self.since_rowid
                try:
                    await self.request("watch.subscribe", params)
                except TransientSendError as exc:
                    self._refuse_if_permissions(str(exc))
                    raise
                self.ctx.set_status("connected", f"watching Messages via {self.config.cli_path}")
                code = await process.wait()
                await anyio.sleep(0.05)  # let the readers take the last lines
                words = self.last_words[-1] if self.last_words else "no output"
                self._refuse_if_permissions(" ".join(self.last_words))
                raise BridgeExited(f"imsg rpc exited with code {code}: {words}")
        except BaseExceptionGroup as group:
            if len(group.exceptions) == 1 and isinstance(group.exceptions[0], Exception):
                raise group.exceptions[0] from None
            raise
        finally:
            with anyio.CancelScope(shield=True):
                await self._stop(process)

    async def _stop(self, process: Process) -> None:
        self.process = None
        for _event, box in self._pending.values():
            box.append({"error": {"message": "imsg rpc stopped"}})
            _event.set()
        if process.returncode is None:
            process.terminate()
            with anyio.move_on_after(5):
                await process.wait()
                return
            process.kill()

    def _refuse_if_permissions(self, text: str) -> None:
        if any(hint in text.lower() for hint in PERMISSION_HINTS):
            detail = f"imsg lacks a macOS permission ({text.strip()[:200]}): {FIX}"
            self.ctx.set_status("permission-denied", detail)
            raise AuthError(detail)

    async def _lines(self, stream: ByteReceiveStream) -> Any:
        buffer = ""
        async for chunk in TextReceiveStream(stream, errors="replace"):
            buffer += chunk
            while "\n" in buffer:
                line, buffer = buffer.split("\n", 1)
                yield line

    async def _read_stdout(self, process: Process) -> None:
        assert process.stdout is not None
        async for line in self._lines(process.stdout):
            if not line.strip():
                continue
            try:
                frame = json.loads(line)
            except ValueError:
                frame = None
            if not isinstance(frame, dict):
                self.ctx.count("skipped:garbage")
                self.ctx.log.warning(
                    "imessage[%s]: not JSON-RPC, skipped: %.200r", self.ctx.account, line
                )
                continue
            if "id" in frame and frame["id"] in self._pending:
                event, box = self._pending.pop(frame["id"])
                box.append(frame)
                event.set()
            elif frame.get("method") == "message":
                await self._on_message(frame.get("params"))
            elif frame.get("method") == "error":
                error = str((frame.get("params") or {}).get("error"))
                self.ctx.log.warning("imessage[%s]: watcher error: %s", self.ctx.account, error)
                self._refuse_if_permissions(error)

    async def _read_stderr(self, process: Process) -> None:
        assert process.stderr is not None
        async for line in self._lines(process.stderr):
            if line.strip():
                self.last_words = [*self.last_words[-19:], line.strip()]
                self.ctx.log.debug("imsg: %s", line)

    async def _on_message(self, params: Any) -> None:
        message = params.get("message") if isinstance(params, dict) else None
        if not isinstance(message, dict):
            self.ctx.count("skipped:malformed")
            return
        inbound = to_inbound(message, account=self.ctx.account, mention_names=self.mention_names)
        rowid = message.get("id")
        if isinstance(inbound, Skipped):
            self.ctx.count(inbound.reason)
        else:
            for att in message.get("attachments") or ():
                if isinstance(att, dict) and isinstance(att.get("original_path"), str):
                    self._attachments[f"{rowid}:{att.get('filename')}"] = att["original_path"]
            await self.ctx.deliver(inbound)
        if isinstance(rowid, int):
            self.since_rowid = rowid
            await self.ctx.save_cursor(str(rowid))

    # -- requests -----------------------------------------------------------------------------

    async def request(self, method: str, params: dict[str, Any]) -> Any:
        process = self.process
        if process is None or process.stdin is None or process.returncode is not None:
            raise TransientSendError("imsg rpc is not running")
        rid = next(self._ids)
        event, box = anyio.Event(), list[Any]()
        self._pending[rid] = (event, box)
        line = json.dumps({"jsonrpc": "2.0", "id": rid, "method": method, "params": params})
        try:
            await process.stdin.send(line.encode() + b"\n")
            with anyio.fail_after(REQUEST_TIMEOUT_S):
                await event.wait()
        except (anyio.BrokenResourceError, anyio.ClosedResourceError) as exc:
            raise TransientSendError(f"imsg rpc went away: {exc}") from None
        except TimeoutError:
            raise TransientSendError(f"imsg rpc did not answer {method}") from None
        finally:
            self._pending.pop(rid, None)
        frame = box[0]
        error = frame.get("error")
        if error:
            message = str(error.get("message") if isinstance(error, dict) else error)
            code = error.get("code") if isinstance(error, dict) else None
            if code == -32602 or "unknown chat" in message.lower():
                raise PermanentSendError(f"imsg {method}: {message}")
            raise TransientSendError(f"imsg {method}: {message}")
        return frame.get("result")

    async def send(self, message: OutboundMessage) -> SendResult:
        target = target_params(message.chat_id)
        if message.text:
            await self.request(
                "send", {**target, "text": message.text, "service": self.config.service}
            )
        for attachment in message.attachments:
            path = await anyio.to_thread.run_sync(self._outbox_file, attachment)
            await self.request(
                "send", {**target, "file": str(path), "service": self.config.service}
            )
        return SendResult(message_id=None)  # imsg answers {"ok": true}: no id for what it sent

    def _outbox_file(self, attachment: Attachment) -> Path:
        """The bytes in a file of our own (imsg sends files by path; never a client's path).
        Valid when imsg runs on this host; an SSH wrapper would need the file on the Mac."""
        if attachment.data is None:
            raise PermanentSendError("an iMessage attachment needs its bytes (data)")
        if self.ctx.data_dir is None:
            raise PermanentSendError("no data directory for outgoing iMessage files")
        outbox = self.ctx.data_dir / "outbox"
        outbox.mkdir(mode=0o700, exist_ok=True)
        for old in outbox.iterdir():
            if old.stat().st_mtime < time.time() - OUTBOX_TTL_S:
                old.unlink(missing_ok=True)
        name = Path(attachment.name or "file").name.replace("/", "_") or "file"
        path = outbox / f"{uuid.uuid4().hex[:12]}-{name}"
        path.write_bytes(attachment.data)
        path.chmod(0o600)
        return path

    async def typing(self, chat_id: str, thread_id: str | None) -> None:
        target = target_params(chat_id)
        if self.config.read_receipts:
            await self.request("read", target)
        await self.request("typing", target)

    async def fetch_attachment(self, attachment: Attachment, *, max_bytes: int) -> bytes:
        """Read the file imsg reported, only from under ``attachments_root`` (on the Mac)."""
        check_attachment_size(attachment.size, max_bytes)
        original = self._attachments.get(attachment.file_id or "")
        if original is None:
            raise AttachmentError("no path for this attachment")
        root = self.config.attachments_root

        def read() -> bytes:
            path = Path(original).expanduser().resolve()
            if not path.is_relative_to(root.resolve()):
                raise AttachmentError("the attachment is outside the Messages attachments folder")
            if not path.is_file():
                raise AttachmentError("the attachment is not on this host (imsg runs elsewhere?)")
            with path.open("rb") as fh:
                data = fh.read(max_bytes + 1)
            if len(data) > max_bytes:
                raise AttachmentError(f"the file is over the {max_bytes}-byte limit")
            return data

        return await anyio.to_thread.run_sync(read)

    async def probe(self) -> dict[str, Any]:
        try:
            result = await self.request("chats.list", {"limit": 1})
        except (TransientSendError, PermanentSendError) as exc:
            return {"ok": False, "live": True, "error": str(exc)}
        return {"ok": True, "live": True, "chats": len((result or {}).get("chats", []))}
