"""The I/O layer: the websockets server, connections, broadcast, and the gateway's live state."""
