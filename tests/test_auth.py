"""Shared-secret auth, the auth-failure rate limit, and Origin checks (PROTOCOL.md §4)."""

from __future__ import annotations

import time

import anyio
import pytest
from websockets.exceptions import InvalidStatus

from wire import (
    TOKEN,
    DeviceKey,
    client_info,
    connect_frame,
    connect_res,
    device_connect,
    device_connect_frame,
    open_peer,
    operator,
)

pytestmark = pytest.mark.anyio

LAN_IP = "192.0.2.2"


async def attempt(port: int, frame: dict, host: str = "127.0.0.1", **kwargs):
    """Send one connect; return (res, close code, close reason); close info only on refusal."""
    peer = await open_peer(port, host=host, **kwargs)
    with anyio.fail_after(5):
        res = await connect_res(peer, frame)
        if res["ok"]:
            await peer.ws.close()
            return res, None, None
        code, reason = await peer.close_info()
    return res, code, reason


TOKEN_MISMATCH_DETAILS = {
    "code": "AUTH_TOKEN_MISMATCH",
    "authReason": "token_mismatch",
    "canRetryWithDeviceToken": False,
    "recommendedNextStep": "update_auth_credentials",
}


async def test_good_token(gateway):
    res, _, _ = await attempt(gateway.port, connect_frame(token=TOKEN, scopes=["operator.write"]))
    assert res["ok"]
    assert res["payload"]["auth"] == {
        "method": "token",
        "role": "operator",
        "scopes": ["operator.write"],
    }
    assert "deviceToken" not in res["payload"]["auth"]


async def test_bad_token(gateway):
    res, code, reason = await attempt(gateway.port, connect_frame(token="wrongtoken"))
    error = res["error"]
    assert error["code"] == "INVALID_REQUEST"
    assert error["message"].startswith("unauthorized: gateway token mismatch")
    assert error["details"] == TOKEN_MISMATCH_DETAILS
    assert code == 1008 and reason == error["message"]
    assert TOKEN not in str(res)


@pytest.mark.parametrize("bad", ["", TOKEN[:-1], TOKEN + "x", TOKEN.upper(), " " + TOKEN])
async def test_near_miss_tokens_refused(gateway, bad):
    res, code, _ = await attempt(gateway.port, connect_frame(token=bad))
    assert not res["ok"] and code == 1008


@pytest.mark.parametrize("auth", [None, {}])
async def test_no_auth_no_device(gateway, auth):
    frame = connect_frame(auth=auth)
    res, code, reason = await attempt(gateway.port, frame)
    assert res["error"] == {
        "code": "NOT_PAIRED",
        "message": "device identity required",
        "details": {"code": "DEVICE_IDENTITY_REQUIRED"},
    }
    assert (code, reason) == (1008, "device identity required")


async def test_node_without_device_needs_identity(gateway):
    frame = connect_frame(
        token=TOKEN, role="node", scopes=[], client=client_info("node-host", "node")
    )
    res, code, _ = await attempt(gateway.port, frame)
    assert res["error"]["code"] == "NOT_PAIRED"
    assert res["error"]["details"]["code"] == "DEVICE_IDENTITY_REQUIRED"
    assert code == 1008


async def test_device_without_secret(gateway):
    peer, res = await device_connect(gateway.port, DeviceKey())
    assert res["error"]["code"] == "INVALID_REQUEST"
    assert res["error"]["message"].startswith("unauthorized: gateway token missing")
    assert res["error"]["details"] == {
        "code": "AUTH_TOKEN_MISSING",
        "authReason": "token_missing",
        "canRetryWithDeviceToken": False,
        "recommendedNextStep": "update_auth_configuration",
    }
    assert (await peer.close_info())[0] == 1008


# --- password mode --------------------------------------------------------------------------

PASSWORD = "correct horse battery staple"


