"""``cron.*`` methods (list, get, status, runs, add, update, remove, run) and the ``cron`` event.

The scheduler itself lives in :mod:`openclaw_gateway.agent.cron`; these handlers validate and
translate, in the reference gateway's shapes so its clients (the official ``openclaw cron`` CLI)
work unchanged: ``cron.list`` answers a paged inventory with a ``snapshotRevision``, a job's
``schedule`` is a schedule object (``{kind: "cron" | "every" | "at", …}``), ``cron.run`` answers
``{ok, enqueued, runId}``, an unknown id is ``details.code: "CRON_JOB_NOT_FOUND"``.

A schedule param is a schedule object or, as before, a cron expression string with ``tz`` beside
it. A bad schedule is ``INVALID_REQUEST`` with the field in ``details.path`` and the reason in
``details.reason``.

Why one file of ~520 lines: it is the reference's whole ``cron.*`` surface, each method next to its
params model (most of the length); the shapes themselves are in :mod:`openclaw_gateway.agent.cron_wire`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AliasChoices,
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
)

from ..agent.cron_wire import DELIVERY_PREVIEW, config_revision, digest_token, job_payload
from ..agent.schedule import ScheduleError, iso_ms, parse_schedule, schedule_error
from ..agent.sessions import DEFAULT_AGENT, canonical_session_key
from ..auth.scopes import ADMIN, READ
from ..errors import GatewayError, invalid_request
from ..hooks import hookimpl
from ..hooks.registry import EventSpec, MethodContext, MethodSpec
from .agent import MAX_MESSAGE

MAX_PAGE = 200
"""Most jobs per ``cron.list`` page and most entries per ``cron.runs`` page (the reference's cap)."""


def _schedule_shape(value: Any) -> Any:
    if not isinstance(value, str | dict):
        raise ValueError("must be a cron expression string or a schedule object")
    return value


def _session_target_shape(value: Any) -> Any:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError("must be main, isolated, current or session:<key>")
    text = value.strip()
    if text in ("main", "isolated", "current"):
        return text
    if text.startswith("session:") and text[len("session:") :].strip():
        return "session:" + text[len("session:") :].strip()
    raise ValueError("must be main, isolated, current or session:<key>")


def _agent_shape(value: Any) -> Any:
    if value is not None and str(value).strip().lower() != DEFAULT_AGENT:
        raise ValueError(
            f"unknown agent id {value!r} (this gateway has one agent, '{DEFAULT_AGENT}')"
        )
    return value


SessionTarget = Annotated[str | None, AfterValidator(_session_target_shape)]
AgentId = Annotated[str | None, AfterValidator(_agent_shape)]


class ListParams(BaseModel):
    """The reference's ``cron.list`` params (triggers and other agents do not exist here)."""

    model_config = ConfigDict(extra="ignore")
    includeDisabled: bool = False
    limit: int | None = Field(None, ge=1, le=MAX_PAGE)
    offset: int = Field(0, ge=0)
    query: str | None = Field(None, max_length=500)
    enabled: Literal["all", "enabled", "disabled"] | None = None
    scheduleKind: Literal["all", "at", "every", "cron", "on-exit", "stream"] = "all"
    lastRunStatus: Literal["all", "ok", "error", "skipped", "unknown"] = "all"
    trigger: Literal["all", "conditional", "unconditional"] = "all"
    sortBy: Literal["nextRunAtMs", "updatedAtMs", "name"] = "nextRunAtMs"
    sortDir: Literal["asc", "desc"] = "asc"
    agentId: str | None = Field(None, max_length=200)
    sessionKey: str | None = Field(None, max_length=500)
    compact: bool = False
    includeDeliveryPreviews: bool = True


class Payload(BaseModel):
    """The reference's job payload; only agent turns exist here (other fields are ignored)."""

    model_config = ConfigDict(extra="ignore")
    kind: Literal["agentTurn"]
    message: str = Field(min_length=1, max_length=MAX_MESSAGE)


class PayloadPatch(BaseModel):
    model_config = ConfigDict(extra="ignore")
    kind: Literal["agentTurn"] = "agentTurn"
    message: str | None = Field(None, min_length=1, max_length=MAX_MESSAGE)


class AddParams(BaseModel):
    """``cron.add``; the reference's ``wakeMode``, ``delivery`` and the like are accepted and
    ignored (a run's reply stays in its session)."""

    model_config = ConfigDict(extra="ignore")
    name: str | None = Field(None, max_length=200)
    schedule: Any
    tz: str | None = Field(None, min_length=1, max_length=100)
    message: str | None = Field(None, min_length=1, max_length=MAX_MESSAGE)
    payload: Payload | None = None
    sessionKey: str | None = Field(None, max_length=500)
    sessionTarget: SessionTarget = None
    agentId: AgentId = None
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
    name: str | None = Field(None, min_length=1, max_length=200)
    schedule: Any = None
    tz: str | None = Field(None, min_length=1, max_length=100)
    message: str | None = Field(None, min_length=1, max_length=MAX_MESSAGE)
    payload: PayloadPatch | None = None
    sessionKey: str | None = Field(None, max_length=500)
    sessionTarget: SessionTarget = None
    agentId: AgentId = None
    enabled: bool | None = None

    @field_validator("schedule")
    @classmethod
    def _shape(cls, value: Any) -> Any:
        return None if value is None else _schedule_shape(value)


class UpdateParams(JobParams):
    patch: Patch
    expectedConfigRevision: str | None = Field(None, min_length=1, max_length=128)


class RunParams(JobParams):
    mode: Literal["force", "due", "if-enabled"] = "force"
    expectedProcessInstanceId: str | None = None  # accepted; there is one process


class RunsParams(BaseModel):
    model_config = ConfigDict(extra="ignore")
    id: str | None = Field(
        None, min_length=1, max_length=100, validation_alias=AliasChoices("id", "jobId")
    )
    scope: Literal["job", "all"] | None = None
    limit: int = Field(50, ge=1, le=MAX_PAGE)
    offset: int = Field(0, ge=0)
    runId: str | None = Field(None, min_length=1, max_length=200)
    status: Literal["all", "ok", "error", "skipped"] = "all"
    statuses: list[Literal["ok", "error", "skipped"]] | None = Field(
        None, min_length=1, max_length=3
    )
    deliveryStatus: Literal["delivered", "not-delivered", "unknown", "not-requested"] | None = None
    deliveryStatuses: (
        list[Literal["delivered", "not-delivered", "unknown", "not-requested"]] | None
    ) = Field(None, min_length=1, max_length=4)
    query: str | None = Field(None, max_length=500)
    sortDir: Literal["asc", "desc"] = "desc"
    agentId: str | None = None

    @field_validator("agentId")
    @classmethod
    def _agent(cls, value: Any) -> Any:
        return _agent_shape(value)


class StatusParams(BaseModel):
    model_config = ConfigDict(extra="ignore")


class CronEventPayload(BaseModel):
    model_config = ConfigDict(extra="allow")
    action: str
    jobId: str
    ts: int


def _not_found(job_id: str) -> GatewayError:
    """The reference's miss: its CLI recognises the message and ``details.code``."""
    return invalid_request(
        f"cron job not found: {job_id}. List automations and retry with a current job id.",
        code="CRON_JOB_NOT_FOUND",
        jobId=job_id,
    )


def _message(message: str | None, payload: Payload | PayloadPatch | None) -> str | None:
    if payload is not None and payload.message is not None:
        return payload.message
    return message


def _session_key(target: str | None, session_key: str | None) -> str | None:
    """The run session a job's ``sessionTarget``/``sessionKey`` name: ``""`` is the job's own
    session (``isolated``), None leaves it as it is (``current`` without a key)."""
    if session_key is not None and session_key.strip():
        return session_key
    if target == "main":
        return "main"
    if target is not None and target.startswith("session:"):
        return target[len("session:") :]
    if target == "isolated":
        return ""
    return session_key


# --- cron.list ----------------------------------------------------------------------------------


def _compare(sort_by: str, descending: bool, a: dict[str, Any], b: dict[str, Any]) -> int:
    """The reference's order: by next run (jobs with none last), update time or name; ties by id."""
    direction = -1 if descending else 1
    cmp: int = 0
    if sort_by == "name":
        left, right = a["name"].casefold(), b["name"].casefold()
        cmp = (left > right) - (left < right)
    elif sort_by == "updatedAtMs":
        cmp = int(a["updatedAtMs"]) - int(b["updatedAtMs"])
    else:
        left_next, right_next = a["nextRunAtMs"], b["nextRunAtMs"]
        if left_next is not None and right_next is not None:
            cmp = int(left_next) - int(right_next)
        elif left_next is not None or right_next is not None:
            return -1 if left_next is not None else 1
    if cmp:
        return cmp * direction
    return int(a["id"] > b["id"]) - int(a["id"] < b["id"])


def _matches(job: dict[str, Any], params: ListParams, enabled: str) -> bool:
    if enabled == "enabled" and not job["enabled"]:
        return False
    if enabled == "disabled" and job["enabled"]:
        return False
    if params.agentId is not None and params.agentId.strip().lower() != job["agentId"]:
        return False
    if params.scheduleKind != "all" and job["schedule"]["kind"] != params.scheduleKind:
        return False
    if (
        params.lastRunStatus != "all"
        and (job["lastRunStatus"] or "unknown") != params.lastRunStatus
    ):
        return False
    if params.trigger == "conditional":  # no job has a trigger script here
        return False
    if params.sessionKey and job["sessionKey"] != canonical_session_key(params.sessionKey, ""):
        return False
    query = (params.query or "").strip().lower()
    return not query or query in f"{job['id']} {job['name']}".lower()


def snapshot_revision(jobs: list[dict[str, Any]]) -> str:
    """A token of the whole filtered inventory: the same while nothing in it changes."""
    return digest_token(jobs)


def _compact(job: dict[str, Any]) -> dict[str, Any]:
    """The reference's ``compact: true`` projection of a job."""

    def iso(ms: int | None) -> str | None:
        return None if ms is None else iso_ms(ms)

    out = {
        "id": job["id"],
        "name": job["name"],
        "agentId": job["agentId"],
        "updatedAtMs": job["updatedAtMs"],
        "enabled": job["enabled"],
        "nextRunAt": iso(job["nextRunAtMs"]),
        "nextRunAtMs": job["nextRunAtMs"],
        "scheduleKind": job["schedule"]["kind"],
        "schedule": job["schedule"],
        "lastRunAt": iso(job["lastRunAtMs"]),
        "lastRunAtMs": job["lastRunAtMs"],
        "lastRunStatus": job["lastRunStatus"],
        "lastRunError": job["lastRunError"],
    }
    if "runningAtMs" in job["state"]:
        out["runningAtMs"] = job["state"]["runningAtMs"]
    return out


async def cron_list(ctx: MethodContext, params: ListParams) -> Any:
    enabled = params.enabled or ("all" if params.includeDisabled else "enabled")
    jobs = [job for job in ctx.core.cron.payloads() if _matches(job, params, enabled)]
    jobs.sort(
        key=functools.cmp_to_key(
            functools.partial(_compare, params.sortBy, params.sortDir == "desc")
        )
    )
    total = len(jobs)
    offset = min(params.offset, total)
    limit = max(1, min(MAX_PAGE, params.limit if params.limit is not None else total or 50))
    page = jobs[offset : offset + limit]
    next_offset = offset + len(page)
    result: dict[str, Any] = {
        "jobs": [
            {**(_compact(job) if params.compact else job), "effectiveAgentId": job["agentId"]}
            for job in page
        ],
        "total": total,
        "offset": offset,
        "limit": limit,
        "hasMore": next_offset < total,
        "nextOffset": next_offset if next_offset < total else None,
        "snapshotRevision": snapshot_revision(jobs),
        "enabled": ctx.core.config.cron.enabled,
    }
    if not params.compact and params.includeDeliveryPreviews:
        result["deliveryPreviews"] = {job["id"]: dict(DELIVERY_PREVIEW) for job in page}
    return result


# --- the others ---------------------------------------------------------------------------------


async def cron_get(ctx: MethodContext, params: JobParams) -> Any:
    job = ctx.core.cron.payload(params.id)
    if job is None:
        raise _not_found(params.id)
    return job


async def cron_status(ctx: MethodContext, params: StatusParams) -> Any:
    return ctx.core.cron.status()


async def cron_add(ctx: MethodContext, params: AddParams) -> Any:
    scheduler = ctx.core.cron
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
        session_key=_session_key(params.sessionTarget, params.sessionKey),
        enabled=params.enabled,
    )
    return {**job_payload(job), "deliveryPreview": dict(DELIVERY_PREVIEW)}


