"""Registers one method, then raises: nothing it registered may stay in the registry."""

from openclaw_gateway.api import EventSpec, MethodSpec, hookimpl


async def handler(ctx, params):
    return {}


@hookimpl
def register_events(register):
    register(EventSpec(name="raises.event"))


@hookimpl
def register_methods(register):
    register(MethodSpec(name="raises.partial", handler=handler))
    raise RuntimeError("plugin bug in register_methods")
