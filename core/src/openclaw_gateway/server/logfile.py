"""The gateway's file log: JSON lines in ``<state dir>/logs/gateway.log``, written off the event loop.

Each record becomes one line ``{"time", "level", "subsystem", "message"}`` — the shape the official
CLI's ``parseLogLine`` reads, so ``openclaw logs`` shows our lines as it shows the reference's.

The event loop only formats the message and puts the record on a bounded queue
(:class:`~logging.handlers.QueueHandler`); a listener thread formats the JSON and writes it, rotating
by size (``gateway.log`` → ``gateway.log.1`` …, :data:`MAX_BYTES`, :data:`BACKUPS` old files). When the disk
cannot keep up, records are dropped (and counted in the file) rather than blocking the loop or
growing memory.

Each running gateway has its own :class:`FileLog`, attached to the root logger while it runs. Every
task of a gateway runs in a context that names its file log (:data:`_owner`), so two gateways in one
process (tests) each get their own records; records from outside any gateway (plain threads) go to
every file log. The shared secret is masked in every line as a second line of defence: nothing logs
it, and lines are served to ``operator.read`` clients by ``logs.tail``.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import os
import queue
import time
from collections.abc import Callable, Iterable
from contextvars import ContextVar, Token
from logging.handlers import QueueHandler, QueueListener, RotatingFileHandler
from pathlib import Path
from typing import Any

import anyio

from ..config import GatewayConfig

LOG_DIR = "logs"
LOG_FILE = "gateway.log"
MAX_BYTES = 10 * 1024 * 1024
"""Size at which ``gateway.log`` rotates."""
BACKUPS = 3
"""Rotated files kept (``gateway.log.1`` … ``.3``)."""
QUEUE_SIZE = 10_000
"""Records waiting for the writer thread at most; more are dropped."""
MASK = "***"
MIN_SECRET_LEN = 8
"""Shorter secrets are not masked (masking "abc" everywhere would garble lines, not protect)."""

_LEVELS = ((logging.CRITICAL, "fatal"), (logging.ERROR, "error"), (logging.WARNING, "warn"))

_owner: ContextVar[FileLog | None] = ContextVar("openclaw_gateway_file_log", default=None)


def log_path(config: GatewayConfig) -> Path:
    """Where a gateway with ``config`` writes its file log."""
    return config.state_dir / LOG_DIR / LOG_FILE


def level_name(levelno: int) -> str:
    """The reference's level names: ``debug``, ``info``, ``warn``, ``error``, ``fatal``."""
    for threshold, name in _LEVELS:
        if levelno >= threshold:
            return name
    return "info" if levelno >= logging.INFO else "debug"


class JsonLineFormatter(logging.Formatter):
    """One JSON object per record (no newline inside: ``json.dumps`` escapes them)."""

    def __init__(self, secrets: Callable[[], Iterable[str | None]] = tuple) -> None:
        super().__init__()
        self.secrets = secrets

    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            message = f"{message}\n{record.exc_text}"
        for secret in self.secrets():
            if secret and len(secret) >= MIN_SECRET_LEN and secret in message:
                message = message.replace(secret, MASK)
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
        return json.dumps(
            {
                "time": f"{stamp}.{int(record.msecs):03d}Z",
                "level": level_name(record.levelno),
                "subsystem": record.name,
                "message": message,
            },
            ensure_ascii=False,
            separators=(",", ":"),
        )


class PrivateRotatingFileHandler(RotatingFileHandler):
    """A rotating file handler whose files are 0600, formatting each record once."""

    def _open(self) -> io.TextIOWrapper:
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.fchmod(fd, 0o600)  # a file left by someone else keeps no wider mode
            return open(fd, "a", encoding=self.encoding, errors=self.errors)
        except BaseException:
            os.close(fd)
            raise

    def emit(self, record: logging.LogRecord) -> None:
        try:
            line = self.format(record) + self.terminator
            stream = self.stream if self.stream is not None else self._open()
            self.stream = stream
            size = stream.seek(0, os.SEEK_END)
            if self.maxBytes > 0 and size > 0 and size + len(line) >= self.maxBytes:
                self.doRollover()
                stream = self.stream if self.stream is not None else self._open()
                self.stream = stream
            stream.write(line)
            stream.flush()
        except RecursionError:
            raise
        except Exception:
            self.handleError(record)


