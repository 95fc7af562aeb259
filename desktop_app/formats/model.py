"""The loaded transcript and the builder every reader fills (no Qt).

A reader turns a file into pieces of text, each with its time and speaker where the file gives them; the
:class:`DocumentBuilder` joins the pieces into the *document text* (the string every offset in the program
refers to, design.md §2) and records the structure beside it: timed cues and speaker turns. A speaker's name
is never part of the document text; a new speaker always starts a new line, so the segmentation starts a
paragraph there.
"""

from __future__ import annotations

import hashlib
import re
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import cached_property
from typing import NamedTuple


class TranscriptError(Exception):
    """A file that cannot be opened as a transcript; ``str(error)`` is a message for the user."""


class Cue(NamedTuple):
    """One timed stretch of the document text: ``[start, end)`` offsets, times in seconds.

    A cue may be a subtitle cue, a transcript segment or a single word (YouTube word timings); a named
    tuple, since a 3-hour file has ~30,000 of them."""

    start: int
    end: int
    t_start: float
    t_end: float


@dataclass(frozen=True)
class Turn:
    """A stretch ``[start, end)`` of the document text spoken by ``speaker``; it starts at a line start."""

    start: int
    end: int
    speaker: str


@dataclass(frozen=True)
class Heading:
    """A chapter the file itself gives: its title, and the document offset where its text starts."""

    start: int
    title: str


def count_words(text: str) -> int:
    """Whitespace-separated words of ``text``."""
    return len(text.split())


