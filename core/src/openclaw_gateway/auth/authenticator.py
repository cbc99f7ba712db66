"""The ``connect`` decision: origin, rate limit, shared secret or device token, device proof, pairing.

Order follows the reference (PROTOCOL.md §3 step 4), with two deliberate hardenings:
the rate limit covers loopback too, and foreign browser Origins are refused before any secret is
looked at. Every refusal is a :class:`HandshakeRejected` carrying the reference's wire shape.
"""

from __future__ import annotations

import ipaddress
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..clock import now_ms
from ..errors import ErrorCode, HandshakeRejected
from ..protocol.frames import ConnectParams
from ..protocol.handshake import check_role, negotiate_protocol
from ..state import devices as device_store
from ..state.db import Database
from . import credentials
from .device import b64url_encode, verify_device_proof
from .origins import origin_allowed
from .ratelimit import AuthRateLimiter, client_key


@dataclass(frozen=True)
class ConnectInfo:
    """What the transport knows about a connection attempt."""

    remote_ip: str
    origin: str | None
    forwarded: bool
    """True when the upgrade carried proxy headers: then it is not *direct* loopback."""
    challenge_nonce: str

    @property
    def is_loopback(self) -> bool:
        if self.forwarded:
            return False
        try:
            return ipaddress.ip_address(self.remote_ip).is_loopback
        except ValueError:
            return False


@dataclass(frozen=True)
class AuthOutcome:
    """A successful connect: how it authenticated, and what it may do."""

    method: str
    role: str
    scopes: list[str]
    protocol: int
    device_id: str | None = None
    device_token: str | None = None
    issued_at_ms: int | None = None


@dataclass
class AuthSettings:
    mode: str
    token: str | None
    password: str | None
    allowed_origins: frozenset[str]
    limiter: AuthRateLimiter = field(default_factory=AuthRateLimiter)
    remote_shared_secret: bool = False
    """Accept the shared secret without a device from non-loopback clients (config opt-in)."""


def _auth_failure(message: str, code: str, reason: str, next_step: str) -> HandshakeRejected:
    return HandshakeRejected(
        ErrorCode.INVALID_REQUEST,
        message,
        details={
            "code": code,
            "authReason": reason,
            "canRetryWithDeviceToken": False,
            "recommendedNextStep": next_step,
        },
    )


TOKEN_HINT = "(use this gateway's token, see `openclaw-gateway token`, or pair the device)"  # noqa: S105


