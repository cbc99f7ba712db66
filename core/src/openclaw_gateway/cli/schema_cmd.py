"""``openclaw-gateway schema export``: the protocol as JSON Schema (see protocol/schema.py)."""

from __future__ import annotations

import json
from pathlib import Path

import click

SCHEMA_FILE = "protocol.schema.json"
INDEX_FILE = "index.json"


@click.group()
def schema() -> None:
    """The wire protocol as JSON Schema, for client code generators."""


def render(data: object) -> str:
    return json.dumps(data, indent=2, sort_keys=False, ensure_ascii=False) + "\n"


@schema.command("export")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help=f"Write {SCHEMA_FILE} and {INDEX_FILE} here (default: the schema to stdout).",
)
@click.option(
    "--core-only", is_flag=True, help="Leave installed plugins out (the core's protocol only)."
)
def schema_export(out: Path | None, core_only: bool) -> None:
    """JSON Schema (2020-12) for every frame, method params/result, event payload and node
    command that the core and each installed plugin declare."""
    from ..protocol.schema import build, export_registry

    schema_doc, index = build(export_registry(load_entrypoints=not core_only))
    if out is None:
        click.echo(render(schema_doc), nl=False)
        return
    out.mkdir(parents=True, exist_ok=True)
    (out / SCHEMA_FILE).write_text(render(schema_doc))
    (out / INDEX_FILE).write_text(render(index))
    click.echo(
        f"wrote {out / SCHEMA_FILE} ({len(schema_doc['$defs'])} definitions) and {out / INDEX_FILE}"
        f" ({len(index['methods'])} methods, {len(index['events'])} events,"
        f" {len(index['nodeCommands'])} node commands)",
        err=True,
    )
