"""Fails at import, as a plugin whose dependency is missing does."""

import openclaw_gateway_no_such_sdk  # noqa: F401
