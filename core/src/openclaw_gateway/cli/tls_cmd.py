"""``openclaw-gateway tls fingerprint``: the pin remote clients give as ``--tls-fingerprint``."""

from __future__ import annotations

import json
from pathlib import Path

import click

from .common import EXIT_USAGE, _fail, _load, state_dir_option


@click.group()
def tls() -> None:
    """The gateway's TLS certificate (wss:// and https://)."""


@tls.command("fingerprint")
@state_dir_option
@click.option("--json", "as_json", is_flag=True)
def tls_fingerprint(state_dir: Path | None, as_json: bool) -> None:
    """Print the certificate's SHA-256 fingerprint (generating the self-signed pair if needed,
    so the pin can be handed out before the first start)."""
    import ssl

    from ..net.tls import colon_form, load_material

    config = _load(state_dir=state_dir)
    if not config.tls.enabled:
        _fail(
            "TLS is off: set `[tls] enabled = true` in the config"
            " (OPENCLAW_GATEWAY_TLS__ENABLED=true), then run this again",
            EXIT_USAGE,
        )
    try:
        material = load_material(config)
    except (OSError, ssl.SSLError, ValueError) as exc:
        _fail(f"cannot load the TLS certificate/key: {exc}", EXIT_USAGE)
    if as_json:
        click.echo(
            json.dumps(
                {
                    "sha256": material.fingerprint,
                    "sha256Colon": colon_form(material.fingerprint),
                    "cert": str(material.cert),
                    "generated": material.generated,
                }
            )
        )
        return
    click.echo(material.fingerprint)
