import pytest

from wire import TOKEN, operator

pytestmark = pytest.mark.anyio


async def test_health_roundtrip(gateway):
    peer = await operator(gateway.port, TOKEN)
    res = await peer.request("health")
    assert res["ok"] and res["payload"]["ok"] is True
    await peer.ws.close()
