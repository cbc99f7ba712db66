"""Node side of ``location.get``: ask the configured sources in order, with the caller's budget.

The first source that is present answers (gpsd listening, where-am-i installed, a fixed position
configured); one that is absent is skipped, and when none is present the error says what was
tried. ``coarse`` requests get an approximate position (a ~2 km grid, at least 2 km uncertainty),
as the reference's Android node does, whatever the source could do.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

import anyio

from openclaw_gateway.api import NodeCommandError

from . import geoclue, gpsd
from .config import LocationSettings
from .gpsd import iso_ms
from .wire import DEFAULT_TIMEOUT_MS, LocationGetParams, LocationResult

log = logging.getLogger("openclaw_gateway.location")

COARSE_GRID_DEG = 0.02
COARSE_MIN_ACCURACY_M = 2000.0
ENABLE_HINT = "set enabled = true under [location] in the node's node.toml and restart the node"


def approximate(fix: LocationResult) -> LocationResult:
    def snap(value: float) -> float:
        return round(round(value / COARSE_GRID_DEG) * COARSE_GRID_DEG, 4)

    return LocationResult(
        lat=snap(fix.lat),
        lon=snap(fix.lon),
        accuracyMeters=max(fix.accuracyMeters, COARSE_MIN_ACCURACY_M),
        timestamp=fix.timestamp,
        isPrecise=False,
        source=fix.source,
    )


class LocationCommand:
    def __init__(self, settings: LocationSettings) -> None:
        self.settings = settings

    async def get(self, params: LocationGetParams) -> dict[str, Any]:
        if not self.settings.enabled:
            raise NodeCommandError("LOCATION_DISABLED", ENABLE_HINT)
        budget_s = (params.timeoutMs or DEFAULT_TIMEOUT_MS) / 1000
        accuracy = params.desiredAccuracy or "balanced"
        fix: LocationResult | None = None
        absent: list[str] = []
        with anyio.move_on_after(budget_s):
            fix = await self._first_present_source(accuracy, budget_s, params.maxAgeMs, absent)
        if fix is None:
            if absent and len(absent) == len(self.settings.sources):
                raise NodeCommandError("LOCATION_UNAVAILABLE", "; ".join(absent))
            raise NodeCommandError("LOCATION_TIMEOUT", f"no fix within {int(budget_s * 1000)} ms")
        if accuracy == "coarse":
            fix = approximate(fix)
        return fix.model_dump(exclude_none=True)

    async def _first_present_source(
        self, accuracy: Any, budget_s: float, max_age_ms: int | None, absent: list[str]
    ) -> LocationResult | None:
        cfg = self.settings
        for source in cfg.sources:
            if source == "gpsd":
                try:
                    return await gpsd.read_fix(cfg.gpsd_host, cfg.gpsd_port, max_age_ms)
                except gpsd.GpsdUnavailable as exc:
                    absent.append(str(exc))
            elif source == "geoclue":
                executable = geoclue.find_where_am_i(cfg.where_am_i)
                if executable is None:
                    absent.append("GeoClue's where-am-i is not installed (Debian: geoclue-2-demo)")
                    continue
                try:
                    return await geoclue.read_fix(executable, accuracy, budget_s, max_age_ms)
                except geoclue.GeoclueDisabled as exc:
                    raise NodeCommandError("LOCATION_DISABLED", str(exc)) from None
                except geoclue.GeoclueUnavailable as exc:
                    absent.append(str(exc))
                except TimeoutError:
                    return None
            elif cfg.fixed is not None:
                return LocationResult(
                    lat=cfg.fixed.lat,
                    lon=cfg.fixed.lon,
                    accuracyMeters=cfg.fixed.accuracy_meters,
                    altitudeMeters=cfg.fixed.altitude_meters,
                    timestamp=iso_ms(datetime.now(UTC)),
                    isPrecise=cfg.fixed.accuracy_meters <= 100,
                    source="unknown",
                )
            else:
                absent.append("no fixed position configured ([location.fixed] lat/lon)")
        return None
