"""Messaging surfaces: the channel contract (model.py, adapter.py), and the core's router.

A channel plugin (Telegram, Slack, Discord…) registers a :class:`~openclaw_gateway.hooks.registry.
ChannelSpec` whose factory builds a :class:`ChannelAdapter` per configured account. The core owns
everything after "a message arrived": DM policy and pairing codes, group gating, de-duplication,
sessions, agent runs, chunked replies with retries, and status.
"""
