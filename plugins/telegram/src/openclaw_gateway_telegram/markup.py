"""Text → the HTML subset Telegram renders: escape everything, keep its own tags."""

from __future__ import annotations

import html
import re

_SIMPLE = "b|strong|i|em|u|ins|s|strike|del|tg-spoiler|code|pre|blockquote"
_VALUE = r"(?:\"[^\"<>]*\"|'[^'<>]*')"
_MARKUP = re.compile(
    rf"<(?P<open>{_SIMPLE})>|</(?P<close>{_SIMPLE}|a|span|tg-emoji)>"
    rf"|<(?P<attr>a) href={_VALUE}>|<(?P<span>span) class=[\"']tg-spoiler[\"']>"
    rf"|<(?P<lang>code) class=[\"']language-[\w+#.-]+[\"']>|<(?P<quote>blockquote) expandable>"
    rf"|<(?P<emoji>tg-emoji) emoji-id=[\"']\d+[\"']>"
    r"|&(?:lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);",
    re.IGNORECASE,
)


def telegram_html(text: str) -> str:
    """Make ``text`` safe for ``parse_mode=HTML``.

    The router hands us text as the agent wrote it. Balanced tags that Telegram supports
    (``<b>``, ``<a href="…">``, ``<code>``…) and entities are kept; every other ``<``, ``>`` and
    ``&`` is escaped, so ``a < b & c`` arrives as typed. Text whose supported tags do not balance
    (``a<b and b>c``, a chunk cut inside a tag) is escaped whole: shown literally, never
    rejected. Idempotent on valid Telegram HTML.
    """
    out: list[str] = []
    stack: list[str] = []
    pos = 0
    for match in _MARKUP.finditer(text):
        close = match.group("close")
        opened = next((g for g in match.groupdict().values() if g and g != close), None)
        if close is not None:
            if not stack or stack.pop() != close.lower():
                return html.escape(text, quote=False)
        elif opened is not None and not match.group(0).startswith("&"):
            stack.append(opened.lower())
        out.append(html.escape(text[pos : match.start()], quote=False))
        out.append(match.group(0))
        pos = match.end()
    if stack:
        return html.escape(text, quote=False)
    out.append(html.escape(text[pos:], quote=False))
    return "".join(out)


# --- errors ---------------------------------------------------------------------------------------
