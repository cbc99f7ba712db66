"""Agent runs and chat: ``agent``, ``agent.wait``, ``chat.*``, ``sessions.*`` and their events.

``agent`` answers twice with the same id (``accepted`` at once, then the final result), as the
reference does; ``chat.send`` answers once (``started``) and the outcome arrives as ``chat`` events.
Both are deduplicated by ``idempotencyKey`` (= the ``runId``), also across restarts.
"""

from __future__ import annotations

import binascii
from base64 import b64decode
from collections.abc import Callable
from typing import Annotated, Any, Self

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from ..agent import media
from ..agent.run import Run
from ..agent.sessions import canonical_session_key
from ..auth.scopes import ADMIN, READ, WRITE
from ..clock import now_ms
from ..errors import ErrorCode, GatewayError, invalid_request
from ..hooks import hookimpl
from ..hooks.registry import EventSpec, MethodContext, MethodSpec
from ..protocol.codec import encode_response
from ..state import sessions as store

RESET_COMMANDS = ("/new", "/reset")
MAX_MESSAGE = 256 * 1024


def _decode_base64(value: Any) -> bytes:
    """Base64 (or a ``data:`` URL) → the bytes, decoded once, here."""
    if not isinstance(value, str) or not value:
        raise ValueError("content must be a non-empty base64 string")
    if value.startswith("data:"):
        value = value.partition(",")[2]
    try:
        return b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("content is not valid base64") from None


class AttachmentParam(BaseModel):
    """``{type?, mimeType?, fileName?, content: <base64>}`` as the reference's clients send it
    (``content`` may also be a ``data:`` URL); decoded and checked against
    ``hello-ok.policy.attachments`` here, so a bad one is an INVALID_REQUEST with its path."""

    model_config = ConfigDict(extra="ignore")
    type: str | None = None
    mimeType: str | None = Field(None, max_length=200)
    fileName: str | None = Field(None, max_length=255)
    content: Annotated[bytes, BeforeValidator(_decode_base64)] = Field(repr=False)
    """The decoded bytes."""

    @model_validator(mode="after")
    def _check_size(self) -> Self:
        if not self.mimeType and self.type == "image":
            self.mimeType = "image/png"
        mime = media.effective_mime(self.content, self.fileName, self.mimeType)
        limit = media.limit_for(mime)
        if len(self.content) > limit:
            raise ValueError(f"{mime} attachment of {len(self.content)} bytes is over {limit}")
        return self


Attachments = list[AttachmentParam]


class AgentParams(BaseModel):
    model_config = ConfigDict(extra="ignore")
    message: str = Field(max_length=MAX_MESSAGE)
    idempotencyKey: str = Field(min_length=1, max_length=200)
    agentId: str | None = None
    sessionKey: str | None = None
    sessionId: str | None = None
    attachments: Attachments = Field(default_factory=list, max_length=media.MAX_ATTACHMENTS)


class WaitParams(BaseModel):
    model_config = ConfigDict(extra="ignore")
    runId: str = Field(min_length=1)
    timeoutMs: int = Field(30_000, ge=0, le=3_600_000)


class ChatSendParams(BaseModel):
    model_config = ConfigDict(extra="ignore")
    sessionKey: str | None = None
    message: str = Field(max_length=MAX_MESSAGE)
    idempotencyKey: str = Field(min_length=1, max_length=200)
    attachments: Attachments = Field(default_factory=list, max_length=media.MAX_ATTACHMENTS)


class HistoryParams(BaseModel):
    model_config = ConfigDict(extra="ignore")
    sessionKey: str = Field(min_length=1)
    limit: int = Field(200, ge=1, le=1000)


class AbortParams(BaseModel):
    model_config = ConfigDict(extra="ignore")
    sessionKey: str = Field(min_length=1)
    runId: str | None = None


class SessionParams(BaseModel):
    model_config = ConfigDict(extra="ignore")
    sessionKey: str = Field(min_length=1)


class Empty(BaseModel):
    model_config = ConfigDict(extra="ignore")


def _failed(run: Run) -> GatewayError:
    return GatewayError(ErrorCode.UNAVAILABLE, run.summary, payload=run.final_payload())


async def _store(ctx: MethodContext, attachments: Attachments) -> list[media.StoredMedia]:
    stored = []
    for index, a in enumerate(attachments):
        try:
            stored.append(
                await ctx.core.runs.media.save(
                    a.content, name=a.fileName, mime=a.mimeType, origin="upload"
                )
            )
        except media.MediaRejected as exc:
            raise invalid_request(
                f"attachment {index}: {exc}", code="INVALID_PARAMS", path=f"/attachments/{index}"
            ) from None
    return stored


def agent_scope(params: Any) -> str:
    message = params.get("message") if isinstance(params, dict) else None
    return ADMIN if isinstance(message, str) and message.strip() in RESET_COMMANDS else WRITE


async def agent(ctx: MethodContext, params: AgentParams) -> Any:
    runs = ctx.core.runs
    run_id = params.idempotencyKey
    session_key = canonical_session_key(params.sessionKey, run_id)
    if params.message.strip() in RESET_COMMANDS:
        db = ctx.core.db
        await db.run(store.reset_session, db.conn, session_key)
        return {"runId": run_id, "status": "ok", "summary": "session reset"}

    async def submit() -> Run:
        return await runs.submit(
            run_id=run_id,
            session_key=session_key,
            message=params.message,
            kind="agent",
            media=await _store(ctx, params.attachments),
        )

    run = await runs.submit_once(run_id, submit)
    if run.active:
        ack = {
            "runId": run_id,
            "agentId": run.agent_id,
            "status": "accepted",
            "acceptedAt": run.accepted_at_ms,
        }
        await ctx.conn.send(encode_response(ctx.request_id, ack))
        await run.done.wait()
    if run.status != "ok":
        raise _failed(run)
    return run.final_payload()


