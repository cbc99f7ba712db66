"""A fix from gpsd over its JSON protocol (https://gpsd.io/gpsd_json.html).

We connect to gpsd's TCP socket, send ``?WATCH={"enable":true,"json":true}`` and read reports
line by line (each capped) until a TPV report with a 2D/3D fix that is recent enough arrives.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any

import anyio
import orjson
from anyio.streams.buffered import BufferedByteReceiveStream

from .wire import LocationResult

MAX_LINE = 64 * 1024
WATCH = b'?WATCH={"enable":true,"json":true};\n'


class GpsdUnavailable(Exception):
    """gpsd is not listening, or it closed the connection."""


def parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)
    except ValueError:
        return None


def iso_ms(moment: datetime) -> str:
    return (
        moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    )


def _number(report: dict[str, Any], *keys: str) -> float | None:
    for key in keys:
        value = report.get(key)
        if isinstance(value, int | float) and math.isfinite(value):
            return float(value)
    return None


def fix_from_tpv(
    report: dict[str, Any], now: datetime, max_age_ms: int | None
) -> LocationResult | None:
    """The fix in one TPV report, or None when it has no position or is older than allowed."""
    if (
        report.get("class") != "TPV"
        or not isinstance(report.get("mode"), int)
        or report["mode"] < 2
    ):
        return None
    lat, lon = _number(report, "lat"), _number(report, "lon")
    if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    moment = parse_time(report.get("time")) or now
    if max_age_ms is not None and (now - moment).total_seconds() * 1000 > max_age_ms:
        return None
    accuracy = _number(report, "eph")
    if accuracy is None:
        epx, epy = _number(report, "epx"), _number(report, "epy")
        if epx is not None and epy is not None:
            accuracy = math.hypot(epx, epy)
    if accuracy is None:
        # gpsd reports no error estimate for some receivers: a 3D fix is typically ~10 m.
        accuracy = 10.0 if report["mode"] >= 3 else 50.0
    return LocationResult(
        lat=lat,
        lon=lon,
        accuracyMeters=accuracy,
        altitudeMeters=_number(report, "altMSL", "alt", "altHAE"),
        speedMps=_number(report, "speed"),
        headingDeg=_number(report, "track"),
        timestamp=iso_ms(moment),
        isPrecise=accuracy <= 100,
        source="gps",
    )


async def read_fix(host: str, port: int, max_age_ms: int | None) -> LocationResult:
    """Wait (the caller bounds the time) for a usable fix from gpsd."""
    try:
        stream = await anyio.connect_tcp(host, port)
    except OSError as exc:
        raise GpsdUnavailable(
            f"gpsd not reachable at {host}:{port} ({exc.strerror or exc})"
        ) from None
    async with stream:
        await stream.send(WATCH)
        reader = BufferedByteReceiveStream(stream)
        while True:
            try:
                line = await reader.receive_until(b"\n", MAX_LINE)
            except (anyio.EndOfStream, anyio.IncompleteRead, anyio.BrokenResourceError):
                raise GpsdUnavailable("gpsd closed the connection") from None
            except anyio.DelimiterNotFound:
                raise GpsdUnavailable("gpsd sent an over-long line") from None
            try:
                report = orjson.loads(line)
            except orjson.JSONDecodeError:
                continue
            if isinstance(report, dict):
                fix = fix_from_tpv(report, datetime.now(UTC), max_age_ms)
                if fix is not None:
                    return fix
