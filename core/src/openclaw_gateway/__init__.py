"""openclaw-gateway: one WebSocket control plane for every messaging surface and device."""

__version__ = "0.1.0"
