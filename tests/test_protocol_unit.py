"""Pure functions of protocol/ and auth/: no sockets, exact values (PROTOCOL.md §2-§7)."""

from __future__ import annotations

import base64

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from pydantic import ValidationError

from openclaw_gateway.auth import credentials, scopes
from openclaw_gateway.auth.device import (
    b64_decode_any,
    device_id_for,
    normalize_public_key,
    payload_v2,
    payload_v3,
    signed_token,
    verify_device_proof,
)
from openclaw_gateway.auth.origins import normalize_origin, origin_allowed, own_origins
from openclaw_gateway.auth.ratelimit import AuthRateLimiter
from openclaw_gateway.errors import CloseCode, HandshakeRejected, missing_scope
from openclaw_gateway.protocol.codec import (
    FrameError,
    NotJSON,
    describe_validation_error,
    encode_error,
    encode_event,
    loads,
    params_error,
    parse_request,
)
from openclaw_gateway.protocol.frames import ConnectParams
from openclaw_gateway.protocol.handshake import check_role, close_reason, negotiate_protocol
from openclaw_gateway.server.idempotency import CachedOutcome, IdempotencyCache

# --- PROTOCOL.md §5 test vector ---------------------------------------------------------------

SEED = bytes.fromhex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f")
PUB = "A6EHv_POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg"
DEVICE_ID = "56475aa75463474c0285df5dbf2bcab73da651358839e9b77481b2eab107708c"
NONCE = "3f1c2b9a-6d4e-4f10-9a7b-0c2d3e4f5a6b"
SIGNED_AT = 1767225600000
PAYLOAD_V2 = (
    "v2|56475aa75463474c0285df5dbf2bcab73da651358839e9b77481b2eab107708c|cli|cli|operator|"
    "operator.read,operator.write|1767225600000|secret123|3f1c2b9a-6d4e-4f10-9a7b-0c2d3e4f5a6b"
)
SIG_V2 = "NKvLl9ICPiwvgG0TcyuKY4KKnwEYev2LglUU7gfjMCLoqjVWxNVRkON6kMkEaU2NmTJxCRqzhBS1NH6AmnWxDA"
PAYLOAD_V3 = (
    "v3|56475aa75463474c0285df5dbf2bcab73da651358839e9b77481b2eab107708c|cli|cli|operator|"
    "operator.read,operator.write|1767225600000|secret123|3f1c2b9a-6d4e-4f10-9a7b-0c2d3e4f5a6b|"
    "linux|linux"
)
SIG_V3 = "llUk_NXPXcp0jZLw2BVc0t90SzMrwyKe0TNySEc25fn1IAQWQYcusK3I9zlckOhgqoUgeiTBwzBdxemUqUKtAQ"
VECTOR_SCOPES = ["operator.read", "operator.write"]


def _sign(payload: str) -> str:
    sig = Ed25519PrivateKey.from_private_bytes(SEED).sign(payload.encode())
    return base64.urlsafe_b64encode(sig).rstrip(b"=").decode()


def _vector_params(signature: str, **device: object) -> ConnectParams:
    proof = {
        "id": DEVICE_ID,
        "publicKey": PUB,
        "signature": signature,
        "signedAt": SIGNED_AT,
        "nonce": NONCE,
        **device,
    }
    return ConnectParams.model_validate(
        {
            "minProtocol": 4,
            "maxProtocol": 4,
            "client": {
                "id": "cli",
                "version": "1",
                "platform": "Linux",
                "deviceFamily": " Linux ",
                "mode": "cli",
            },
            "role": "operator",
            "scopes": VECTOR_SCOPES,
            "auth": {"token": "secret123"},
            "device": proof,
        }
    )


def test_vector_public_key_and_device_id():
    raw = (
        Ed25519PrivateKey.from_private_bytes(SEED)
        .public_key()
        .public_bytes(Encoding.Raw, PublicFormat.Raw)
    )
    assert normalize_public_key(PUB) == raw
    assert device_id_for(raw) == DEVICE_ID


def test_vector_payloads_exact():
    common = {
        "device_id": DEVICE_ID,
        "client_id": "cli",
        "client_mode": "cli",
        "role": "operator",
        "scopes": VECTOR_SCOPES,
        "signed_at": SIGNED_AT,
        "token": "secret123",
        "nonce": NONCE,
    }
    assert payload_v2(**common) == PAYLOAD_V2
    assert payload_v3(**common, platform="Linux", device_family=" Linux ") == PAYLOAD_V3


