"""The hand-framed send path writes exactly what websockets would, and falls back when it must."""

from __future__ import annotations

import pytest
from websockets.frames import Frame, Opcode

from openclaw_gateway.server.connection import text_frame


@pytest.mark.parametrize("size", [0, 1, 125, 126, 127, 65535, 65536, 70000])
def test_text_frame_matches_websockets(size: int) -> None:
    data = b"x" * size
    assert text_frame(data) == Frame(Opcode.TEXT, data).serialize(mask=False)
