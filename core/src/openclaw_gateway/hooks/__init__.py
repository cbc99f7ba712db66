"""The plugin contract (hookspecs.py), the registries it fills, and the plugin manager."""

from .hookspecs import hookimpl

__all__ = ["hookimpl"]
