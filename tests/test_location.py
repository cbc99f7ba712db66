"""location.get end to end: the gateway with the location plugin, our node host configured by a
node.toml table, gpsd faked at its JSON wire protocol and GeoClue at its where-am-i client."""

from __future__ import annotations

import stat
import subprocess
import sys
import textwrap
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import openclaw_gateway_location as location
import pytest

from fakes.gpsd import running_gpsd
from node_fixture import node_error, paired_node
from wire import TOKEN, operator

pytestmark = pytest.mark.anyio

ALLOW = {"nodes": {"commands": {"allow": ["location.get"]}}}


def iso(delta_s: float = 0) -> str:
    moment = datetime.now(UTC) + timedelta(seconds=delta_s)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def tpv(**fields: Any) -> dict[str, Any]:
    return {"class": "TPV", "device": "/dev/ttyUSB0", "mode": 3, "time": iso(), **fields}


async def test_gpsd_fix_reaches_the_operator_skipping_stale_and_no_fix_reports(
    gateway_factory, tmp_path
):
    reports = [
        b"not json at all",
        {"class": "SKY", "satellites": []},
        tpv(mode=1),  # no fix yet
        tpv(lat=10.0, lon=10.0, time=iso(-600)),  # ten minutes old: refused with maxAgeMs
        tpv(lat=48.20849, lon=16.37208, eph=12.5, altMSL=182.0, speed=0.0, track=270.0),
    ]
    async with (
        running_gpsd(reports) as gpsd,
        gateway_factory(extra_plugins=(location,), **ALLOW) as gw,
    ):
        settings = {"location": {"enabled": True, "sources": ["gpsd"], "gpsd_port": gpsd.port}}
        async with paired_node(gw.port, (location,), settings, tmp_path / "node") as node:
            assert "location.get" in node.request["commands"]
            assert "location" in node.request["caps"]
            res = await node.invoke("location.get", {"maxAgeMs": 15_000, "timeoutMs": 5000})
            assert res["ok"], res
            fix = res["payload"]["payload"]
            assert (fix["lat"], fix["lon"], fix["accuracyMeters"]) == (48.20849, 16.37208, 12.5)
            assert fix["altitudeMeters"] == 182.0 and fix["headingDeg"] == 270.0
            assert fix["source"] == "gps" and fix["isPrecise"] is True
            assert fix["timestamp"].endswith("Z")
            assert gpsd.watches == [b'?WATCH={"enable":true,"json":true};']

            # coarse: an approximate position, never better than 2 km
            res = await node.invoke(
                "location.get", {"desiredAccuracy": "coarse", "maxAgeMs": 15_000}
            )
            coarse = res["payload"]["payload"]
            assert coarse["accuracyMeters"] >= 2000 and coarse["isPrecise"] is False
            assert abs(coarse["lat"] - 48.20849) <= 0.011 and "altitudeMeters" not in coarse


async def test_off_by_default_and_the_errors_say_what_to_do(gateway_factory, tmp_path):
    async with (
        running_gpsd([tpv(mode=1)] * 1000, interval=0.05) as gpsd,
        gateway_factory(extra_plugins=(location,), **ALLOW) as gw,
    ):
        async with paired_node(gw.port, (location,), {}, tmp_path / "off") as node:
            code, message = node_error(await node.invoke("location.get", {}))
            assert code == "LOCATION_DISABLED" and "node.toml" in message
        # gpsd has no fix: a timeout within the caller's budget, not a hang
        settings = {"location": {"enabled": True, "gpsd_port": gpsd.port, "sources": ["gpsd"]}}
        async with paired_node(gw.port, (location,), settings, tmp_path / "n2") as node:
            started = time.monotonic()
            code, _ = node_error(await node.invoke("location.get", {"timeoutMs": 500}))
            assert code == "LOCATION_TIMEOUT" and time.monotonic() - started < 5
        # nothing present at all: unavailable, naming each source tried
        settings = {"location": {"enabled": True, "gpsd_port": 1, "where_am_i": "/nonexistent"}}
        async with paired_node(gw.port, (location,), settings, tmp_path / "n3") as node:
            code, message = node_error(await node.invoke("location.get", {}))
            assert code == "LOCATION_UNAVAILABLE"
            assert "gpsd not reachable" in message and "where-am-i" in message
            assert "no fixed position" in message


async def test_fixed_position_answers_when_no_live_source_is_present(gateway_factory, tmp_path):
    settings = {
        "location": {
            "enabled": True,
            "gpsd_port": 1,
            "where_am_i": "/nonexistent",
            "fixed": {"lat": 52.52, "lon": 13.405, "accuracy_meters": 25},
        }
    }
    async with (
        gateway_factory(extra_plugins=(location,), **ALLOW) as gw,
        paired_node(gw.port, (location,), settings, tmp_path / "n") as node,
    ):
        res = await node.invoke("location.get", {})
        fix = res["payload"]["payload"]
        assert (fix["lat"], fix["lon"], fix["accuracyMeters"], fix["isPrecise"]) == (
            52.52,
            13.405,
            25,
            True,
        )