async def cron_update(ctx: MethodContext, params: UpdateParams) -> Any:
    scheduler = ctx.core.cron
    job = scheduler.jobs.get(params.id)
    if job is None:
        raise _not_found(params.id)
    if params.expectedConfigRevision is not None:
        actual = config_revision(job)
        if actual != params.expectedConfigRevision:
            raise invalid_request(
                "cron job definition no longer matches the loaded version; review the latest"
                " version before retrying",
                code="CRON_JOB_CHANGED",
                expectedConfigRevision=params.expectedConfigRevision,
                actualConfigRevision=actual,
            )
    patch = params.patch
    session_key = _session_key(patch.sessionTarget, patch.sessionKey)
    if session_key is None and "sessionKey" in patch.model_fields_set:
        session_key = ""  # sessionKey: null → back to the job's own session
    schedule = None
    try:
        if patch.schedule is not None:
            tz = patch.tz
            bare = isinstance(patch.schedule, str) or (
                patch.schedule.get("kind") == "cron" and patch.schedule.get("tz") is None
            )
            if tz is None and bare:
                tz = job.tz  # a new expression without a zone keeps the job's zone
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
            session_key=session_key,
            enabled=patch.enabled,
        )
    except ScheduleError as exc:
        field = exc.field if exc.field.startswith("patch/") else f"patch/{exc.field}"
        raise schedule_error("cron.update", ScheduleError(field, exc.reason)) from None
    if updated is None:
        raise _not_found(params.id)
    return scheduler.payload(params.id) or job_payload(updated)


