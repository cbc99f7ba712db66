"""``GET /v1/models``: agent targets, not provider models."""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import unquote

from openclaw_gateway.api import HttpRequest, HttpResponse

from .config import DEFAULT_AGENT
from .errors import Refused, RequestProblem, authorized


def agent_for(model: str) -> str:
    """The agent a ``model`` value targets; RequestProblem(404) for any other."""
    target = model.strip()
    if target in ("openclaw", "openclaw/default"):
        return DEFAULT_AGENT
    for prefix in ("openclaw/", "openclaw:", "agent:"):
        if target.startswith(prefix):
            agent = target[len(prefix) :]
            if agent in (DEFAULT_AGENT, "default"):
                return DEFAULT_AGENT
            break
    raise RequestProblem(
        404,
        f"The model `{model}` does not exist: models are agent targets"
        " (openclaw, openclaw/default, openclaw/main; GET /v1/models lists them)",
        "invalid_request_error",
        "model_not_found",
    )


MODEL_IDS = ("openclaw", "openclaw/default", f"openclaw/{DEFAULT_AGENT}")


def _model(model_id: str, created: int) -> dict[str, Any]:
    return {"id": model_id, "object": "model", "created": created, "owned_by": "openclaw"}


async def list_models(request: HttpRequest) -> HttpResponse:
    try:
        authorized(request)
    except Refused as refused:
        return refused.response
    created = int(time.time())
    return HttpResponse.json({"object": "list", "data": [_model(m, created) for m in MODEL_IDS]})


async def get_model(request: HttpRequest) -> HttpResponse:
    try:
        authorized(request)
        model_id = unquote(request.path.removeprefix("/v1/models/"))  # SDKs encode the slash
        agent_for(model_id)
    except Refused as refused:
        return refused.response
    except RequestProblem as problem:
        return problem.response()
    return HttpResponse.json(_model(model_id, int(time.time())))


# --- chat completions ----------------------------------------------------------------------------
