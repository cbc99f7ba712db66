"""Secret storage: the OS keyring where one exists, else a 0600 file in the state dir.

Secrets are looked up per state dir, so two instances never share a token. The file fallback
writes atomically (temp file + fsync + rename) so a crash never leaves half a secret. On a headless
Linux host keyring has no backend and the file is used; later starts read the file directly
without importing keyring at all (it costs ~0.2 s of start-up).

Keyrings cannot enumerate their entries, so the *names* of stored secrets (never the values) are
kept in ``secrets/names`` for ``openclaw-gateway secrets list``.

Config values refer to a stored secret as ``"secret:<name>"`` (:func:`resolve_references`).
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from typing import Any, Literal

Backend = Literal["auto", "keyring", "file"]

SECRET_REF_PREFIX = "secret:"  # noqa: S105 - a marker, not a secret
NAMES_FILE = "names"
# Dots let names follow the config they serve (telegram.default); no slashes, no leading dot.
_NAME = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}")


class SecretMissing(LookupError):
    """Raised when a config value refers to a secret the store does not hold."""

    def __init__(self, path: str, name: str) -> None:
        self.path, self.name = path, name
        super().__init__(
            f"refers to secret {name!r}, which is not stored: "
            f"run `openclaw-gateway secrets set {name}`"
        )


def valid_name(name: str) -> bool:
    return bool(_NAME.fullmatch(name)) and ".." not in name and name != NAMES_FILE


class SecretStore:
    def __init__(self, state_dir: Path, backend: Backend = "auto") -> None:
        self.state_dir = state_dir
        self.backend = backend
        self._dir = state_dir / "secrets"

    @property
    def _service(self) -> str:
        return f"openclaw-gateway:{self.state_dir.resolve()}"

    def _file(self, name: str) -> Path:
        if not valid_name(name):
            raise ValueError(f"bad secret name {name!r}: letters, digits, '.', '_' and '-' only")
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
            self._remember(name)
            return "keyring"
        self._write(self._file(name), value)
        self._remember(name)
        return str(self._file(name))

    def names(self) -> list[str]:
        """Every stored secret's name (files, and keyring entries this store wrote)."""
        found = set(self._read_names())
        if self._dir.is_dir():
            found |= {p.name for p in self._dir.iterdir() if p.is_file() and valid_name(p.name)}
        return sorted(name for name in found if self.get(name) is not None)

    def remove(self, name: str) -> bool:
        """Delete a secret from the file and the keyring; True if one existed."""
        path = self._file(name)
        existed = path.exists()
        path.unlink(missing_ok=True)
        if self.backend != "file" and self._keyring_usable():
            import keyring
            from keyring.errors import PasswordDeleteError

            try:
                keyring.delete_password(self._service, name)
                existed = True
            except PasswordDeleteError:
                pass
        names = [n for n in self._read_names() if n != name]
        self._write(self._dir / NAMES_FILE, "".join(f"{n}\n" for n in names))
        return existed

    def _read_names(self) -> list[str]:
        try:
            text = (self._dir / NAMES_FILE).read_text()
        except FileNotFoundError:
            return []
        return [line for line in text.splitlines() if valid_name(line)]

    def _remember(self, name: str) -> None:
        names = self._read_names()
        if name not in names:
            self._write(self._dir / NAMES_FILE, "".join(f"{n}\n" for n in [*names, name]))

    def _write(self, path: Path, value: str) -> None:
        self._dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.chmod(self._dir, 0o700)
        fd, tmp = tempfile.mkstemp(dir=self._dir, prefix=f".{path.name}.")
        try:
            os.fchmod(fd, 0o600)
            os.write(fd, value.encode())
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)


def resolve_references(data: dict[str, Any], store: SecretStore) -> dict[str, Any]:
    """``data`` with every ``"secret:<name>"`` string (at any depth) replaced by the stored value.

    Raises :class:`SecretMissing` naming the config path. The store is only touched (and keyring
    only imported) when a reference exists.
    """

    def resolve(value: Any, path: str) -> Any:
        if isinstance(value, str) and value.startswith(SECRET_REF_PREFIX):
            name = value[len(SECRET_REF_PREFIX) :].strip()
            secret = store.get(name) if valid_name(name) else None
            if secret is None:
                raise SecretMissing(path, name)
            return secret
        if isinstance(value, dict):
            return {k: resolve(v, f"{path}.{k}" if path else str(k)) for k, v in value.items()}
        if isinstance(value, list):
            return [resolve(v, f"{path}[{i}]") for i, v in enumerate(value)]
        return value

    return {key: resolve(value, str(key)) for key, value in data.items()}