def test_vector_signatures_exact():
    # Ed25519 is deterministic: our payloads signed with the seed give the published signatures.
    assert _sign(PAYLOAD_V2) == SIG_V2
    assert _sign(PAYLOAD_V3) == SIG_V3


def test_v3_fold_only_ascii_and_missing_is_empty():
    common = {
        "device_id": "d",
        "client_id": "cli",
        "client_mode": "cli",
        "role": "operator",
        "scopes": [],
        "signed_at": 1,
        "token": "",
        "nonce": "n",
    }
    assert payload_v3(**common, platform=None, device_family=None).endswith("|n||")
    # Only A-Z are folded: the Turkish dotted capital I and Ä stay as they are.
    assert payload_v3(**common, platform=" MacOS\u0130 ", device_family="Ä").endswith(
        "|macos\u0130|Ä"
    )


@pytest.mark.parametrize("sig", [SIG_V3, SIG_V2])
def test_verify_vector_v3_and_v2(sig):
    params = _vector_params(sig)
    assert params.device is not None
    raw = verify_device_proof(params, params.device, challenge_nonce=NONCE, now_ms=SIGNED_AT + 5)
    assert device_id_for(raw) == DEVICE_ID


def _reject_code(params: ConnectParams, *, nonce: str = NONCE, now: int = SIGNED_AT) -> str:
    assert params.device is not None
    with pytest.raises(HandshakeRejected) as info:
        verify_device_proof(params, params.device, challenge_nonce=nonce, now_ms=now)
    assert info.value.close_code == CloseCode.POLICY
    return str(info.value.details["code"])  # type: ignore[index]


def test_verify_failures_in_reference_order():
    assert (
        _reject_code(_vector_params(SIG_V3, publicKey="AAAA")) == "DEVICE_AUTH_PUBLIC_KEY_INVALID"
    )
    assert _reject_code(_vector_params(SIG_V3, publicKey="!!!")) == "DEVICE_AUTH_PUBLIC_KEY_INVALID"
    assert _reject_code(_vector_params(SIG_V3, id="00" * 32)) == "DEVICE_AUTH_DEVICE_ID_MISMATCH"
    assert _reject_code(_vector_params(SIG_V3), now=SIGNED_AT + 120_001) == (
        "DEVICE_AUTH_SIGNATURE_EXPIRED"
    )
    assert _reject_code(_vector_params(SIG_V3), now=SIGNED_AT - 120_001) == (
        "DEVICE_AUTH_SIGNATURE_EXPIRED"
    )
    assert _reject_code(_vector_params(SIG_V3, nonce="  ")) == "DEVICE_AUTH_NONCE_REQUIRED"
    assert _reject_code(_vector_params(SIG_V3), nonce="other") == "DEVICE_AUTH_NONCE_MISMATCH"
    assert _reject_code(_vector_params(SIG_V2[:-2] + "AA")) == "DEVICE_AUTH_SIGNATURE_INVALID"
    assert _reject_code(_vector_params("not base64 at all")) == "DEVICE_AUTH_SIGNATURE_INVALID"
    # Exactly at the skew limit is still fine.
    params = _vector_params(SIG_V3)
    assert params.device is not None
    verify_device_proof(params, params.device, challenge_nonce=NONCE, now_ms=SIGNED_AT + 120_000)


def test_signature_binds_scopes_token_and_platform():
    base = _vector_params(SIG_V3).model_dump(exclude_none=True)
    for change in (
        {"scopes": ["operator.write", "operator.read"]},  # order matters
        {"auth": {"token": "secret124"}},
        {"role": "node"},
    ):
        params = ConnectParams.model_validate({**base, **change})
        assert _reject_code(params) == "DEVICE_AUTH_SIGNATURE_INVALID"
    client = {**base["client"], "platform": "darwin"}
    # v3 binds the platform; the v2 signature does not, so only v3 breaks.
    assert _reject_code(ConnectParams.model_validate({**base, "client": client})) == (
        "DEVICE_AUTH_SIGNATURE_INVALID"
    )
    v2 = ConnectParams.model_validate(
        {**base, "client": client, "device": {**base["device"], "signature": SIG_V2}}
    )
    assert v2.device is not None
    verify_device_proof(v2, v2.device, challenge_nonce=NONCE, now_ms=SIGNED_AT)