async def test_password_mode(gateway_factory):
    async with gateway_factory(auth_mode="password", password=PASSWORD) as gw:
        res, _, _ = await attempt(gw.port, connect_frame(auth={"password": PASSWORD}))
        assert res["ok"] and res["payload"]["auth"]["method"] == "password"

        res, code, reason = await attempt(gw.port, connect_frame(auth={"password": "nope"}))
        assert res["error"]["code"] == "INVALID_REQUEST"
        assert res["error"]["details"]["code"] == "AUTH_PASSWORD_MISMATCH"
        assert res["error"]["details"]["authReason"] == "password_mismatch"
        assert code == 1008 and reason == res["error"]["message"]

        # The token is not a valid credential in password mode.
        res, code, _ = await attempt(gw.port, connect_frame(token=TOKEN))
        assert not res["ok"] and code == 1008

        # Missing: without a device, identity is required; with one, the password is missing.
        res, _, _ = await attempt(gw.port, connect_frame())
        assert res["error"]["details"]["code"] == "DEVICE_IDENTITY_REQUIRED"
        peer, res = await device_connect(gw.port, DeviceKey())
        assert res["error"]["details"]["code"] == "AUTH_PASSWORD_MISSING"
        assert (await peer.close_info())[0] == 1008

        # A device with the password is paired on loopback (the password is the signed "token"
        # only when sent as auth.token, so sign with "" here).
        peer, res = await device_connect(gw.port, DeviceKey(), auth={"password": PASSWORD})
        assert res["ok"], res
        assert res["payload"]["auth"]["method"] == "password"
        assert res["payload"]["auth"]["deviceToken"]
        await peer.ws.close()


async def test_token_mode_ignores_password_field(gateway):
    # The reference accepted auth.password == token in token mode; we refuse (no surprise).
    res, code, _ = await attempt(gateway.port, connect_frame(auth={"password": TOKEN}))
    assert not res["ok"] and code == 1008


# --- rate limit ----------------------------------------------------------------------------


async def test_rate_limit_300_bad_tokens_from_loopback(gateway_factory):
    async with gateway_factory(rate_limit={"max_failures": 5, "lockout_ms": 60_000}) as gw:
        details_codes = []
        for i in range(300):
            res, code, _ = await attempt(gw.port, connect_frame(token=f"guess-{i}"))
            assert not res["ok"] and code == 1008
            details_codes.append(res["error"]["details"]["code"])
            if i == 4:
                error = res["error"]
                assert error["code"] == "INVALID_REQUEST"
                assert error["retryable"] is True
                assert 59_000 <= error["retryAfterMs"] <= 60_001
                assert error["details"]["retryAfterMs"] == error["retryAfterMs"]
                assert error["details"]["recommendedNextStep"] == "wait_then_retry"
        assert details_codes[:4] == ["AUTH_TOKEN_MISMATCH"] * 4
        assert details_codes[4:] == ["AUTH_RATE_LIMITED"] * 296

        # Documented design: while locked, a correct token is refused too (no oracle).
        res, code, _ = await attempt(gw.port, connect_frame(token=TOKEN))
        assert res["error"]["details"]["code"] == "AUTH_RATE_LIMITED"
        assert 0 < res["error"]["retryAfterMs"] <= 60_001
        assert code == 1008


async def test_rate_limit_recovers_after_lockout(gateway_factory):
    async with gateway_factory(rate_limit={"max_failures": 3, "lockout_ms": 1000}) as gw:
        for i in range(3):
            res, _, _ = await attempt(gw.port, connect_frame(token=f"bad{i}"))
        assert res["error"]["details"]["code"] == "AUTH_RATE_LIMITED"
        locked_at = time.monotonic()
        res, _, _ = await attempt(gw.port, connect_frame(token=TOKEN))
        assert res["error"]["details"]["code"] == "AUTH_RATE_LIMITED"
        await anyio.sleep(max(0.0, 1.05 - (time.monotonic() - locked_at)))
        res, _, _ = await attempt(gw.port, connect_frame(token=TOKEN))
        assert res["ok"], res
        # The counter started over: two more failures don't lock yet.
        for i in range(2):
            res, _, _ = await attempt(gw.port, connect_frame(token=f"again{i}"))
            assert res["error"]["details"]["code"] == "AUTH_TOKEN_MISMATCH"


async def test_missing_credentials_do_not_count(gateway_factory):
    async with gateway_factory(rate_limit={"max_failures": 2}) as gw:
        for _ in range(5):
            res, _, _ = await attempt(gw.port, connect_frame())
            assert res["error"]["details"]["code"] == "DEVICE_IDENTITY_REQUIRED"
        res, _, _ = await attempt(gw.port, connect_frame(token=TOKEN))
        assert res["ok"]


async def test_bad_device_signatures_count(gateway_factory):
    async with gateway_factory(rate_limit={"max_failures": 3}) as gw:
        key = DeviceKey()
        codes = []
        for _ in range(3):
            peer = await open_peer(gw.port)
            frame = connect_frame(token=TOKEN)
            frame["params"]["device"] = {
                "id": key.device_id,
                "publicKey": key.public_b64,
                "signature": key.sign("something else"),
                "signedAt": peer.ts,
                "nonce": peer.nonce,
            }
            res = await connect_res(peer, frame)
            codes.append(res["error"]["details"]["code"])
            await peer.ws.close()
        assert codes == ["DEVICE_AUTH_SIGNATURE_INVALID"] * 2 + ["AUTH_RATE_LIMITED"]


