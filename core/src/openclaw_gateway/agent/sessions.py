"""Session keys as the reference forms them (PROTOCOL.md §10)."""

from __future__ import annotations

DEFAULT_AGENT = "main"
MAIN_SESSION = f"agent:{DEFAULT_AGENT}:main"


def canonical_session_key(key: str | None, run_id: str) -> str:
    """``main`` → ``agent:main:main``; none → ``agent:main:explicit:<runId>``; bare keys are
    namespaced under the default agent."""
    if key is None or not key.strip():
        return f"agent:{DEFAULT_AGENT}:explicit:{run_id}"
    key = key.strip()
    if key == "main":
        return MAIN_SESSION
    if key.startswith("agent:"):
        return key
    return f"agent:{DEFAULT_AGENT}:{key}"


def peer_session_key(
    channel: str,
    peer_id: str,
    *,
    group: bool = False,
    account: str | None = None,
    thread_id: str | None = None,
) -> str:
    """One session per channel peer: ``agent:main:<channel>[:<account>]:dm|group:<peer>``, and one
    per thread inside a group (``…:group:<chat>:thread:<thread>``)."""
    kind = "group" if group else "dm"
    middle = f"{channel}:{account}" if account else channel
    key = f"agent:{DEFAULT_AGENT}:{middle}:{kind}:{peer_id}"
    if group and thread_id:
        key += f":thread:{thread_id}"
    return key