def test_public_key_forms_are_normalised():
    raw = normalize_public_key(PUB)
    padded_std = base64.b64encode(raw).decode()
    assert normalize_public_key(padded_std) == raw
    pem = (
        Ed25519PrivateKey.from_private_bytes(SEED)
        .public_key()
        .public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    assert normalize_public_key(pem) == raw
    with pytest.raises(ValueError):
        normalize_public_key(base64.b64encode(b"x" * 31).decode())
    assert b64_decode_any("AQID") == b"\x01\x02\x03"


def test_signed_token_precedence():
    base = _vector_params(SIG_V3).model_dump(exclude_none=True)
    assert signed_token(ConnectParams.model_validate({**base, "auth": None})) == ""
    both = {**base, "auth": {"token": "t", "deviceToken": "d"}}
    assert signed_token(ConnectParams.model_validate(both)) == "t"
    only_dev = {**base, "auth": {"deviceToken": "d"}}
    assert signed_token(ConnectParams.model_validate(only_dev)) == "d"


# --- codec ----------------------------------------------------------------------------------


def test_parse_request_ok():
    frame = parse_request('{"type":"req","id":"1","method":"health","params":{"a":1}}')
    assert (frame.id, frame.method, frame.params) == ("1", "health", {"a": 1})


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ('{"foo":1}', "invalid request frame: must have required property 'type'"),
        ("[1,2]", "invalid request frame: at root: input should be an object"),
        ('{"type":"req","method":"x"}', "invalid request frame: must have required property 'id'"),
        ('{"type":"req","id":"","method":"x"}', "invalid request frame: at /id:"),
        ('{"type":"event","event":"tick","payload":{}}', "invalid request frame: at /type:"),
        ('{"type":"req","id":"1","method":"x","bogus":1}', "unexpected property 'bogus'"),
        ('{"type":"req","id":"1","method":"x","traceparent":"' + "x" * 129 + '"}', "/traceparent"),
    ],
)
def test_parse_request_rejects(data, message):
    with pytest.raises(FrameError) as info:
        parse_request(data)
    assert not isinstance(info.value, NotJSON)
    assert message in info.value.message
    assert info.value.message.startswith("invalid request frame: ")


@pytest.mark.parametrize("data", ["hello", "{", b"\xff\xfe", ""])
def test_parse_request_not_json(data):
    with pytest.raises(NotJSON):
        parse_request(data)


def _connect_error(params: dict) -> tuple[str, str]:
    with pytest.raises(ValidationError) as info:
        ConnectParams.model_validate(params)
    return describe_validation_error(info.value)


CLIENT = {"id": "cli", "version": "1", "platform": "linux", "mode": "cli"}


def test_describe_validation_error_paths():
    assert _connect_error({"minProtocol": 4}) == (
        "must have required property 'maxProtocol'",
        "/maxProtocol",
    )
    device = {"id": "a", "publicKey": "b", "signature": "c", "signedAt": 1}
    assert _connect_error(
        {"minProtocol": 4, "maxProtocol": 4, "client": CLIENT, "device": device}
    ) == ("at /device: must have required property 'nonce'", "/device/nonce")
    assert _connect_error({"minProtocol": 4, "maxProtocol": 4, "client": CLIENT, "zz": 1}) == (
        "at root: unexpected property 'zz'",
        "/zz",
    )
    nested = {**CLIENT, "extra": 1}
    assert _connect_error({"minProtocol": 4, "maxProtocol": 4, "client": nested}) == (
        "at /client: unexpected property 'extra'",
        "/client/extra",
    )
    msg, pointer = _connect_error(
        {"minProtocol": 4, "maxProtocol": 4, "client": {**CLIENT, "id": "x"}}
    )
    assert pointer == "/client/id" and msg.startswith("at /client/id: ")
    msg, pointer = _connect_error({"minProtocol": 0, "maxProtocol": 4, "client": CLIENT})
    assert pointer == "/minProtocol" and "greater than or equal to 1" in msg
    msg, pointer = _connect_error(
        {
            "minProtocol": 4,
            "maxProtocol": 4,
            "client": CLIENT,
            "device": {**device, "nonce": "n", "signedAt": -1},
        }
    )
    assert pointer == "/device/signedAt"


