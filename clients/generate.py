"""Regenerate the committed client models from the protocol schema.

    uv run python clients/generate.py            # rewrite schema/, typescript/, swift/ here
    uv run python clients/generate.py --out DIR  # somewhere else (the drift test does this)

Steps: ``openclaw-gateway schema export`` (the core and every installed plugin), then quicktype
(pinned in clients/package.json, installed by .ci/install-codegen.sh) to TypeScript interfaces and
Swift ``Codable`` structs. tests/test_schema_codegen.py regenerates into a temporary directory,
fails when the committed files differ, and compiles the TypeScript with ``tsc --strict``.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
TOP_LEVEL = "OpenClawGatewayProtocol"
OUTPUTS = (
    "schema/protocol.schema.json",
    "schema/index.json",
    "typescript/protocol.ts",
    "swift/Protocol.swift",
)


def codegen_bin() -> Path:
    """The cache's node_modules/.bin (installing the pinned generators when needed)."""
    out = subprocess.run(
        ["bash", str(ROOT / ".ci" / "install-codegen.sh")],
        check=True,
        capture_output=True,
        text=True,
    )
    return Path(out.stdout.strip().splitlines()[-1]) / "node_modules" / ".bin"


def export_schema(out: Path, *flags: str) -> Path:
    """``openclaw-gateway schema export --out OUT`` (quietly); returns OUT."""
    subprocess.run(
        [
            sys.executable,
            "-m",
            "openclaw_gateway.cli.main",
            "schema",
            "export",
            "--out",
            str(out),
            *flags,
        ],
        check=True,
        capture_output=True,
    )
    return out


def generate(out: Path) -> None:
    tools = codegen_bin()
    schema_dir = export_schema(out / "schema")
    schema = schema_dir / "protocol.schema.json"
    for lang, target, extra in (
        ("typescript", out / "typescript" / "protocol.ts", ["--just-types"]),
        ("swift", out / "swift" / "Protocol.swift", []),
    ):
        target.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                str(tools / "quicktype"),
                "--src-lang",
                "schema",
                "--lang",
                lang,
                "--top-level",
                TOP_LEVEL,
                *extra,
                "-o",
                str(target),
                str(schema),
            ],
            check=True,
            capture_output=True,  # quicktype notes untyped `Any` fields on stderr; not errors
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE)
    generate(parser.parse_args().out)


if __name__ == "__main__":
    main()