async def agent_wait(ctx: MethodContext, params: WaitParams) -> Any:
    return await ctx.core.runs.wait(params.runId, params.timeoutMs)


async def chat_send(ctx: MethodContext, params: ChatSendParams) -> Any:
    if params.sessionKey is None or not params.sessionKey.strip():
        raise invalid_request(
            "session mutation target is unavailable",
            code="SESSION_MUTATION_TARGET_REQUIRED",
            method="chat.send",
        )
    runs = ctx.core.runs
    run_id = params.idempotencyKey
    session_key = canonical_session_key(params.sessionKey, run_id)
    started: list[Run] = []

    async def submit() -> Run:
        run = await runs.submit(
            run_id=run_id,
            session_key=session_key,
            message=params.message,
            kind="chat",
            media=await _store(ctx, params.attachments),
        )
        started.append(run)
        return run

    run = await runs.submit_once(run_id, submit)
    if started:
        return {"runId": run_id, "status": "started"}
    if run.active:
        return {"runId": run_id, "status": "in_flight"}
    if run.status != "ok":
        raise _failed(run)
    return run.final_payload()


async def chat_history(ctx: MethodContext, params: HistoryParams) -> Any:
    db = ctx.core.db
    key = canonical_session_key(params.sessionKey, "")
    session = await db.run(store.get_session, db.conn, key)
    messages, total = await db.run(store.history, db.conn, key, params.limit)
    result: dict[str, Any] = {
        "sessionKey": params.sessionKey,
        "messages": messages,
        "pendingInputs": {"items": [], "total": 0},
        "hasMore": total > len(messages),
        "totalMessages": total,
        "activeRunIds": [r.run_id for r in ctx.core.runs.active_in(key)],
    }
    if session is not None:
        result["sessionId"] = session.session_id
    return result


async def chat_abort(ctx: MethodContext, params: AbortParams) -> Any:
    key = canonical_session_key(params.sessionKey, "")
    aborted = ctx.core.runs.abort(key, params.runId)
    return {"ok": True, "aborted": bool(aborted), "runIds": aborted}


async def sessions_list(ctx: MethodContext, params: Empty) -> Any:
    """Stored sessions, newest first, in the reference's row shape (what the Control UI lists),
    with ``defaults`` (the model new turns use)."""
    from .control_ui_views import session_defaults, session_row

    core = ctx.core
    db = core.db
    rows = await db.run(store.list_sessions, db.conn)
    sessions = [
        {
            **session_row(core, s.session_key, updated_at=s.updated_at_ms, session_id=s.session_id),
            "createdAt": s.created_at_ms,
            "messages": n,
        }
        for s, n in rows
    ]
    return {
        "ts": now_ms(),
        "path": str(core.config.db_path) if ADMIN in ctx.conn.scopes else None,
        "count": len(sessions),
        "totalCount": len(sessions),
        "limitApplied": None,
        "nextOffset": None,
        "hasMore": False,
        "owners": [],
        "defaults": session_defaults(core, admin=ADMIN in ctx.conn.scopes),
        "sessions": sessions,
    }


async def sessions_reset(ctx: MethodContext, params: SessionParams) -> Any:
    db = ctx.core.db
    key = canonical_session_key(params.sessionKey, "")
    if not await db.run(store.reset_session, db.conn, key):
        raise invalid_request("unknown sessionKey")
    ctx.core.broadcast("sessions.changed", {"sessionKey": key, "reason": "reset"})
    return {"ok": True, "sessionKey": key}


@hookimpl
def register_methods(register: Callable[[MethodSpec], None]) -> None:
    register(
        MethodSpec(
            name="agent",
            handler=agent,
            params=AgentParams,
            scope=WRITE,
            scope_for=agent_scope,
            side_effects=True,
            dedupe=False,  # the run store dedupes by runId, also while the run is in flight
            background=True,
        )
    )
    register(
        MethodSpec(
            name="agent.wait", handler=agent_wait, params=WaitParams, scope=WRITE, background=True
        )
    )
    register(
        MethodSpec(
            name="chat.send",
            handler=chat_send,
            params=ChatSendParams,
            scope=WRITE,
            side_effects=True,
            dedupe=False,
        )
    )
    register(
        MethodSpec(name="chat.history", handler=chat_history, params=HistoryParams, scope=READ)
    )
    register(MethodSpec(name="chat.abort", handler=chat_abort, params=AbortParams, scope=WRITE))
    register(MethodSpec(name="sessions.list", handler=sessions_list, params=Empty, scope=READ))
    register(
        MethodSpec(name="sessions.reset", handler=sessions_reset, params=SessionParams, scope=ADMIN)
    )


@hookimpl
def register_events(register: Callable[[EventSpec], None]) -> None:
    register(EventSpec(name="agent", scope=READ))
    register(EventSpec(name="chat", scope=READ))
    register(EventSpec(name="sessions.changed", scope=READ))
