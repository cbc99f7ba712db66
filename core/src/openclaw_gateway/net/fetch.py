"""Fetching a client-supplied URL ourselves, with limits (``send``'s ``mediaUrl``).

A URL or path from a client is never handed to a library that might open files or connect where
it likes (python-telegram-bot uploads any local path it is given). Instead:

- only ``http``/``https``; the host is resolved here and **every** address it resolves to must be
  public (no loopback, private, link-local — cloud metadata lives there — CGNAT, multicast or
  reserved ranges) unless the operator lists it in ``media.allow_private_hosts``;
- the connection goes to the address that was checked (a second DNS answer cannot swap in
  127.0.0.1), with TLS verified against the host name;
- redirects are followed by hand, at most :data:`MAX_REDIRECTS`, each hop checked again;
- the body is read in chunks and refused once over ``max_bytes``; the whole fetch is bounded by
  ``timeout`` seconds.

A small HTTP/1.1 client on anyio + h11 (both core dependencies) keeps the core free of a second
HTTP stack. Errors are :class:`FetchError` with a message safe to show the caller.
"""

from __future__ import annotations

import ipaddress
import socket
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import anyio
import anyio.abc

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

MAX_REDIRECTS = 3
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_USER_AGENT = "openclaw-gateway"


class FetchError(Exception):
    """Raised when a URL is refused or cannot be fetched; the message names why."""


@dataclass(frozen=True)
class Fetched:
    """What a fetch returned: the bytes, the declared type and a file name from the URL path."""

    data: bytes
    content_type: str | None
    name: str | None
    url: str


@dataclass(frozen=True)
class FetchPolicy:
    """Where a fetch may go and how much it may read."""

    max_bytes: int
    timeout: float = 30.0
    allow_hosts: frozenset[str] = frozenset()
    """Host names allowed although they resolve to non-public addresses (lower-case)."""
    allow_networks: tuple[IPNetwork, ...] = ()
    """Networks allowed although not public (``127.0.0.1/32``, ``10.0.0.0/8``…)."""

    @classmethod
    def from_entries(cls, entries: Sequence[str], *, max_bytes: int, timeout: float) -> FetchPolicy:
        """``allow_private_hosts`` entries: each an address, a CIDR or a host name."""
        hosts, networks = set(), []
        for entry in entries:
            try:
                networks.append(ipaddress.ip_network(entry.strip(), strict=False))
            except ValueError:
                hosts.add(entry.strip().lower().rstrip("."))
        return cls(max_bytes, timeout, frozenset(hosts), tuple(networks))

    def permits(self, host: str, address: IPAddress) -> bool:
        if host in self.allow_hosts or any(address in net for net in self.allow_networks):
            return True
        return is_public(address)


