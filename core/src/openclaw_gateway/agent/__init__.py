"""Agent runs: sessions and transcripts, the per-session run queue, providers and tools.

A run takes one user message through a provider (streaming text and tool calls), executes tool
calls, persists the transcript, and reports everything as ``agent``/``chat`` events.
"""
