"""Shared by the search tests: a stand-in for the reader's paragraphs."""

from __future__ import annotations

import re


def split_paragraphs(text: str, words_per_paragraph: int = 80) -> list[tuple[int, int]]:
    """Every N words make a paragraph ``(start, end)``."""
    spans = [m.span() for m in re.finditer(r"\S+", text)]
    return [
        (spans[i][0], spans[min(i + words_per_paragraph, len(spans)) - 1][1])
        for i in range(0, len(spans), words_per_paragraph)
    ]
