"""Secret storage: the OS keyring where one exists, else a 0600 file in the state dir.

Secrets are looked up per state dir, so two instances never share a token. The file fallback
writes atomically (temp file + fsync + rename) so a crash never leaves half a secret. On a headless
Linux host keyring has no backend and the file is used; later starts read the file directly
without importing keyring at all (it costs ~0.2 s of start-up).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Literal

Backend = Literal["auto", "keyring", "file"]


class SecretStore:
    def __init__(self, state_dir: Path, backend: Backend = "auto") -> None:
        self.state_dir = state_dir
        self.backend = backend
        self._dir = state_dir / "secrets"

    @property
    def _service(self) -> str:
        return f"openclaw-gateway:{self.state_dir.resolve()}"

    def _file(self, name: str) -> Path:
        if not name.replace("-", "").replace("_", "").isalnum():
            raise ValueError(f"bad secret name {name!r}")
        return self._dir / name

    def _keyring_usable(self) -> bool:
        if self.backend == "file":
            return False
        import keyring
        from keyring.backends import fail

        usable = not isinstance(keyring.get_keyring(), fail.Keyring)
        if self.backend == "keyring" and not usable:
            raise RuntimeError("secrets_backend is 'keyring' but no keyring backend is available")
        return usable

    def get(self, name: str) -> str | None:
        path = self._file(name)
        if path.exists():
            return path.read_text().strip() or None
        if self.backend == "file" or not self._keyring_usable():
            return None
        import keyring

        value: str | None = keyring.get_password(self._service, name)
        return value

    def set(self, name: str, value: str) -> str:
        """Store a secret; returns where it went (``keyring`` or the file path)."""
        if self.backend != "file" and not self._file(name).exists() and self._keyring_usable():
            import keyring

            keyring.set_password(self._service, name, value)
            return "keyring"
        self._dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.chmod(self._dir, 0o700)
        fd, tmp = tempfile.mkstemp(dir=self._dir, prefix=f".{name}.")
        try:
            os.fchmod(fd, 0o600)
            os.write(fd, value.encode())
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, self._file(name))
        return str(self._file(name))
