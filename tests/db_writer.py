"""Subprocess for test_state_db: writes devices + tokens as fast as it can until killed.

Each device's token row is written in the same transaction as the device (``approve_device``);
``token_hash`` is ``"<device_id>:<n>"`` and the token scopes equal the device scopes, so a reader
can tell a torn write from a consistent one.
"""

from __future__ import annotations

import itertools
import os
import sys
from pathlib import Path

from openclaw_gateway.state import devices
from openclaw_gateway.state.db import open_database


def main() -> None:
    conn = open_database(Path(sys.argv[1]))
    prefix = f"p{os.getpid()}-"
    print("ready", flush=True)
    for i in itertools.count():
        device_id = f"{prefix}{i}"
        devices.approve_device(
            conn,
            device_id=device_id,
            public_key="k" * 43,
            client={"id": "cli", "mode": "cli", "platform": "linux"},
            role="operator",
            scopes=[f"gen:{i}"],
            approved_via="silent",
            token_hash=f"{device_id}:0",
            now_ms=i,
        )
        if i % 3 == 2:
            earlier = f"{prefix}{i - 1}"
            devices.set_token(
                conn,
                device_id=earlier,
                role="operator",
                token_hash=f"{earlier}:{i}",
                scopes=[f"gen:{i - 1}"],
                now_ms=i,
            )
        if i % 7 == 6:
            devices.remove_device(conn, f"{prefix}{i - 5}")
        if i % 5 == 4:
            devices.add_pairing_request(
                conn,
                devices.PairingRequest(
                    request_id=f"{device_id}-req",
                    device_id=f"{device_id}-pending",
                    public_key="k" * 43,
                    role="operator",
                    scopes=["operator.read"],
                    client={"id": "cli"},
                    remote_ip="192.0.2.9",
                    created_at_ms=i,
                ),
            )


if __name__ == "__main__":
    main()
