"""``cron.*`` methods (list, get, status, runs, add, update, remove, run) and the ``cron`` event.

The scheduler itself lives in :mod:`openclaw_gateway.agent.cron`; these handlers validate and
translate. A schedule is a cron expression string (with ``tz`` beside it) or one of the reference
gateway's schedule objects (``{kind: "cron" | "every" | "at", …}``). A bad schedule is
``INVALID_REQUEST`` with the field in ``details.path`` and the reason in ``details.reason``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, field_validator

from ..agent.cron import ScheduleError, job_payload, parse_schedule, schedule_error
from ..auth.scopes import ADMIN, READ
from ..errors import GatewayError, invalid_request
from ..hooks import hookimpl
from ..hooks.registry import EventSpec, MethodContext, MethodSpec
from .agent import MAX_MESSAGE

MAX_RUNS_PAGE = 200


def _schedule_shape(value: Any) -> Any:
    if not isinstance(value, str | dict):
        raise ValueError("must be a cron expression string or a schedule object")
    return value


class ListParams(BaseModel):
    model_config = ConfigDict(extra="ignore")
    includeDisabled: bool = True


class Payload(BaseModel):
    """The reference's job payload; only agent turns exist here (other fields are ignored)."""

    model_config = ConfigDict(extra="ignore")
    kind: Literal["agentTurn"]
    message: str = Field(min_length=1, max_length=MAX_MESSAGE)


class AddParams(BaseModel):
    model_config = ConfigDict(extra="ignore")
    name: str | None = Field(None, max_length=200)
    schedule: Any
    tz: str | None = Field(None, min_length=1, max_length=100)
    message: str | None = Field(None, min_length=1, max_length=MAX_MESSAGE)
    payload: Payload | None = None
    sessionKey: str | None = Field(None, max_length=500)
    enabled: bool = True
    idempotencyKey: str | None = None  # accepted, not required

    @field_validator("schedule")
    @classmethod
    def _shape(cls, value: Any) -> Any:
        return _schedule_shape(value)


class JobParams(BaseModel):
    model_config = ConfigDict(extra="ignore")
    id: str = Field(min_length=1, max_length=100, validation_alias=AliasChoices("id", "jobId"))
    idempotencyKey: str | None = None


class Patch(BaseModel):
    model_config = ConfigDict(extra="ignore")
    name: str | None = Field(None, max_length=200)
    schedule: Any = None
    tz: str | None = Field(None, min_length=1, max_length=100)
    message: str | None = Field(None, min_length=1, max_length=MAX_MESSAGE)
    payload: Payload | None = None
    sessionKey: str | None = Field(None, max_length=500)
    enabled: bool | None = None

    @field_validator("schedule")
    @classmethod
    def _shape(cls, value: Any) -> Any:
        return None if value is None else _schedule_shape(value)


class UpdateParams(JobParams):
    patch: Patch


class RunsParams(JobParams):
    limit: int = Field(50, ge=1, le=MAX_RUNS_PAGE)
    offset: int = Field(0, ge=0)
    runId: str | None = Field(None, min_length=1, max_length=200)


class StatusParams(BaseModel):
    model_config = ConfigDict(extra="ignore")


class CronEventPayload(BaseModel):
    model_config = ConfigDict(extra="allow")
    action: str
    jobId: str
    ts: int


def _unknown(job_id: str) -> GatewayError:
    return invalid_request(f"unknown cron job id: {job_id}", code="UNKNOWN_CRON_JOB", id=job_id)


def _message(message: str | None, payload: Payload | None) -> str | None:
    return payload.message if payload is not None else message


async def cron_list(ctx: MethodContext, params: ListParams) -> Any:
    jobs = ctx.gateway.cron.payloads()
    if not params.includeDisabled:
        jobs = [job for job in jobs if job["enabled"]]
    return {"jobs": jobs, "enabled": ctx.gateway.config.cron.enabled}


async def cron_get(ctx: MethodContext, params: JobParams) -> Any:
    job = ctx.gateway.cron.payload(params.id)
    if job is None:
        raise _unknown(params.id)
    return job


async def cron_status(ctx: MethodContext, params: StatusParams) -> Any:
    return ctx.gateway.cron.status()


