"""The methods the official Control UI calls on its pages (``openclaw`` npm package,
``dist/control-ui``), registered here; their views live in :mod:`.control_ui_views`, imported on
the first call so a gateway nobody opens the UI against never loads them.

Three kinds of answer: our state in the reference's shapes (sessions, chat start-up, agents,
models, system info, plugins, config), and for features this gateway does not have the
reference's well-formed empty shape — never ``unknown method``, never a shape that makes the UI
retry in a loop (docs/protocol.md, "The official Control UI").
"""

from __future__ import annotations

import copy
from collections.abc import Awaitable, Callable
from typing import Any

from ..auth.scopes import ADMIN, READ, WRITE
from ..hooks import hookimpl
from ..hooks.registry import MethodContext, MethodSpec
from .loose_params import AnyParams

Handler = Callable[[MethodContext, AnyParams], Awaitable[Any]]


def _view(name: str) -> Handler:
    async def handler(ctx: MethodContext, params: AnyParams) -> Any:
        from . import control_ui_views

        view: Handler = getattr(control_ui_views, name)
        return await view(ctx, params)

    return handler


def _constant(value: Any) -> Handler:
    """A handler answering a fresh copy of ``value`` (a feature this gateway does not have)."""

    async def answer(ctx: MethodContext, params: AnyParams) -> Any:
        return copy.deepcopy(value)

    return answer


EMPTY: dict[str, tuple[Any, str | None]] = {
    "exec.approval.list": ([], READ),
    "openclaw.approval.list": ([], READ),
    "plugin.approval.list": ([], READ),
    "approval.history": ({"items": [], "hasMore": False}, READ),
    "question.list": ({"questions": []}, READ),
    "progressCard.get": ({"card": None}, READ),
    "sessions.subscribe": ({"subscribed": True}, READ),
    "sessions.observer.visibility": ({"ok": True}, READ),
    "controlUi.sessionPullRequests.subscribe": ({"subscribed": False}, READ),
    "plugins.controlUi.list": ({"revision": "0", "plugins": [], "diagnostics": []}, READ),
    "projects.list": ({"projects": [], "recents": []}, READ),
    "session.discussion.info": ({"state": "none"}, READ),
    "sessions.branches.list": ({"branches": []}, READ),
    "sessions.catalog.list": ({"catalogs": []}, READ),
    "sessions.companion.state": ({"exchanges": []}, READ),
    "sessions.groups.defaults": ({"defaults": []}, WRITE),
    "sessions.groups.list": ({"groups": [], "sectionOrder": []}, READ),
    "taskSuggestions.list": ({"suggestions": []}, READ),
    "tasks.list": ({"tasks": []}, READ),
    "skills.library.list": (
        {
            "entries": [],
            "profileId": "gateway-owner",
            "multipleProfiles": False,
            "defaultTarget": "workspace",
            "canManageWorkspace": False,
            "defaultSelectionLimit": 64,
        },
        READ,
    ),
    "talk.catalog": (
        {
            "modes": [],
            "transports": [],
            "brains": [],
            "speech": {"providers": []},
            "transcription": {"ready": False, "providers": []},
            "realtime": {"ready": False, "providers": []},
        },
        READ,
    ),
    "users.prefs.get": ({"status": "ok", "entries": {}}, READ),
    "users.list": ({"profiles": []}, READ),
    "audit.list": ({"events": []}, READ),
    "plugins.catalog.browse": ({"items": [], "categories": []}, READ),
    "plugins.catalog.categories": ({"categories": []}, READ),
    "skills.search": ({"results": []}, READ),
    "update.status": (
        {
            "sentinel": None,
            "updateAvailable": None,
            "effectiveChannel": "stable",
            "schedule": {"channel": "stable", "autoEnabled": False},
        },
        ADMIN,
    ),
    "exec.approvals.get": (
        {
            "path": "",
            "exists": False,
            "file": {"version": 1, "defaults": {}, "agents": {}},
            "hash": "",
            "resolvedDefaults": {
                "security": "deny",
                "ask": "off",
                "askFallback": "deny",
                "autoAllowSkills": False,
            },
        },
        ADMIN,
    ),
}
"""Features this gateway does not have, by method: (the reference's empty answer, scope)."""


VIEWS: dict[str, tuple[str, str | None]] = {
    "agent.identity.get": ("agent_identity", READ),
    "agents.list": ("agents_list", READ),
    "models.list": ("models_list", READ),
    "models.authStatus": ("models_auth_status", READ),
    "chat.metadata": ("chat_metadata", READ),
    "chat.startup": ("chat_startup", READ),
    "sessions.describe": ("sessions_describe", READ),
    "sessions.usage": ("sessions_usage", READ),
    "sessions.messages.subscribe": ("sessions_messages_subscribe", READ),
    "sessions.viewers.set": ("sessions_viewers_set", READ),
    "system.info": ("system_info", READ),
    "diagnostics.lanes": ("diagnostics_lanes", READ),
    "environments.list": ("environments_list", READ),
    "plugins.list": ("plugins_list", READ),
    "config.get": ("config_get", READ),
    "config.schema": ("config_schema", READ),
    "config.schema.lookup": ("config_schema", READ),
    "themes.list": ("themes_list", READ),
    "usage.status": ("usage_status", READ),
    "plugin.surface.refresh": ("plugin_surface_refresh", READ),
    "mentions.list": ("mentions_list", READ),
    "board.get": ("board_get", READ),
    "openclaw.setup.detect": ("setup_detect", ADMIN),
    "skills.status": ("skills_status", READ),
    "usage.cost": ("usage_cost", READ),
    "diagnostics.stability": ("diagnostics_stability", READ),
}
"""Views of our own state, by method: (the function in :mod:`.control_ui_views`, scope)."""


@hookimpl
def register_methods(register: Callable[[MethodSpec], None]) -> None:
    for name, (view, scope) in VIEWS.items():
        register(MethodSpec(name=name, handler=_view(view), params=AnyParams, scope=scope))
    for name, (value, scope) in EMPTY.items():
        register(MethodSpec(name=name, handler=_constant(value), params=AnyParams, scope=scope))
