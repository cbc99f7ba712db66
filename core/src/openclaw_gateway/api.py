"""The public plugin API: everything a plugin may import, in one place.

Plugins (first-party ones included) import only from here — or, the same names, from the
top-level package (``from openclaw_gateway import hookimpl, MethodSpec``) — and from
:mod:`openclaw_gateway.testing` in their tests. Everything else in the core is private and may
change without notice; ``tests/test_public_api.py`` fails when a plugin reaches past this module.
docs/plugins.md documents each name.

What a plugin sees of the running gateway is :class:`GatewayAPI`: ``ctx.gateway`` in a service,
``request.gateway`` in an HTTP route, ``ctx.gateway`` in a method handler (which also gets the
calling connection as ``ctx.conn``).
"""

from __future__ import annotations

from .agent.provider import (
    AgentProvider,
    Finished,
    ImageInput,
    Message,
    ProviderError,
    ProviderEvent,
    TextDelta,
    ToolCall,
    ToolCallsReady,
    ToolDefinition,
    Usage,
)
from .auth.http_bearer import require_operator
from .backoff import Backoff
from .channels.adapter import (
    AttachmentError,
    AuthError,
    ChannelAdapter,
    ChannelContext,
    ChannelError,
    Markup,
    PermanentSendError,
    TransientSendError,
    check_attachment_size,
    read_capped,
)
from .channels.config import ChannelConfig
from .channels.model import (
    Attachment,
    AttachmentKind,
    InboundMessage,
    OutboundMessage,
    SendResult,
)
from .config import AgentConfig, GatewayConfig, load_config
from .errors import ConfigError, ErrorCode, GatewayError, invalid_request
from .hints import command as command_hint
from .hooks import hookimpl
from .hooks.gateway_api import AgentReply, BearerCheck, GatewayAPI
from .hooks.http_types import HttpRequest, HttpResponse
from .hooks.registry import (
    AgentProviderSpec,
    AgentToolSpec,
    ChannelSpec,
    ConfigSection,
    EventSpec,
    HttpRoute,
    MethodContext,
    MethodSpec,
    NodeCommandError,
    NodeCommandSpec,
    NodeContext,
    NodeHandlerSpec,
    ServiceContext,
    ServiceSpec,
)
from .node.payloads import MAX_PAYLOAD_BASE64_BYTES, base64_size, fit_width, media_payload
from .server.stats import ChannelAccountMetrics, GatewayMetrics, Histogram, ServiceMetrics

__all__ = [
    "MAX_PAYLOAD_BASE64_BYTES",
    "AgentConfig",
    "AgentProvider",
    "AgentProviderSpec",
    "AgentReply",
    "AgentToolSpec",
    "Attachment",
    "AttachmentError",
    "AttachmentKind",
    "AuthError",
    "Backoff",
    "BearerCheck",
    "ChannelAccountMetrics",
    "ChannelAdapter",
    "ChannelConfig",
    "ChannelContext",
    "ChannelError",
    "ChannelSpec",
    "ConfigError",
    "ConfigSection",
    "ErrorCode",
    "EventSpec",
    "Finished",
    "GatewayAPI",
    "GatewayConfig",
    "GatewayError",
    "GatewayMetrics",
    "Histogram",
    "HttpRequest",
    "HttpResponse",
    "HttpRoute",
    "ImageInput",
    "InboundMessage",
    "Markup",
    "Message",
    "MethodContext",
    "MethodSpec",
    "NodeCommandError",
    "NodeCommandSpec",
    "NodeContext",
    "NodeHandlerSpec",
    "OutboundMessage",
    "PermanentSendError",
    "ProviderError",
    "ProviderEvent",
    "SendResult",
    "ServiceContext",
    "ServiceMetrics",
    "ServiceSpec",
    "TextDelta",
    "ToolCall",
    "ToolCallsReady",
    "ToolDefinition",
    "TransientSendError",
    "Usage",
    "base64_size",
    "check_attachment_size",
    "command_hint",
    "fit_width",
    "hookimpl",
    "invalid_request",
    "load_config",
    "media_payload",
    "read_capped",
    "require_operator",
]
