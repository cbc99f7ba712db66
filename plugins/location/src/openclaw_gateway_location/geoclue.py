"""A fix from GeoClue through its ``where-am-i`` demo client, as the reference's Linux node does.

GeoClue ties client creation, start, updates and stop to one D-Bus connection; the demo keeps
that lifecycle together, so we run it (``-t`` timeout, ``-a`` accuracy level) and parse the first
complete "New location" block it prints, then stop it.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import anyio

from .gpsd import iso_ms
from .wire import Accuracy, LocationResult

DEMO_PATHS = (
    "/usr/libexec/geoclue-2.0/demos/where-am-i",
    "/usr/lib/geoclue-2.0/demos/where-am-i",
)
ACCURACY_LEVELS: dict[Accuracy, int] = {"coarse": 4, "balanced": 6, "precise": 8}
MAX_OUTPUT = 256 * 1024
_DISABLED = re.compile(
    r"Geolocation disabled|disallowed, no agent|AccessDenied|not authorized", re.I
)
_FIELD = {
    key: re.compile(rf"{key}:\s*([-+\d.]+)")
    for key in ("Latitude", "Longitude", "Accuracy", "Altitude", "Speed", "Heading")
}
_EPOCH = re.compile(r"\((\d+)\s+seconds since the Epoch\)")


class GeoclueUnavailable(Exception):
    """No where-am-i, or GeoClue refused us."""


class GeoclueDisabled(Exception):
    """GeoClue's location services are switched off, or this user is not authorised."""


def find_where_am_i(configured: str | None) -> str | None:
    if configured:
        return configured if Path(configured).is_file() else None
    return shutil.which("where-am-i") or next((p for p in DEMO_PATHS if Path(p).is_file()), None)


def _optional(raw: str | None) -> float | None:
    try:
        return float(raw) if raw is not None else None
    except ValueError:
        return None


def parse_blocks(output: str, now: datetime, max_age_ms: int | None) -> LocationResult | None:
    """The newest complete, fresh-enough location block of ``where-am-i``'s output."""
    for block in reversed(re.split(r"\nNew location:\s*\n", output)):
        values = {k: (m.group(1) if (m := p.search(block)) else None) for k, p in _FIELD.items()}
        epoch = _EPOCH.search(block)
        if epoch is None or None in (values["Latitude"], values["Longitude"], values["Accuracy"]):
            continue
        try:
            lat, lon, acc = (float(values[k] or "") for k in ("Latitude", "Longitude", "Accuracy"))
        except ValueError:
            continue
        if not (-90 <= lat <= 90 and -180 <= lon <= 180 and acc >= 0):
            continue
        moment = datetime.fromtimestamp(int(epoch.group(1)), UTC)
        age_ms = (now - moment).total_seconds() * 1000
        if max_age_ms is not None and (age_ms < -1000 or age_ms >= max_age_ms + 1000):
            continue
        return LocationResult(
            lat=lat,
            lon=lon,
            accuracyMeters=acc,
            altitudeMeters=_optional(values["Altitude"]),
            speedMps=_optional(values["Speed"]),
            headingDeg=_optional(values["Heading"]),
            timestamp=iso_ms(moment),
            isPrecise=acc <= 100,
            source="unknown",  # the demo does not say which provider answered
        )
    return None


async def read_fix(
    executable: str, accuracy: Accuracy, timeout_s: float, max_age_ms: int | None
) -> LocationResult:
    """Run where-am-i until it prints a usable fix (the caller bounds the time too)."""
    argv = [executable, "-t", str(max(1, int(timeout_s))), "-a", str(ACCURACY_LEVELS[accuracy])]
    output = b""
    async with await anyio.open_process(argv, stdin=None, stderr=subprocess.STDOUT) as process:
        assert process.stdout is not None
        try:
            async for chunk in process.stdout:
                output = (output + chunk)[-MAX_OUTPUT:]
                fix = parse_blocks(output.decode(errors="replace"), datetime.now(UTC), max_age_ms)
                if fix is not None:
                    return fix
        finally:
            if process.returncode is None:
                process.kill()
    text = output.decode(errors="replace")
    if _DISABLED.search(text):
        raise GeoclueDisabled("GeoClue location services are disabled for this user")
    if process.returncode not in (0, None):
        tail = text.strip().splitlines()[-1:] or [f"exit status {process.returncode}"]
        raise GeoclueUnavailable(f"where-am-i failed: {tail[0][:200]}")
    raise TimeoutError
