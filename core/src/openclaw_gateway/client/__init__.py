"""The Python client SDK: ``async with GatewayClient(url, token=…) as gw: await gw.call("health")``.

Exceptions::

    ClientError            Raised for anything the client cannot do.
    ├── RequestError       Raised when the gateway answers ``ok:false`` (code, message, details).
    │   └── HandshakeError Raised when the gateway refuses ``connect`` (also carries the close code).
    └── ConnectionLost     Raised when the socket closes or cannot be opened.
        └── TlsPinError    Raised when the gateway's certificate is not the pinned one.
"""

from .client import Event, GatewayClient
from .errors import ClientError, ConnectionLost, HandshakeError, RequestError, TlsPinError
from .identity import DeviceIdentity

__all__ = [
    "ClientError",
    "ConnectionLost",
    "DeviceIdentity",
    "Event",
    "GatewayClient",
    "HandshakeError",
    "RequestError",
    "TlsPinError",
]