async def test_rate_limit_is_per_address(gateway_factory):
    async with gateway_factory(bind="lan", rate_limit={"max_failures": 2}) as gw:
        for i in range(2):
            res, _, _ = await attempt(gw.port, connect_frame(token=f"bad{i}"))
        assert res["error"]["details"]["code"] == "AUTH_RATE_LIMITED"
        res, _, _ = await attempt(gw.port, connect_frame(token=TOKEN), host=LAN_IP)
        # Not locked out (its own budget); refused only because a LAN client must sign.
        assert res["error"]["details"]["code"] == "DEVICE_IDENTITY_REQUIRED", res
        res, _, _ = await attempt(gw.port, connect_frame(token=TOKEN))
        assert res["error"]["details"]["code"] == "AUTH_RATE_LIMITED"


async def test_forwarded_for_is_believed_only_from_trusted_proxies(gateway_factory):
    def via_proxy(client: str) -> dict:
        return {"additional_headers": {"X-Forwarded-For": f"{client}, 127.0.0.1"}}

    # Untrusted: the header is ignored, so spoofing it cannot dodge the lockout.
    async with gateway_factory(rate_limit={"max_failures": 2}) as gw:
        for i in range(2):
            res, _, _ = await attempt(
                gw.port, connect_frame(token=f"b{i}"), **via_proxy("203.0.113.1")
            )
        res, _, _ = await attempt(gw.port, connect_frame(token=TOKEN), **via_proxy("203.0.113.2"))
        assert res["error"]["details"]["code"] == "AUTH_RATE_LIMITED"

    # Trusted (a local nginx): each client behind it has its own budget and presence address.
    async with gateway_factory(
        rate_limit={"max_failures": 2}, trusted_proxies=["127.0.0.1/32", "::1"]
    ) as gw:
        for i in range(2):
            res, _, _ = await attempt(
                gw.port, connect_frame(token=f"b{i}"), **via_proxy("203.0.113.1")
            )
        assert res["error"]["details"]["code"] == "AUTH_RATE_LIMITED"
        # Another client behind the proxy has its own budget: refused only for want of a
        # device identity (the token alone is loopback-only), not locked out.
        peer = await open_peer(gw.port, **via_proxy("203.0.113.2"))
        frame = connect_frame(
            token=TOKEN,
            scopes=["operator.read"],
            client=client_info("openclaw-tui", "ui", instanceId="tui-1"),
        )
        await peer.send(frame)
        res = await peer.recv_res(frame["id"])
        assert res["error"]["details"]["code"] == "DEVICE_IDENTITY_REQUIRED", res
        # Once paired, it is seen at its own address.
        key = DeviceKey()
        tui = client_info("openclaw-tui", "ui", instanceId="tui-1")
        peer = await open_peer(gw.port, **via_proxy("203.0.113.2"))
        res = await connect_res(peer, device_connect_frame(peer, key, token=TOKEN, client=tui))
        admin = await operator(gw.port, TOKEN, scopes=["operator.read", "operator.pairing"])
        approved = await admin.request(
            "device.pair.approve", {"requestId": res["error"]["details"]["requestId"]}
        )
        assert approved["ok"], approved
        peer = await open_peer(gw.port, **via_proxy("203.0.113.2"))
        res = await connect_res(peer, device_connect_frame(peer, key, token=TOKEN, client=tui))
        assert res["ok"], res
        presence = (await admin.request("system-presence", {}))["payload"]
        assert any(e.get("ip") == "203.0.113.2" for e in presence)
        await peer.ws.close()
        await admin.ws.close()
        # A proxied local client is not *direct* loopback: no silent device pairing.
        key = DeviceKey()
        peer = await open_peer(gw.port, **via_proxy("127.0.0.1"))
        res = await connect_res(peer, device_connect_frame(peer, key, token=TOKEN))
        assert res["error"]["details"]["code"] == "PAIRING_REQUIRED", res


