"""Runs every configured channel account: builds its adapter, supervises ``run()``, keeps status.

One adapter per (channel, account). A crash restarts it with exponential backoff; refused
credentials (:class:`AuthError`) stop the account with the reason in ``channels.status`` instead of
hammering the service. Accounts start with bounded concurrency (no thundering herd).
"""

from __future__ import annotations

import functools
import logging
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import anyio
from anyio.abc import TaskGroup

from ..backoff import Backoff
from .account import AccountState
from .adapter import AuthError, ChannelAdapter, ChannelContext
from .config import ChannelConfig
from .router import ChannelRuntime, deliver_inbound

if TYPE_CHECKING:
    from collections.abc import Mapping

    from pydantic import BaseModel

    from ..agent.runs import RunManager
    from ..hooks.specs import ChannelSpec
    from ..runtime import Broadcast, Spawn
    from ..state.db import Database

RESTART = Backoff(first=1.0, cap=60.0, stable_after=30.0)
"""A crashed adapter restarts after 1 s, 2 s, 4 s … 60 s; 30 s of running resets it."""

log = logging.getLogger("openclaw_gateway.channels")

START_CONCURRENCY = 4


class ChannelManager:
    """Every configured channel account: built, supervised, stopped; and the runtime that answers
    their messages (:class:`~.router.ChannelRuntime`)."""

    def __init__(
        self,
        *,
        db: Database,
        specs: Mapping[str, ChannelSpec],
        plugin_configs: Mapping[str, BaseModel],
        runs: RunManager,
        broadcast: Broadcast,
        spawn: Spawn,
        data_root: Path | None = None,
    ) -> None:
        self.db = db
        self.data_root = data_root
        """Where accounts' own directories go (``<state_dir>/channels``); None: no data dirs."""
        self.specs = specs
        self.plugin_configs = plugin_configs
        self.runtime = ChannelRuntime(
            db=db, runs=runs, broadcast=broadcast, spawn=spawn, config_of=self.config
        )
        self.accounts: dict[tuple[str, str], AccountState] = {}
        self.idle: dict[str, str] = {}  # channel -> why it is not running
        self._tg: TaskGroup | None = None
        self._limiter: anyio.Semaphore | None = None

    def configs(self) -> dict[str, ChannelConfig[Any]]:
        """The validated config of every installed channel that is configured."""
        out: dict[str, ChannelConfig[Any]] = {}
        for name in self.specs:
            config = self.plugin_configs.get(name)
            if isinstance(config, ChannelConfig):
                out[name] = config
        return out

    def config(self, channel: str) -> ChannelConfig[Any] | None:
        return self.configs().get(channel)

    async def run(self) -> None:
        """Start every configured account; returns when the gateway stops (cancelled)."""
        limiter = self._limiter = anyio.Semaphore(START_CONCURRENCY)
        async with anyio.create_task_group() as tg:
            self._tg = tg
            configs = self.configs()
            for name, spec in self.specs.items():
                config = configs.get(name)
                if config is None:
                    self.idle[name] = "not configured"
                    continue
                if not config.enabled:
                    self.idle[name] = "disabled in config"
                    continue
                if not config.accounts:
                    self.idle[name] = "no accounts configured"
                    continue
                for account in config.accounts:
                    state = AccountState(name, account)
                    self.accounts[(name, account)] = state
                    tg.start_soon(self._supervise, spec, config, state, limiter)
            await anyio.sleep_forever()

    async def _load_cursor(self, state: AccountState) -> str | None:
        from ..state import channels as store

        db = self.db
        return await db.run(store.get_cursor, db.conn, state.channel, state.account)

    async def _save_cursor(self, state: AccountState, cursor: str) -> None:
        from ..state import channels as store

        db = self.db
        now_ms = int(time.time() * 1000)
        await db.run(store.set_cursor, db.conn, state.channel, state.account, cursor, now_ms)

    async def _data_dir(self, state: AccountState) -> Path | None:
        if self.data_root is None:
            return None
        path = self.data_root / state.channel / state.account

        def make() -> None:
            path.mkdir(parents=True, exist_ok=True, mode=0o700)
            path.chmod(0o700)

        await anyio.to_thread.run_sync(make)
        return path

    async def _supervise(
        self, spec: Any, config: ChannelConfig[Any], state: AccountState, limiter: anyio.Semaphore
    ) -> None:
        """Run one account until it stops for good, restarting it after crashes. An operator's
        stop (``channels.stop``, ``channels.logout``) cancels it, backoff sleep included."""
        # start_account claims the scope before this task runs: a stop in between still counts.
        runner = state.runner = state.runner or anyio.CancelScope()
        try:
            with runner:
                await self._run_account(spec, config, state, limiter)
            if runner.cancelled_caught:
                state.set("stopped", state.stop_detail or "stopped by an operator")
        finally:
            state.adapter, state.runner = None, None
            state.stopped.set()

    async def _run_account(
        self, spec: Any, config: ChannelConfig[Any], state: AccountState, limiter: anyio.Semaphore
    ) -> None:
        delay, failures = RESTART.first, 0
        account_config = config.accounts[state.account]
        while True:
            ctx = ChannelContext(
                channel=state.channel,
                account=state.account,
                config=account_config,
                log=logging.getLogger(f"openclaw_gateway.channels.{state.channel}.{state.account}"),
                deliver=functools.partial(deliver_inbound, self.runtime, state),
                set_status=state.set,
                count=state.count,
                load_cursor=functools.partial(self._load_cursor, state),
                save_cursor=functools.partial(self._save_cursor, state),
                data_dir=await self._data_dir(state),
            )
            started = time.monotonic()
            try:
                async with limiter:
                    adapter: ChannelAdapter = spec.factory(ctx)
                    state.adapter = adapter
                state.set("running")
                await adapter.run()
                state.set("stopped", "the adapter returned")
                return
            except AuthError as exc:
                state.last_error = str(exc)
                state.set("auth-failed", str(exc))
                log.error("%s/%s: credentials refused: %s", state.channel, state.account, exc)
                return
            except Exception as exc:
                state.adapter = None
                state.restarts += 1
                state.last_error = f"{type(exc).__name__}: {exc}"
                failures = 1 if time.monotonic() - started > RESTART.stable_after else failures + 1
                delay = RESTART.delay(failures)
                state.set("restarting", f"in {delay:g} s after {state.last_error}")
                log.warning(
                    "%s/%s crashed (%s); restarting in %g s",
                    state.channel,
                    state.account,
                    state.last_error,
                    delay,
                )
            await anyio.sleep(delay)

    def adapter(
        self, channel: str, account: str | None = None
    ) -> tuple[AccountState, ChannelAdapter]:
        """The running adapter for a channel (its first account when none is named)."""
        for (name, acc), state in self.accounts.items():
            if (
                name == channel
                and (account is None or acc == account)
                and state.adapter is not None
            ):
                return state, state.adapter
        raise LookupError(f"no running account for channel {channel!r}")

    def _state(self, channel: str, account: str) -> AccountState:
        state = self.accounts.get((channel, account))
        if state is None:
            raise LookupError(f"channel {channel!r} has no configured account {account!r}")
        return state

    async def stop_account(
        self, channel: str, account: str, detail: str = "stopped by an operator"
    ) -> bool:
        """Stop one account (its adapter, or its restart backoff) and wait until it has. Returns
        whether it was running. It stays stopped until :meth:`start_account`."""
        state = self._state(channel, account)
        if state.runner is None:
            return False
        state.stop_detail = detail
        state.runner.cancel()
        await state.stopped.wait()
        return True

    def start_account(self, channel: str, account: str) -> dict[str, str]:
        """Start a stopped account again (the reference's outcome shape: ``handed-off`` when a
        new run was started, ``retry``/``task-owned`` when one is already running)."""
        state = self._state(channel, account)
        if state.runner is not None:
            return {"status": "retry", "reason": "task-owned"}
        config = self.config(channel)
        if self._tg is None or self._limiter is None or config is None:
            return {"status": "skipped", "reason": "unconfigured"}
        state.stop_detail = None
        state.set("starting")
        state.stopped = anyio.Event()
        state.runner = anyio.CancelScope()  # claimed now: a second start in a race is refused
        self._tg.start_soon(self._supervise, self.specs[channel], config, state, self._limiter)
        return {"status": "handed-off"}

    def snapshot(self) -> dict[str, Any]:
        """Per channel: label, state (configured/idle), and every account's status."""
        out: dict[str, Any] = {}
        for name, spec in self.specs.items():
            accounts = {acc: s.to_wire() for (ch, acc), s in self.accounts.items() if ch == name}
            entry: dict[str, Any] = {"label": spec.label or name, "accounts": accounts}
            if name in self.idle:
                entry["idle"] = self.idle[name]
            out[name] = entry
        return out