class _OwnRecords(logging.Filter):
    """Lets through the records of one gateway's tasks, and those logged outside every gateway."""

    def __init__(self, file_log: FileLog) -> None:
        super().__init__()
        self.file_log = file_log

    def filter(self, record: logging.LogRecord) -> bool:
        owner = _owner.get()
        return owner is None or owner is self.file_log


class _DroppingQueueHandler(QueueHandler):
    """Never blocks: a full queue drops the record and counts it."""

    dropped = 0

    def enqueue(self, record: logging.LogRecord) -> None:
        try:
            self.queue.put_nowait(record)
        except queue.Full:
            self.dropped += 1


class _Listener(QueueListener):
    """Writes the queued records; first notes in the file how many were dropped since last time."""

    def __init__(
        self, q: queue.Queue[Any], handler: logging.Handler, source: _DroppingQueueHandler
    ) -> None:
        super().__init__(q, handler)
        self.pending = q
        self.source = source
        self.reported = 0

    def handle(self, record: logging.LogRecord) -> None:
        dropped = self.source.dropped
        if dropped != self.reported:
            note = logging.makeLogRecord(
                {
                    "name": "openclaw_gateway.logfile",
                    "levelno": logging.WARNING,
                    "levelname": "WARNING",
                    "msg": f"{dropped - self.reported} log record(s) dropped: the disk fell behind",
                }
            )
            self.reported = dropped
            super().handle(note)
        super().handle(record)

    def enqueue_sentinel(self) -> None:
        self.pending.put(None)  # the sentinel; blocking, as the queue may be full when stopping


class FileLog:
    """One gateway's file log: :meth:`start` attaches it, :meth:`aclose` flushes and detaches."""

    def __init__(
        self, path: Path, *, max_bytes: int | None = None, backups: int | None = None
    ) -> None:
        self.path = path
        self.formatter = JsonLineFormatter()
        self._file = PrivateRotatingFileHandler(
            path,
            maxBytes=MAX_BYTES if max_bytes is None else max_bytes,
            backupCount=BACKUPS if backups is None else backups,
            encoding="utf-8",
            delay=True,  # opened by the writer thread, on the first record
        )
        self._file.setFormatter(self.formatter)
        q: queue.Queue[Any] = queue.Queue(QUEUE_SIZE)
        self._handler = _DroppingQueueHandler(q)
        self._handler.addFilter(_OwnRecords(self))
        self._listener = _Listener(q, self._file, self._handler)
        self._context: Token[FileLog | None] | None = None

    def mask(self, secrets: Callable[[], Iterable[str | None]]) -> None:
        """Mask the values ``secrets()`` returns (read per record, so a rotated token is covered)."""
        self.formatter.secrets = secrets

    def start(self) -> None:
        """Create the directory (0700), start the writer thread, attach to the root logger and
        mark the current context (and every task started from it) as this gateway's."""
        state_dir = self.path.parent.parent
        state_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.path.parent.mkdir(exist_ok=True, mode=0o700)
        self.path.parent.chmod(0o700)
        self._listener.start()
        self._context = _owner.set(self)
        logging.getLogger().addHandler(self._handler)

    async def aclose(self) -> None:
        """Detach, then write what is queued and close the file (in a thread; shielded)."""
        logging.getLogger().removeHandler(self._handler)
        if self._context is not None:
            # ValueError: closed from another context than the one it started in
            with contextlib.suppress(ValueError):
                _owner.reset(self._context)
            self._context = None
        with anyio.CancelScope(shield=True):
            await anyio.to_thread.run_sync(self._stop)

    def _stop(self) -> None:
        self._listener.stop()
        self._file.close()


def open_file_log(config: GatewayConfig) -> FileLog | None:
    """The started file log of a gateway with ``config``, or ``None`` when ``log_file`` is off."""
    if not config.log_file:
        return None
    file_log = FileLog(log_path(config))
    file_log.start()
    return file_log
