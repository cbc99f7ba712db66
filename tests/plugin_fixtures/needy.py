"""A plugin that needs configuration: idle until [plugins.needy] exists."""

from pydantic import BaseModel

from openclaw_gateway.api import ConfigSection, MethodSpec, hookimpl


class NeedyConfig(BaseModel):
    api_key: str


async def handler(ctx, params):
    return {}


@hookimpl
def register_config(register):
    register(ConfigSection(name="needy", model=NeedyConfig, required=True))


@hookimpl
def register_methods(register):
    register(MethodSpec(name="needy.call", handler=handler))
