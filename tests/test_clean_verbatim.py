"""Clean verbatim: fillers and repeats leave the display only; offsets round-trip through both views."""

from __future__ import annotations

import random
import re

import pytest

from desktop_app.clean_verbatim import FILLERS, hidden_words
from desktop_app.display_text import build_display
from desktop_app.readability import segmentation as readability


def _hidden(text: str) -> list[str]:
    return [text[a:b] for a, b in hidden_words(text, 0, len(text))]


@pytest.mark.parametrize(
    ("text", "hidden"),
    [
        ("I I I think so", ["I", "I"]),
        ("you know that that is true", ["that"]),
        ("um so uh we went", ["um", "uh"]),
        ("it was it was fun", ["it", "was"]),
        ("it's um it's awesome", ["it's", "um"]),
        ("very very good, no no no", []),
        ("I had a dog", []),
    ],
)
def test_what_is_hidden(text: str, hidden: list[str]) -> None:
    assert _hidden(text) == hidden


@pytest.fixture(scope="module")
def seed_views(seed_text: str) -> tuple[str, object, object, set[int]]:
    readable = readability.segment(seed_text, network=False)
    hidden = {a for p in readable.paragraphs for a, _b in hidden_words(seed_text, p.start, p.end)}
    full = build_display(seed_text, readable)
    return seed_text, full, build_display(seed_text, readable, hide_fillers=True), hidden


def _words(text: str) -> list[str]:
    return [w for w in (re.sub(r"[^\w']", "", t).lower() for t in text.split()) if w]


def _kept(text: str, hidden: set[int], start: int = 0, end: int | None = None) -> list[str]:
    """The words of ``text[start:end]`` that clean verbatim keeps."""
    piece = text[start:end]
    return _words(" ".join(m.group() for m in re.finditer(r"\S+", piece) if start + m.start() not in hidden))


def test_on_the_seed_fillers_go_and_no_other_word(seed_views) -> None:
    text, full, clean, hidden = seed_views
    spoken = _words(text)
    shown = _words(clean.text)
    assert sum(w in FILLERS for w in spoken) > 500
    assert sum(w in {"um", "uh"} for w in shown) <= 0.1 * sum(w in {"um", "uh"} for w in spoken)
    assert shown == _kept(text, hidden)  # exactly the words not hidden, in order
    assert len(spoken) - len(shown) < 0.1 * len(spoken)
    assert _words(full.text) == spoken


def test_highlights_round_trip_through_both_views(seed_views) -> None:
    text, full, clean, hidden = seed_views
    rng = random.Random(383)
    starts = [m.start() for m in re.finditer(r"\S+", text)]
    visible = [s for s in starts if s not in hidden]
    for _ in range(2000):
        i = rng.randrange(len(visible) - 12)
        j = i + rng.randint(1, 12)
        start, end = visible[i], visible[j] - 1  # whole words, as a selection in the clean view gives
        a, b = clean.map.range_to_display(start, end)
        doc_start, doc_end = clean.map.range_to_doc(a, b)  # made in the clean view
        assert doc_start == start and _kept(text, hidden, doc_start, doc_end) == _words(clean.text[a:b])
        shown = full.map.range_to_display(doc_start, doc_end)  # shown in the full view: every word, exactly
        assert full.map.range_to_doc(*shown) == (doc_start, doc_end)
        assert _words(full.text[shown[0] : shown[1]]) == _words(text[doc_start:doc_end])
        made_in_full = full.map.range_to_doc(*full.map.range_to_display(start, end))  # made in the full view
        a, b = clean.map.range_to_display(*made_in_full)  # shows its kept words in the clean view
        assert _words(clean.text[a:b]) == _kept(text, hidden, *made_in_full)
