"""The protocol as JSON Schema (draft 2020-12), built from the pydantic models that validate it.

``openclaw-gateway schema export`` writes two files:

* ``protocol.schema.json`` — one schema document: the frame envelope (``Frame``: request,
  response or event) and every method's params and result, every event's payload and every node
  command's params and result that a model declares — the core's and every installed plugin's —
  under ``$defs``. The root object names each of them as a property, so code generators
  (quicktype for TypeScript and Swift, committed under ``clients/``) emit them all.
* ``index.json`` — the catalog: for each method its params/result ``$ref``, scope and roles; for
  each event and node command the same. What no model declares is left out rather than guessed.

The output is deterministic (sorted, no timestamps), so a test can diff it against the committed
copy.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from ..hooks.registry import Registry
from . import PROTOCOL_VERSION
from .frames import ConnectParams, ErrorShape, EventFrame, RequestFrame, ResponseFrame

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_ID = "https://openclaw-gateway.dev/schema/protocol.schema.json"
FRAMES: tuple[type[BaseModel], ...] = (RequestFrame, ResponseFrame, EventFrame, ErrorShape)


def _camel(*parts: str) -> str:
    words = [w for part in parts for w in re.split(r"[^0-9A-Za-z]+", part) if w]
    text = "".join(w[:1].upper() + w[1:] for w in words)
    return text[:1].lower() + text[1:]


Mode = str  # pydantic's JSON-schema mode: "validation" (what we accept) or "serialization"


def build(registry: Registry) -> tuple[dict[str, Any], dict[str, Any]]:
    """``(schema, index)`` for everything ``registry`` declares."""
    # (property name, model, mode, the index entry that names it and under which key)
    wanted: list[tuple[str, type[BaseModel], Mode, dict[str, Any] | None, str]] = [
        (_camel(m.__name__), m, "validation" if m is RequestFrame else "serialization", None, "")
        for m in FRAMES
    ]
    wanted.append(("connectParams", ConnectParams, "validation", None, ""))
    index: dict[str, Any] = {"protocol": PROTOCOL_VERSION, "methods": {}, "events": {}}
    index["nodeCommands"] = {}

    def want(
        key: str, model: type[BaseModel] | None, mode: Mode, entry: dict[str, Any], kind: str
    ) -> None:
        if model is not None:
            wanted.append((key, model, mode, entry, kind))

    entry: dict[str, Any]
    for name in sorted(registry.methods):
        method = registry.methods[name]
        entry = index["methods"][name] = {
            "scope": method.scope,
            "roles": sorted(method.roles),
            "sideEffects": method.side_effects,
            "plugin": method.plugin or None,
        }
        want(_camel(name, "params"), method.params, "validation", entry, "params")
        want(_camel(name, "result"), method.result, "serialization", entry, "result")
    for name in sorted(registry.events):
        event = registry.events[name]
        entry = index["events"][name] = {
            "scope": event.scope,
            "roles": sorted(event.roles),
            "plugin": event.plugin or None,
        }
        want(_camel(name, "event"), event.payload, "serialization", entry, "payload")
    for name in sorted(registry.node_commands):
        command = registry.node_commands[name]
        entry = index["nodeCommands"][name] = {
            "permission": command.permission,
            "plugin": command.plugin or None,
        }
        want(_camel("node", name, "params"), command.params, "validation", entry, "params")
        want(_camel("node", name, "result"), command.result, "serialization", entry, "result")

    refs, bundle = models_json_schema(
        [(model, mode) for _, model, mode, _, _ in wanted],  # type: ignore[misc]
        ref_template="#/$defs/{model}",
    )
    defs: dict[str, Any] = bundle.get("$defs", {})
    properties: dict[str, Any] = {}
    for key, model, mode, owner, kind in wanted:
        ref = refs[(model, mode)]["$ref"]  # type: ignore[index]
        properties[key] = {"$ref": ref}
        if owner is not None:
            owner[kind] = ref
    defs["Frame"] = {
        "description": "Any frame on the socket, discriminated by `type`.",
        "oneOf": [
            properties[_camel(m.__name__)] for m in (RequestFrame, ResponseFrame, EventFrame)
        ],
    }
    properties["frame"] = {"$ref": "#/$defs/Frame"}
    schema = {
        "$schema": SCHEMA_DIALECT,
        "$id": SCHEMA_ID,
        "title": "OpenClawGatewayProtocol",
        "description": (
            f"OpenClaw Gateway protocol v{PROTOCOL_VERSION} as served by openclaw-gateway:"
            " frames, method params/results, event payloads, node commands"
        ),
        "type": "object",
        "properties": dict(sorted(properties.items())),
        "$defs": dict(sorted(defs.items())),
    }
    return schema, index


def export_registry(load_entrypoints: bool = True) -> Registry:
    """Every installed plugin's contributions, whether or not its config turns it on (a
    schema describes what *can* be on the wire)."""
    from ..hooks import discovery
    from ..hooks.manager import collect_registry, create_plugin_manager

    pm = create_plugin_manager()
    if load_entrypoints:
        for entry in discovery.installed():
            discovery.load(pm, entry)
    return collect_registry(pm)