async def cron_add(ctx: MethodContext, params: AddParams) -> Any:
    scheduler = ctx.gateway.cron
    message = _message(params.message, params.payload)
    if message is None:
        raise invalid_request(
            "invalid cron.add params: must have required property 'message'",
            code="INVALID_PARAMS",
            path="/message",
        )
    try:
        schedule = parse_schedule(params.schedule, params.tz, now_ms=scheduler.now_ms())
    except ScheduleError as exc:
        raise schedule_error("cron.add", exc) from None
    job = await scheduler.add(
        name=params.name,
        schedule=schedule,
        message=message,
        session_key=params.sessionKey,
        enabled=params.enabled,
    )
    return job_payload(job)


async def cron_update(ctx: MethodContext, params: UpdateParams) -> Any:
    scheduler = ctx.gateway.cron
    job = scheduler.jobs.get(params.id)
    if job is None:
        raise _unknown(params.id)
    patch = params.patch
    schedule = None
    try:
        if patch.schedule is not None:
            tz = patch.tz
            if tz is None and isinstance(patch.schedule, str):
                tz = job.tz  # a new expression keeps the job's zone
            schedule = parse_schedule(
                patch.schedule,
                tz,
                now_ms=scheduler.now_ms(),
                path="patch/schedule",
                tz_path="patch/tz",
            )
        elif patch.tz is not None:  # a new zone for the same expression
            if job.schedule_kind != "cron":
                raise ScheduleError("patch/tz", "applies to cron schedules only")
            schedule = parse_schedule(
                job.schedule,
                patch.tz,
                now_ms=scheduler.now_ms(),
                path="patch/schedule",
                tz_path="patch/tz",
            )
        updated = await scheduler.update(
            params.id,
            name=patch.name,
            schedule=schedule,
            message=_message(patch.message, patch.payload),
            session_key=patch.sessionKey,
            enabled=patch.enabled,
        )
    except ScheduleError as exc:
        field = exc.field if exc.field.startswith("patch/") else f"patch/{exc.field}"
        raise schedule_error("cron.update", ScheduleError(field, exc.reason)) from None
    if updated is None:
        raise _unknown(params.id)
    return scheduler.payload(params.id) or job_payload(updated)


async def cron_remove(ctx: MethodContext, params: JobParams) -> Any:
    if not await ctx.gateway.cron.remove(params.id):
        raise _unknown(params.id)
    return {"ok": True, "id": params.id, "removed": True}


async def cron_run(ctx: MethodContext, params: JobParams) -> Any:
    scheduler = ctx.gateway.cron
    if params.id not in scheduler.jobs:
        raise _unknown(params.id)
    run_id, status = await scheduler.fire(params.id, reason="manual")
    return {"ok": True, "id": params.id, "runId": run_id, "status": status}


async def cron_runs(ctx: MethodContext, params: RunsParams) -> Any:
    scheduler = ctx.gateway.cron
    if params.id not in scheduler.jobs:
        raise _unknown(params.id)
    entries, total = await scheduler.runs(
        params.id, limit=params.limit, offset=params.offset, run_id=params.runId
    )
    next_offset = params.offset + len(entries)
    return {
        "id": params.id,
        "entries": entries,
        "total": total,
        "offset": params.offset,
        "limit": params.limit,
        "hasMore": next_offset < total,
        "nextOffset": next_offset if next_offset < total else None,
    }


@hookimpl
def register_methods(register: Callable[[MethodSpec], None]) -> None:
    for name, handler, params, scope in (
        ("cron.list", cron_list, ListParams, READ),
        ("cron.get", cron_get, JobParams, READ),
        ("cron.status", cron_status, StatusParams, READ),
        ("cron.runs", cron_runs, RunsParams, READ),
        ("cron.add", cron_add, AddParams, ADMIN),
        ("cron.update", cron_update, UpdateParams, ADMIN),
        ("cron.remove", cron_remove, JobParams, ADMIN),
        ("cron.run", cron_run, JobParams, ADMIN),
    ):
        register(MethodSpec(name=name, handler=handler, params=params, scope=scope))


@hookimpl
def register_events(register: Callable[[EventSpec], None]) -> None:
    register(EventSpec(name="cron", payload=CronEventPayload, scope=READ))