async def test_dangerous_without_the_operators_allowlist_and_admin_to_approve(
    gateway_factory, tmp_path
):
    settings = {"location": {"enabled": True, "fixed": {"lat": 1, "lon": 2}}}
    async with (
        gateway_factory(extra_plugins=(location,)) as gw,
        paired_node(gw.port, (location,), settings, tmp_path / "a", approve=False) as n,
    ):
        # Not allowlisted: not even offered for approval, and invoking it says why.
        assert "location.get" not in n.request["commands"]
        res = await n.invoke("location.get", {})
        assert res["error"]["code"] == "INVALID_REQUEST"
        assert "nodes.commands.allow" in res["error"]["message"]
    async with (
        gateway_factory(extra_plugins=(location,), **ALLOW) as gw,
        paired_node(gw.port, (location,), settings, tmp_path / "b", approve=False) as n,
    ):
        assert "location.get" in n.request["commands"]
        # approving a surface with a dangerous command needs admin; pairing+write is not enough
        approver = await operator(gw.port, TOKEN, ["operator.pairing", "operator.write"])
        res = await approver.request("node.pair.approve", {"requestId": n.request["requestId"]})
        assert res["ok"] is False and "operator.admin" in res["error"]["message"]
        # until an admin approves, the command is not in the node's surface
        writer = await operator(gw.port, TOKEN, ["operator.write"])
        res = await writer.request(
            "node.invoke",
            {"nodeId": n.node_id, "command": "location.get", "idempotencyKey": "w"},
        )
        assert res["ok"] is False and "not in the approved surface" in res["error"]["message"]
        admin = await operator(
            gw.port, TOKEN, ["operator.pairing", "operator.admin", "operator.write"]
        )
        assert (await admin.request("node.pair.approve", {"requestId": n.request["requestId"]}))[
            "ok"
        ]
        # armed and approved: write scope invokes it (the official CLI helpers connect so)
        res = await writer.request(
            "node.invoke",
            {"nodeId": n.node_id, "command": "location.get", "idempotencyKey": "w2"},
        )
        assert res["ok"], res


WHERE_AM_I = """\
#!{python}
import sys, time
mode = {mode!r}
args = sys.argv[1:]
open({log!r}, "a").write(" ".join(args) + "\\n")
if mode == "disabled":
    print("Failed to get client: GDBus.Error:org.freedesktop.DBus.Error.AccessDenied: not authorized")
    sys.exit(1)
print("Client object: /org/freedesktop/GeoClue2/Client/1")
print("")
print("New location:")
print("Latitude:    48.208490°")
print("Longitude:   16.372080°")
print("Accuracy:    35.000000 meters")
print("Altitude:    182.000000 meters")
print("Description: WiFi")
print("Timestamp:   Fri 03 Jan 2026 12:34:56 PM UTC ({epoch} seconds since the Epoch)", flush=True)
time.sleep(30)
"""


def fake_where_am_i(tmp_path: Path, mode: str) -> tuple[Path, Path]:
    script, log = tmp_path / f"where-am-i-{mode}", tmp_path / f"where-am-i-{mode}.log"
    script.write_text(
        WHERE_AM_I.format(python=sys.executable, mode=mode, log=str(log), epoch=int(time.time()))
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script, log


async def test_geoclue_through_where_am_i(gateway_factory, tmp_path):
    ok, ok_log = fake_where_am_i(tmp_path, "ok")
    denied, _ = fake_where_am_i(tmp_path, "disabled")
    async with gateway_factory(extra_plugins=(location,), **ALLOW) as gw:
        settings = {"location": {"enabled": True, "sources": ["geoclue"], "where_am_i": str(ok)}}
        async with paired_node(gw.port, (location,), settings, tmp_path / "g") as node:
            started = time.monotonic()
            res = await node.invoke("location.get", {"desiredAccuracy": "precise"})
            fix = res["payload"]["payload"]
            assert (fix["lat"], fix["lon"], fix["accuracyMeters"]) == (48.20849, 16.37208, 35.0)
            assert fix["isPrecise"] is True and fix["source"] == "unknown"
            # the client is stopped once it printed a fix, not left running its 30 s
            assert time.monotonic() - started < 10
            assert ok_log.read_text().split() == ["-t", "10", "-a", "8"]
        settings["location"]["where_am_i"] = str(denied)
        async with paired_node(gw.port, (location,), settings, tmp_path / "d") as node:
            code, _ = node_error(await node.invoke("location.get", {}))
            assert code == "LOCATION_DISABLED"


def test_parsers_reject_out_of_range_and_stale_fixes() -> None:
    from openclaw_gateway_location import geoclue, gpsd

    now = datetime.now(UTC)
    assert gpsd.fix_from_tpv(tpv(lat=91.0, lon=0.0), now, None) is None
    assert gpsd.fix_from_tpv(tpv(lat="x", lon=0.0), now, None) is None
    assert gpsd.fix_from_tpv({"class": "TPV", "mode": "3"}, now, None) is None
    fix = gpsd.fix_from_tpv(tpv(lat=1.0, lon=2.0, epx=3.0, epy=4.0), now, None)
    assert fix is not None and fix.accuracyMeters == 5.0
    old = textwrap.dedent(
        """
        New location:
        Latitude:    1.0°
        Longitude:   2.0°
        Accuracy:    5.0 meters
        Timestamp:   x (100 seconds since the Epoch)
        """
    )
    assert geoclue.parse_blocks(old, now, 60_000) is None
    assert geoclue.parse_blocks(old, now, None) is not None
    assert geoclue.parse_blocks(old.replace("1.0°", "100.0°"), now, None) is None


def test_an_invalid_node_config_stops_node_run(tmp_path: Path) -> None:
    config = tmp_path / "node.toml"
    config.write_text("[location]\nenabled = true\nsources = ['satellite-phone']\n")
    cp = subprocess.run(
        [
            sys.executable,
            "-m",
            "openclaw_gateway.cli.main",
            "node",
            "run",
            "--port",
            "1",
            "--state-dir",
            str(tmp_path / "state"),
            "--config",
            str(config),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert cp.returncode == 2, cp.stderr
    assert "location" in cp.stderr and "sources" in cp.stderr
