"""Splitting a reply into messages a surface accepts, at natural boundaries."""

from __future__ import annotations


def chunk_text(text: str, limit: int) -> list[str]:
    """Chunks of at most ``limit`` characters, split at a paragraph, line, sentence or word break
    when one exists in the second half of the window; never an empty chunk."""
    if limit <= 0:
        raise ValueError("limit must be positive")
    text = text.strip()
    chunks: list[str] = []
    while len(text) > limit:
        window = text[:limit]
        cut = -1
        for sep in ("\n\n", "\n", ". ", " "):
            at = window.rfind(sep)
            if at >= limit // 2:
                cut = at + len(sep)
                break
        if cut <= 0:
            cut = limit
        chunks.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    if text:
        chunks.append(text)
    return chunks
