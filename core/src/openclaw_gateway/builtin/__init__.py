"""The core's own methods and events, each module a plugin registered through the same hooks."""
