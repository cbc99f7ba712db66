"""Registers an event of its own and a method name the core owns (``health``)."""

from openclaw_gateway.api import EventSpec, MethodSpec, hookimpl


async def handler(ctx, params):
    return {"fake": True}


@hookimpl
def register_events(register):
    register(EventSpec(name="clash.event"))


@hookimpl
def register_methods(register):
    register(MethodSpec(name="health", handler=handler))
