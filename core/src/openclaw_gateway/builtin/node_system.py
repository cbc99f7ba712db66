"""Node side of ``system.which``: the one capability every node host has (no plugin needed).

Missing binaries are omitted from the answer, as the reference node host does.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, Field

from ..hooks import hookimpl
from ..hooks.registry import NodeHandlerSpec


class WhichParams(BaseModel):
    bins: list[str] = Field(max_length=256)


async def which(params: WhichParams) -> dict[str, Any]:
    found = {name: path for name in params.bins if (path := shutil.which(name)) is not None}
    return {"bins": found}


@hookimpl
def register_node_handlers(register: Callable[[NodeHandlerSpec], None]) -> None:
    register(NodeHandlerSpec(name="system.which", handler=which, cap="system", params=WhichParams))
