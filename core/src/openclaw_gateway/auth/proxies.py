"""Which address a connection comes from when a reverse proxy (nginx, Caddy, Tailscale Serve…)
stands in front of the gateway.

Proxy headers are believed only from the ``trusted_proxies`` the operator listed: anyone else
could write ``X-Forwarded-For: 1.2.3.4`` to dodge the per-address auth rate limit or to look
local. From a trusted proxy, the client is the right-most ``X-Forwarded-For`` hop that is not
itself a trusted proxy (each proxy appends the address it saw; the left part is the client's
to invent). A forwarded connection is never *direct loopback*, whatever the address says.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(values: Iterable[str]) -> tuple[IPNetwork, ...]:
    """``["10.0.0.0/8", "127.0.0.1"]`` → networks; raises ValueError naming a bad entry."""
    out = []
    for value in values:
        try:
            out.append(ipaddress.ip_network(value.strip(), strict=False))
        except ValueError:
            raise ValueError(f"{value!r} is not an IP address or network (CIDR)") from None
    return tuple(out)


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    text = text.strip().strip('"')
    if text.startswith("["):  # "[2001:db8::1]:443"
        text = text[1:].partition("]")[0]
    elif text.count(":") == 1:  # "1.2.3.4:5678"
        text = text.partition(":")[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _trusted(address: str, trusted: Sequence[IPNetwork]) -> bool:
    ip = _address(address)
    return ip is not None and any(ip in net for net in trusted)


def client_address(
    peer: str, forwarded_for: str, real_ip: str | None, trusted: Sequence[IPNetwork]
) -> str:
    """The client's address: ``peer`` unless ``peer`` is a trusted proxy that forwarded one
    (``forwarded_for``: every ``X-Forwarded-For`` header joined with commas)."""
    if not trusted or not _trusted(peer, trusted):
        return peer
    hops = [h.strip() for h in forwarded_for.split(",") if h.strip()]
    if not hops and real_ip:
        hops = [real_ip]
    for hop in reversed(hops):
        ip = _address(hop)
        if ip is None:
            return peer  # a garbled chain: fall back to what we know
        if not any(ip in net for net in trusted):
            return str(ip)
    first = _address(hops[0]) if hops else None
    return str(first) if first is not None else peer
