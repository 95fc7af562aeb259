"""Is this label a speaker's name? Shared by the subtitle and plain-text readers (no Qt).

A label is a name when it looks like one (one to four capitalised words, or ALL CAPS, or "Speaker 2";
name particles such as "de" or "van" allowed) and recurs in the file: "J'ai dit:" or "Here is the plan:"
end with a colon but are not speakers.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable

_PARTICLES = frozenset(
    "de da del della der den di do dos du la le van von bin ibn al el y ten ter st".split()
)
_NOT_NAMES = frozenset(
    "note notes nb ps update edit edited warning caution important tip example examples source sources summary "
    "transcript transcription chapter chapters episode topic topics title subject date time timestamp tags "
    "links link url http https re fwd step answer question intro outro description keywords contents table "
    "sponsor sponsors ad and but so or the a an i we you he she they it this that".split()
)
_WORD_RE = re.compile(r"^[^\W\d_][\w.'’\-]*$|^\d{1,3}$|^[A-Z]+_\d{1,3}$")


def clean_label(label: str) -> str:
    """A label with surrounding spaces, emphasis marks and brackets removed."""
    return " ".join(label.strip().strip("*_[]>-–— ").split())


def looks_like_name(label: str) -> bool:
    """Whether ``label`` could be a person's name or a speaker label (see the module docstring)."""
    label = clean_label(label)
    if not 1 <= len(label) <= 40 or label.lower() in _NOT_NAMES:
        return False
    words = label.split()
    if len(words) > 4 or not words[0][:1].isupper() and not words[0].startswith("SPEAKER"):
        return False
    for k, word in enumerate(words):
        if not _WORD_RE.match(word):
            return False
        if word[:1].isupper() or word[:1].isdigit() and k > 0:
            continue
        if word.lower() in _PARTICLES and 0 < k < len(words) - 1:
            continue
        return False
    return True


def accepted_names(candidates: Iterable[str], min_count: int = 2) -> frozenset[str]:
    """The candidate labels that look like names and occur at least ``min_count`` times."""
    counts = Counter(clean_label(c) for c in candidates)
    return frozenset(name for name, count in counts.items() if count >= min_count and looks_like_name(name))
