"""The Slack adapter: receive through Socket Mode (default) or the Events API, send through the Web
API with slack-sdk's :class:`AsyncWebClient` (its ``base_url`` is the seam tests point at a fake).

- ``run``: ``auth.test`` (who am I), then Socket Mode until cancelled — or, in events mode, stay
  registered for the HTTP route in :mod:`.events_api`. Refused credentials raise
  :class:`AuthError` after a clear status.
- ``send``: ``chat.postMessage`` (mrkdwn, ``thread_ts``), files with ``files_upload_v2`` (the text
  rides along as the file message's comment, so one send is one retry unit).
- ``fetch_attachment``: a file someone sent, from its ``url_private_download`` with the bot token
  (``files:read``), on the same aiohttp session and proxy as the Web API calls; the bytes are
  read only up to the core's limit.
- ``typing``: a no-op. Slack's Web API has no typing indicator for bots (the old RTM
  ``typing`` message went with RTM; ``assistant.threads.setStatus`` exists only for apps set up as
  AI assistants, in their assistant threads).
"""

from __future__ import annotations

import contextlib
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar
from urllib.parse import urlsplit

import aiohttp
import anyio
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient

from openclaw_gateway.api import (
    Attachment,
    AttachmentError,
    AuthError,
    ChannelAdapter,
    ChannelContext,
    ChannelError,
    InboundMessage,
    Markup,
    OutboundMessage,
    PermanentSendError,
    SendResult,
    check_attachment_size,
    read_capped,
)

from .config import SlackAccount, events_path
from .errors import AUTH_ERRORS, api_error_code, classify
from .inbound import Identity, MalformedEvent, command_to_inbound, escape, to_inbound
from .socket_mode import SocketMode

T = TypeVar("T")

RECENT = 1024
"""How many (channel, ts) pairs we remember to drop Slack's repeats (a mention arrives as both
``message`` and ``app_mention``; an envelope acked late comes again)."""
NAMES = 2048
"""How many user display names we cache (``users.info``)."""
NAME_TIMEOUT = 2.0
FILE_HOSTS = ("slack.com", "slack-gov.com")
"""Hosts (and their subdomains, e.g. ``files.slack.com``) the bot token may be sent to for a
download; besides them only the host of the configured ``base_url``."""
DOWNLOAD_TIMEOUT = aiohttp.ClientTimeout(total=None, sock_connect=15, sock_read=30)
CHUNK = 64 * 1024


