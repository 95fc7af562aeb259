"""Clean verbatim: which words a reader may hide without changing what was said. No Qt.

Fillers ("um", "uh") and immediate repeats ("I I I think", "that that", "it was it was") are hidden from the
display only; the document text, every offset, search and highlights stay exact (``display_text`` maps
around the hidden words). Emphatic repeats ("very very", "no no") are kept.
"""

from __future__ import annotations

import re

FILLERS = frozenset({"um", "uh", "umm", "uhm", "uhh", "erm", "mm"})
"""Sounds that carry no words (not "hmm" or "uh-huh", which answer something)."""
KEPT_REPEATS = frozenset(
    {
        "very",
        "really",
        "so",
        "no",
        "yeah",
        "yes",
        "bye",
        "ha",
        "many",
        "much",
        "more",
        "far",
        "long",
        "again",
        "over",
        "after",
        "by",
        "okay",
        "ok",
        "right",
        "well",
        "go",
        "come",
    }
)
"""Words whose repetition is meant ("very very", "no no no")."""

_WORD = re.compile(r"\S+")
_KEY = re.compile(r"[^\w']+")


def _key(word: str) -> str:
    return _KEY.sub("", word.lower())


def hidden_words(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """``[start, end)`` of every word of ``text[start:end]`` that clean verbatim hides, in order."""
    words = [(m.start(), m.end()) for m in _WORD.finditer(text, start, end)]
    keys = [_key(text[a:b]) for a, b in words]
    hidden = [key in FILLERS for key in keys]
    rest = [i for i, filler in enumerate(hidden) if not filler]  # repeats are looked for around the fillers
    said = [keys[i] for i in rest]
    for n, key in enumerate(said):
        if not key or key in KEPT_REPEATS:
            continue
        if n + 1 < len(said) and said[n + 1] == key:
            hidden[rest[n]] = True  # "I I think", "it's um it's": the first of two
        elif (
            n + 3 < len(said)
            and (key, said[n + 1]) == (said[n + 2], said[n + 3])
            and key != said[n + 1]
            and said[n + 1] not in KEPT_REPEATS
        ):
            hidden[rest[n]] = hidden[rest[n + 1]] = True  # "it was it was": the first pair
    return [span for span, hide in zip(words, hidden, strict=True) if hide]


def hidden_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Document ranges to leave out of the display of the paragraph ``[start, end)``.

    A hidden word takes the space before it (``"so um I"`` shows ``"so I"``), so that a mark inserted after
    it ("um." at a sentence end) lands after the word before; a hidden first word takes the space after it.
    """
    spans: list[tuple[int, int]] = []
    visible_end = -1  # end of the last visible word in this paragraph
    cursor = start
    for word_start, word_end in hidden_words(text, start, end):
        for match in _WORD.finditer(text, cursor, word_start):  # visible words since the last hidden one
            visible_end = match.end()
        cursor = word_end
        if visible_end >= 0:
            span = (visible_end, word_end)
        else:
            following = _WORD.search(text, word_end, end)
            span = (word_start, following.start() if following else word_end)
        if spans and span[0] <= spans[-1][1]:
            spans[-1] = (spans[-1][0], max(spans[-1][1], span[1]))
        else:
            spans.append(span)
    return spans
