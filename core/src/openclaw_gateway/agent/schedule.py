"""Cron job schedules, pure: parsing the reference's schedule objects (``cron`` / ``every`` /
``at``) and computing next-fire times (``cronsim``, in the job's IANA time zone). No I/O."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cronsim import CronSim, CronSimError
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from ..errors import GatewayError, invalid_request

if TYPE_CHECKING:
    from ..state import cron as store

ALIASES = {
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
    "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@hourly": "0 * * * *",
}


# --- schedules ----------------------------------------------------------------------------------


class ScheduleError(ValueError):
    """Raised when a schedule is invalid; ``field`` is the param's path (``schedule/expr``)."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


def normalize_schedule(expr: str) -> str:
    return " ".join(expr.split())


def zone(tz: str) -> ZoneInfo:
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise ScheduleError(
            "tz", f"unknown time zone {tz!r} (use an IANA name such as 'Europe/Berlin')"
        ) from None


def next_fire_ms(expr: str, tz: str, after_ms: int) -> int:
    """The first fire strictly after ``after_ms``; raises :class:`ScheduleError`."""
    expr = normalize_schedule(expr)
    start = datetime.fromtimestamp(after_ms / 1000, zone(tz))
    try:
        fire = next(CronSim(ALIASES.get(expr.lower(), expr), start))
    except CronSimError as exc:
        raise ScheduleError("schedule", f"invalid cron expression {expr!r}: {exc}") from None
    except (StopIteration, ValueError, OverflowError):
        raise ScheduleError("schedule", f"cron expression {expr!r} never fires") from None
    return int(fire.timestamp() * 1000)


MIN_EVERY_MS = 1000
MAX_EVERY_MS = 366 * 86_400_000
MAX_TIME_MS = 253_402_300_799_999
"""9999-12-31T23:59:59.999Z, the last instant a ``datetime`` can show."""


def iso_ms(ms: int) -> str:
    """``2030-01-01T00:00:00Z`` (with milliseconds when there are any)."""
    spec = "seconds" if ms % 1000 == 0 else "milliseconds"
    moment = datetime.fromtimestamp(ms / 1000, UTC).isoformat(timespec=spec)
    return moment.replace("+00:00", "Z")