class SlackAdapter(ChannelAdapter):
    """One Slack app in one workspace (one ``[plugins.slack.accounts.<name>]`` table)."""

    text_limit = 4000
    """Slack's own guidance for ``chat.postMessage``: keep ``text`` under 4,000 characters (it
    truncates past 40,000). Chunks of 4,000 stay readable and leave ten-fold headroom for the
    ``&amp;``/``&lt;``/``&gt;`` escaping we add."""
    markup: Markup = "mrkdwn"

    def __init__(self, ctx: ChannelContext, *, backoff: tuple[float, float] = (1.0, 60.0)) -> None:
        if not isinstance(ctx.config, SlackAccount):
            raise TypeError(f"SlackAdapter needs a SlackAccount config, got {type(ctx.config)}")
        self.ctx = ctx
        self.config: SlackAccount = ctx.config
        self.backoff = backoff
        self.client = AsyncWebClient(
            token=self.config.bot_token.get_secret_value(),
            base_url=self.config.base_url,
            timeout=30,
            retry_handlers=[],  # the core retries (TransientSendError), with its own backoff
            logger=ctx.log.getChild("web"),
        )
        self.me: Identity | None = None
        self.socket: SocketMode | None = None
        self.events_live = False
        """True while serving the Events API: POSTs for this account are ours."""
        self._verifier = (
            SignatureVerifier(self.config.signing_secret.get_secret_value())
            if self.config.signing_secret is not None
            else None
        )
        self._recent: OrderedDict[tuple[str, str], None] = OrderedDict()
        self._names: OrderedDict[str, str | None] = OrderedDict()

    # --- receiving ------------------------------------------------------------------------------

    async def run(self) -> None:
        self.ctx.set_status("connecting", None)
        session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))
        self.client.session = session  # one connection pool for this account's Web API calls
        try:
            if self.config.mode == "events":
                self.me = await self._identify()
                await self._serve_events()
            else:
                # auth.test runs inside the socket loop (first attempt), so a network failure at
                # start is retried with the socket's backoff and shows as "reconnecting".
                self.socket = SocketMode(
                    open_url=self._open_url,
                    handle=self.handle_payload,
                    handle_command=self.handle_command,
                    status=self._status,
                    log=self.ctx.log,
                    count=self.ctx.count,
                    backoff=self.backoff,
                )
                await self.socket.run()
        except AuthError as exc:
            self.ctx.set_status("auth-failed", str(exc))
            raise
        finally:
            self.client.session = None
            await session.close()

    def _status(self, state: str, detail: str | None) -> None:
        if state == "connected" and detail is None and self.me is not None:
            detail = self._who()
        self.ctx.set_status(state, detail)

    def _who(self) -> str:
        me = self.me
        if me is None:
            return ""
        name = f"@{me.name}" if me.name else me.user_id
        return f"{name} in {me.team}" if me.team else name

    async def _identify(self) -> Identity:
        data = await self._call("auth.test", self.client.auth_test, auth=AuthError)
        user_id = data.get("user_id")
        if not isinstance(user_id, str):
            raise AuthError("auth.test: the answer has no user_id (is bot_token a bot token?)")
        return Identity(
            user_id=user_id, bot_id=data.get("bot_id"), name=data.get("user"), team=data.get("team")
        )

    async def _open_url(self) -> str:
        assert self.config.app_token is not None  # the config model requires it in socket mode
        if self.me is None:
            self.me = await self._identify()
        token = self.config.app_token.get_secret_value()
        try:
            data = await self._call(
                "apps.connections.open",
                lambda: self.client.apps_connections_open(app_token=token),
                auth=AuthError,
            )
        except PermanentSendError as exc:
            # e.g. missing_scope: the app token lacks connections:write. No retry fixes that.
            raise AuthError(f"{exc} (app_token needs the connections:write scope)") from exc
        url = data.get("url")
        if not isinstance(url, str):
            raise AuthError("apps.connections.open: the answer has no url")
        return url

    async def _serve_events(self) -> None:
        self.events_live = True  # events_api.handle now hands this account's requests to us
        try:
            self.ctx.set_status("connected", f"{self._who()}, Events API at {self.events_path}")
            await anyio.sleep_forever()
        finally:
            self.events_live = False

    @property
    def events_path(self) -> str:
        return events_path(self.ctx.account)

    def verify(self, body: bytes, timestamp: str, signature: str) -> bool:
        """Whether an Events API request is signed with this app's signing secret (and fresh)."""
        return self._verifier is not None and self._verifier.is_valid(body, timestamp, signature)

    async def handle_payload(self, payload: Any) -> None:
        """One Events API payload (from a socket envelope or an HTTP POST) → ``ctx.deliver``."""
        if not isinstance(payload, dict):
            raise MalformedEvent(f"payload is a {type(payload).__name__}, not an object")
        if payload.get("type") != "event_callback":
            self.ctx.log.debug("slack: ignored a %r payload", payload.get("type"))
            return
        if self.me is None:
            raise RuntimeError("an event arrived before auth.test answered")
        message = to_inbound(
            payload.get("event"), channel=self.ctx.channel, account=self.ctx.account, me=self.me
        )
        await self._deliver(message)

    async def handle_command(self, payload: Any) -> None:
        """One slash command (a Socket Mode envelope or an HTTP form POST) → ``ctx.deliver``."""
        await self._deliver(
            command_to_inbound(payload, channel=self.ctx.channel, account=self.ctx.account)
        )

    async def _deliver(self, message: InboundMessage | None) -> None:
        if message is None or self._repeat(message):
            return
        if message.sender_name is None:
            message.sender_name = await self._name(message.sender_id)
        await self.ctx.deliver(message)

    def _repeat(self, message: InboundMessage) -> bool:
        key = (message.chat_id, message.message_id)
        if key in self._recent:
            return True
        self._recent[key] = None
        if len(self._recent) > RECENT:
            self._recent.popitem(last=False)
        return False

    async def _name(self, user_id: str) -> str | None:
        """The sender's display name (``users.info``, cached). Best effort and quick: ``None`` if
        Slack fails or takes over :data:`NAME_TIMEOUT` s (the envelope waits for us)."""
        if user_id in self._names:
            return self._names[user_id]
        data: dict[str, Any] | None = None
        with anyio.move_on_after(NAME_TIMEOUT), contextlib.suppress(ChannelError):
            data = await self._call(
                "users.info", lambda: self.client.users_info(user=user_id), auth=PermanentSendError
            )
        if data is None:
            return None  # transient: ask again next time
        name: str | None = None
        user = data.get("user")
        if isinstance(user, dict):
            profile = user.get("profile")
            profile = profile if isinstance(profile, dict) else {}
            found = (
                profile.get("display_name")
                or profile.get("real_name")
                or user.get("real_name")
                or user.get("name")
            )
            name = found if isinstance(found, str) and found else None
        self._names[user_id] = name
        if len(self._names) > NAMES:
            self._names.popitem(last=False)
        return name

    # --- sending --------------------------------------------------------------------------------

    async def send(self, message: OutboundMessage) -> SendResult:
        text = message.text
        links = [a.url for a in message.attachments if a.data is None and a.url]
        if links:  # media we only have a URL for: Slack unfurls a link; we do not re-host it
            text = "\n".join([text, *links]) if text else "\n".join(links)
        uploads = [a for a in message.attachments if a.data is not None]
        # Slack has no quoted reply: ``reply_to`` is dropped. A reply goes to the thread its
        # message came from (``thread_id``), a DM or channel message is answered where it was.
        thread_ts = message.thread_id
        if uploads:
            files = [
                {
                    "content": a.data,
                    "filename": a.name or f"file{i + 1}",
                    **({"title": a.name} if a.name else {}),
                }
                for i, a in enumerate(uploads)
            ]
            data = await self._call(
                "files_upload_v2",
                lambda: self.client.files_upload_v2(
                    file_uploads=files,
                    channel=message.chat_id,
                    thread_ts=thread_ts,
                    initial_comment=escape(text) if text else None,
                ),
                auth=PermanentSendError,
            )
            uploaded = data.get("files")
            first = uploaded[0] if isinstance(uploaded, list) and uploaded else {}
            return SendResult(message_id=first.get("id") if isinstance(first, dict) else None)
        if not text.strip():
            raise PermanentSendError("nothing to send: no text and no attachment")
        data = await self._call(
            "chat.postMessage",
            lambda: self.client.chat_postMessage(
                channel=message.chat_id, text=escape(text), thread_ts=thread_ts, mrkdwn=True
            ),
            auth=PermanentSendError,
        )
        ts = data.get("ts")
        return SendResult(message_id=ts if isinstance(ts, str) else None)

    async def typing(self, chat_id: str, thread_id: str | None) -> None:
        """No-op: Slack's Web API offers bots no typing indicator (see the module docstring)."""

    # --- files ----------------------------------------------------------------------------------

    async def fetch_attachment(self, attachment: Attachment, *, max_bytes: int) -> bytes:
        """The bytes of a file someone sent, at most ``max_bytes`` (the ``size`` Slack announced
        is checked first, then ``Content-Length``, then what arrives). ``url`` is the file's
        ``url_private_download``; a file shared without one (Slack Connect's
        ``file_access: check_file_info``) is looked up with ``files.info`` first. The bot token
        goes only to Slack's hosts (or ``base_url``'s). Raises :class:`AttachmentError`."""
        if attachment.data is not None:
            check_attachment_size(len(attachment.data), max_bytes)
            return attachment.data
        check_attachment_size(attachment.size, max_bytes)
        url = attachment.url
        if not url:
            if not attachment.file_id:
                raise AttachmentError("the Slack file has neither a URL nor an id")
            url, size = await self._file_info(attachment.file_id)
            check_attachment_size(size, max_bytes)
        if not self._may_send_token_to(url):
            raise AttachmentError(
                f"{urlsplit(url).hostname or url!r} is not a Slack file host: the bot token is not"
                " sent there"
            )
        token = self.config.bot_token.get_secret_value()
        session = self.client.session
        own = session is None or session.closed
        if own:  # outside run(): a session for this download only
            session = aiohttp.ClientSession()
        assert session is not None
        options: dict[str, Any] = {"proxy": self.client.proxy} if self.client.proxy else {}
        if self.client.ssl is not None:
            options["ssl"] = self.client.ssl
        try:
            async with session.get(
                url,
                headers={"Authorization": f"Bearer {token}"},
                timeout=DOWNLOAD_TIMEOUT,
                **options,
            ) as response:
                return await _read_file(response, attachment, max_bytes)
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            raise AttachmentError(f"downloading from Slack failed: {type(exc).__name__}") from exc
        finally:
            if own:
                await session.close()

    async def _file_info(self, file_id: str) -> tuple[str, int | None]:
        """``files.info``: the download URL and size of a file the event only named."""
        try:
            data = await self._call(
                "files.info",
                lambda: self.client.files_info(file=file_id),
                auth=PermanentSendError,
            )
        except ChannelError as exc:
            raise AttachmentError(str(exc)) from exc
        file = data.get("file")
        file = file if isinstance(file, dict) else {}
        url = file.get("url_private_download") or file.get("url_private")
        if not isinstance(url, str) or not url:
            raise AttachmentError(f"files.info: file {file_id} has no download URL")
        size = file.get("size")
        return url, size if isinstance(size, int) else None

    def _may_send_token_to(self, url: str) -> bool:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        if parts.scheme == "https" and any(host == h or host.endswith("." + h) for h in FILE_HOSTS):
            return True
        base = urlsplit(self.config.base_url)
        return (parts.scheme, host, parts.port) == (base.scheme, base.hostname, base.port)

    async def probe(self) -> dict[str, Any]:
        data = await self._call("auth.test", self.client.auth_test, auth=AuthError)
        return {
            "ok": True,
            "user_id": data.get("user_id"),
            "user": data.get("user"),
            "bot_id": data.get("bot_id"),
            "team": data.get("team"),
            "team_id": data.get("team_id"),
            "mode": self.config.mode,
        }

    async def logout(self) -> None:
        """No-op: a bot token has no session to end (uninstall the app to revoke it)."""

    # --- plumbing -------------------------------------------------------------------------------

    async def _call(
        self, what: str, call: Callable[[], Awaitable[Any]], *, auth: type[ChannelError]
    ) -> dict[str, Any]:
        """Run one Web API call; failures become channel errors (see :mod:`.errors`). A credential
        failure while sending also marks the account, so the operator sees why sends fail."""
        try:
            response = await call()
        except Exception as exc:
            error = classify(exc, what=what, auth=auth)
            if api_error_code(exc) in AUTH_ERRORS:
                self.ctx.set_status("auth-failed", str(error))
            raise error from exc
        data = getattr(response, "data", response)
        return data if isinstance(data, dict) else {}


# --- files --------------------------------------------------------------------------------------


async def _read_file(
    response: aiohttp.ClientResponse, attachment: Attachment, max_bytes: int
) -> bytes:
    status = response.status
    if status in (401, 403):
        raise AttachmentError(
            f"Slack refused the download ({status}): the app needs the files:read scope"
        )
    if status == 404:
        raise AttachmentError("the file is gone (404): deleted, or not visible to the bot")
    if status != 200:
        raise AttachmentError(f"Slack answered {status} to the download")
    if response.content_type == "text/html" and "html" not in (attachment.mime or ""):
        # Slack answers a download whose token it does not accept with its sign-in page (200).
        raise AttachmentError(
            "Slack sent its sign-in page instead of the file: the bot token was not accepted"
            " for this file (does the app have the files:read scope?)"
        )
    check_attachment_size(response.headers.get("Content-Length"), max_bytes)
    return await read_capped(response.content.iter_chunked(CHUNK), max_bytes)
