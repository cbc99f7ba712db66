"""A service that crashes every time it runs."""

from openclaw_gateway.api import ServiceSpec, hookimpl

runs = []


async def crash(context):
    runs.append(context.service)
    raise RuntimeError(f"crash #{len(runs)}")


@hookimpl
def register_services(register):
    register(ServiceSpec(name="crashy.loop", run=crash))