@dataclass(frozen=True)
class Schedule:
    """When a job fires: a cron expression in a zone, a fixed interval, or one instant."""

    kind: Literal["cron", "every", "at"] = "cron"
    expr: str = ""
    tz: str = "UTC"
    every_ms: int | None = None
    anchor_ms: int | None = None
    at_ms: int | None = None

    @classmethod
    def of(cls, job: store.CronJobRecord) -> Schedule:
        kind: Any = job.schedule_kind
        return cls(kind, job.schedule, job.tz, job.every_ms, job.anchor_ms, job.at_ms)

    def columns(self) -> dict[str, Any]:
        """The job record's fields for this schedule."""
        return {
            "schedule_kind": self.kind,
            "schedule": self.expr,
            "tz": self.tz,
            "every_ms": self.every_ms,
            "anchor_ms": self.anchor_ms,
            "at_ms": self.at_ms,
        }

    def next_after(self, after_ms: int) -> int | None:
        """The first fire strictly after ``after_ms`` (None: never again); raises ScheduleError."""
        if self.kind == "at":
            return self.at_ms if self.at_ms is not None and self.at_ms > after_ms else None
        if self.kind == "every":
            every, anchor = self.every_ms or MIN_EVERY_MS, self.anchor_ms or 0
            if after_ms < anchor:
                return anchor
            return anchor + ((after_ms - anchor) // every + 1) * every
        return next_fire_ms(self.expr, self.tz, after_ms)

    def spec(self) -> dict[str, Any]:
        """The reference gateway's schedule object (what ``cron.add``/``cron.update`` accept back).

        Cron schedules say ``staggerMs: 0``: fires here are exact, never spread out."""
        if self.kind == "every":
            return {"kind": "every", "everyMs": self.every_ms, "anchorMs": self.anchor_ms}
        if self.kind == "at":
            return {"kind": "at", "at": iso_ms(self.at_ms or 0)}
        return {"kind": "cron", "expr": self.expr, "tz": self.tz, "staggerMs": 0}


class CronSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: Literal["cron"]
    expr: str = Field(min_length=1, max_length=200)
    tz: str | None = Field(None, min_length=1, max_length=100)
    staggerMs: int | None = Field(None, ge=0)  # accepted; fires are never staggered here


class EverySpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: Literal["every"]
    everyMs: int = Field(ge=MIN_EVERY_MS, le=MAX_EVERY_MS)
    anchorMs: int | None = Field(None, ge=0, le=MAX_TIME_MS)


class AtSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: Literal["at"]
    at: str | None = Field(None, min_length=1, max_length=100)
    atMs: int | None = Field(None, ge=0, le=MAX_TIME_MS)  # the older spelling: epoch ms


_SPEC: TypeAdapter[CronSpec | EverySpec | AtSpec] = TypeAdapter(
    Annotated[CronSpec | EverySpec | AtSpec, Field(discriminator="kind")]
)


def _spec_error(path: str, exc: ValidationError) -> ScheduleError:
    err = exc.errors(include_url=False)[0]
    loc = [str(part) for part in err["loc"]][1:]  # drop the union tag (the kind)
    if err["type"] in ("union_tag_invalid", "union_tag_not_found"):
        return ScheduleError(f"{path}/kind", "must be one of 'cron', 'every', 'at'")
    field = "/".join([path, *loc])
    if err["type"] == "missing":
        return ScheduleError(field, f"must have required property '{loc[-1]}'")
    if err["type"] == "extra_forbidden":
        return ScheduleError(field, f"unexpected property '{loc[-1]}'")
    message = str(err["msg"])
    return ScheduleError(field, message[:1].lower() + message[1:])


def parse_schedule(
    value: Any, tz: str | None, *, now_ms: int, path: str = "schedule", tz_path: str = "tz"
) -> Schedule:
    """A ``schedule`` param — a cron expression string (with ``tz`` beside it) or a reference
    schedule object — as a :class:`Schedule` that fires at least once more after ``now_ms``.

    Raises :class:`ScheduleError` naming the offending field under ``path`` / ``tz_path``.
    """
    if isinstance(value, str):
        return _cron(value, tz, now_ms, path, tz_path)
    if not isinstance(value, dict):
        raise ScheduleError(path, "must be a cron expression or a schedule object")
    try:
        spec = _SPEC.validate_python(value)
    except ValidationError as exc:
        raise _spec_error(path, exc) from None
    if isinstance(spec, CronSpec):
        if spec.tz is not None:
            return _cron(spec.expr, spec.tz, now_ms, f"{path}/expr", f"{path}/tz")
        return _cron(spec.expr, tz, now_ms, f"{path}/expr", tz_path)
    if isinstance(spec, EverySpec):
        if tz is not None:
            raise ScheduleError(tz_path, "applies to cron and at schedules only")
        anchor = spec.anchorMs if spec.anchorMs is not None else now_ms
        return Schedule("every", every_ms=spec.everyMs, anchor_ms=anchor)
    if spec.at is not None:
        field = f"{path}/at"
        try:
            moment = datetime.fromisoformat(spec.at.strip())
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=_zone(tz or "UTC", tz_path))
            at_ms = int(moment.timestamp() * 1000)
        except (ValueError, OverflowError) as exc:
            if isinstance(exc, ScheduleError):
                raise
            raise ScheduleError(field, f"not an ISO 8601 time: {spec.at!r}") from None
    elif spec.atMs is not None:
        field, at_ms = f"{path}/atMs", spec.atMs
    else:
        raise ScheduleError(f"{path}/at", "must have required property 'at'")
    if at_ms > MAX_TIME_MS:
        raise ScheduleError(field, "is after the year 9999")
    if at_ms <= now_ms:
        raise ScheduleError(field, f"is in the past (it is now {iso_ms(now_ms)})")
    return Schedule("at", at_ms=at_ms)


def _zone(tz: str, field: str) -> ZoneInfo:
    try:
        return zone(tz)
    except ScheduleError as exc:
        raise ScheduleError(field, exc.reason) from None


def _cron(expr: str, tz: str | None, now_ms: int, path: str, tz_path: str) -> Schedule:
    expr, tz = normalize_schedule(expr), (tz or "UTC").strip()
    if not expr or len(expr) > 200:
        raise ScheduleError(path, "must be a cron expression of 1 to 200 characters")
    _zone(tz, tz_path)
    try:
        next_fire_ms(expr, tz, now_ms)
    except ScheduleError as exc:
        raise ScheduleError(path, exc.reason) from None
    return Schedule("cron", expr=expr, tz=tz)


def schedule_error(method: str, exc: ScheduleError) -> GatewayError:
    return invalid_request(
        f"invalid {method} params: {exc.field}: {exc.reason}",
        code="INVALID_PARAMS",
        path=f"/{exc.field}",
        reason=exc.reason,
    )
