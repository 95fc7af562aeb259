"""Plain-text snippets around a hit, cut at word boundaries, with the spans to emphasise."""

from __future__ import annotations

import bisect
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

ELLIPSIS = "…"
BEFORE = 60  # characters of context before the hit (before cutting at a word boundary)
WIDTH = 170  # target snippet length
_WHITESPACE_TABLE = str.maketrans({"\n": " ", "\r": " ", "\t": " "})


def make_snippet(
    source: str,
    start: int,
    end: int,
    span_starts: Sequence[int],
    span_ends: Sequence[int],
) -> tuple[str, tuple[tuple[int, int], ...]]:
    """A window of ``source`` around ``[start, end)``; every span (sorted, not overlapping) inside the window is
    returned relative to the snippet (after the leading "…")."""
    lo = max(0, start - BEFORE)
    if lo > 0 and not source[lo - 1].isspace():
        space = source.find(" ", lo, start)
        lo = space + 1 if space != -1 else start
    hi = min(len(source), max(end, lo + WIDTH))
    if hi < len(source) and not source[hi].isspace():
        space = source.rfind(" ", end, hi + 1)
        hi = space if space != -1 else hi
    prefix = ELLIPSIS if lo > 0 else ""
    suffix = ELLIPSIS if hi < len(source) else ""
    shift = len(prefix) - lo
    spans = []
    first = bisect.bisect_right(span_ends, lo)
    for i in range(first, len(span_starts)):
        s_start, s_end = span_starts[i], span_ends[i]
        if s_start >= hi:
            break
        spans.append((max(s_start, lo) + shift, min(s_end, hi) + shift))
    body = source[lo:hi].translate(_WHITESPACE_TABLE)
    return prefix + body + suffix, tuple(spans)