class Authenticator:
    """Decides every ``connect``. Emits pairing events through the given callbacks."""

    def __init__(
        self,
        settings: AuthSettings,
        db: Database,
        *,
        on_pair_requested: Callable[[dict[str, Any]], object],
        on_pair_resolved: Callable[[dict[str, Any]], object],
    ) -> None:
        self.settings = settings
        self.db = db
        self._on_pair_requested = on_pair_requested
        self._on_pair_resolved = on_pair_resolved

    async def authenticate(self, params: ConnectParams, info: ConnectInfo) -> AuthOutcome:
        protocol = negotiate_protocol(params)
        role = check_role(params)
        self._check_origin(params, info)

        limiter = self.settings.limiter
        key = client_key(info.remote_ip)
        # One attempt at a time per client: the check below and the record after the (awaiting)
        # evaluation are one step, so parallel guesses cannot all pass the check.
        async with limiter.serialized(key):
            retry_after = limiter.retry_after_ms(key)
            if retry_after is not None:
                raise self._rate_limited(retry_after)
            try:
                outcome = await self._authenticate(params, info, protocol, role)
            except HandshakeRejected as exc:
                if exc.counts_as_failure:
                    locked_ms = limiter.record_failure(key)
                    if locked_ms is not None:
                        raise self._rate_limited(locked_ms) from None
                raise
            if outcome.method in ("token", "password"):
                limiter.record_success(key)  # a device token's success clears nothing
            return outcome

    @staticmethod
    def _rate_limited(retry_after_ms: int) -> HandshakeRejected:
        return HandshakeRejected(
            ErrorCode.INVALID_REQUEST,
            "unauthorized: too many failed authentication attempts; retry later",
            details={
                "code": "AUTH_RATE_LIMITED",
                "authReason": "rate_limited",
                "canRetryWithDeviceToken": False,
                "recommendedNextStep": "wait_then_retry",
                "retryAfterMs": retry_after_ms,
            },
            retryable=True,
            retry_after_ms=retry_after_ms,
        )

    def _check_origin(self, params: ConnectParams, info: ConnectInfo) -> None:
        control_ui_without_origin = (
            params.client.id == "openclaw-control-ui" and info.origin is None
        )
        if control_ui_without_origin or not origin_allowed(
            info.origin, self.settings.allowed_origins
        ):
            seen = info.origin or "(none)"
            raise HandshakeRejected(
                ErrorCode.INVALID_REQUEST,
                f"origin not allowed: {seen}; add it to allowed_origins"
                " (OPENCLAW_GATEWAY_ALLOWED_ORIGINS) to let that page connect",
                details={"code": "CONTROL_UI_ORIGIN_NOT_ALLOWED", "origin": info.origin},
            )

    async def _authenticate(
        self, params: ConnectParams, info: ConnectInfo, protocol: int, role: str
    ) -> AuthOutcome:
        auth = params.auth
        device = params.device
        shared_method = self._check_shared_secret(params)
        if device is None:
            if role == "node" or shared_method is None:
                if shared_method is None and auth is not None and (auth.token or auth.password):
                    raise self._secret_mismatch()
                raise HandshakeRejected(
                    ErrorCode.NOT_PAIRED,
                    "device identity required",
                    details={"code": "DEVICE_IDENTITY_REQUIRED"},
                )
            if not info.is_loopback and not self.settings.remote_shared_secret:
                # The shared secret alone is enough only on this machine. From another address
                # (LAN, tailnet, a proxy) the client must prove a device key and be approved
                # once (docs/remote.md); an SSH tunnel keeps loopback semantics.
                raise HandshakeRejected(
                    ErrorCode.NOT_PAIRED,
                    "device identity required: connections from another host must sign the"
                    " challenge with a device key and be approved (or come through an SSH tunnel)",
                    details={"code": "DEVICE_IDENTITY_REQUIRED"},
                )
            return AuthOutcome(
                method=shared_method, role=role, scopes=params.scopes, protocol=protocol
            )

        try:
            raw_key = verify_device_proof(
                params, device, challenge_nonce=info.challenge_nonce, now_ms=now_ms()
            )
        except HandshakeRejected as exc:
            details = exc.details or {}
            exc.counts_as_failure = details.get("code") == "DEVICE_AUTH_SIGNATURE_INVALID"
            raise
        device_id = device.id.strip().lower()
        public_key = b64url_encode(raw_key)

        if shared_method is None:
            return await self._authenticate_device_token(params, protocol, role, device_id)
        return await self._pair_or_refresh(
            params, info, protocol, role, device_id, public_key, shared_method
        )

    def _check_shared_secret(self, params: ConnectParams) -> str | None:
        """``"token"``/``"password"`` when the shared secret matches, None when absent or wrong."""
        auth = params.auth
        if auth is None:
            return None
        if self.settings.mode == "token" and auth.token is not None:
            return (
                "token"
                if credentials.constant_time_equals(auth.token, self.settings.token)
                else None
            )
        if self.settings.mode == "password" and auth.password is not None:
            ok = credentials.constant_time_equals(auth.password, self.settings.password)
            return "password" if ok else None
        return None

    def _secret_mismatch(self) -> HandshakeRejected:
        if self.settings.mode == "password":
            exc = _auth_failure(
                "unauthorized: gateway password mismatch",
                "AUTH_PASSWORD_MISMATCH",
                "password_mismatch",
                "update_auth_credentials",
            )
        else:
            exc = _auth_failure(
                f"unauthorized: gateway token mismatch {TOKEN_HINT}",
                "AUTH_TOKEN_MISMATCH",
                "token_mismatch",
                "update_auth_credentials",
            )
        exc.counts_as_failure = True
        return exc

    async def _authenticate_device_token(
        self, params: ConnectParams, protocol: int, role: str, device_id: str
    ) -> AuthOutcome:
        auth = params.auth
        offered = (auth.deviceToken or auth.token) if auth is not None else None
        if not offered:
            if self.settings.mode == "password":
                raise _auth_failure(
                    "unauthorized: gateway password missing",
                    "AUTH_PASSWORD_MISSING",
                    "password_missing",
                    "update_auth_configuration",
                )
            raise _auth_failure(
                f"unauthorized: gateway token missing {TOKEN_HINT}",
                "AUTH_TOKEN_MISSING",
                "token_missing",
                "update_auth_configuration",
            )
        record = await self.db.run(device_store.get_token, self.db.conn, device_id, role)
        if record is None or not credentials.token_matches_hash(offered, record.token_hash):
            if auth is not None and auth.deviceToken is None and record is None:
                raise self._secret_mismatch()
            exc = _auth_failure(
                "unauthorized: device token mismatch (rotate/reissue device token)",
                "AUTH_DEVICE_TOKEN_MISMATCH",
                "device_token_mismatch",
                "update_auth_credentials",
            )
            exc.counts_as_failure = True
            raise exc
        allowed = set(record.scopes)
        scopes = [s for s in params.scopes if s in allowed]
        await self.db.run(device_store.touch_device, self.db.conn, device_id, now_ms(), "connect")
        return AuthOutcome(
            method="device-token", role=role, scopes=scopes, protocol=protocol, device_id=device_id
        )

    async def _pair_or_refresh(
        self,
        params: ConnectParams,
        info: ConnectInfo,
        protocol: int,
        role: str,
        device_id: str,
        public_key: str,
        shared_method: str,
    ) -> AuthOutcome:
        """A signed device with the shared secret: pair it (silently on loopback) and issue a token."""
        now = now_ms()
        db = self.db
        record = await db.run(device_store.get_device, db.conn, device_id)
        covered = (
            record is not None and role in record.roles and set(params.scopes) <= set(record.scopes)
        )
        client = params.client.model_dump(exclude_none=True)
        if not covered and not info.is_loopback:
            request = device_store.PairingRequest(
                request_id=str(uuid.uuid4()),
                device_id=device_id,
                public_key=public_key,
                role=role,
                scopes=sorted(set(params.scopes) | set(record.scopes if record else [])),
                client=client,
                remote_ip=info.remote_ip,
                created_at_ms=now,
            )
            stored = await db.run(device_store.add_pairing_request, db.conn, request)
            if stored.request_id == request.request_id:
                self._on_pair_requested(stored.to_wire())
            raise HandshakeRejected(
                ErrorCode.NOT_PAIRED,
                "pairing required: an operator must approve this device"
                f" (openclaw-gateway devices approve {stored.request_id})",
                details={"code": "PAIRING_REQUIRED", "requestId": stored.request_id},
            )
        token = credentials.generate_token()
        await db.run(
            device_store.approve_device,
            db.conn,
            device_id=device_id,
            public_key=public_key,
            client=client,
            role=role,
            scopes=sorted(set(params.scopes) | set(record.scopes if record else [])),
            approved_via="silent" if not covered else (record.approved_via if record else "silent"),
            token_hash=credentials.hash_token(token),
            now_ms=now,
        )
        if not covered:
            self._on_pair_resolved(
                {
                    "requestId": str(uuid.uuid4()),
                    "deviceId": device_id,
                    "decision": "approved",
                    "ts": now,
                }
            )
        return AuthOutcome(
            method=shared_method,
            role=role,
            scopes=params.scopes,
            protocol=protocol,
            device_id=device_id,
            device_token=token,
            issued_at_ms=now,
        )
