"""The ``openclaw-gateway`` command."""
