"""Re-anchoring figure: highlights made on a caption-style transcript, found again on the punctuated text.

For every dev-corpus episode (reads /work/shared/dev-corpus, which exists only on the development machine):
500 random word-aligned highlights of 3-30 words on ``<slug>.captions.txt`` are anchored on

* ``<slug>.punctuated.txt`` (capitals, punctuation, curly quotes, speaker labels, ``[inaudible …]`` marks), and
* the same punctuated text lightly edited at random (about 1 word in 80: deleted, replaced or a word
  inserted; plus casing and comma changes).

"Exactly on their words" means the anchored span covers the same word sequence (normalised words:
lowercase, punctuation removed; speaker labels and ``[inaudible]`` marks are not transcript words and are
skipped). For the edited text the expected words are the highlight's words with the same edits applied.
Every highlight is accounted for: exact, moved onto the right words, moved elsewhere, or orphan (kept).

Usage: python benchmarks/reanchor.py [--corpus DIR] [--per-file 500] [--seed 7]
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import time
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from difflib import SequenceMatcher
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from desktop_app.annotations.model import (
    _WORD_RE,
    AnchorStatus,
    Annotation,
    anchor_annotations,
    normalized_words,
)

# ../shared next to the repository (the development machine and CI), else the usual absolute place
CORPUS = next(
    (p for p in (ROOT.parent / "shared" / "dev-corpus", Path("/work/shared/dev-corpus")) if p.is_dir()),
    ROOT.parent / "shared" / "dev-corpus",
)
NOT_WORDS = re.compile(r"^[^\n:]{1,60}:|\[inaudible[^\]]*\]", re.M)  # speaker labels, inaudible marks
EXTRA_WORDS = ("um", "basically", "really", "actually", "like", "very")


@dataclass
class Tokens:
    """A text's words: character spans, normalised forms, and whether each is a transcript word."""

    starts: list[int]
    ends: list[int]
    words: list[str]
    real: list[bool]

    @classmethod
    def of(cls, text: str, skip: bool) -> Tokens:
        bad = [m.span() for m in NOT_WORDS.finditer(text)] if skip else []
        bad_starts = [b[0] for b in bad]
        starts, ends, words, real = [], [], [], []
        for match in _WORD_RE.finditer(text):
            starts.append(match.start())
            ends.append(match.end())
            words.append(normalized_words(match.group())[0])
            k = bisect_right(bad_starts, match.start()) - 1
            real.append(not (k >= 0 and match.start() < bad[k][1]))
        return cls(starts, ends, words, real)

    def words_in(self, start: int, end: int) -> list[str]:
        lo, hi = bisect_right(self.ends, start), bisect_left(self.starts, end)
        return [self.words[i] for i in range(lo, hi) if self.real[i]]


@dataclass
class Edited:
    """A lightly edited text and, for every token of the original, the normalised words it became
    and the words inserted just before it."""

    text: str
    became: list[list[str]]
    inserted: list[list[str]]


def light_edit(text: str, tokens: Tokens, rng: random.Random, rate: float = 1 / 80) -> Edited:
    pieces: list[str] = []
    became: list[list[str]] = []
    inserted: list[list[str]] = []
    cursor = 0
    for i, (start, end) in enumerate(zip(tokens.starts, tokens.ends, strict=True)):
        pieces.append(text[cursor:start])
        word = text[start:end]
        before: list[str] = []
        roll = rng.random()
        if tokens.real[i] and roll < rate:
            kind = rng.choice(("delete", "replace", "insert"))
            if kind == "delete":
                became.append([])
                inserted.append([])
                cursor = end
                continue
            if kind == "replace":
                word = rng.choice(("thing", "stuff", "idea", "point", "work")) + word[-1:]
            else:
                extra = rng.choice(EXTRA_WORDS)
                pieces.append(extra + " ")
                before.append(extra)
        elif tokens.real[i] and roll < 3 * rate:
            word = word.capitalize() if rng.random() < 0.5 else word + ","
        pieces.append(word)
        became.append(normalized_words(word))
        inserted.append(before)
        cursor = end
    pieces.append(text[cursor:])
    return Edited("".join(pieces), became, inserted)


def align(source: list[str], target: Tokens) -> dict[int, int]:
    """Caption word index -> punctuated token index, over the stretches where the words agree."""
    real = [i for i, ok in enumerate(target.real) if ok]
    matcher = SequenceMatcher(None, source, [target.words[i] for i in real], autojunk=False)
    mapping: dict[int, int] = {}
    for block in matcher.get_matching_blocks():
        for k in range(block.size):
            mapping[block.a + k] = real[block.b + k]
    return mapping