def sha256_text(text: str) -> str:
    """The hex sha256 of the UTF-8 text: the key of annotations and caches."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Transcript:
    """One loaded transcript. ``text`` is the document text all offsets refer to.

    ``format`` is a short code (see ``desktop_app.formats.FORMAT_NAMES`` for the words to show a user);
    ``cues`` are sorted by offset; ``turns`` are the speaker turns, sorted, non-overlapping, each starting
    a line of ``text`` (empty when the file names no speakers)."""

    text: str
    title: str
    source: str
    format: str
    sha256: str
    cues: tuple[Cue, ...] = ()
    warnings: tuple[str, ...] = field(default=())
    turns: tuple[Turn, ...] = ()
    chapters: tuple[Heading, ...] = ()  # the file's own chapters (Markdown headings), in order
    words_per_minute: float | None = None  # untimed text: the pace its chapter list implies (None: usual)

    @property
    def word_count(self) -> int:
        """Words in the document text."""
        return count_words(self.text)

    @property
    def has_times(self) -> bool:
        """Whether the file gave real times (``time_at`` returns seconds)."""
        return bool(self.cues)

    @property
    def speakers(self) -> tuple[str, ...]:
        """The distinct speaker names, in order of first appearance."""
        return tuple(dict.fromkeys(turn.speaker for turn in self.turns))

    @cached_property
    def _turn_starts(self) -> list[int]:
        return [t.start for t in self.turns]

    def turn_at(self, offset: int) -> Turn | None:
        """The speaker turn holding ``offset`` (``None`` outside any turn)."""
        index = bisect_right(self._turn_starts, offset) - 1
        if index >= 0 and offset < self.turns[index].end:
            return self.turns[index]
        return None

    def speaker_at(self, offset: int) -> str | None:
        """The speaker at a document offset, or ``None`` where the file names none."""
        turn = self.turn_at(offset)
        return turn.speaker if turn else None

    def time_at(self, offset: int) -> float | None:
        """Seconds into the episode at a document offset, from the cues (``None`` without cues)."""
        if not self.cues:
            return None
        lo, hi = 0, len(self.cues)
        while lo < hi:
            mid = (lo + hi) // 2
            if self.cues[mid].end <= offset:
                lo = mid + 1
            else:
                hi = mid
        cue = self.cues[min(lo, len(self.cues) - 1)]
        if offset <= cue.start or cue.end <= cue.start:
            return cue.t_start
        share = min(1.0, (offset - cue.start) / (cue.end - cue.start))
        return cue.t_start + share * (cue.t_end - cue.t_start)


@dataclass(frozen=True)
class Parsed:
    """What a reader recognised: the document text with its structure, the format code, a title when the
    file has one, and warnings for the user (skipped cues, fallbacks)."""

    text: str
    format: str
    cues: tuple[Cue, ...] = ()
    turns: tuple[Turn, ...] = ()
    title: str | None = None
    warnings: tuple[str, ...] = ()
    chapters: tuple[Heading, ...] = ()
    words_per_minute: float | None = None


SPEAKER_CHANGE_MARK = ">>"
"""Captions' mark of a new speaker (YouTube's and broadcast closed captions: ">> yeah, so…")."""
_SPEAKER_CHANGE_RE = re.compile(r"(?:^|(?<= ))>>(?= |$)")


class DocumentBuilder:
    """Joins pieces of text into a document text with cues and speaker turns.

    Pieces are joined by a space; a new paragraph or a change of speaker by a line break. Whitespace
    inside a piece collapses to single spaces."""

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._length = 0
        self._cues: list[list[float | int | None]] = []  # [start, end, t_start, t_end or None]
        self._turns: list[Turn] = []
        self._speaker: str | None = None
        self._turn_start = 0
        self._pending_break = False
        self._chapters: list[Heading] = []
        self._pending_chapter: str | None = None

    @property
    def empty(self) -> bool:
        """Whether nothing has been added yet."""
        return not self._parts

    def chapter(self, title: str) -> None:
        """The next piece starts a chapter the file names (a Markdown heading)."""
        self.paragraph_break()
        self._pending_chapter = " ".join(title.split()) or None

    def paragraph_break(self) -> None:
        """The next piece starts a new line (a paragraph), same speaker."""
        if self._parts:
            self._pending_break = True

    def add(
        self,
        text: str,
        t_start: float | None = None,
        t_end: float | None = None,
        speaker: str | None = None,
        glue: bool = False,
    ) -> None:
        """Append one piece. ``speaker``: who says it (``None``: unknown); a different speaker from the
        previous piece's starts a new line. ``glue``: no space before it (a word's punctuation)."""
        words = " ".join(text.split())
        if not words:
            return
        if SPEAKER_CHANGE_MARK in words and _SPEAKER_CHANGE_RE.search(words):
            self._add_marked(words, t_start, t_end, speaker, glue)
            return
        new_turn = bool(self._parts) and speaker != self._speaker
        if new_turn:
            self._close_turn()
        if not self._parts:
            separator = ""
        elif new_turn or self._pending_break:
            separator = "\n"
        else:
            separator = "" if glue else " "
        if new_turn or not self._parts:
            self._turn_start = self._length + len(separator)
        self._speaker = speaker
        self._pending_break = False
        self._parts.append(separator + words)
        start = self._length + len(separator)
        if self._pending_chapter is not None:
            self._chapters.append(Heading(start, self._pending_chapter))
            self._pending_chapter = None
        self._length = start + len(words)
        if t_start is None:
            if self._cues and self._cues[-1][1] == start - len(separator):
                self._cues[-1][1] = self._length  # untimed text goes on from a timed piece: same cue
        else:
            last = self._cues[-1] if self._cues else None
            if (
                last is not None
                and last[1] == start - len(separator)
                and separator != "\n"
                and (glue or (last[2] == t_start and last[3] == t_end))
            ):
                last[1] = self._length  # the same cue continued (its next line, a word's punctuation)
            else:
                self._cues.append([start, self._length, t_start, t_end])

    def _add_marked(
        self, words: str, t_start: float | None, t_end: float | None, speaker: str | None, glue: bool
    ) -> None:
        """A piece with ">>" marks: each mark starts a new line and is not text; the piece's time goes with
        its first words."""
        timed = True
        for k, piece in enumerate(_SPEAKER_CHANGE_RE.split(words)):
            if k:
                self.paragraph_break()
            if piece.strip():
                if timed:
                    self.add(piece, t_start, t_end, speaker, glue and k == 0)
                    timed = False
                else:
                    self.add(piece, None, None, speaker)

    def add_words(self, words: list[tuple[str, float]]) -> None:
        """Append single words (no whitespace in them), each with its start time, spoken by no named
        speaker: the fast path of YouTube's word timings (same result as one ``add`` per word)."""
        if not words:
            return
        if self._speaker is not None or self.empty:
            word, t = words[0]
            self.add(word, t)
            words = words[1:]
        separator = "\n" if self._pending_break else " "
        self._pending_break = False
        parts, cues = self._parts, self._cues
        length = self._length
        for word, t in words:
            start = length + len(separator)
            parts.append(separator + word)
            length = start + len(word)
            cues.append([start, length, t, None])
            separator = " "
        self._length = length

    def _close_turn(self) -> None:
        if self._speaker is not None and self._length > self._turn_start:
            self._turns.append(Turn(self._turn_start, self._length, self._speaker))

    def build(self, fmt: str, title: str | None = None, warnings: list[str] | tuple[str, ...] = ()) -> Parsed:
        """The document: text, cues (a cue's unknown end is the next cue's start) and turns."""
        self._close_turn()
        self._speaker = None
        text = "".join(self._parts)
        cues: list[Cue] = []
        raw = self._cues
        for k, (start, end, t0, t1) in enumerate(raw):
            if t1 is None:
                t1 = raw[k + 1][2] if k + 1 < len(raw) else t0
            cues.append(Cue(start, end, t0, t1 if t1 > t0 else t0))  # type: ignore[arg-type,operator]
        return Parsed(
            text=text,
            format=fmt,
            cues=tuple(cues),
            turns=tuple(self._turns),
            title=title,
            warnings=tuple(warnings),
            chapters=tuple(self._chapters),
        )
