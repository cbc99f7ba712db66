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
from typing import Any

from pydantic import BaseModel, ValidationError

from ..hooks.registry import EventSpec, MethodSpec
from ..protocol.codec import Fragment


class ContractError(TypeError):
    """Raised when a method result or an event payload does not fit its declared model."""


class UnknownEvent(LookupError):
    """Raised when code broadcasts an event no plugin registered."""


def _owner(plugin: str) -> str:
    return f"plugin {plugin!r}" if plugin else "the core"


def check_result(spec: MethodSpec, result: Any) -> None:
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


def unknown_event(event: str, depth: int = 2) -> UnknownEvent:
    """The error for broadcasting ``event``, naming the module that tried."""
    caller = sys._getframe(depth).f_globals.get("__name__", "?")
    return UnknownEvent(
        f"event {event!r} is not registered (broadcast from {caller}): declare it with"
        " EventSpec in the plugin's register_events hook"
    )