def test_params_error_shape():
    from pydantic import BaseModel

    class P(BaseModel):
        text: str

    with pytest.raises(ValidationError) as info:
        P.model_validate({})
    err = params_error("system-event", info.value).to_wire()
    assert err == {
        "code": "INVALID_REQUEST",
        "message": "invalid system-event params: must have required property 'text'",
        "details": {"code": "INVALID_PARAMS", "path": "/text"},
    }


def test_encoders():
    assert loads(encode_event("tick", {"ts": 1}, seq=3)) == {
        "type": "event",
        "event": "tick",
        "payload": {"ts": 1},
        "seq": 3,
    }
    assert "seq" not in loads(encode_event("connect.challenge", {}))
    frame = loads(encode_error("x", missing_scope("operator.write"), payload={"a": 1}))
    assert frame == {
        "type": "res",
        "id": "x",
        "ok": False,
        "error": {
            "code": "FORBIDDEN",
            "message": "missing scope: operator.write",
            "details": {
                "code": "MISSING_SCOPE",
                "missingScope": "operator.write",
                "requiredScopes": ["operator.write"],
            },
        },
        "payload": {"a": 1},
    }


# --- handshake -----------------------------------------------------------------------------


def _params(low: int, high: int, role: str = "operator", mode: str = "cli") -> ConnectParams:
    return ConnectParams.model_validate(
        {"minProtocol": low, "maxProtocol": high, "client": {**CLIENT, "mode": mode}, "role": role}
    )


@pytest.mark.parametrize(
    ("low", "high", "role", "mode"),
    [
        (4, 4, "operator", "cli"),
        (3, 5, "operator", "cli"),
        (1, 99, "operator", "ui"),
        (3, 3, "node", "node"),
        (3, 3, "operator", "probe"),
        (2, 3, "node", "node"),
    ],
)
def test_negotiate_ok_always_reports_4(low, high, role, mode):
    assert negotiate_protocol(_params(low, high, role, mode)) == 4


@pytest.mark.parametrize(
    ("low", "high", "role", "mode"),
    [
        (5, 6, "operator", "cli"),
        (3, 3, "operator", "cli"),
        (3, 3, "node", "cli"),
        (3, 3, "operator", "node"),
        (1, 2, "node", "node"),
        (5, 5, "node", "node"),
    ],
)
def test_negotiate_mismatch(low, high, role, mode):
    with pytest.raises(HandshakeRejected) as info:
        negotiate_protocol(_params(low, high, role, mode))
    exc = info.value
    assert exc.close_code == 1002 and exc.close_reason == "protocol mismatch"
    assert exc.to_wire() == {
        "code": "INVALID_REQUEST",
        "message": "protocol mismatch",
        "details": {
            "code": "PROTOCOL_MISMATCH",
            "clientMinProtocol": low,
            "clientMaxProtocol": high,
            "expectedProtocol": 4,
            "minimumProbeProtocol": 3,
        },
    }


def test_check_role():
    assert check_role(_params(4, 4, "node")) == "node"
    assert check_role(_params(4, 4, "operator")) == "operator"
    with pytest.raises(HandshakeRejected) as info:
        check_role(_params(4, 4, "admin"))
    assert info.value.message == "invalid role" and info.value.close_code == 1008


def test_close_reason_fits_123_bytes_without_splitting_chars():
    assert close_reason("short") == "short"
    long = "é" * 100  # 200 bytes
    out = close_reason(long)
    assert len(out.encode()) <= 123 and out == "é" * 61


# --- credentials ---------------------------------------------------------------------------


def test_credentials():
    token = credentials.generate_token()
    assert len(token) == 43 and token != credentials.generate_token()
    assert credentials.constant_time_equals("abc", "abc")
    assert not credentials.constant_time_equals("abc", "abd")
    assert not credentials.constant_time_equals("abc", None)
    assert not credentials.constant_time_equals(None, None)
    assert not credentials.constant_time_equals("", None)
    h = credentials.hash_token(token)
    assert token not in h and credentials.token_matches_hash(token, h)
    assert not credentials.token_matches_hash(token + "x", h)
    stored = credentials.hash_password("pw")
    assert stored.startswith("scrypt$") and "pw" not in stored.split("$", 1)[1]
    assert credentials.verify_password("pw", stored)
    assert not credentials.verify_password("pW", stored)
    assert not credentials.verify_password("pw", "garbage")
    assert credentials.hash_password("pw") != stored  # salted


