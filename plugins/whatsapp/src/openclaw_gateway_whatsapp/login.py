"""QR linking of one linked-device account: the codes whatsmeow rotates (about every 20 s until it
gives up), and the callers waiting for a code or for the outcome (``web.login.start`` /
``web.login.wait``, ``openclaw-gateway channels login whatsapp``, WebChat)."""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass, field

import anyio


@dataclass
class Login:
    requested: bool = False
    """Someone asked to link: the adapter connects without a stored session (showing QR codes)."""
    qr: str | None = None
    serial: int = 0
    """Bumped for every new code, so a waiter can tell a fresh code from the one it has."""
    connected: bool = False
    message: str = ""
    finished: bool = False
    pair_code: str | None = None
    _changed: anyio.Event = field(default_factory=anyio.Event)

    def _notify(self) -> None:
        self._changed.set()
        self._changed = anyio.Event()

    def start(self) -> None:
        self.requested, self.finished, self.connected = True, False, False
        self.qr, self.pair_code, self.message = None, None, ""
        self._notify()

    def offer(self, code: str) -> None:
        self.qr, self.serial = code, self.serial + 1
        self._notify()

    def offer_pair_code(self, code: str) -> None:
        self.pair_code = code
        self._notify()

    def finish(self, *, connected: bool, message: str) -> None:
        self.requested, self.finished = False, True
        self.connected, self.message = connected, message
        self.qr = None
        self._notify()

    async def changed(self, timeout: float) -> bool:
        """Wait for the next change; False when ``timeout`` passed first."""
        with anyio.move_on_after(timeout):
            await self._changed.wait()
            return True
        return False


def qr_data_url(code: str) -> str:
    """The QR code as a ``data:image/png;base64,…`` URL (what the reference's ``qrDataUrl`` is)."""
    import segno

    buffer = io.BytesIO()
    segno.make_qr(code).save(buffer, kind="png", scale=6, border=2)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def qr_terminal(code: str) -> str:
    """The QR code drawn with block characters, for ``channels login`` in a terminal."""
    import segno

    buffer = io.StringIO()
    segno.make_qr(code).terminal(out=buffer, compact=True)
    return buffer.getvalue()
