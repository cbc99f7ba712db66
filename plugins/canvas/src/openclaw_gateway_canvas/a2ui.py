"""A2UI message validation with the a2ui-core package's v0.9 models (loaded on first use).

Only the envelope (createSurface, updateComponents, updateDataModel, deleteSurface) is checked
here; the bundled renderer draws the basic catalog and shows unknown components as placeholders.
"""

from __future__ import annotations

from functools import cache
from typing import Any


class A2uiError(ValueError):
    pass


@cache
def _adapter() -> Any:
    from a2ui.core.schema.v0_9.server_to_client import A2uiMessage
    from pydantic import TypeAdapter

    return TypeAdapter(A2uiMessage)


def validate_messages(messages: list[Any]) -> list[dict[str, Any]]:
    from pydantic import ValidationError

    if not messages:
        raise A2uiError("messages must hold at least one A2UI message")
    out: list[dict[str, Any]] = []
    for i, message in enumerate(messages):
        if not isinstance(message, dict):
            raise A2uiError(f"message {i} is not an object")
        try:
            _adapter().validate_python(message)
        except ValidationError as exc:
            first = exc.errors(include_url=False)[0]
            where = ".".join(str(p) for p in first.get("loc", ()))
            raise A2uiError(f"message {i} is not A2UI v0.9: {where}: {first['msg']}") from None
        out.append(message)
    return out
