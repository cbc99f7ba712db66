"""``openclaw-gateway ui install``: fetch the official Control UI from the npm registry.

The Control UI ships inside the ``openclaw`` npm package (``package/dist/control-ui/``, MIT). This
asks the registry for the version's metadata, downloads its tarball (with the core's own fetcher:
size and time limits, public hosts only unless the registry is listed), checks it against the
registry's ``dist.integrity`` (sha512, Subresource-Integrity form) and unpacks only the Control UI
files into ``<state_dir>/control-ui/<version>/``: regular files and directories, no links, no
path leaving the directory. The gateway serves the newest one at its own address after a restart.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import shutil
import tarfile
from pathlib import Path, PurePosixPath

import click

from ..server.control_ui import INSTALL_DIR

DEFAULT_REGISTRY = "https://registry.npmjs.org"
PREFIX = "package/dist/control-ui/"
MAX_TARBALL = 256 * 1024 * 1024
MAX_FILES = 20_000


class InstallError(Exception):
    """The bundle could not be installed; the message says why."""


def verify_integrity(data: bytes, integrity: str) -> None:
    """``integrity`` is npm's SRI string (``sha512-<base64>``, possibly several, space separated)."""
    for item in integrity.split():
        algo, _, digest = item.partition("-")
        if algo == "sha512":
            actual = base64.b64encode(hashlib.sha512(data).digest()).decode()
            if actual == digest:
                return
            raise InstallError("the tarball does not match the registry's sha512 integrity")
    raise InstallError(f"no sha512 integrity from the registry (got {integrity!r})")


def extract_control_ui(tarball: bytes, dest: Path) -> int:
    """Unpack ``package/dist/control-ui/**`` into ``dest`` (created); returns the file count.
    Anything else in the archive is ignored; a link, a device or a path escaping is refused."""
    count = 0
    dest.mkdir(parents=True)
    with tarfile.open(fileobj=io.BytesIO(tarball), mode="r:gz") as archive:
        for member in archive:
            if not member.name.startswith(PREFIX):
                continue
            relative = PurePosixPath(member.name[len(PREFIX) :])
            if member.issym() or member.islnk() or not (member.isfile() or member.isdir()):
                raise InstallError(f"refusing {member.name!r}: not a regular file or directory")
            if relative.is_absolute() or any(p in ("..", "") for p in relative.parts):
                raise InstallError(f"refusing {member.name!r}: its path leaves the bundle")
            target = dest.joinpath(*relative.parts)
            if member.isdir():
                target.mkdir(parents=True, exist_ok=True)
                continue
            count += 1
            if count > MAX_FILES:
                raise InstallError(f"more than {MAX_FILES} files: not a Control UI bundle")
            target.parent.mkdir(parents=True, exist_ok=True)
            source = archive.extractfile(member)
            if source is None:
                raise InstallError(f"cannot read {member.name!r}")
            with source, open(target, "wb") as out:
                shutil.copyfileobj(source, out)
            os.chmod(target, 0o644)
    if not (dest / "index.html").is_file():
        raise InstallError("the package has no dist/control-ui/index.html")
    return count


async def install(
    version: str, state_dir: Path, *, registry: str, allow_private: list[str]
) -> tuple[str, Path, int]:
    """Download, verify and unpack; returns ``(version, bundle dir, file count)``."""
    import anyio

    from ..net.fetch import FetchError, FetchPolicy, fetch

    meta_policy = FetchPolicy.from_entries(allow_private, max_bytes=8 * 1024 * 1024, timeout=60)
    try:
        meta = await fetch(f"{registry.rstrip('/')}/openclaw/{version}", meta_policy)
        info = json.loads(meta.data)
    except (FetchError, ValueError) as exc:
        raise InstallError(f"cannot read the registry's openclaw@{version}: {exc}") from None
    dist = info.get("dist") if isinstance(info, dict) else None
    resolved = info.get("version") if isinstance(info, dict) else None
    if not isinstance(dist, dict) or not isinstance(resolved, str) or "/" in resolved:
        raise InstallError(f"the registry answered no usable openclaw@{version}")
    tarball, integrity = dist.get("tarball"), dist.get("integrity")
    if not isinstance(tarball, str) or not isinstance(integrity, str):
        raise InstallError("the registry gave no tarball URL and integrity")
    policy = FetchPolicy.from_entries(allow_private, max_bytes=MAX_TARBALL, timeout=900)
    try:
        data = (await fetch(tarball, policy)).data
    except FetchError as exc:
        raise InstallError(f"cannot download {tarball}: {exc}") from None
    verify_integrity(data, integrity)
    root = state_dir / INSTALL_DIR
    final = root / resolved
    partial = root / f".{resolved}.partial"

    def unpack() -> int:
        shutil.rmtree(partial, ignore_errors=True)
        count = extract_control_ui(data, partial)
        shutil.rmtree(final, ignore_errors=True)
        partial.rename(final)
        return count

    try:
        count = await anyio.to_thread.run_sync(unpack)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return resolved, final, count


@click.group("ui")
def ui() -> None:
    """The official OpenClaw Control UI, served at the gateway's own address."""


@ui.command("install")
@click.option("--version", "version", default="latest", show_default=True)
@click.option(
    "--registry",
    default=lambda: os.environ.get("npm_config_registry") or DEFAULT_REGISTRY,  # noqa: SIM112 - npm's own lower-case name
    show_default="npm_config_registry or https://registry.npmjs.org",
)
@click.option(
    "--allow-private-host",
    "allow_private",
    multiple=True,
    help="a registry on a private address (a local mirror) may be used",
)
def ui_install(version: str, registry: str, allow_private: tuple[str, ...]) -> None:
    """Download the Control UI (from the ``openclaw`` npm package) into the state dir."""
    import anyio

    from ..config import load_config

    config = load_config()
    try:
        resolved, path, count = anyio.run(
            lambda: install(
                version, config.state_dir, registry=registry, allow_private=list(allow_private)
            )
        )
    except InstallError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"installed the Control UI of openclaw {resolved} ({count} files) in {path}")
    click.echo(
        "restart the gateway; it serves the UI at its own address (http://127.0.0.1:<port>/)"
    )
