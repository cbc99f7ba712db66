"""One WhatsApp session per host: an OS file lock that every gateway on the machine takes before it
opens WhatsApp, whatever its state dir or user.

``flock`` on a file in ``/tmp`` (``WhatsAppAccount.lock_path``): the kernel releases it when the
holder's process dies, however it dies, so there is never a stale lock to clean up by hand. The
holder writes its pid and state dir into the file, so a refused gateway can name it.

Hardening for a shared ``/tmp``: the file is opened with ``O_NOFOLLOW`` (a planted symlink cannot
redirect our write), created 0644 (another user's gateway can open it read-only, which is enough
to ``flock`` it), and the holder details are written only into a file we own.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Holder:
    pid: int | None
    state_dir: str | None

    def describe(self) -> str:
        pid = f"pid {self.pid}" if self.pid else "an unknown process"
        where = f", state dir {self.state_dir}" if self.state_dir else ""
        return f"{pid}{where}"


class SessionLocked(Exception):
    """Another gateway on this host holds the WhatsApp session."""

    def __init__(self, holder: Holder, path: Path) -> None:
        super().__init__(
            f"WhatsApp is already open in another gateway on this host ({holder.describe()});"
            f" one gateway per host owns the session (lock: {path})"
        )
        self.holder = holder


class HostLock:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self, state_dir: str) -> None:
        """Take the lock without waiting; raises :class:`SessionLocked` naming the holder.
        Blocking file calls: run it in a worker thread."""
        if self._fd is not None:
            return
        flags = os.O_NOFOLLOW | os.O_CLOEXEC
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | flags, 0o644)
        except PermissionError:  # another user's lock file: reading is enough to flock it
            fd = os.open(self.path, os.O_RDONLY | flags)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read_holder(fd)
            os.close(fd)
            raise SessionLocked(holder, self.path) from None
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd
        if os.fstat(fd).st_uid == os.getuid():
            record = {"pid": os.getpid(), "stateDir": state_dir, "sinceMs": int(time.time() * 1000)}
            with contextlib.suppress(OSError):
                os.ftruncate(fd, 0)
                os.pwrite(fd, json.dumps(record).encode() + b"\n", 0)

    def release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is not None:
            with contextlib.suppress(OSError):
                if os.fstat(fd).st_uid == os.getuid():
                    os.ftruncate(fd, 0)
            os.close(fd)  # closing the descriptor drops the flock


def _read_holder(fd: int) -> Holder:
    try:
        record = json.loads(os.pread(fd, 4096, 0) or b"{}")
    except (OSError, ValueError):
        record = {}
    if not isinstance(record, dict):
        record = {}
    pid = record.get("pid")
    state_dir = record.get("stateDir")
    return Holder(
        pid if isinstance(pid, int) else None, state_dir if isinstance(state_dir, str) else None
    )
