"""``cron.list``/``cron.add``/``cron.remove``/``cron.run`` and the ``cron`` event.

The scheduler itself lives in :mod:`openclaw_gateway.agent.cron`; these handlers validate and
translate. A bad cron expression or time zone is ``INVALID_REQUEST`` with the field in
``details.path`` and the parser's reason in ``details.reason``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ..agent.cron import ScheduleError, job_payload, schedule_error
from ..auth.scopes import ADMIN, READ
from ..errors import GatewayError, invalid_request
from ..hooks import hookimpl
from ..hooks.registry import EventSpec, MethodContext, MethodSpec
from .agent import MAX_MESSAGE


class ListParams(BaseModel):
    model_config = ConfigDict(extra="ignore")
    includeDisabled: bool = True


class AddParams(BaseModel):
    model_config = ConfigDict(extra="ignore")
    name: str | None = Field(None, max_length=200)
    schedule: str = Field(min_length=1, max_length=200)
    tz: str = Field("UTC", min_length=1, max_length=100)
    message: str = Field(min_length=1, max_length=MAX_MESSAGE)
    sessionKey: str | None = Field(None, max_length=500)
    enabled: bool = True
    idempotencyKey: str | None = None  # accepted, not required


class JobParams(BaseModel):
    model_config = ConfigDict(extra="ignore")
    id: str = Field(min_length=1, max_length=100)
    idempotencyKey: str | None = None


class CronEventPayload(BaseModel):
    model_config = ConfigDict(extra="allow")
    action: str
    jobId: str
    ts: int


def _unknown(job_id: str) -> GatewayError:
    return invalid_request(f"unknown cron job id: {job_id}", code="UNKNOWN_CRON_JOB", id=job_id)


async def cron_list(ctx: MethodContext, params: ListParams) -> Any:
    jobs = ctx.gateway.cron.payloads()
    if not params.includeDisabled:
        jobs = [job for job in jobs if job["enabled"]]
    return {"jobs": jobs, "enabled": ctx.gateway.config.cron.enabled}


async def cron_add(ctx: MethodContext, params: AddParams) -> Any:
    try:
        job = await ctx.gateway.cron.add(
            name=params.name,
            schedule=params.schedule,
            tz=params.tz.strip(),
            message=params.message,
            session_key=params.sessionKey,
            enabled=params.enabled,
        )
    except ScheduleError as exc:
        raise schedule_error("cron.add", exc) from None
    return job_payload(job)


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


@hookimpl
def register_methods(register: Callable[[MethodSpec], None]) -> None:
    register(MethodSpec(name="cron.list", handler=cron_list, params=ListParams, scope=READ))
    register(MethodSpec(name="cron.add", handler=cron_add, params=AddParams, scope=ADMIN))
    register(MethodSpec(name="cron.remove", handler=cron_remove, params=JobParams, scope=ADMIN))
    register(MethodSpec(name="cron.run", handler=cron_run, params=JobParams, scope=ADMIN))


@hookimpl
def register_events(register: Callable[[EventSpec], None]) -> None:
    register(EventSpec(name="cron", payload=CronEventPayload, scope=READ))