# --- rate limiter and idempotency (injected clocks) ------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_ratelimit_locks_after_max_failures_and_recovers():
    clock = Clock()
    rl = AuthRateLimiter(max_failures=3, window_ms=10_000, lockout_ms=5_000, clock=clock)
    assert rl.retry_after_ms("1.2.3.4") is None
    assert rl.record_failure("1.2.3.4") is None
    assert rl.record_failure("1.2.3.4") is None
    assert rl.record_failure("1.2.3.4") == 5000
    assert 0 < rl.retry_after_ms("1.2.3.4") <= 5001  # type: ignore[operator]
    assert rl.retry_after_ms("5.6.7.8") is None  # per address
    clock.now += 2
    assert 2900 < rl.retry_after_ms("1.2.3.4") <= 3001  # type: ignore[operator]
    rl.record_success("1.2.3.4")  # success while locked does not unlock
    assert rl.retry_after_ms("1.2.3.4") is not None
    clock.now += 3.001
    assert rl.retry_after_ms("1.2.3.4") is None
    # After the lockout the counter starts from zero.
    assert rl.record_failure("1.2.3.4") is None


def test_ratelimit_window_slides():
    clock = Clock()
    rl = AuthRateLimiter(max_failures=3, window_ms=10_000, lockout_ms=5_000, clock=clock)
    rl.record_failure("a")
    rl.record_failure("a")
    clock.now += 10.5  # both fall out of the window
    assert rl.record_failure("a") is None
    assert rl.record_failure("a") is None
    assert rl.record_failure("a") == 5000


def test_ratelimit_success_resets_and_memory_is_bounded():
    clock = Clock()
    rl = AuthRateLimiter(max_failures=2, lockout_ms=5_000, max_tracked=100, clock=clock)
    rl.record_failure("a")
    rl.record_success("a")
    assert rl.record_failure("a") is None
    for i in range(1000):
        rl.record_failure(f"10.0.{i // 256}.{i % 256}")
    assert len(rl._records) <= 100


def test_idempotency_ttl_and_bound():
    clock = Clock()
    cache = IdempotencyCache(max_entries=3, ttl_ms=1000, clock=clock)
    ok = CachedOutcome(True, {"x": 1}, None)
    cache.put("agent", "k", ok)
    assert cache.get("agent", "k") == ok
    assert cache.get("chat.send", "k") is None  # per method
    clock.now += 0.999
    assert cache.get("agent", "k") == ok
    clock.now += 0.002
    assert cache.get("agent", "k") is None
    assert len(cache) == 0
    for i in range(10):
        cache.put("agent", str(i), ok)
    assert len(cache) == 3
    assert cache.get("agent", "6") is None and cache.get("agent", "9") == ok
    # A re-put refreshes the timestamp and the LRU position.
    cache.put("agent", "7", ok)
    cache.put("agent", "10", ok)
    assert cache.get("agent", "7") == ok and cache.get("agent", "8") is None


# --- scopes and origins -------------------------------------------------------------------


def test_scopes_expand():
    assert scopes.expand(["operator.admin"]) >= scopes.OPERATOR_SCOPES
    assert scopes.expand(["operator.write"]) == {"operator.write", "operator.read", "operator.talk"}
    assert scopes.expand(["operator.read"]) == {"operator.read"}
    assert scopes.expand(["operator.pairing"]) == {"operator.pairing"}
    assert "operator.admin" not in scopes.expand(["operator.write", "operator.pairing"])
    assert scopes.expand([]) == frozenset()
    assert scopes.satisfies(frozenset(), None)
    assert not scopes.satisfies(scopes.expand(["operator.read"]), "operator.write")


def test_origins():
    own = own_origins(["127.0.0.1", "localhost"], [18789])
    assert "http://127.0.0.1:18789" in own and "https://localhost:18789" in own
    assert origin_allowed(None, frozenset())
    assert origin_allowed("HTTP://LocalHost:18789", own)
    assert not origin_allowed("http://127.0.0.1:18790", own)
    assert not origin_allowed("http://evil.example", own)
    assert not origin_allowed("null", own)
    assert normalize_origin("https://chat.example.com:443") == "https://chat.example.com"
    assert normalize_origin("http://[::1]:80") == "http://[::1]"
