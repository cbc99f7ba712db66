"""Cron jobs and runs in the reference gateway's wire shapes (``cron.*`` results, ``cron`` events).

Pure functions of the stored records, so the scheduler (:mod:`.cron`) keeps to scheduling and the
official ``openclaw cron`` CLI's view of a job is defined, and tested, in one place.
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

from ..state import cron as store
from .schedule import Schedule
from .sessions import DEFAULT_AGENT, MAIN_SESSION


def own_session_key(job_id: str) -> str:
    """A job's own (``isolated``) session."""
    return f"agent:{DEFAULT_AGENT}:cron:{job_id}"


DELIVERY_PREVIEW = {"label": "not requested", "detail": "replies stay in the session transcript"}
"""What the reference calls a job's delivery preview: runs are delivered nowhere but the transcript."""


def session_target(job: store.CronJobRecord) -> str:
    """The reference's ``sessionTarget``: ``isolated`` for the job's own session, ``main``, or
    ``session:<key>``."""
    if job.session_key == own_session_key(job.job_id):
        return "isolated"
    if job.session_key == MAIN_SESSION:
        return "main"
    return f"session:{job.session_key}"


def wire_status(status: str | None) -> str | None:
    """A run status in the reference's words (``ok``/``error``/``skipped``): an aborted run is an
    error; ``running`` (and None) stay as they are."""
    return "error" if status == "aborted" else status


def config_revision(job: store.CronJobRecord) -> str:
    """An opaque token of the job's definition (not its run state): ``cron.update`` with
    ``expectedConfigRevision`` refuses when the job changed since it was read."""
    definition = {
        "name": job.name,
        "schedule": Schedule.of(job).spec(),
        "message": job.message,
        "sessionKey": job.session_key,
        "enabled": job.enabled,
    }
    return digest_token(definition)


def digest_token(value: Any) -> str:
    """``sha256:<base64url>`` of a JSON value (keys sorted): the reference's revision tokens."""
    digest = hashlib.sha256(json.dumps(value, sort_keys=True).encode()).digest()
    return "sha256:" + base64.urlsafe_b64encode(digest).decode().rstrip("=")


def job_payload(job: store.CronJobRecord, running_run_id: str | None = None) -> dict[str, Any]:
    """A job as the reference shapes it (``schedule`` object, ``payload``, ``sessionTarget``,
    ``state``, the read view's ``nextRunAtMs``/``lastRun*``), plus ``lastRunId``/``runningRunId``."""
    last_status = None if job.last_status == "running" else wire_status(job.last_status)
    state: dict[str, Any] = {}
    if job.next_run_at_ms is not None:
        state["nextRunAtMs"] = job.next_run_at_ms
    if running_run_id is not None and job.last_run_at_ms is not None:
        state["runningAtMs"] = job.last_run_at_ms
    if job.last_run_at_ms is not None:
        state["lastRunAtMs"] = job.last_run_at_ms
    if last_status is not None:
        state["lastRunStatus"] = last_status
        state["lastStatus"] = last_status
        state["lastDeliveryStatus"] = "not-requested"
    if job.last_error:
        state["lastError"] = job.last_error
    return {
        "id": job.job_id,
        "name": job.name,
        "agentId": DEFAULT_AGENT,
        "sessionKey": job.session_key,
        "enabled": job.enabled,
        "createdAtMs": job.created_at_ms,
        "updatedAtMs": job.updated_at_ms or job.created_at_ms,
        "configRevision": config_revision(job),
        "schedule": Schedule.of(job).spec(),
        "sessionTarget": session_target(job),
        "wakeMode": "now",
        "payload": {"kind": "agentTurn", "message": job.message},
        "delivery": {"mode": "none"},
        "state": state,
        "nextRunAtMs": job.next_run_at_ms,
        "lastRunAtMs": job.last_run_at_ms,
        "lastRunStatus": last_status,
        "lastRunError": job.last_error,
        "lastRunId": job.last_run_id,
        "runningRunId": running_run_id,
    }


def run_payload(run: store.CronRunRecord, job_name: str | None = None) -> dict[str, Any]:
    """A history entry as the reference shapes it (``action: "finished"``, ``status``,
    ``completionStatus``, ``ts``…), plus ``reason`` and ``endedAtMs``; a run still going is
    ``action: "started"``, ``status: "running"``."""
    finished = run.status != "running"
    status = wire_status(run.status)
    entry: dict[str, Any] = {
        "ts": run.ended_at_ms if run.ended_at_ms is not None else run.run_at_ms,
        "jobId": run.job_id,
        "action": "finished" if finished else "started",
        "status": status,
    }
    if finished:
        entry["completionStatus"] = "succeeded" if status == "ok" else "failed"
        entry["deliveryStatus"] = "not-requested"
    error = run.error or ("the run was aborted" if run.status == "aborted" else None)
    if error:
        entry["error"] = error
    if run.summary:
        entry["summary"] = run.summary
    entry.update(runId=run.run_id, runAtMs=run.run_at_ms, sessionKey=run.session_key)
    if run.duration_ms is not None:
        entry["durationMs"] = run.duration_ms
    if job_name is not None:
        entry["jobName"] = job_name
    entry.update(reason=run.reason, endedAtMs=run.ended_at_ms)
    return entry


WIRE_TO_STORED = {"ok": ("ok",), "error": ("error", "aborted"), "skipped": ()}
"""Stored run statuses behind each of the reference's (skipped fires are not runs here)."""
