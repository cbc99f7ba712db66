"""A fake ``imsg`` executable: ``imsg rpc`` speaking line-delimited JSON-RPC 2.0 on stdio as the
imsg project's docs/rpc.md describes — ``watch.subscribe`` (``since_rowid``, ``attachments``) →
``{"subscription"}`` then ``message`` notifications, ``send`` (``to``/``chat_id``/``chat_guid``,
``text``/``file``) → ``{"ok": true}``, ``typing``, ``read``, ``chats.list``; unknown methods →
-32601.

Driven through a directory named by ``FAKE_IMSG_DIR``: the test appends message objects (imsg's
Message payload) to ``inbox.jsonl``; the fake streams them to subscribers and appends every request
it gets to ``calls.jsonl``. Special inbox lines: ``{"crash": N}`` exits with code N (once),
``{"garbage": "text"}`` prints a non-JSON line (once). ``FAKE_IMSG_MODE=denied`` answers
``watch.subscribe`` with the permission error imsg gives without Full Disk Access.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from pathlib import Path

DIR = Path(os.environ["FAKE_IMSG_DIR"])
LOCK = threading.Lock()


def emit(frame: dict) -> None:
    with LOCK:
        sys.stdout.write(json.dumps(frame) + "\n")
        sys.stdout.flush()


def record(request: dict) -> None:
    with LOCK, (DIR / "calls.jsonl").open("a") as fh:
        fh.write(json.dumps(request) + "\n")


def watch(subscription: int, since: int | None) -> None:
    seen = 0
    inbox = DIR / "inbox.jsonl"
    while True:
        lines = inbox.read_text().splitlines() if inbox.exists() else []
        for n, line in enumerate(lines[seen:], start=seen):
            item = json.loads(line)
            if "crash" in item:
                marker = DIR / f"crashed-{n}"
                if not marker.exists():
                    marker.touch()
                    print("imsg: watcher failed: database is locked", file=sys.stderr, flush=True)
                    os._exit(int(item["crash"]))
                continue
            if "garbage" in item:
                marker = DIR / f"garbage-{n}"
                if marker.exists():
                    continue
                marker.touch()
                with LOCK:
                    sys.stdout.write(item["garbage"] + "\n")
                    sys.stdout.flush()
                continue
            if since is not None and item.get("id", 0) <= since:
                continue
            emit(
                {
                    "jsonrpc": "2.0",
                    "method": "message",
                    "params": {"subscription": subscription, "message": item},
                }
            )
        seen = len(lines)
        time.sleep(0.02)


def main() -> None:
    if sys.argv[-1] != "rpc":
        print("usage: imsg rpc", file=sys.stderr)
        sys.exit(2)
    subscriptions = 0
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        request = json.loads(line)
        record(request)
        method, params, rid = request.get("method"), request.get("params") or {}, request.get("id")
        if method == "watch.subscribe":
            if os.environ.get("FAKE_IMSG_MODE") == "denied":
                error = {"code": -32603, "message": "authorization denied: unable to open chat.db"}
                emit({"jsonrpc": "2.0", "id": rid, "error": error})
                continue
            subscriptions += 1
            threading.Thread(
                target=watch, args=(subscriptions, params.get("since_rowid")), daemon=True
            ).start()
            emit({"jsonrpc": "2.0", "id": rid, "result": {"subscription": subscriptions}})
        elif method == "send":
            has_target = "to" in params or "chat_id" in params or "chat_guid" in params
            if not has_target or not (params.get("text") or params.get("file")):
                emit(
                    {
                        "jsonrpc": "2.0",
                        "id": rid,
                        "error": {"code": -32602, "message": "to is required for direct sends"},
                    }
                )
            elif params.get("file") and not Path(params["file"]).is_file():
                emit(
                    {
                        "jsonrpc": "2.0",
                        "id": rid,
                        "error": {"code": -32603, "message": "attachment not found"},
                    }
                )
            else:
                emit({"jsonrpc": "2.0", "id": rid, "result": {"ok": True}})
        elif method in ("typing", "read"):
            emit({"jsonrpc": "2.0", "id": rid, "result": {"ok": True}})
        elif method == "chats.list":
            emit({"jsonrpc": "2.0", "id": rid, "result": {"chats": []}})
        else:
            emit(
                {
                    "jsonrpc": "2.0",
                    "id": rid,
                    "error": {"code": -32601, "message": f"method not found: {method}"},
                }
            )


if __name__ == "__main__":
    main()
