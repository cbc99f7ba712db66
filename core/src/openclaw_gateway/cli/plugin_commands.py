"""The subcommands installed plugins add (the ``register_commands`` hook).

Each installed plugin (entry point, ``OPENCLAW_GATEWAY_LOAD_PLUGINS`` respected) is imported and
asked in turn; one that fails to import or raises is skipped with a one-line warning, so a broken
plugin never takes the command line down with it.
"""

from __future__ import annotations

import click


def collect_plugin_commands() -> dict[str, click.Command]:
    from ..hooks import discovery
    from ..hooks.manager import create_plugin_manager

    pm = create_plugin_manager()
    discovery.load_allowed(
        pm,
        lambda entry, exc: click.echo(
            f"warning: plugin {entry.name} could not be loaded: {exc}", err=True
        ),
    )
    group = click.Group()
    for impl in pm.hook.register_commands.get_hookimpls():
        try:
            impl.function(cli=group)
        except Exception as exc:
            click.echo(
                f"warning: plugin {impl.plugin_name} could not add its commands: {exc}", err=True
            )
    return dict(group.commands)
