"""Agent runs: one queue per session, streamed as ``agent``/``chat`` events, persisted as it goes.

Two messages to one session never interleave (a per-session lock); different sessions run in
parallel. A run always ends with a final status — ``ok``, ``error`` (with the reason) or
``aborted`` — never a hung client: provider errors, tool crashes and the run timeout all end it.
"""

from __future__ import annotations

import functools
import logging
import uuid
from collections import Counter, OrderedDict
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import anyio
from pydantic import BaseModel

from ..clock import now_ms
from ..keyed_locks import KeyedLocks
from ..state import sessions as store
from .media import MediaStore, StoredMedia, Unavailable, describe_unavailable
from .provider import (
    AgentProvider,
    Finished,
    ImageInput,
    Message,
    ProviderError,
    TextDelta,
    ToolCall,
    ToolCallsReady,
    Usage,
    tool_result_text,
)
from .provider_settings import make_provider
from .run import Run
from .sessions import DEFAULT_AGENT
from .tools import ToolBox

if TYPE_CHECKING:
    from ..config import AgentConfig
    from ..hooks.specs import AgentProviderSpec
    from ..runtime import Broadcast, Spawn
    from ..state.db import Database

log = logging.getLogger("openclaw_gateway.agent")

MAX_REMEMBERED_RUNS = 2000
MAX_HISTORY_IMAGES = 4
"""Images older than the last few are not re-sent to the model on every turn (cost, context)."""