async def cron_remove(ctx: MethodContext, params: JobParams) -> Any:
    if not await ctx.core.cron.remove(params.id):
        raise _not_found(params.id)
    return {"ok": True, "removed": True, "id": params.id}


async def cron_run(ctx: MethodContext, params: RunParams) -> Any:
    """``{ok, enqueued: true, runId}`` when a run starts; ``{ok, ran: false, reason}`` when not
    (``already-running``, with the running ``runId``; ``not-due``; ``disabled``)."""
    scheduler = ctx.core.cron
    if params.id not in scheduler.jobs:
        raise _not_found(params.id)
    run_id, status = await scheduler.run_now(params.id, params.mode)
    if status == "started":
        return {"ok": True, "enqueued": True, "runId": run_id, "id": params.id, "status": status}
    reason = "already-running" if status == "in_flight" else status
    result: dict[str, Any] = {"ok": True, "ran": False, "reason": reason, "id": params.id}
    if run_id is not None:
        result.update(runId=run_id, status=status)
    return result


async def cron_runs(ctx: MethodContext, params: RunsParams) -> Any:
    """One job's run history (``id``), or every job's (``scope: "all"`` or no id)."""
    scheduler = ctx.core.cron
    scope = params.scope or ("job" if params.id is not None else "all")
    if scope == "job":
        if params.id is None:
            raise invalid_request(
                "invalid cron.runs params: missing id", code="INVALID_PARAMS", path="/id"
            )
        if params.id not in scheduler.jobs:
            raise _not_found(params.id)
    statuses: list[str] | None = None
    if params.statuses is not None:
        statuses = list(params.statuses)
    elif params.status != "all":
        statuses = [params.status]
    wanted = params.deliveryStatuses or (
        [params.deliveryStatus] if params.deliveryStatus is not None else None
    )
    if wanted is not None and "not-requested" not in wanted:
        statuses = []  # no run here delivers anywhere: every one is "not-requested"
    entries, total, offset = await scheduler.runs(
        params.id if scope == "job" else None,
        limit=params.limit,
        offset=params.offset,
        run_id=params.runId,
        statuses=statuses,
        query=(params.query or "").strip() or None,
        ascending=params.sortDir == "asc",
    )
    next_offset = offset + len(entries)
    result: dict[str, Any] = {
        "entries": entries,
        "total": total,
        "offset": offset,
        "limit": params.limit,
        "hasMore": next_offset < total,
        "nextOffset": next_offset if next_offset < total else None,
    }
    if scope == "job":
        result["id"] = params.id
    return result


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
        ("cron.run", cron_run, RunParams, ADMIN),
    ):
        register(MethodSpec(name=name, handler=handler, params=params, scope=scope))


@hookimpl
def register_events(register: Callable[[EventSpec], None]) -> None:
    register(EventSpec(name="cron", payload=CronEventPayload, scope=READ))
