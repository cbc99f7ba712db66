"""Origin checks for browser connections (the reference once shipped without them: CVE-2026-25253).

A WebSocket from a web page carries an ``Origin`` header; a page on any other site must not be able
to drive the gateway through the user's browser. Non-browser clients send no Origin and pass.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit


def normalize_origin(origin: str) -> str:
    """``scheme://host[:port]`` lower-cased, default port dropped. An origin that does not parse
    (``http://a:b``, a port over 65535) comes back as it was: it then matches no allowed origin."""
    try:
        parts = urlsplit(origin.strip().lower())
        port = parts.port  # urllib raises for a non-numeric or out-of-range port
    except ValueError:  # ... and for a broken IPv6 literal
        return origin.strip().lower()
    if not parts.scheme or not parts.hostname:
        return origin.strip().lower()
    default = {"http": 80, "https": 443}.get(parts.scheme)
    host = parts.hostname
    if ":" in host:
        host = f"[{host}]"
    suffix = "" if port is None or port == default else f":{port}"
    return f"{parts.scheme}://{host}{suffix}"


def own_origins(hosts: Iterable[str], ports: Iterable[int]) -> frozenset[str]:
    """The origins of pages the gateway itself serves (http and https, each host and port)."""
    out: set[str] = set()
    for host in hosts:
        for port in ports:
            for scheme in ("http", "https"):
                out.add(normalize_origin(f"{scheme}://{host}:{port}"))
    return frozenset(out)


def origin_allowed(origin: str | None, allowed: frozenset[str]) -> bool:
    """No Origin (not a browser) passes; otherwise the normalised origin must be allowed."""
    if origin is None:
        return True
    return normalize_origin(origin) in allowed
