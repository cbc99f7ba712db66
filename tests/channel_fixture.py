"""A test surface ("fakechat") implementing the channel contract in memory.

It stands for a messaging service the way a fake server does for a real plugin: the test injects
inbound messages and reads what the gateway sent. Failures can be scripted per send.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import anyio
from pydantic import BaseModel, ConfigDict

from openclaw_gateway.channels.adapter import (
    AttachmentError,
    AuthError,
    ChannelAdapter,
    ChannelContext,
    PermanentSendError,
    TransientSendError,
)
from openclaw_gateway.channels.config import ChannelConfig
from openclaw_gateway.channels.model import (
    Attachment,
    InboundMessage,
    OutboundMessage,
    SendResult,
)
from openclaw_gateway.hooks import hookimpl
from openclaw_gateway.hooks.registry import ChannelSpec, ConfigSection


class FakeAccount(BaseModel):
    model_config = ConfigDict(extra="forbid")
    token: str = "ok"
    text_limit: int = 4000


class FakeConfig(ChannelConfig[FakeAccount]):
    pass


class FakeAdapter(ChannelAdapter):
    markup = "plain"

    def __init__(self, ctx: ChannelContext, hub: FakeHub) -> None:
        self.ctx = ctx
        self.hub = hub
        assert isinstance(ctx.config, FakeAccount)
        self.text_limit = ctx.config.text_limit
        self.token = ctx.config.token

    async def run(self) -> None:
        self.hub.runs += 1
        if self.token == "revoked":
            raise AuthError("401 Unauthorized: token revoked")
        if self.token == "crashy" and self.hub.runs < 3:
            raise RuntimeError("socket dropped")
        self.hub.adapter = self
        self.hub.adapters[self.ctx.account] = self
        self.ctx.set_status("connected", "@fakebot")
        self.hub.ready.set()
        await anyio.sleep_forever()

    async def send(self, message: OutboundMessage) -> SendResult:
        if self.hub.failures:
            failure = self.hub.failures.pop(0)
            if failure == "transient":
                raise TransientSendError("429 Too Many Requests", retry_after=0.01)
            raise PermanentSendError("chat not found")
        self.hub.sent.append(message)
        self.hub.sent_by.append((self.ctx.account, message))
        self.hub.sent_event.set()
        return SendResult(message_id=str(len(self.hub.sent)))

    async def typing(self, chat_id: str, thread_id: str | None) -> None:
        self.hub.typing += 1

    async def fetch_attachment(self, attachment: Attachment, *, max_bytes: int) -> bytes:
        self.hub.fetched.append((attachment.file_id or "", max_bytes))
        data = self.hub.files.get(attachment.file_id or "")
        if data is None:
            raise AttachmentError("404 file not found")
        if len(data) > max_bytes:
            raise AttachmentError(f"larger than {max_bytes} bytes")
        return data

    async def probe(self) -> dict[str, Any]:
        if self.hub.probe_hangs:
            await anyio.sleep_forever()
        return {"ok": True, "bot": "@fakebot"}

    async def logout(self) -> None:
        self.hub.logged_out = True


class FakeHub:
    """The test's handle on the fake service."""

    def __init__(self) -> None:
        self.adapter: FakeAdapter | None = None
        self.adapters: dict[str, FakeAdapter] = {}
        self.sent_by: list[tuple[str, OutboundMessage]] = []
        self.ready = anyio.Event()
        self.sent: list[OutboundMessage] = []
        self.sent_event = anyio.Event()
        self.failures: list[str] = []
        self.typing = 0
        self.runs = 0
        self.logged_out = False
        self.probe_hangs = False
        self.files: dict[str, bytes] = {}
        self.fetched: list[tuple[str, int]] = []
        self._n = 0

    async def inbound(
        self,
        text: str,
        *,
        sender: str = "u1",
        chat: str | None = None,
        account: str | None = None,
        **extra: Any,
    ) -> None:
        adapter = self.adapters[account] if account is not None else self.adapter
        assert adapter is not None
        self._n += 1
        msg = InboundMessage(
            channel="fakechat",
            account=adapter.ctx.account,
            message_id=extra.pop("message_id", str(self._n)),
            chat_id=chat or sender,
            sender_id=sender,
            sender_name=f"User {sender}",
            text=text,
            **extra,
        )
        await adapter.ctx.deliver(msg)

    async def wait_sent(self, count: int, timeout: float = 10) -> list[OutboundMessage]:
        with anyio.fail_after(timeout):
            while len(self.sent) < count:
                self.sent_event = anyio.Event()
                await self.sent_event.wait()
        return self.sent


class FakeChatPlugin:
    def __init__(self) -> None:
        self.hub = FakeHub()

    @hookimpl
    def register_config(self, register: Callable[[ConfigSection], None]) -> None:
        register(ConfigSection(name="fakechat", model=FakeConfig, required=True))

    @hookimpl
    def register_channels(self, register: Callable[[ChannelSpec], None]) -> None:
        register(
            ChannelSpec(
                name="fakechat", label="Fake Chat", factory=lambda ctx: FakeAdapter(ctx, self.hub)
            )
        )
