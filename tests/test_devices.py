"""Device identity proofs, device tokens, token rotation/revocation and pairing (PROTOCOL.md §5-§6)."""

from __future__ import annotations

import anyio
import pytest

from wire import (
    TOKEN,
    DeviceKey,
    Peer,
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
ALL = ["operator.admin", "operator.pairing", "operator.read", "operator.write"]


async def refused(peer: Peer, res: dict) -> tuple[dict, int | None, str | None]:
    assert res["ok"] is False, res
    with anyio.fail_after(5):
        code, reason = await peer.close_info()
    return res["error"], code, reason


async def next_event(peer: Peer, name: str, timeout: float = 3) -> dict:
    with anyio.fail_after(timeout):
        return await peer.next_event(name)


async def paired(port: int, key: DeviceKey, **kwargs) -> tuple[Peer, str]:
    """Connect ``key`` with the shared token on loopback; return the peer and its device token."""
    peer, res = await device_connect(port, key, token=TOKEN, **kwargs)
    assert res["ok"], res
    return peer, res["payload"]["auth"]["deviceToken"]


# --- proofs ---------------------------------------------------------------------------------


@pytest.mark.parametrize("version", [3, 2])
async def test_good_proof_pairs_silently_on_loopback(gateway, version):
    watcher = await operator(gateway.port, TOKEN, scopes=["operator.pairing"])
    key = DeviceKey()
    peer, res = await device_connect(
        gateway.port,
        key,
        token=TOKEN,
        version=version,
        client=client_info(platform="Linux", deviceFamily=" Linux "),
    )
    assert res["ok"], res
    auth = res["payload"]["auth"]
    assert auth["method"] == "token" and auth["role"] == "operator"
    assert auth["scopes"] == ["operator.read"]
    assert isinstance(auth["deviceToken"], str) and len(auth["deviceToken"]) >= 32
    assert isinstance(auth["issuedAtMs"], int)
    event = await next_event(watcher, "device.pair.resolved")
    assert event["payload"]["deviceId"] == key.device_id
    assert event["payload"]["decision"] == "approved"
    assert isinstance(event["seq"], int)

    listing = (await watcher.request("device.pair.list"))["payload"]
    assert listing["pending"] == []
    (device,) = listing["paired"]
    assert device["deviceId"] == key.device_id and device["publicKey"] == key.public_b64
    assert device["approvedVia"] == "silent" and device["connected"] is True
    assert device["roles"] == ["operator"] and device["scopes"] == ["operator.read"]
    assert auth["deviceToken"] not in str(listing)  # token values are never listed
    await peer.ws.close()
    await watcher.ws.close()


async def test_bad_signature(gateway):
    key = DeviceKey()
    peer = await open_peer(gateway.port)
    frame = device_connect_frame(peer, key, token=TOKEN)
    frame["params"]["device"]["signature"] = DeviceKey().sign("x")
    error, code, reason = await refused(peer, await connect_res(peer, frame))
    assert error == {
        "code": "INVALID_REQUEST",
        "message": "device signature invalid",
        "details": {"code": "DEVICE_AUTH_SIGNATURE_INVALID", "reason": "device-signature"},
    }
    assert (code, reason) == (1008, "device signature invalid")


async def test_signature_over_other_token_is_invalid(gateway):
    key = DeviceKey()
    peer = await open_peer(gateway.port)
    frame = device_connect_frame(peer, key, token="another-token")
    frame["params"]["auth"] = {"token": TOKEN}
    error, _, _ = await refused(peer, await connect_res(peer, frame))
    assert error["details"]["code"] == "DEVICE_AUTH_SIGNATURE_INVALID"


async def test_nonce_from_another_connection(gateway):
    key = DeviceKey()
    victim = await open_peer(gateway.port)
    peer = await open_peer(gateway.port)
    frame = device_connect_frame(peer, key, token=TOKEN, nonce=victim.nonce)
    error, code, reason = await refused(peer, await connect_res(peer, frame))
    assert error["details"] == {
        "code": "DEVICE_AUTH_NONCE_MISMATCH",
        "reason": "device-nonce-mismatch",
    }
    assert (code, reason) == (1008, "device nonce mismatch")
    await victim.ws.close()


async def test_replayed_proof_refused(gateway):
    # A proof captured from one connection cannot be replayed on another.
    key = DeviceKey()
    first = await open_peer(gateway.port)
    frame = device_connect_frame(first, key, token=TOKEN)
    assert (await connect_res(first, frame))["ok"]
    second = await open_peer(gateway.port)
    error, _, _ = await refused(second, await connect_res(second, frame))
    assert error["details"]["code"] == "DEVICE_AUTH_NONCE_MISMATCH"
    await first.ws.close()


@pytest.mark.parametrize("skew", [-121_000, 121_000, -(10**9)])
async def test_stale_signed_at(gateway, skew):
    key = DeviceKey()
    peer = await open_peer(gateway.port)
    frame = device_connect_frame(peer, key, token=TOKEN, signed_at=max(0, peer.ts + skew))
    error, code, reason = await refused(peer, await connect_res(peer, frame))
    assert error["details"] == {
        "code": "DEVICE_AUTH_SIGNATURE_EXPIRED",
        "reason": "device-signature-stale",
    }
    assert (code, reason) == (1008, "device signature expired")


async def test_signed_at_within_skew_ok(gateway):
    peer = await open_peer(gateway.port)
    frame = device_connect_frame(peer, DeviceKey(), token=TOKEN, signed_at=peer.ts - 100_000)
    assert (await connect_res(peer, frame))["ok"]
    await peer.ws.close()


async def test_device_id_mismatch(gateway):
    key = DeviceKey()
    peer = await open_peer(gateway.port)
    frame = device_connect_frame(peer, key, token=TOKEN, device_id=DeviceKey().device_id)
    error, code, _ = await refused(peer, await connect_res(peer, frame))
    assert error["message"] == "device identity mismatch"
    assert error["details"] == {
        "code": "DEVICE_AUTH_DEVICE_ID_MISMATCH",
        "reason": "device-id-mismatch",
    }
    assert code == 1008


@pytest.mark.parametrize("public_key", ["AAAA", "not base64!", "", "A" * 44])
async def test_invalid_public_key(gateway, public_key):
    key = DeviceKey()
    peer = await open_peer(gateway.port)
    frame = device_connect_frame(peer, key, token=TOKEN)
    frame["params"]["device"]["publicKey"] = public_key
    error, code, reason = await refused(peer, await connect_res(peer, frame))
    assert error["details"] == {
        "code": "DEVICE_AUTH_PUBLIC_KEY_INVALID",
        "reason": "device-public-key",
    }
    assert (code, reason) == (1008, "device public key invalid")


# --- device tokens --------------------------------------------------------------------------


@pytest.mark.parametrize("field", ["token", "deviceToken"])
async def test_reconnect_with_device_token_only(gateway, field):
    key = DeviceKey()
    first, device_token = await paired(gateway.port, key)
    await first.ws.close()
    peer, res = await device_connect(gateway.port, key, auth={field: device_token})
    assert res["ok"], res
    auth = res["payload"]["auth"]
    assert auth["method"] == "device-token" and auth["scopes"] == ["operator.read"]
    assert "deviceToken" not in auth  # nothing new issued
    assert (await peer.request("status"))["ok"]
    await peer.ws.close()


async def test_device_token_without_device_proof_is_useless(gateway):
    key = DeviceKey()
    first, device_token = await paired(gateway.port, key)
    await first.ws.close()
    peer = await open_peer(gateway.port)
    error, code, _ = await refused(peer, await connect_res(peer, connect_frame(token=device_token)))
    assert error["details"]["code"] == "AUTH_TOKEN_MISMATCH" and code == 1008


async def test_device_token_cannot_raise_scopes(gateway):
    key = DeviceKey()
    first, device_token = await paired(gateway.port, key, scopes=["operator.read"])
    await first.ws.close()
    peer, res = await device_connect(
        gateway.port, key, auth={"deviceToken": device_token}, scopes=["operator.admin"]
    )
    # Either refused outright or connected without the extra scope; never admin.
    if not res["ok"]:
        await refused(peer, res)
        return
    assert "operator.admin" not in res["payload"]["auth"]["scopes"]
    denied = await peer.request("system-event", {"text": "x"})
    assert denied["error"]["code"] == "FORBIDDEN"
    await peer.ws.close()


async def test_wrong_device_token(gateway):
    key = DeviceKey()
    first, device_token = await paired(gateway.port, key)
    await first.ws.close()
    for auth in ({"deviceToken": "wrong"}, {"token": device_token[:-1] + "x"}):
        peer, res = await device_connect(gateway.port, key, auth=auth)
        error, code, reason = await refused(peer, res)
        assert error["code"] == "INVALID_REQUEST"
        assert error["details"]["code"] == "AUTH_DEVICE_TOKEN_MISMATCH"
        assert code == 1008 and reason == error["message"]


async def test_device_token_bound_to_device_and_role(gateway):
    key, other = DeviceKey(), DeviceKey()
    first, device_token = await paired(gateway.port, key)
    await first.ws.close()
    # Another device cannot use it.
    peer, res = await device_connect(gateway.port, other, auth={"deviceToken": device_token})
    error, _, _ = await refused(peer, res)
    assert error["details"]["code"] == "AUTH_DEVICE_TOKEN_MISMATCH"
    # Nor can the same device for a role it holds no token for.
    peer, res = await device_connect(
        gateway.port,
        key,
        auth={"deviceToken": device_token},
        role="node",
        scopes=[],
        client=client_info("node-host", "node"),
    )
    error, _, _ = await refused(peer, res)
    assert error["details"]["code"] == "AUTH_DEVICE_TOKEN_MISMATCH"


async def test_shared_token_connect_reissues_device_token(gateway):
    key = DeviceKey()
    first, token1 = await paired(gateway.port, key)
    await first.ws.close()
    second, token2 = await paired(gateway.port, key)
    assert token1 != token2
    await second.ws.close()
    peer, res = await device_connect(gateway.port, key, auth={"deviceToken": token1})
    assert (await refused(peer, res))[0]["details"]["code"] == "AUTH_DEVICE_TOKEN_MISMATCH"
    peer, res = await device_connect(gateway.port, key, auth={"deviceToken": token2})
    assert res["ok"]
    await peer.ws.close()


# --- rotate / revoke / remove ---------------------------------------------------------------


async def test_token_rotate_cross_device(gateway):
    admin = await operator(gateway.port, TOKEN, scopes=ALL)
    key = DeviceKey()
    live, old_token = await paired(gateway.port, key)
    res = await admin.request(
        "device.token.rotate", {"deviceId": key.device_id, "role": "operator"}
    )
    assert res["ok"], res
    payload = res["payload"]
    assert payload["deviceId"] == key.device_id and payload["role"] == "operator"
    assert payload["scopes"] == ["operator.read"] and isinstance(payload["rotatedAtMs"], int)
    assert payload["tokenDelivery"] == "withheld-cross-device"
    assert "token" not in payload
    with anyio.fail_after(5):
        assert await live.close_info() == (4001, "device removed")
    peer, res = await device_connect(gateway.port, key, auth={"deviceToken": old_token})
    assert (await refused(peer, res))[0]["details"]["code"] == "AUTH_DEVICE_TOKEN_MISMATCH"
    # The admin's own socket is untouched.
    assert (await admin.request("health"))["ok"]
    await admin.ws.close()


async def test_token_rotate_own_device(gateway):
    key = DeviceKey()
    first, _ = await paired(gateway.port, key, scopes=["operator.pairing", "operator.read"])
    other_socket, device_token = await paired(
        gateway.port, key, scopes=["operator.pairing", "operator.read"]
    )
    res = await other_socket.request(
        "device.token.rotate", {"deviceId": key.device_id, "role": "operator"}
    )
    assert res["ok"], res
    new_token = res["payload"]["token"]
    assert new_token != device_token and "tokenDelivery" not in res["payload"]
    # The device's *other* sockets are closed, the caller's stays.
    with anyio.fail_after(5):
        assert (await first.close_info())[0] == 4001
    assert (await other_socket.request("health"))["ok"]
    peer, res = await device_connect(
        gateway.port,
        key,
        auth={"deviceToken": new_token},
        scopes=["operator.pairing", "operator.read"],
    )
    assert res["ok"] and res["payload"]["auth"]["method"] == "device-token"
    await peer.ws.close()
    await other_socket.ws.close()


async def test_token_rotate_denied(gateway):
    admin = await operator(gateway.port, TOKEN, scopes=ALL)
    key = DeviceKey()
    live, _ = await paired(gateway.port, key)
    for params in (
        {"deviceId": "0" * 64, "role": "operator"},
        {"deviceId": key.device_id, "role": "node"},
        {"deviceId": key.device_id, "role": "operator", "scopes": ["operator.admin"]},
    ):
        res = await admin.request("device.token.rotate", params)
        assert res["error"] == {
            "code": "INVALID_REQUEST",
            "message": "device token rotation denied",
        }
    # A non-admin pairing operator may not rotate another device's token.
    pairer = await operator(gateway.port, TOKEN, scopes=["operator.pairing"])
    res = await pairer.request(
        "device.token.rotate", {"deviceId": key.device_id, "role": "operator"}
    )
    assert res["error"]["message"] == "device token rotation denied"
    res = await pairer.request(
        "device.token.revoke", {"deviceId": key.device_id, "role": "operator"}
    )
    assert res["error"]["message"] == "device token revocation denied"
    # ...and nothing happened to the device.
    assert (await live.request("health"))["ok"]
    # Without the pairing scope at all: FORBIDDEN.
    reader = await operator(gateway.port, TOKEN, scopes=["operator.read", "operator.write"])
    res = await reader.request(
        "device.token.rotate", {"deviceId": key.device_id, "role": "operator"}
    )
    assert res["error"]["details"]["missingScope"] == "operator.pairing"
    for peer in (admin, live, pairer, reader):
        await peer.ws.close()


async def test_token_revoke(gateway):
    admin = await operator(gateway.port, TOKEN, scopes=ALL)
    key = DeviceKey()
    live, device_token = await paired(gateway.port, key)
    res = await admin.request(
        "device.token.revoke", {"deviceId": key.device_id, "role": "operator"}
    )
    assert res["ok"], res
    assert res["payload"]["deviceId"] == key.device_id and res["payload"]["role"] == "operator"
    assert isinstance(res["payload"]["revokedAtMs"], int)
    with anyio.fail_after(5):
        assert await live.close_info() == (4001, "device removed")
    peer, res = await device_connect(gateway.port, key, auth={"deviceToken": device_token})
    assert (await refused(peer, res))[0]["details"]["code"] == "AUTH_DEVICE_TOKEN_MISMATCH"
    again = await admin.request(
        "device.token.revoke", {"deviceId": key.device_id, "role": "operator"}
    )
    assert again["error"]["message"] == "device token revocation denied"
    await admin.ws.close()


async def test_pair_remove(gateway):
    admin = await operator(gateway.port, TOKEN, scopes=ALL)
    key = DeviceKey()
    live, device_token = await paired(gateway.port, key)
    res = await admin.request("device.pair.remove", {"deviceId": key.device_id})
    assert res == {**res, "ok": True, "payload": {"deviceId": key.device_id}}
    with anyio.fail_after(5):
        assert await live.close_info() == (4001, "device removed")
    listing = (await admin.request("device.pair.list"))["payload"]
    assert listing["paired"] == []
    peer, res = await device_connect(gateway.port, key, auth={"deviceToken": device_token})
    assert not res["ok"]
    await peer.ws.close()
    res = await admin.request("device.pair.remove", {"deviceId": key.device_id})
    assert res["error"] == {"code": "INVALID_REQUEST", "message": "unknown deviceId"}
    res = await admin.request("device.pair.remove", {})
    assert res["error"]["message"] == (
        "invalid device.pair.remove params: must have required property 'deviceId'"
    )
    await admin.ws.close()


# --- non-loopback pairing -------------------------------------------------------------------


async def _lan_refused(port: int, key: DeviceKey, **kwargs) -> dict:
    peer, res = await device_connect(port, key, host=LAN_IP, token=TOKEN, **kwargs)
    error, code, reason = await refused(peer, res)
    assert error["code"] == "NOT_PAIRED"
    assert error["details"]["code"] == "PAIRING_REQUIRED"
    assert code == 1008 and reason == error["message"][:123]
    return error


async def test_lan_pairing_approve(gateway_factory):
    async with gateway_factory(bind="lan") as gw:
        admin = await operator(gw.port, TOKEN, scopes=ALL)  # over 127.0.0.1
        key = DeviceKey()
        error = await _lan_refused(gw.port, key)
        request_id = error["details"]["requestId"]
        event = await next_event(admin, "device.pair.requested")
        assert event["payload"]["requestId"] == request_id
        assert event["payload"]["deviceId"] == key.device_id
        assert event["payload"]["remoteIp"] == LAN_IP

        # A retry while pending reuses the request (no second event is needed).
        assert (await _lan_refused(gw.port, key))["details"]["requestId"] == request_id

        listing = (await admin.request("device.pair.list"))["payload"]
        assert [p["requestId"] for p in listing["pending"]] == [request_id]
        assert listing["paired"] == []

        res = await admin.request("device.pair.approve", {"requestId": request_id})
        assert res["ok"], res
        event = await next_event(admin, "device.pair.resolved")
        assert event["payload"]["requestId"] == request_id
        assert event["payload"]["decision"] == "approved"
        assert event["payload"]["deviceId"] == key.device_id

        peer, res = await device_connect(gw.port, key, host=LAN_IP, token=TOKEN)
        assert res["ok"], res
        device_token = res["payload"]["auth"]["deviceToken"]
        await peer.ws.close()
        # ...and from then on with its device token only.
        peer, res = await device_connect(
            gw.port, key, host=LAN_IP, auth={"deviceToken": device_token}
        )
        assert res["ok"] and res["payload"]["auth"]["method"] == "device-token"
        await peer.ws.close()

        # Asking for more scopes from the LAN needs a new approval.
        error = await _lan_refused(gw.port, key, scopes=["operator.admin"])
        assert error["details"]["requestId"] != request_id

        listing = (await admin.request("device.pair.list"))["payload"]
        assert [d["deviceId"] for d in listing["paired"]] == [key.device_id]
        await admin.ws.close()


async def test_lan_pairing_reject(gateway_factory):
    async with gateway_factory(bind="lan") as gw:
        # The shared token alone is enough only over loopback: from the LAN address it is not.
        peer = await open_peer(gw.port, host=LAN_IP)
        frame = connect_frame(token=TOKEN, scopes=ALL)
        await peer.send(frame)
        refused_res = await peer.recv_res(frame["id"])
        assert refused_res["error"]["details"]["code"] == "DEVICE_IDENTITY_REQUIRED"
        admin = await operator(gw.port, TOKEN, scopes=ALL)
        key = DeviceKey()
        request_id = (await _lan_refused(gw.port, key))["details"]["requestId"]
        res = await admin.request("device.pair.reject", {"requestId": request_id})
        assert res["ok"], res
        assert res["payload"]["decision"] == "rejected"
        event = await next_event(admin, "device.pair.resolved")
        assert event["payload"] == {
            **event["payload"],
            "requestId": request_id,
            "deviceId": key.device_id,
            "decision": "rejected",
        }
        listing = (await admin.request("device.pair.list"))["payload"]
        assert listing == {"pending": [], "paired": []}
        # Still not paired: a new connect opens a new request.
        new_id = (await _lan_refused(gw.port, key))["details"]["requestId"]
        assert new_id != request_id
        for method in ("device.pair.approve", "device.pair.reject"):
            res = await admin.request(method, {"requestId": request_id})
            assert res["error"] == {"code": "INVALID_REQUEST", "message": "unknown requestId"}
        await admin.ws.close()


async def test_forwarded_loopback_is_not_silently_paired(gateway):
    key = DeviceKey()
    peer = await open_peer(gateway.port, additional_headers={"X-Forwarded-For": "203.0.113.9"})
    res = await connect_res(peer, device_connect_frame(peer, key, token=TOKEN))
    error, _, _ = await refused(peer, res)
    assert error["details"]["code"] == "PAIRING_REQUIRED"


async def test_unknown_request_id(gateway):
    admin = await operator(gateway.port, TOKEN, scopes=["operator.pairing"])
    for method in ("device.pair.approve", "device.pair.reject"):
        res = await admin.request(method, {"requestId": "nope"})
        assert res["error"] == {"code": "INVALID_REQUEST", "message": "unknown requestId"}
    await admin.ws.close()


async def test_remote_shared_secret_lets_token_only_clients_in_from_the_lan(gateway_factory):
    # The opt-in for clients that cannot sign (WebChat on the LAN): off by default (above).
    async with gateway_factory(bind="lan", remote_shared_secret=True) as gw:
        admin = await operator(gw.port, TOKEN, scopes=ALL, host=LAN_IP)
        assert (await admin.request("health"))["ok"]
        await admin.ws.close()