def is_public(address: IPAddress) -> bool:
    """A globally routable unicast address (an IPv4-mapped IPv6 address is judged as IPv4)."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


async def fetch(url: str, policy: FetchPolicy) -> Fetched:
    """GET ``url`` under ``policy``; raises :class:`FetchError`."""
    try:
        with anyio.fail_after(policy.timeout):
            for _hop in range(MAX_REDIRECTS + 1):
                status, headers, body = await _get_once(url, policy)
                if status in _REDIRECTS:
                    location = headers.get("location")
                    if not location:
                        raise FetchError(f"HTTP {status} redirect without a Location")
                    url = urljoin(url, location)
                    continue
                if not 200 <= status < 300:
                    raise FetchError(f"the server answered HTTP {status}")
                path = urlsplit(url).path
                name = path.rsplit("/", 1)[-1] or None
                return Fetched(body, headers.get("content-type"), name, url)
            raise FetchError(f"more than {MAX_REDIRECTS} redirects")
    except TimeoutError:
        raise FetchError(f"timed out after {policy.timeout:g} s") from None


async def _resolve(host: str, port: int, policy: FetchPolicy) -> IPAddress:
    """The address to connect to; every address the name resolves to must be permitted (a name
    with one public and one private answer is refused: the resolver picks, not us)."""
    try:
        literal: IPAddress | None = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if literal is not None:
        addresses = [literal]
    else:
        try:
            infos = await anyio.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except OSError as exc:
            raise FetchError(f"cannot resolve {host}: {exc}") from None
        addresses = [ipaddress.ip_address(info[4][0]) for info in infos]
    if not addresses:
        raise FetchError(f"cannot resolve {host}")
    refused = [a for a in addresses if not policy.permits(host, a)]
    if refused:
        raise FetchError(
            f"{host} resolves to a non-public address ({refused[0]}); the gateway does not fetch"
            " from loopback, private, link-local or metadata addresses unless"
            " media.allow_private_hosts lists it"
        )
    return addresses[0]


async def _get_once(url: str, policy: FetchPolicy) -> tuple[int, dict[str, str], bytes]:
    import h11

    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise FetchError(f"only http(s) URLs are fetched, not {parts.scheme or 'a bare path'}")
    if parts.username or parts.password:
        raise FetchError("URLs with credentials are refused")
    host = (parts.hostname or "").lower().rstrip(".")
    if not host:
        raise FetchError("the URL has no host")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise FetchError("the URL has an invalid port") from None
    address = await _resolve(host, port, policy)
    stream: anyio.abc.ByteStream
    try:
        if parts.scheme == "https":
            # Connect to the checked address; verify the certificate against the host name.
            stream = await anyio.connect_tcp(
                str(address),
                port,
                tls=True,
                ssl_context=ssl.create_default_context(),
                tls_hostname=host,
            )
        else:
            stream = await anyio.connect_tcp(str(address), port)
    except (OSError, ssl.SSLError) as exc:
        raise FetchError(f"cannot connect to {host}:{port}: {exc}") from None
    target = parts.path or "/"
    if parts.query:
        target += f"?{parts.query}"
    host_header = host if parts.port is None else f"{host}:{port}"
    if ":" in host and not host.startswith("["):
        host_header = f"[{host}]" if parts.port is None else f"[{host}]:{port}"
    conn = h11.Connection(our_role=h11.CLIENT, max_incomplete_event_size=64 * 1024)
    async with stream:
        request = h11.Request(
            method="GET",
            target=target,
            headers=[
                ("Host", host_header),
                ("User-Agent", _USER_AGENT),
                ("Accept", "*/*"),
                ("Connection", "close"),
            ],
        )
        try:
            await stream.send(conn.send(request) + conn.send(h11.EndOfMessage()))
            status, headers = 0, {}
            body = bytearray()
            while True:
                event = conn.next_event()
                if event is h11.NEED_DATA:
                    try:
                        chunk = await stream.receive(65536)
                    except (anyio.EndOfStream, anyio.BrokenResourceError):
                        chunk = b""
                    conn.receive_data(chunk)
                    continue
                if isinstance(event, h11.Response):
                    status = event.status_code
                    headers = {k.decode().lower(): v.decode("latin-1") for k, v in event.headers}
                    if status in _REDIRECTS:
                        return status, headers, b""
                    declared = headers.get("content-length", "")
                    if declared.isdigit() and int(declared) > policy.max_bytes:
                        raise FetchError(
                            f"the file is {declared} bytes, over the {policy.max_bytes}-byte limit"
                        )
                elif isinstance(event, h11.Data):
                    body += event.data
                    if len(body) > policy.max_bytes:
                        raise FetchError(f"the file is over the {policy.max_bytes}-byte limit")
                elif isinstance(event, h11.EndOfMessage | h11.ConnectionClosed):
                    return status, headers, bytes(body)
        except h11.RemoteProtocolError as exc:
            raise FetchError(f"bad HTTP response from {host}: {exc}") from None
        except (OSError, ssl.SSLError, anyio.BrokenResourceError) as exc:
            raise FetchError(f"fetching from {host} failed: {exc}") from None