@dataclass
class Tally:
    total: int = 0
    exact_words: int = 0
    status_exact: int = 0
    moved: int = 0
    fuzzy: int = 0
    orphans: int = 0
    wrong: int = 0
    touched: int = 0
    touched_ok: int = 0
    seconds: float = 0.0

    def add(self, other: Tally) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def line(self, label: str) -> str:
        pct = 100.0 / max(self.total, 1)
        touched = f" | edited inside: {self.touched_ok}/{self.touched}" if self.touched else ""
        return (
            f"{label:<28} n={self.total:5d}  on their words {self.exact_words * pct:6.2f}%  "
            f"moved {self.moved * pct:5.1f}% (words changed {self.fuzzy * pct:4.1f}%)  orphans {self.orphans:3d}  "
            f"misplaced {self.wrong:3d}  lost 0  {self.seconds * 1000:6.0f} ms{touched}"
        )


def run_file(captions: Path, per_file: int, rng: random.Random) -> tuple[Tally, Tally]:
    cap_text = captions.read_text(encoding="utf-8")
    pun_text = captions.with_name(captions.name.replace(".captions.txt", ".punctuated.txt")).read_text(
        encoding="utf-8"
    )
    cap_words = list(re.finditer(r"\S+", cap_text))
    cap_tokens = Tokens.of(cap_text, skip=False)
    punctuated = Tokens.of(pun_text, skip=True)
    mapping = align(normalized_words(cap_text), punctuated)
    edited = light_edit(pun_text, punctuated, rng)
    highlights: list[Annotation] = []
    on_punctuated: list[list[str]] = []
    on_edited: list[list[str]] = []
    for _ in range(per_file):
        size = rng.randint(3, 30)
        first = rng.randrange(0, len(cap_words) - size)
        start, end = cap_words[first].start(), cap_words[first + size - 1].end()
        highlights.append(Annotation.create(cap_text, start, end, now="2026-11-29T10:00:00Z"))
        words = cap_tokens.words_in(start, end)
        on_punctuated.append(words)
        lo, hi = bisect_right(cap_tokens.ends, start), bisect_left(cap_tokens.starts, end)
        p_lo, p_hi = mapping.get(lo), mapping.get(hi - 1)
        if p_lo is None or p_hi is None:
            on_edited.append(words)  # the caption and punctuated words differ here already
            continue
        expected = list(edited.became[p_lo])
        for p in range(p_lo + 1, p_hi + 1):
            if punctuated.real[p]:
                expected += edited.inserted[p] + edited.became[p]
        on_edited.append(expected)
    plain = _score(pun_text, punctuated, highlights, on_punctuated)
    changed = _score(edited.text, Tokens.of(edited.text, skip=True), highlights, on_edited)
    return plain, changed


def _score(text: str, tokens: Tokens, highlights: list[Annotation], expected: list[list[str]]) -> Tally:
    """Anchor all highlights at once (as the app does) and check each one's words."""
    tally = Tally()
    began = time.perf_counter()
    anchored = anchor_annotations(text, highlights)
    tally.seconds = time.perf_counter() - began
    for before, after, words in zip(highlights, anchored, expected, strict=True):
        tally.total += 1
        own_words = normalized_words(before.target.exact)
        touched = words != own_words
        tally.touched += touched
        if after.status is AnchorStatus.ORPHAN:
            tally.orphans += 1
            continue
        if after.status is AnchorStatus.EXACT:
            tally.status_exact += 1
        else:
            tally.moved += 1
            tally.fuzzy += normalized_words(after.target.exact) != own_words
        ok = tokens.words_in(after.start, after.end) == words
        tally.exact_words += ok
        tally.wrong += not ok
        tally.touched_ok += ok and touched
    return tally


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--per-file", type=int, default=500)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    files = sorted(args.corpus.glob("*.captions.txt")) if args.corpus.is_dir() else []
    if not files:
        print(
            f"re-anchoring benchmark skipped: no *.captions.txt under {args.corpus} (development machine only)"
        )
        return 0
    rng = random.Random(args.seed)
    total_plain, total_changed = Tally(), Tally()
    for captions in files:
        plain, changed = run_file(captions, args.per_file, rng)
        slug = captions.name.replace(".captions.txt", "")
        print(plain.line(f"{slug} punctuated"))
        print(changed.line(f"{slug} +edits"))
        total_plain.add(plain)
        total_changed.add(changed)
    print(total_plain.line("ALL punctuated"))
    print(total_changed.line("ALL punctuated + edits"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
