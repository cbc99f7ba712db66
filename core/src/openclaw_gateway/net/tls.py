"""TLS for the gateway's listeners, and certificate pinning for its clients.

The server side loads ``tls.cert``/``tls.key`` or, when none is configured, a self-signed pair it
generates once in ``<state dir>/tls/`` (key 0600). Clients that cannot use the public PKI (a
self-signed or private-CA gateway) pin the certificate's SHA-256 fingerprint instead — the same
value ``openclaw-gateway tls fingerprint`` prints and the reference's ``--tls-fingerprint`` /
``gateway.remote.tlsFingerprint`` take (64 hex digits, or colon-separated pairs, optionally
prefixed ``sha256:``).

A pinned client skips chain and host-name verification and compares the fingerprint of the leaf
the server presented before any frame is sent: the WebSocket upgrade request carries no secret
(the token travels in the ``connect`` frame), so a wrong certificate learns nothing.
"""

from __future__ import annotations

import datetime
import hashlib
import ipaddress
import os
import re
import ssl
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..config import GatewayConfig

CERT_FILE = "gateway-cert.pem"
KEY_FILE = "gateway-key.pem"
_HEX = re.compile(r"^[0-9a-f]{64}$")
_COLON = re.compile(r"^(?:[0-9a-f]{2}:){31}[0-9a-f]{2}$")


class FingerprintMismatch(ssl.SSLError):
    """The server's certificate is not the pinned one."""


@dataclass(frozen=True)
class TlsMaterial:
    cert: Path
    key: Path
    fingerprint: str  # lowercase hex SHA-256 of the leaf certificate's DER
    context: ssl.SSLContext  # the server side, loaded once: both listeners share it
    generated: bool = False


def normalize_fingerprint(value: str) -> str:
    """The pin in canonical form (64 lowercase hex digits); ValueError for anything else."""
    text = value.strip().lower().removeprefix("sha256:").strip()
    if _HEX.match(text):
        return text
    if _COLON.match(text):
        return text.replace(":", "")
    raise ValueError(
        "invalid TLS fingerprint: expected a SHA-256 certificate fingerprint"
        " (64 hex digits, or AA:BB:… pairs) as `openclaw-gateway tls fingerprint` prints it"
    )


def fingerprint_of_der(der: bytes) -> str:
    return hashlib.sha256(der).hexdigest()


def fingerprint_of_pem(pem: bytes) -> str:
    return fingerprint_of_der(ssl.PEM_cert_to_DER_cert(pem.decode("ascii")))


def colon_form(fingerprint: str) -> str:
    return ":".join(fingerprint[i : i + 2] for i in range(0, 64, 2)).upper()


def tls_paths(config: GatewayConfig) -> tuple[Path, Path]:
    """Where the certificate and key are (configured, else the generated pair's place)."""
    folder = config.state_dir / "tls"
    return (config.tls.cert or folder / CERT_FILE, config.tls.key or folder / KEY_FILE)


def load_material(config: GatewayConfig, *, create: bool = True) -> TlsMaterial:
    """The configured pair, or the generated one (made now when missing and ``create``).

    Raises :class:`FileNotFoundError` when a configured file is missing, or nothing was generated
    yet and ``create`` is false; :class:`ssl.SSLError` when the pair does not load.
    """
    cert, key = tls_paths(config)
    generated = False
    if config.tls.cert is None and not (cert.exists() and key.exists()):
        if not create:
            raise FileNotFoundError(f"no certificate generated yet at {cert}")
        generate_self_signed(cert, key, hosts=_names_for(config))
        generated = True
    context = server_context(cert, key)  # fails loudly now, not at the first client
    return TlsMaterial(cert, key, fingerprint_of_pem(cert.read_bytes()), context, generated)


def _names_for(config: GatewayConfig) -> list[str]:
    names = ["localhost", "127.0.0.1", "::1"]
    if config.bind not in ("loopback", "lan"):
        names.append(config.bind)
    return names


def generate_self_signed(cert_path: Path, key_path: Path, *, hosts: list[str]) -> None:
    """An ECDSA P-256 key and a ten-year self-signed certificate naming ``hosts``."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "openclaw-gateway")])
    alt: list[x509.GeneralName] = []
    for host in hosts:
        try:
            alt.append(x509.IPAddress(ipaddress.ip_address(host)))
        except ValueError:
            alt.append(x509.DNSName(host))
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=3650))
        .add_extension(x509.SubjectAlternativeName(alt), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    key_bytes = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    _write_private(key_path, key_bytes)
    _write_private(cert_path, certificate.public_bytes(serialization.Encoding.PEM))


def _write_private(path: Path, data: bytes) -> None:
    """Write a 0600 file atomically (created 0600, never briefly world-readable)."""
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.replace(tmp, path)


def server_context(cert: Path, key: Path) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(cert, key)
    return context


def client_context(fingerprint: str | None) -> ssl.SSLContext:
    """Pinned: no chain or name check (the pin replaces them). Unpinned: the system's trust."""
    if fingerprint is None:
        return ssl.create_default_context()
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


def check_pin(ssl_object: ssl.SSLObject | ssl.SSLSocket | None, fingerprint: str) -> None:
    """Raise :class:`FingerprintMismatch` unless the peer's leaf certificate is the pinned one."""
    der = ssl_object.getpeercert(binary_form=True) if ssl_object is not None else None
    if not der:
        raise FingerprintMismatch("the gateway presented no TLS certificate")
    actual = fingerprint_of_der(der)
    if actual != fingerprint:
        raise FingerprintMismatch(
            f"TLS certificate fingerprint mismatch: expected {fingerprint}, the gateway presented"
            f" {actual}. Not connecting (a different certificate, or someone in between)."
        )
