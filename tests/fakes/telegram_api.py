"""A fake Telegram Bot API server on 127.0.0.1 that speaks the real wire format.

It serves ``POST /bot<token>/<method>`` (JSON, form-encoded or multipart bodies, as
python-telegram-bot sends them) and ``GET /file/bot<token>/<path>`` downloads, with Telegram's
response envelope ``{"ok": true, "result": …}`` / ``{"ok": false, "error_code": …,
"description": …, "parameters": …}``. Methods: getMe, getUpdates (long polling, offset
confirmation, 409 when a second poller or a webhook is active), deleteWebhook, setWebhook,
sendMessage (Telegram-HTML validation, the 4096 limit, unknown chats, blocked users),
sendChatAction, sendPhoto, sendDocument (uploads, URLs, file_ids), getFile (400 "file is too big"
past :attr:`FakeBotAPI.download_limit`, 20 MB as on the cloud Bot API). Downloads answer 401 for a
wrong token and 404 for an unknown path; with :attr:`FakeBotAPI.chunked` they are sent with
``Transfer-Encoding: chunked`` (no ``Content-Length``), and :meth:`FakeBotAPI.add_file` can make
Telegram announce a size other than the real one (``declared_size``).

The test side: :meth:`FakeBotAPI.push_message` (and ``push_update`` for raw JSON) queues updates;
:meth:`calls`/:meth:`wait_calls` read what the bot did; :meth:`fail` queues error responses (429
with ``retry_after``, 409, 500 …) and :meth:`drop` closes the connection without an answer;
:meth:`revoke` makes the token invalid (401).

It runs in its own threads (``http.server``), so it is independent of the event loop under test.
"""

from __future__ import annotations

import html
import itertools
import json
import re
import socket
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import anyio

TOKEN = "123:ABC"
BOT_ID = 123
BOT_USERNAME = "claw_bot"

_JSON_PARAMS = {
    "reply_parameters",
    "allowed_updates",
    "entities",
    "caption_entities",
    "reply_markup",
}
_INT_PARAMS = {"offset", "timeout", "limit", "message_thread_id", "message_id"}
_HTML_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler"}
_HTML_TAGS |= {"a", "code", "pre", "blockquote", "tg-emoji"}


@dataclass
class Call:
    """One API call the bot made."""

    method: str
    params: dict[str, Any]
    files: dict[str, tuple[str, str, bytes]] = field(default_factory=dict)
    """Uploaded parts: field name → (filename, content type, bytes)."""


@dataclass
class Failure:
    status: int
    description: str
    parameters: dict[str, Any] | None = None
    drop_after: float | None = None
    """Close the connection after this many seconds without answering (instead of an error)."""


@dataclass
class StoredFile:
    file_id: str
    path: str
    data: bytes
    mime: str
    name: str
    declared_size: int | None = None
    """What Telegram says the size is (``file_size``), when it is not ``len(data)``."""
    expired: bool = False
    """getFile still answers, but the download is 404 (file links expire after an hour)."""

    @property
    def size(self) -> int:
        return len(self.data) if self.declared_size is None else self.declared_size


class TelegramHTMLError(ValueError):
    pass


def check_html(text: str) -> str:
    """Validate Telegram HTML like the server does; returns the visible text."""
    stack: list[str] = []
    visible: list[str] = []
    pos = 0
    for match in re.finditer(r"<[^<>]*>|&[^;&<>\s]*;?|[<>]", text):
        visible.append(text[pos : match.start()])
        pos = match.end()
        token = match.group(0)
        if token in ("<", ">"):
            raise TelegramHTMLError(f"unexpected {token!r} at byte offset {match.start()}")
        if token.startswith("&"):
            if not re.fullmatch(r"&(lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);", token):
                raise TelegramHTMLError(f"unsupported entity {token!r}")
            visible.append(html.unescape(token))
            continue
        tag = re.match(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)", token)
        if tag is None or tag.group(2).lower() not in _HTML_TAGS:
            raise TelegramHTMLError(f"unsupported start tag {token!r}")
        name = tag.group(2).lower()
        if tag.group(1):
            if not stack or stack.pop() != name:
                raise TelegramHTMLError(f"unmatched end tag {name!r}")
        else:
            stack.append(name)
    if stack:
        raise TelegramHTMLError(f"unclosed start tag {stack[-1]!r}")
    visible.append(text[pos:])
    return "".join(visible)


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


