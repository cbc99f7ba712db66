"""Keeping bot tokens out of logs: httpx logs every request URL at INFO, and a Bot API URL
carries the token."""

from __future__ import annotations

import logging
import re

_TOKEN_IN_URL = re.compile(r"/bot\d+(?::|%3[Aa])[A-Za-z0-9_-]+")


class _RedactTokens(logging.Filter):
    """Rewrites ``/bot<token>`` to ``/bot<redacted>`` in log lines (httpx logs each request URL
    at INFO; PTB logs its base URLs at DEBUG; file URLs carry the token percent-encoded)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.args:
            record.args = tuple(
                _TOKEN_IN_URL.sub("/bot<redacted>", str(a)) if "/bot" in str(a) else a
                for a in (record.args if isinstance(record.args, tuple) else (record.args,))
            )
        if isinstance(record.msg, str) and "/bot" in record.msg:
            record.msg = _TOKEN_IN_URL.sub("/bot<redacted>", record.msg)
        return True


def install_redaction() -> None:
    # A logger's filters see only the records logged to that very logger, so name each one.
    for name in ("httpx", "telegram.Bot", "telegram.ext.ExtBot", "telegram._bot"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, _RedactTokens) for f in logger.filters):
            logger.addFilter(_RedactTokens())
