"""Implements a hook that does not exist (``register_method``, singular)."""

from openclaw_gateway.api import hookimpl


@hookimpl
def register_method(register):
    raise AssertionError("never called")
