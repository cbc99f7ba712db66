"""Plugins used by the plugin tests: plain modules, registered with ``extra_plugins=(module,)`` or
through a fake distribution's entry point (see ``test_plugins.py``)."""