class RunManager:
    """Agent runs: queued one at a time per session, executed in the background, broadcast as
    ``agent``/``chat`` events, persisted with the turn they answer."""

    def __init__(
        self,
        *,
        db: Database,
        config: AgentConfig,
        media: MediaStore,
        providers: Mapping[str, AgentProviderSpec],
        plugin_configs: Mapping[str, BaseModel],
        toolbox: Callable[[], ToolBox],
        broadcast: Broadcast,
        spawn: Spawn,
    ) -> None:
        self.db = db
        self.config = config
        self.media = media
        self.providers = providers
        self.plugin_configs = plugin_configs
        self.toolbox = toolbox
        self.broadcast = broadcast
        self.spawn = spawn
        self.finished: Counter[str] = Counter()  # runs ended, by final status
        self.runs: OrderedDict[str, Run] = OrderedDict()
        self._sessions: KeyedLocks[str] = KeyedLocks()  # one run at a time per session
        self._starting: KeyedLocks[str] = KeyedLocks()  # one submit at a time per run id
        self._provider: AgentProvider | None = None
        self._models: tuple[int, list[str]] | None = None
        # Runs left 'running' by a crash or restart end as errors (once, at start, before serving).
        interrupted = store.fail_interrupted_runs(db.conn, now_ms())
        if interrupted:
            log.warning("%d agent run(s) were interrupted by the last shutdown", interrupted)

    # --- provider ------------------------------------------------------------------------------

    @property
    def provider(self) -> AgentProvider:
        if self._provider is None:
            self._provider = make_provider(self.config, self.providers, self.plugin_configs)
        return self._provider

    async def list_models(self, timeout: float = 5.0) -> list[str]:
        """The models the provider says it serves (cached a minute; [] when it cannot tell)."""
        cached = self._models
        if cached is not None and now_ms() - cached[0] < 60_000:
            return cached[1]
        models: list[str] = []
        with anyio.move_on_after(timeout):
            try:
                models = sorted(
                    {m for m in await self.provider.list_models() if isinstance(m, str)}
                )
            except Exception as exc:  # a provider that cannot list is not an error here
                log.debug("listing the provider's models failed: %s", exc)
        self._models = (now_ms(), models)
        return models

    async def aclose(self) -> None:
        """At shutdown: let the provider release its connections."""
        if self._provider is not None:
            try:
                await self._provider.aclose()
            except Exception:
                log.exception("closing the agent provider failed")

    # --- lookup --------------------------------------------------------------------------------

    async def find(self, run_id: str) -> Run | None:
        """A run in memory, or a finished one from the database (survives restarts)."""
        run = self.runs.get(run_id)
        if run is not None:
            return run
        db = self.db
        record = await db.run(store.get_run, db.conn, run_id)
        return Run.from_record(record) if record is not None else None

    def active_in(self, session_key: str) -> list[Run]:
        return [r for r in self.runs.values() if r.session_key == session_key and r.active]

    # --- submit / wait / abort ----------------------------------------------------------------

    async def submit(
        self,
        *,
        run_id: str,
        session_key: str,
        message: str,
        kind: str,
        media: Sequence[StoredMedia | Unavailable] = (),
    ) -> Run:
        """Persist the user's message (with references to its stored attachments), queue the run
        on its session, and return at once."""
        db = self.db
        now = now_ms()
        explicit_id = run_id if ":explicit:" in session_key else None
        session, turn = await db.run(
            functools.partial(
                store.begin_turn,
                db.conn,
                session_key=session_key,
                agent_id=DEFAULT_AGENT,
                session_id=explicit_id,
                run_id=run_id,
                kind=kind,
                user_message={
                    "role": "user",
                    "content": [{"type": "text", "text": message}]
                    + [m.transcript_part() for m in media],
                    "timestamp": now,
                },
                now_ms=now,
            )
        )
        run = Run(run_id, session_key, kind, session_id=session.session_id, turn=turn)
        self._remember(run)
        self.spawn(lambda: self._execute(run))
        return run

    async def submit_once(self, run_id: str, submit: Callable[[], Awaitable[Run]]) -> Run:
        """The run ``run_id`` names: the one already known, else the one ``submit()`` starts.

        Single flight: a second caller with the same id (an idempotent retry racing the first)
        waits for the first to finish submitting and gets its run, never a second run.
        """
        async with self._starting.hold(run_id):
            run = await self.find(run_id)
            return run if run is not None else await submit()

    def _remember(self, run: Run) -> None:
        self.runs[run.run_id] = run
        while len(self.runs) > MAX_REMEMBERED_RUNS:
            oldest_id, oldest = next(iter(self.runs.items()))
            if oldest.active:
                break
            del self.runs[oldest_id]

    async def wait(self, run_id: str, timeout_ms: int) -> dict[str, Any]:
        run = await self.find(run_id)
        with anyio.move_on_after(timeout_ms / 1000):
            while run is None:  # not known yet: it may be submitted while we wait
                await anyio.sleep(0.05)
                run = self.runs.get(run_id)
            await run.done.wait()
            return run.wait_result()
        return {"runId": run_id, "status": "timeout"}

    def abort(self, session_key: str, run_id: str | None = None) -> list[str]:
        aborted = []
        for run in self.active_in(session_key):
            if run_id is not None and run.run_id != run_id:
                continue
            run.abort_requested = True
            if run.cancel is not None:
                run.cancel.cancel()
            aborted.append(run.run_id)
        return aborted

    # --- execution -----------------------------------------------------------------------------

    def _emit(self, run: Run, stream: str, data: dict[str, Any]) -> None:
        run.seq += 1
        self.broadcast(
            "agent",
            {
                "runId": run.run_id,
                "sessionKey": run.session_key,
                "sessionId": run.session_id,
                "agentId": run.agent_id,
                "stream": stream,
                "data": data,
                "seq": run.seq,
                "ts": now_ms(),
            },
        )

    def _chat(self, run: Run, state: str, **extra: Any) -> None:
        payload: dict[str, Any] = {
            "runId": run.run_id,
            "sessionKey": run.session_key,
            "agentId": run.agent_id,
            "seq": run.seq,
            "state": state,
        }
        payload.update({k: v for k, v in extra.items() if v is not None})
        self.broadcast("chat", payload)

    def _assistant_message(self, run: Run) -> dict[str, Any]:
        return {
            "role": "assistant",
            "content": [{"type": "text", "text": run.text}],
            "timestamp": now_ms(),
        }

    async def _execute(self, run: Run) -> None:
        async with self._sessions.hold(run.session_key):
            try:
                await self._run_turns(run)
            finally:
                # Inside the lock: the next run on this session starts after this one's end.
                await self._finish(run)

    async def _run_turns(self, run: Run) -> None:
        if run.abort_requested:
            run.status = "aborted"
            return
        cfg = self.config
        run.status = "running"
        run.started_at_ms = now_ms()
        self._emit(run, "lifecycle", {"phase": "start", "startedAt": run.started_at_ms})
        item_id = f"{run.run_id}:{uuid.uuid4().hex[:8]}"
        try:
            provider = self.provider
            run.provider, run.model = provider.name, provider.model
            self._emit(
                run,
                "lifecycle",
                {"phase": "model", "provider": provider.name, "model": provider.model},
            )
            messages = await self._conversation(run)
            tools = self.toolbox()
            with anyio.CancelScope() as scope:
                run.cancel = scope
                if run.abort_requested:
                    scope.cancel()
                with anyio.fail_after(cfg.run_timeout_ms / 1000):
                    for _ in range(cfg.max_tool_rounds):
                        calls = await self._one_turn(run, provider, messages, tools, item_id)
                        if not calls:
                            break
                        await self._run_tools(run, tools, calls, messages)
            if scope.cancelled_caught or run.abort_requested:
                run.status = "aborted"
                return
            run.status = "ok"
        except TimeoutError:
            run.status, run.error = "error", f"the run timed out after {cfg.run_timeout_ms} ms"
        except ProviderError as exc:
            run.status, run.error = "error", str(exc)
        except Exception as exc:
            log.exception("agent run %s failed", run.run_id)
            run.status, run.error = "error", f"{type(exc).__name__}: {exc}"

    async def _conversation(self, run: Run) -> list[Message]:
        db = self.db
        cfg = self.config
        bodies, _ = await db.run(
            store.history, db.conn, run.session_key, cfg.history_limit, run.turn
        )
        messages = [Message("system", cfg.system_prompt)]
        images_left = MAX_HISTORY_IMAGES
        user_images: dict[int, tuple[ImageInput, ...]] = {}
        for index in range(len(bodies) - 1, -1, -1):  # newest first: the latest images count
            if bodies[index]["role"] == "user" and images_left > 0:
                found = await self._images(bodies[index], images_left)
                images_left -= len(found)
                user_images[index] = found
        for index, body in enumerate(bodies):
            parts = [p for p in body.get("content", []) if isinstance(p, dict)]
            text = "".join(part.get("text", "") for part in parts)
            if body["role"] == "tool":
                messages.append(
                    Message(
                        "tool", text, tool_call_id=body.get("toolCallId"), name=body.get("toolName")
                    )
                )
            elif body["role"] == "assistant" and body.get("toolCalls"):
                calls = tuple(
                    ToolCall(c["id"], c["name"], c["arguments"]) for c in body["toolCalls"]
                )
                messages.append(Message("assistant", text, tool_calls=calls))
            elif body["role"] == "user":
                notes = [await self._file_note(part) for part in parts]
                text = "\n\n".join([text, *(n for n in notes if n)]).strip()
                messages.append(Message("user", text, images=user_images.get(index, ())))
            elif body["role"] == "assistant":
                messages.append(Message("assistant", text))
        return messages

    async def _images(self, body: dict[str, Any], limit: int) -> tuple[ImageInput, ...]:
        found: list[ImageInput] = []
        for part in body.get("content", []):
            media = StoredMedia.from_part(part) if isinstance(part, dict) else None
            if media is not None and media.kind == "image" and len(found) < limit:
                image = await self.media.image_input(media)
                if image is not None:
                    found.append(image)
        return tuple(found)

    async def _file_note(self, part: dict[str, Any]) -> str | None:
        """What the model reads for a non-image attachment (images travel as image inputs)."""
        media = StoredMedia.from_part(part)
        if media is None:
            return describe_unavailable(part)
        return None if media.kind == "image" else await self.media.describe(media)

    async def _one_turn(
        self,
        run: Run,
        provider: AgentProvider,
        messages: list[Message],
        tools: ToolBox,
        item_id: str,
    ) -> tuple[ToolCall, ...]:
        calls: tuple[ToolCall, ...] = ()
        async for event in provider.stream(messages, tools.definitions):
            if isinstance(event, TextDelta):
                if not event.text:
                    continue
                run.text += event.text
                for listener in run.listeners:
                    listener(event.text)
                self._emit(
                    run, "assistant", {"text": run.text, "delta": event.text, "itemId": item_id}
                )
                self._chat(run, "delta", deltaText=event.text, message=self._assistant_message(run))
            elif isinstance(event, ToolCallsReady):
                calls = event.calls
            elif isinstance(event, Usage):
                self._emit(
                    run,
                    "usage",
                    {"inputTokens": event.input_tokens, "outputTokens": event.output_tokens},
                )
            elif isinstance(event, Finished):
                run.stop_reason = event.stop_reason
        return calls

    async def _run_tools(
        self, run: Run, tools: ToolBox, calls: tuple[ToolCall, ...], messages: list[Message]
    ) -> None:
        db = self.db
        messages.append(Message("assistant", "", tool_calls=calls))
        now = now_ms()
        await db.run(
            store.append_message,
            db.conn,
            run.session_key,
            run.run_id,
            {
                "role": "assistant",
                "content": [],
                "toolCalls": [
                    {"id": c.id, "name": c.name, "arguments": c.arguments} for c in calls
                ],
                "timestamp": now,
            },
            now,
            run.turn,
        )
        for call in calls:
            self._emit(
                run,
                "tool",
                {
                    "phase": "start",
                    "name": call.name,
                    "toolCallId": call.id,
                    "args": call.arguments,
                },
            )
            ok, result = await tools.call(call.name, call.arguments)
            text = tool_result_text(result)
            self._emit(
                run,
                "tool",
                {
                    "phase": "result",
                    "name": call.name,
                    "toolCallId": call.id,
                    "ok": ok,
                    "result": result,
                },
            )
            messages.append(Message("tool", text, tool_call_id=call.id, name=call.name))
            now = now_ms()
            await db.run(
                store.append_message,
                db.conn,
                run.session_key,
                run.run_id,
                {
                    "role": "tool",
                    "toolCallId": call.id,
                    "toolName": call.name,
                    "ok": ok,
                    "content": [{"type": "text", "text": text}],
                    "timestamp": now,
                },
                now,
                run.turn,
            )
        # Photos from nodes reach the model as a user's attachments do, after all tool results
        # (a chat API wants the tool messages right after the call that asked for them).
        images = tools.take_images()
        if images:
            note = f"[{len(images)} image(s) from the tools]"
            messages.append(Message("user", note, images=tuple(images)))

    async def _finish(self, run: Run) -> None:
        """Persist what the assistant said (also when it failed part-way) and report the end.

        Whatever happens here — the database refusing the write included — the run ends with a
        final status and ``done`` is set, so ``agent.wait`` and the channel router never hang.
        """
        run.ended_at_ms = now_ms()
        if run.status in ("queued", "running"):
            run.status = "aborted" if run.abort_requested else "error"
            run.error = run.error or "the run was interrupted"
        try:
            with anyio.CancelScope(shield=True):
                await self._record_end(run)
        except Exception as exc:
            log.exception("agent run %s: recording its end failed", run.run_id)
            run.status = "error"
            run.error = f"the run's result could not be stored: {type(exc).__name__}: {exc}"
        self.finished[run.status] += 1  # for /metrics
        try:
            self._announce_end(run)
        finally:
            run.done.set()

    async def _record_end(self, run: Run) -> None:
        db = self.db
        if run.text:
            await db.run(
                store.append_message,
                db.conn,
                run.session_key,
                run.run_id,
                self._assistant_message(run),
                run.ended_at_ms or now_ms(),
                run.turn,
            )
        await db.run(
            store.record_run_end,
            db.conn,
            run.run_id,
            run.status,
            run.summary,
            run.error,
            run.text,
            run.ended_at_ms or now_ms(),
        )

    def _announce_end(self, run: Run) -> None:
        if run.status == "ok":
            self._emit(
                run,
                "lifecycle",
                {
                    "phase": "end",
                    "startedAt": run.started_at_ms,
                    "endedAt": run.ended_at_ms,
                    "aborted": False,
                    "stopReason": run.stop_reason or "stop",
                    "terminalReply": {"disposition": "visible", "text": run.text},
                },
            )
            self._chat(
                run,
                "final",
                stopReason=run.stop_reason or "stop",
                message=self._assistant_message(run),
            )
        elif run.status == "aborted":
            self._emit(
                run, "lifecycle", {"phase": "end", "aborted": True, "endedAt": run.ended_at_ms}
            )
            self._chat(run, "aborted", message=self._assistant_message(run) if run.text else None)
        else:
            self._emit(
                run,
                "lifecycle",
                {
                    "phase": "error",
                    "startedAt": run.started_at_ms,
                    "endedAt": run.ended_at_ms,
                    "error": run.error,
                },
            )
            self._chat(run, "error", errorMessage=run.error)
        self.broadcast("sessions.changed", {"sessionKey": run.session_key, "reason": "run-ended"})
