"""One chapter of an outline, as every part of the app passes it around (no numpy, unlike the outline itself)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Section:
    """One chapter of the outline: ``[start, end)`` document offsets."""

    title: str
    start: int
    end: int
    keywords: tuple[str, ...]
