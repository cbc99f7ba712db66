"""Holding handlers and broadcasters to what they declared (``MethodSpec(result=)``,
``EventSpec(payload=)``).

A declared model is the contract a client codes against. With ``validate_results`` on (the test
fixtures and ``openclaw_gateway.testing`` turn it on; it is off by default, since a correct
gateway pays for the check on every frame), a result or payload that does not fit its model is
refused loudly, naming the method or event and the plugin, instead of reaching clients. An event
nobody registered is always refused, with the same names.
"""

from __future__ import annotations

import sys
from typing import Any, Protocol

from pydantic import BaseModel, ValidationError

from ..hooks.specs import EventSpec
from ..protocol.codec import Fragment


class ContractError(TypeError):
    """Raised when a method result or an event payload does not fit its declared model."""


class UnknownEvent(LookupError):
    """Raised when code broadcasts an event no plugin registered."""


def _owner(plugin: str) -> str:
    return f"plugin {plugin!r}" if plugin else "the core"


class DeclaredResult(Protocol):
    """What a method spec declares about its result (``MethodSpec`` fits; this module does not
    import it, so the hub that checks payloads stays below the method specs)."""

    @property
    def name(self) -> str: ...

    @property
    def plugin(self) -> str: ...

    @property
    def result(self) -> type[BaseModel] | None: ...


def check_result(spec: DeclaredResult, result: Any) -> None:
    if spec.result is not None:
        _check(spec.result, result, f"method {spec.name!r} ({_owner(spec.plugin)}) result")


def check_payload(spec: EventSpec, payload: Any) -> None:
    if spec.payload is not None:
        _check(spec.payload, payload, f"event {spec.name!r} ({_owner(spec.plugin)}) payload")


def _check(model: type[BaseModel], value: Any, what: str) -> None:
    if isinstance(value, Fragment | model):
        return  # pre-encoded, or already an instance of the model
    try:
        model.model_validate(value)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(map(str, err['loc'])) or '(root)'}: {err['msg']}"
            for err in exc.errors(include_url=False)
        )
        raise ContractError(
            f"{what} does not match its declared model {model.__name__}: {problems}"
        ) from None


_RELAYS = frozenset({__name__, "openclaw_gateway.server.hub", "openclaw_gateway.server.gateway"})
"""Modules an event passes through on its way out: the caller named is the first one outside."""


def unknown_event(event: str) -> UnknownEvent:
    """The error for broadcasting ``event``, naming the module that tried."""
    frame = sys._getframe(1)
    while frame.f_back is not None and frame.f_globals.get("__name__") in _RELAYS:
        frame = frame.f_back
    caller = frame.f_globals.get("__name__", "?")
    return UnknownEvent(
        f"event {event!r} is not registered (broadcast from {caller}): declare it with"
        " EventSpec in the plugin's register_events hook"
    )
