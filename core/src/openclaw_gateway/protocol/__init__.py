"""The wire protocol without sockets: frame models, encoding, and the handshake rules.

Nothing in this package does I/O, so every rule here is unit-testable with plain values.
"""

PROTOCOL_VERSION = 4
"""The protocol this gateway speaks (reported in every hello-ok)."""

MIN_NODE_PROTOCOL = 3
"""Nodes and probes may still connect with protocol 3 (N-1), as the reference allows."""