class FakeBotAPI:
    """The server plus its test API. Use as a context manager."""

    def __init__(
        self, token: str = TOKEN, bot_id: int = BOT_ID, username: str = BOT_USERNAME
    ) -> None:
        self.token = token
        self.bot = {
            "id": bot_id,
            "is_bot": True,
            "first_name": "Claw",
            "username": username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }
        self.poll_cap = 1.0
        """Longest a getUpdates waits, whatever timeout the bot asked for (keeps tests quick)."""
        self._cond = threading.Condition()
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(1000)
        self._message_ids = itertools.count(1)
        self._file_ids = itertools.count(1)
        self._calls: list[Call] = []
        self._failures: dict[str, deque[Failure]] = {}
        self.files: dict[str, StoredFile] = {}
        self.download_limit = 20 * 1024 * 1024
        """getFile refuses larger files ("file is too big"), as the cloud Bot API does."""
        self.chunked = False
        """Send downloads chunked, without a Content-Length (as some proxies do)."""
        self.downloads: list[str] = []
        """Paths of the file downloads asked for (any answer)."""
        self.chats: dict[int, dict[str, Any]] = {}
        self.blocked: set[int] = set()
        self.revoked = False
        self.webhook: dict[str, Any] | None = None
        self.confirmed_offset = 0
        self._poll_generation = 0
        self._closing = False
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle ------------------------------------------------------------------------------

    def start(self) -> FakeBotAPI:
        api = self

        class Handler(_Handler):
            fake = api

        self._server = _Server(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        with self._cond:
            self._closing = True
            self._cond.notify_all()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def __enter__(self) -> FakeBotAPI:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._server is not None
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/file/bot"

    # --- test API: what the bot receives --------------------------------------------------------

    def user(self, user_id: int = 1001, first_name: str = "Ada", **extra: Any) -> dict[str, Any]:
        return {"id": user_id, "is_bot": False, "first_name": first_name, **extra}

    def private_chat(self, user: dict[str, Any]) -> dict[str, Any]:
        chat = {"id": user["id"], "type": "private", "first_name": user["first_name"]}
        self.chats[user["id"]] = chat
        return chat

    def group_chat(
        self, chat_id: int = -100200, title: str = "Team", *, forum: bool = False
    ) -> dict[str, Any]:
        chat: dict[str, Any] = {"id": chat_id, "type": "supergroup", "title": title}
        if forum:
            chat["is_forum"] = True
        self.chats[chat_id] = chat
        return chat

    def message(
        self,
        chat: dict[str, Any],
        sender: dict[str, Any] | None,
        text: str | None = None,
        **fields: Any,
    ) -> dict[str, Any]:
        """A Message object as Telegram sends it (``fields`` are added verbatim)."""
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": chat,
        }
        if sender is not None:
            message["from"] = sender
        if text is not None:
            message["text"] = text
            entities = fields.pop("entities", None)
            if entities is None:
                entities = auto_entities(text)
            if entities:
                message["entities"] = entities
        message.update(fields)
        return message

    def push_update(self, update: dict[str, Any]) -> int:
        """Queue a raw update (an ``update_id`` is assigned when missing); returns its id."""
        with self._cond:
            update.setdefault("update_id", next(self._update_ids))
            self._updates.append(update)
            self._cond.notify_all()
            return int(update["update_id"])

    def push_message(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        """``message(...)`` wrapped in an update and queued; returns the message."""
        message = self.message(*args, **kwargs)
        self.push_update({"message": message})
        return message

    def add_file(
        self,
        data: bytes,
        name: str,
        mime: str,
        folder: str = "documents",
        *,
        declared_size: int | None = None,
    ) -> StoredFile:
        n = next(self._file_ids)
        stored = StoredFile(
            f"FILE{n}", f"{folder}/file_{n}{_suffix(name)}", data, mime, name, declared_size
        )
        self.files[stored.file_id] = stored
        return stored

    def photo_field(self, stored: StoredFile) -> list[dict[str, Any]]:
        small = {"file_id": stored.file_id + "s", "file_unique_id": "u" + stored.file_id + "s"}
        big = {"file_id": stored.file_id, "file_unique_id": "u" + stored.file_id}
        return [
            {**small, "width": 90, "height": 90, "file_size": 10},
            {**big, "width": 800, "height": 600, "file_size": stored.size},
        ]

    def document_field(self, stored: StoredFile) -> dict[str, Any]:
        return {
            "file_id": stored.file_id,
            "file_unique_id": "u" + stored.file_id,
            "file_name": stored.name,
            "mime_type": stored.mime,
            "file_size": stored.size,
        }

    @property
    def pending(self) -> list[int]:
        """Ids of updates not yet confirmed by an offset."""
        with self._cond:
            return [u["update_id"] for u in self._updates]

    # --- test API: faults -----------------------------------------------------------------------

    def fail(
        self,
        method: str,
        status: int,
        description: str,
        parameters: dict[str, Any] | None = None,
        times: int = 1,
    ) -> None:
        """The next ``times`` calls of ``method`` get this error response."""
        with self._cond:
            queue = self._failures.setdefault(method, deque())
            queue.extend(Failure(status, description, parameters) for _ in range(times))

    def rate_limit(self, method: str, retry_after: int = 1, times: int = 1) -> None:
        self.fail(
            method,
            429,
            f"Too Many Requests: retry after {retry_after}",
            {"retry_after": retry_after},
            times,
        )

    def drop(self, method: str, after: float = 0.2, times: int = 1) -> None:
        """The next ``times`` calls of ``method`` are held ``after`` seconds, then the connection
        is closed without a response (a connection dropped mid long-poll)."""
        with self._cond:
            queue = self._failures.setdefault(method, deque())
            queue.extend(Failure(0, "", drop_after=after) for _ in range(times))

    def revoke(self) -> None:
        """The token stops working: every call gets 401 Unauthorized."""
        with self._cond:
            self.revoked = True
            self._cond.notify_all()

    # --- test API: what the bot did -------------------------------------------------------------

    def calls(self, method: str | None = None) -> list[Call]:
        with self._cond:
            return [c for c in self._calls if method is None or c.method == method]

    async def wait_calls(self, method: str, count: int = 1, timeout: float = 10.0) -> list[Call]:
        """Wait until the bot made ``count`` calls of ``method``; returns them all."""
        with anyio.fail_after(timeout):
            while len(found := self.calls(method)) < count:
                await anyio.sleep(0.01)
        return found

    async def wait_confirmed(self, update_id: int, timeout: float = 10.0) -> None:
        """Wait until the bot confirmed ``update_id`` (asked for a later offset)."""
        with anyio.fail_after(timeout):
            while self.confirmed_offset <= update_id:
                await anyio.sleep(0.01)

    # --- the API (called from the server threads) -----------------------------------------------

    def handle(self, method: str, params: dict[str, Any], call: Call) -> tuple[int, Any]:
        with self._cond:
            self._calls.append(call)
            failure = self._next_failure(method)
        if failure is not None:
            if failure.drop_after is not None:
                return -1, failure.drop_after
            return failure.status, error_body(
                failure.status, failure.description, failure.parameters
            )
        if method == "getUpdates":
            return self._get_updates(params, call)
        handler: Callable[[dict[str, Any], Call], tuple[int, Any]] | None = getattr(
            self, f"_m_{method}", None
        )
        if handler is None:
            return 404, error_body(404, "Not Found")
        return handler(params, call)

    def _next_failure(self, method: str) -> Failure | None:
        queue = self._failures.get(method)
        return queue.popleft() if queue else None

    def _get_updates(self, params: dict[str, Any], call: Call) -> tuple[int, Any]:
        with self._cond:
            if self.webhook is not None:
                return 409, error_body(
                    409,
                    "Conflict: can't use getUpdates method while webhook is active;"
                    " use deleteWebhook to delete the webhook first",
                )
            offset = int(params.get("offset") or 0)
            if offset:
                self.confirmed_offset = max(self.confirmed_offset, offset)
                self._updates = [u for u in self._updates if u["update_id"] >= offset]
            self._poll_generation += 1
            generation = self._poll_generation
            self._cond.notify_all()  # an earlier poll still waiting gets its 409 now
            limit = int(params.get("limit") or 100)
            deadline = time.monotonic() + min(float(params.get("timeout") or 0), self.poll_cap)
            while True:
                if self._closing:
                    return 500, error_body(500, "Internal Server Error: shutting down")
                if self.revoked:
                    return 401, error_body(401, "Unauthorized")
                if generation != self._poll_generation:
                    return 409, error_body(
                        409,
                        "Conflict: terminated by other getUpdates request; make sure that only"
                        " one bot instance is running",
                    )
                if self._updates:
                    return 200, ok([dict(u) for u in self._updates[:limit]])
                left = deadline - time.monotonic()
                if left <= 0:
                    return 200, ok([])
                self._cond.wait(left)

    def _m_getMe(self, params: dict[str, Any], call: Call) -> tuple[int, Any]:
        return 200, ok(self.bot)

    def _m_deleteWebhook(self, params: dict[str, Any], call: Call) -> tuple[int, Any]:
        with self._cond:
            self.webhook = None
        return 200, ok(True)

    def _m_setWebhook(self, params: dict[str, Any], call: Call) -> tuple[int, Any]:
        with self._cond:
            self.webhook = params
            self._cond.notify_all()
        return 200, ok(True)

    def _m_getWebhookInfo(self, params: dict[str, Any], call: Call) -> tuple[int, Any]:
        url = (self.webhook or {}).get("url", "")
        return 200, ok({"url": url, "has_custom_certificate": False, "pending_update_count": 0})

    def _chat(self, params: dict[str, Any]) -> tuple[int, Any] | dict[str, Any]:
        chat_id = params.get("chat_id")
        try:
            chat = self.chats[int(chat_id)]  # type: ignore[arg-type]
        except (TypeError, ValueError, KeyError):
            return 400, error_body(400, "Bad Request: chat not found")
        if chat["id"] in self.blocked:
            return 403, error_body(403, "Forbidden: bot was blocked by the user")
        return chat

    def _sent(self, chat: dict[str, Any], params: dict[str, Any], **fields: Any) -> dict[str, Any]:
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": chat,
            "from": {k: self.bot[k] for k in ("id", "is_bot", "first_name", "username")},
            **fields,
        }
        if "message_thread_id" in params:
            message["message_thread_id"] = params["message_thread_id"]
        return message

    def _visible(self, text: str, parse_mode: str | None) -> str:
        return check_html(text) if (parse_mode or "").upper() == "HTML" else text

    def _m_sendMessage(self, params: dict[str, Any], call: Call) -> tuple[int, Any]:
        chat = self._chat(params)
        if isinstance(chat, tuple):
            return chat
        text = str(params.get("text", ""))
        try:
            visible = self._visible(text, params.get("parse_mode"))
        except TelegramHTMLError as exc:
            return 400, error_body(400, f"Bad Request: can't parse entities: {exc}")
        if not visible.strip():
            return 400, error_body(400, "Bad Request: message text is empty")
        if utf16_len(visible) > 4096:
            return 400, error_body(400, "Bad Request: message is too long")
        return 200, ok(self._sent(chat, params, text=visible))

    def _m_sendChatAction(self, params: dict[str, Any], call: Call) -> tuple[int, Any]:
        chat = self._chat(params)
        if isinstance(chat, tuple):
            return chat
        return 200, ok(True)

    def _media(
        self, params: dict[str, Any], call: Call, key: str, folder: str
    ) -> StoredFile | tuple[int, Any]:
        if key in call.files:
            name, mime, data = call.files[key]
            return self.add_file(data, name or "file", mime, folder)
        value = params.get(key)
        if isinstance(value, str) and value.startswith("attach://"):
            return 400, error_body(400, "Bad Request: wrong file identifier/HTTP URL specified")
        if isinstance(value, str) and value in self.files:
            return self.files[value]
        if isinstance(value, str) and value.startswith(("http://", "https://")):
            name = urlsplit(value).path.rsplit("/", 1)[-1] or "file"
            return self.add_file(b"", name, "application/octet-stream", folder)
        return 400, error_body(400, "Bad Request: wrong file identifier/HTTP URL specified")

    def _caption(self, params: dict[str, Any]) -> dict[str, Any] | tuple[int, Any]:
        if "caption" not in params:
            return {}
        try:
            caption = self._visible(str(params["caption"]), params.get("parse_mode"))
        except TelegramHTMLError as exc:
            return 400, error_body(400, f"Bad Request: can't parse entities: {exc}")
        if utf16_len(caption) > 1024:
            return 400, error_body(400, "Bad Request: message caption is too long")
        return {"caption": caption}

    def _m_sendPhoto(self, params: dict[str, Any], call: Call) -> tuple[int, Any]:
        chat = self._chat(params)
        if isinstance(chat, tuple):
            return chat
        stored = self._media(params, call, "photo", "photos")
        if isinstance(stored, tuple):
            return stored
        caption = self._caption(params)
        if isinstance(caption, tuple):
            return caption
        return 200, ok(self._sent(chat, params, photo=self.photo_field(stored), **caption))

    def _m_sendDocument(self, params: dict[str, Any], call: Call) -> tuple[int, Any]:
        chat = self._chat(params)
        if isinstance(chat, tuple):
            return chat
        stored = self._media(params, call, "document", "documents")
        if isinstance(stored, tuple):
            return stored
        caption = self._caption(params)
        if isinstance(caption, tuple):
            return caption
        return 200, ok(self._sent(chat, params, document=self.document_field(stored), **caption))

    def _m_getFile(self, params: dict[str, Any], call: Call) -> tuple[int, Any]:
        stored = self.files.get(str(params.get("file_id")))
        if stored is None:
            return 400, error_body(400, "Bad Request: invalid file_id")
        if len(stored.data) > self.download_limit:
            return 400, error_body(400, "Bad Request: file is too big")
        return 200, ok(
            {
                "file_id": stored.file_id,
                "file_unique_id": "u" + stored.file_id,
                "file_size": stored.size,
                "file_path": stored.path,
            }
        )

    def download(self, path: str) -> bytes | None:
        with self._cond:
            self.downloads.append(path)
        return next((f.data for f in self.files.values() if f.path == path and not f.expired), None)


