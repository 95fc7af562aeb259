"""Random highlights on a text for the annotations benchmarks (shared by ``annotations_load``,
``annotations_scale`` and ``annotations_gui``): ``count`` highlights of 3-31 words, colours in turn, every third
with a note, every other (or every one) with tags; the same ``rng`` seed gives the same file."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from desktop_app.annotations.colors import COLOR_KEYS
from desktop_app.annotations.model import Annotation

if TYPE_CHECKING:
    import random

LONG_NOTE = "note {n}: something worth remembering\nwith a second line"


def random_highlights(
    text: str, count: int, rng: random.Random, note: str = LONG_NOTE, all_tagged: bool = False
) -> list[Annotation]:
    """``count`` highlights on ``text``; ``note`` is formatted with the highlight's number ``n``;
    ``all_tagged``: every highlight gets one tag (else every other one gets two)."""
    words = list(re.finditer(r"\S+", text))
    items = []
    for n in range(count):
        first = rng.randrange(0, len(words) - 40)
        last = first + rng.randint(2, 30)
        tags = [f"t{n % 7}"] if all_tagged else (["ai", f"t{n % 7}"] if n % 2 else [])
        items.append(
            Annotation.create(
                text,
                words[first].start(),
                words[last].end(),
                color=COLOR_KEYS[n % 5],
                note=note.format(n=n) if n % 3 == 0 else "",
                tags=tags,
            )
        )
    return items