def test_client_address_walks_the_chain_from_the_right():
    from openclaw_gateway.auth.proxies import client_address, parse_networks

    trusted = parse_networks(["10.0.0.0/8", "127.0.0.1"])
    assert client_address("127.0.0.1", "6.6.6.6, 1.2.3.4, 10.1.1.1", None, trusted) == "1.2.3.4"
    assert client_address("9.9.9.9", "1.2.3.4", None, trusted) == "9.9.9.9"  # not a proxy
    assert client_address("127.0.0.1", "", "1.2.3.4", trusted) == "1.2.3.4"  # X-Real-IP
    assert client_address("127.0.0.1", "[2001:db8::1]:443", None, trusted) == "2001:db8::1"
    assert client_address("127.0.0.1", "garbage", None, trusted) == "127.0.0.1"
    assert client_address("127.0.0.1", "10.0.0.2, 10.0.0.3", None, trusted) == "10.0.0.2"
    assert client_address("127.0.0.1", "1.2.3.4", None, ()) == "127.0.0.1"
    with pytest.raises(ValueError, match="'nope' is not an IP address"):
        parse_networks(["nope"])


# --- Origin --------------------------------------------------------------------------------


async def refused_at_upgrade(port: int, origin: str) -> None:
    """A foreign page's socket is refused with HTTP 403 before any frame (or pre-auth slot)."""
    with pytest.raises(InvalidStatus) as info:
        await open_peer(port, origin=origin)
    assert info.value.response.status_code == 403
    assert b"allowed_origins" in info.value.response.body
    assert origin.encode() in info.value.response.body  # the operator sees which origin


async def test_foreign_origin_refused(gateway):
    await refused_at_upgrade(gateway.port, "http://evil.example")


async def test_foreign_origin_refused_before_secret_check(gateway_factory):
    # A hostile page must not be able to guess tokens: no mismatch/rate-limit oracle.
    async with gateway_factory(rate_limit={"max_failures": 2}) as gw:
        for _ in range(4):
            await refused_at_upgrade(gw.port, "http://evil.example")
        res, _, _ = await attempt(gw.port, connect_frame(token=TOKEN))
        assert res["ok"], res


async def test_foreign_page_cannot_exhaust_the_preauth_sockets(gateway_factory):
    """40 sockets from a foreign page (over the 32 pre-auth sockets per client) leave the local
    CLI able to connect: they are refused at the upgrade and never count."""
    async with gateway_factory() as gw:
        for _ in range(40):
            await refused_at_upgrade(gw.port, "http://evil.example")
        assert gw.hub.preauth == {}
        res, _, _ = await attempt(gw.port, connect_frame(token=TOKEN))
        assert res["ok"], res


@pytest.mark.parametrize(
    "origin",
    ["http://localhost:99999", "http://a:b", "http://[::1", "http://127.0.0.1:-1", "null"],
)
async def test_malformed_origin_is_refused_cleanly(gateway, origin, caplog):
    await refused_at_upgrade(gateway.port, origin)
    res, _, _ = await attempt(gateway.port, connect_frame(token=TOKEN))
    assert res["ok"], res
    assert not [r for r in caplog.records if r.exc_info], "no traceback for a bad Origin"


@pytest.mark.parametrize(
    "origin",
    ["http://127.0.0.1:{port}", "http://localhost:{port}", "HTTP://127.0.0.1:{port}"],
)
async def test_own_origin_allowed(gateway, origin):
    res, _, _ = await attempt(
        gateway.port, connect_frame(token=TOKEN), origin=origin.format(port=gateway.port)
    )
    assert res["ok"], res


async def test_other_local_port_is_foreign(gateway):
    await refused_at_upgrade(gateway.port, f"http://127.0.0.1:{gateway.port + 1}")


async def test_configured_origin_allowed(gateway_factory):
    async with gateway_factory(allowed_origins=["https://chat.example.com"]) as gw:
        res, _, _ = await attempt(
            gw.port, connect_frame(token=TOKEN), origin="https://chat.example.com"
        )
        assert res["ok"], res
        await refused_at_upgrade(gw.port, "https://chat.example.com.evil.example")


async def test_control_ui_without_origin_refused(gateway):
    ui = client_info("openclaw-control-ui", "ui")
    res, code, _ = await attempt(gateway.port, connect_frame(token=TOKEN, client=ui))
    assert res["error"]["details"]["code"] == "CONTROL_UI_ORIGIN_NOT_ALLOWED"
    assert code == 1008
    res, _, _ = await attempt(
        gateway.port,
        connect_frame(token=TOKEN, client=ui),
        origin=f"http://127.0.0.1:{gateway.port}",
    )
    assert res["ok"], res