def ok(result: Any) -> dict[str, Any]:
    return {"ok": True, "result": result}


def error_body(status: int, description: str, parameters: dict[str, Any] | None = None) -> Any:
    body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    if parameters:
        body["parameters"] = parameters
    return body


def auto_entities(text: str) -> list[dict[str, Any]]:
    """The entities Telegram would detect: a leading /command, @mentions."""
    found: list[dict[str, Any]] = []
    for match in re.finditer(
        r"(?:(?<=\s)|^)(/[A-Za-z0-9_]+(?:@[A-Za-z0-9_]+)?|@[A-Za-z0-9_]{5,})", text
    ):
        value = match.group(1)
        kind = "bot_command" if value.startswith("/") else "mention"
        if kind == "bot_command" and match.start() != 0:
            continue
        offset = utf16_len(text[: match.start(1)])
        found.append({"type": kind, "offset": offset, "length": utf16_len(value)})
    return found


def _suffix(name: str) -> str:
    return "." + name.rsplit(".", 1)[-1] if "." in name else ""


def _coerce(key: str, value: str) -> Any:
    if key in _JSON_PARAMS:
        try:
            return json.loads(value)
        except ValueError:
            return value
    if key in _INT_PARAMS or key == "chat_id":
        try:
            return int(value)
        except ValueError:
            return value
    return value


