"""``schema export``: JSON Schema 2020-12 from the pydantic models, checked against every golden
frame the reference produced; the committed TypeScript and Swift models regenerated with quicktype
must equal what is committed, and the TypeScript compiles under ``tsc --strict``."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

REPO = Path(__file__).resolve().parents[1]
CLIENTS = REPO / "clients"
GOLDEN = Path("/work/shared/protocol/golden")
sys.path.insert(0, str(CLIENTS))
import generate  # noqa: E402  (clients/generate.py)

pytestmark = pytest.mark.slow

DELIBERATELY_INVALID = {
    (
        "missing_scope.jsonl",
        '{"foo": 1}',
    ): "the probe's malformed frame (answered with id 'invalid')",
    ("non_connect_first_frame.jsonl", '"hello there"'): "the probe's non-JSON text frame",
}


def _export(tmp_path: Path, *flags: str) -> tuple[dict[str, Any], dict[str, Any]]:
    out = generate.export_schema(tmp_path / "schema", *flags)
    return (
        json.loads((out / "protocol.schema.json").read_text()),
        json.loads((out / "index.json").read_text()),
    )


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], dict[str, Any]]:
    return _export(tmp_path_factory.mktemp("export"))


def _validator(schema: dict[str, Any], ref: str) -> Draft202012Validator:
    return Draft202012Validator({"$ref": ref, "$defs": schema["$defs"]})


def test_the_schema_is_valid_2020_12_and_covers_core_and_plugins(exported):
    schema, index = exported
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)
    methods = index["methods"]
    # The core's, and installed plugins' (camera, canvas, whatsapp …), each with its params.
    assert methods["agent"]["params"] == "#/$defs/AgentParams"
    assert methods["canvas.write"]["plugin"] == "canvas"
    assert index["nodeCommands"]["camera.snap"]["result"].startswith("#/$defs/")
    assert index["events"]["tick"]["payload"].startswith("#/$defs/")
    for entry in [*methods.values(), *index["events"].values(), *index["nodeCommands"].values()]:
        for kind in ("params", "result", "payload"):
            if kind in entry:
                assert entry[kind].removeprefix("#/$defs/") in schema["$defs"], entry
    agent = _validator(schema, methods["agent"]["params"])
    assert agent.is_valid({"message": "hi", "idempotencyKey": "k1"})
    assert not agent.is_valid({"message": 5, "idempotencyKey": "k1"})


def test_core_only_leaves_plugins_out(tmp_path):
    _, index = _export(tmp_path, "--core-only")
    assert "canvas.write" not in index["methods"]
    assert "camera.snap" not in index["nodeCommands"]
    assert "health" in index["methods"]


def test_every_golden_frame_validates(exported):
    schema, index = exported
    frame = _validator(schema, "#/$defs/Frame")
    checked = {"frames": 0, "event payloads": 0, "request params": 0}
    for path in sorted(GOLDEN.glob("*.jsonl")):
        records = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
        answered_ok = {
            (r.get("conn"), r["frame"].get("id")): r["frame"].get("ok")
            for r in records
            if isinstance(r.get("frame"), dict) and r["frame"].get("type") == "res"
        }
        for record in records:
            if record["dir"] == "close":
                continue
            data = record["frame"]
            key = (path.name, json.dumps(data))
            if key in DELIBERATELY_INVALID:
                assert not frame.is_valid(data)
                continue
            errors = [e.message for e in frame.iter_errors(data)]
            assert errors == [], (path.name, data)
            checked["frames"] += 1
            if record["dir"] == "s2c" and data["type"] == "event":
                ref = index["events"].get(data["event"], {}).get("payload")
                if ref is not None:
                    errors = [
                        e.message for e in _validator(schema, ref).iter_errors(data.get("payload"))
                    ]
                    assert errors == [], (path.name, data["event"], errors)
                    checked["event payloads"] += 1
            if data["type"] == "req" and answered_ok.get((record.get("conn"), data["id"])):
                ref = index["methods"].get(data["method"], {}).get("params")
                if ref is not None:
                    params = data.get("params") if data.get("params") is not None else {}
                    errors = [e.message for e in _validator(schema, ref).iter_errors(params)]
                    assert errors == [], (path.name, data["method"], errors)
                    checked["request params"] += 1
    assert (
        checked["frames"] > 300 and checked["event payloads"] > 5 and checked["request params"] > 10
    ), checked


def test_committed_client_models_are_current_and_the_typescript_compiles(tmp_path):
    try:
        generate.generate(tmp_path)
    except subprocess.CalledProcessError as exc:  # pragma: no cover - shows why
        pytest.fail(f"codegen failed: {exc.stderr or exc}")
    stale = [
        name
        for name in generate.OUTPUTS
        if (tmp_path / name).read_text() != (CLIENTS / name).read_text()
    ]
    assert stale == [], f"regenerate with `uv run python clients/generate.py`: {stale} drifted"
    tsc = generate.codegen_bin() / "tsc"
    compiled = subprocess.run(
        [
            str(tsc),
            "--strict",
            "--noEmit",
            "--target",
            "es2020",
            str(CLIENTS / "typescript" / "protocol.ts"),
        ],
        capture_output=True,
        text=True,
    )
    assert compiled.returncode == 0, compiled.stdout + compiled.stderr
    swift = (CLIENTS / "swift" / "Protocol.swift").read_text()
    assert "struct ConnectParams: Codable" in swift and "struct RequestFrame: Codable" in swift


def test_the_drift_check_can_fail(tmp_path):
    # A model change must show up: a schema export of a registry with one more method differs.
    from pydantic import BaseModel

    from openclaw_gateway.hooks.registry import MethodSpec
    from openclaw_gateway.protocol.schema import build, export_registry

    registry = export_registry(load_entrypoints=False)
    before, _ = build(registry)

    class ExtraParams(BaseModel):
        flavour: str

    async def handler(ctx, params):  # pragma: no cover - never called
        return {}

    registry.add("methods", MethodSpec(name="extra.thing", handler=handler, params=ExtraParams))
    after, index = build(registry)
    assert after != before and index["methods"]["extra.thing"]["params"] == "#/$defs/ExtraParams"
