"""Outbound network access on behalf of clients, with limits (``fetch``)."""