class _Handler(BaseHTTPRequestHandler):
    fake: FakeBotAPI
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    def _dispatch(self) -> None:
        parts = urlsplit(self.path)
        path = unquote(parts.path)  # PTB percent-encodes the ':' of the token in file URLs
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length) if length else b""
        fake = self.fake
        file_match = re.fullmatch(r"/file/bot([^/]+)/(.+)", path)
        if file_match:
            data = fake.download(file_match.group(2))
            if file_match.group(1) != fake.token or fake.revoked:
                self._json(401, error_body(401, "Unauthorized"))
            elif data is None:
                self._json(404, error_body(404, "Not Found"))
            elif fake.chunked:
                self._send_chunked(data, "application/octet-stream")
            else:
                self._send(200, data, "application/octet-stream")
            return
        match = re.fullmatch(r"/bot([^/]+)/([A-Za-z]+)", path)
        if match is None:
            self._json(404, error_body(404, "Not Found"))
            return
        params: dict[str, Any] = dict(parse_qsl(parts.query))
        call = Call(match.group(2), params)
        content_type = self.headers.get("content-type", "")
        if content_type.startswith("application/json") and body:
            params.update(json.loads(body))
        elif content_type.startswith("application/x-www-form-urlencoded"):
            params.update({k: _coerce(k, v) for k, v in parse_qsl(body.decode())})
        elif content_type.startswith("multipart/form-data"):
            head = f"Content-Type: {content_type}\r\n\r\n".encode()
            for part in BytesParser(policy=HTTP).parsebytes(head + body).iter_parts():
                name = part.get_param("name", header="content-disposition")
                payload = part.get_payload(decode=True) or b""
                filename = part.get_filename()
                if filename is not None:
                    call.files[str(name)] = (filename, part.get_content_type(), payload)
                else:
                    params[str(name)] = _coerce(str(name), payload.decode())
        if match.group(1) != fake.token or fake.revoked:
            with fake._cond:
                fake._calls.append(call)
            self._json(401, error_body(401, "Unauthorized"))
            return
        status, result = fake.handle(call.method, params, call)
        if status == -1:  # drop the connection without answering
            time.sleep(float(result))
            self.close_connection = True
            with suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        self._json(status, result)

    def _json(self, status: int, value: Any) -> None:
        self._send(status, json.dumps(value).encode(), "application/json")

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _send_chunked(self, body: bytes, content_type: str, size: int = 16 * 1024) -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        try:
            for start in range(0, len(body), size):
                chunk = body[start : start + size]
                self.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
            self.wfile.write(b"0\r\n\r\n")
        except OSError:  # the client stopped reading (over its limit) and hung up
            self.close_connection = True


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that gave up (cancelled poll, test teardown) is normal here, not an error.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)
