"""The surface words of a document: wildcard expansion and "Did you mean …" suggestions.

The Whoosh index holds stems ("compani"), which are neither good suggestions nor good targets for a wildcard the
user typed past the stem ("company*"). This keeps the lower-cased words as written, with their counts.
"""

from __future__ import annotations

import bisect
import fnmatch
import json
import logging
import re
from collections import Counter
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable
    from pathlib import Path

logger = logging.getLogger(__name__)

WORD_RE = re.compile(r"\w+(?:\.?\w+)*", re.UNICODE)  # Whoosh's default tokenizer pattern
MAX_EXPANSION = 2000
MAX_SUGGEST_LENGTH = 30


class Vocabulary:
    """Lower-cased words of a text with their counts."""

    def __init__(self, counts: dict[str, int]) -> None:
        self._counts = dict(counts)
        self._sorted = sorted(self._counts)
        self._deletes: dict[str, list[str]] | None = None

    @classmethod
    def from_texts(cls, texts: Iterable[str]) -> Vocabulary:
        """Count the words of ``texts`` (the same tokenisation as the index)."""
        counts: Counter[str] = Counter()
        for text in texts:
            counts.update(word.lower() for word in WORD_RE.findall(text))
        return cls(counts)

    @classmethod
    def from_json(cls, raw: bytes) -> Vocabulary:
        """Read a vocabulary written by :meth:`save` (raises ``ValueError`` when unusable)."""
        data = json.loads(raw.decode("utf-8"))
        if not isinstance(data, dict) or not all(
            isinstance(k, str) and isinstance(v, int) for k, v in data.items()
        ):
            raise ValueError("not a vocabulary")
        return cls(data)

    def save(self, path: Path) -> None:
        """Write the counts as JSON."""
        path.write_text(json.dumps(self._counts, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")

    def merged(self, other: Vocabulary) -> Vocabulary:
        """A vocabulary holding both sets of words."""
        counts = Counter(self._counts)
        counts.update(other._counts)
        return Vocabulary(counts)

    def __contains__(self, word: object) -> bool:
        return word in self._counts

    def __len__(self) -> int:
        return len(self._counts)

    def count(self, word: str) -> int:
        """How many times ``word`` (lower case) occurs."""
        return self._counts.get(word, 0)

    def expand(self, pattern: str) -> list[str]:
        """Words matching a wildcard pattern (``*`` any run, ``?`` one character), at most MAX_EXPANSION."""
        pattern = pattern.lower()
        head = re.split(r"[*?]", pattern, maxsplit=1)[0]
        lo = bisect.bisect_left(self._sorted, head)
        if head == pattern:  # no wildcard at all
            return [pattern] if pattern in self._counts else []
        regex = re.compile(fnmatch.translate(pattern))
        found: list[str] = []
        for word in self._sorted[lo:]:
            if not word.startswith(head):
                break
            if regex.match(word):
                found.append(word)
                if len(found) >= MAX_EXPANSION:
                    break
        return found

    def suggest(self, word: str) -> str | None:
        """The most likely intended word for a word that is not in the vocabulary (None if nothing is close):
        the nearest by edit distance (1 for short words, else 2), then the same letters swapped, then the most
        frequent."""
        word = word.lower()
        if not word or word in self._counts or not 3 <= len(word) <= MAX_SUGGEST_LENGTH:
            return None
        candidates = self.near(word, 1 if len(word) <= 4 else 2)
        if not candidates:
            return None
        letters = sorted(word)
        return min(
            candidates,
            key=lambda c: (edit_distance(word, c), sorted(c) != letters, -self._counts.get(c, 0), c),
        )

    def near(self, word: str, maxdist: int = 1) -> list[str]:
        """Known words within ``maxdist`` (at most 2) edits of ``word`` (a swap is one edit), nearest first."""
        word = word.lower()
        found: set[str] = set()
        for key in {word, *_deletes(word)}:
            found.update(self._deletes_index().get(key, ()))
        if maxdist >= 2:  # the shared-deletion keys miss words two letters longer or shorter: scan those
            found.update(c for c in self._sorted if abs(len(c) - len(word)) == 2 and c[:1] == word[:1])
        scored = sorted((edit_distance(word, c), c) for c in found)
        return [c for distance, c in scored if distance <= maxdist]

    def _deletes_index(self) -> dict[str, list[str]]:
        """Each word and each of its one-letter deletions → the words (symmetric-delete spelling correction:
        a word within two edits of a typo shares one of these keys with it, save for two insertions)."""
        if self._deletes is None:
            index: dict[str, list[str]] = {}
            for known in self._sorted:
                if len(known) <= MAX_SUGGEST_LENGTH + 2:
                    for key in {known, *_deletes(known)}:
                        index.setdefault(key, []).append(known)
            self._deletes = index
        return self._deletes


def _deletes(word: str) -> list[str]:
    return [word[:i] + word[i + 1 :] for i in range(len(word))]


def edit_distance(a: str, b: str) -> int:
    """Damerau-Levenshtein distance (optimal string alignment): a swap of two letters costs one."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[-1]
