"""Time and chapters of one document: where an offset is in the episode, and which chapter holds it. No Qt.

Everything that shows a time, a length or a chapter for an offset asks this module, so the status bar, the
panels, the exports and the command line say the same thing in the same words:

- :class:`Timeline` turns document offsets into seconds: the real time from the cues (subtitles) or, for
  untimed text, an estimate at :data:`WORDS_PER_MINUTE`.
- :func:`chapter_at` finds the chapter holding an offset (one edge rule: chapters are ``[start, end)``).
- :func:`format_clock` writes seconds as ``12:34`` or ``1:02:34``.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from desktop_app.transcript import Transcript

WORDS_PER_MINUTE = 185
"""Speaking rate used to estimate times in untimed text (an interview's typical pace)."""

_WORD_RE = re.compile(r"\S+")

CueTime = Callable[[int], "float | None"]
"""Seconds at a document offset from the file's own times, ``None`` where the file has none."""


class Span(Protocol):
    """Anything with ``[start, end)`` document offsets, such as an outline section (read-only)."""

    @property
    def start(self) -> int:
        """Document offset of the first character."""

    @property
    def end(self) -> int:
        """Document offset just past the last character."""


def format_clock(seconds: float) -> str:
    """``754.2`` -> ``12:34``; ``3754`` -> ``1:02:34``."""
    total = max(0, int(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


def word_starts(text: str) -> list[int]:
    """Document offsets where words begin."""
    return [match.start() for match in _WORD_RE.finditer(text)]


def chapter_at(sections: Sequence[Span], offset: int) -> int:
    """Index of the chapter whose ``[start, end)`` holds ``offset``; -1 when none does.

    ``sections`` are in document order and do not overlap (an outline); the search is a bisection.
    """
    starts = [section.start for section in sections]
    number = bisect_right(starts, offset) - 1
    if number < 0 or offset >= sections[number].end:
        return -1
    return number


class Timeline:
    """Seconds at every offset of one document, and the labels that show them.

    ``cue_time`` gives the file's own time at an offset (subtitles); without it, or where it has no answer,
    the time is estimated from the number of words before the offset at ``words_per_minute`` (default
    :data:`WORDS_PER_MINUTE`).
    """

    LAZY_QUERIES = 8
    """Word questions answered by counting before the offset, until the list of word starts is built."""
    LAZY_MAX_CHARS = 1_000_000
    """Longer texts list their words at once: counting would cost each question too much."""

    def __init__(
        self,
        text: str,
        starts: Sequence[int] | None = None,
        cue_time: CueTime | None = None,
        words_per_minute: float | None = None,
    ) -> None:
        self._text = text
        self._pace = words_per_minute or WORDS_PER_MINUTE
        self._length = len(text)
        # Built on demand: opening a document asks one or two questions before its first paint, and listing
        # every word of a long transcript then would delay that paint (benchmarks/startup.py).
        # The document service lists them on a worker after the paint (``list_words``).
        self._word_starts = list(starts) if starts is not None else None
        if self._word_starts is None and len(text) > self.LAZY_MAX_CHARS:
            self._word_starts = word_starts(text)
        self._word_count: int | None = None
        self._queries = 0
        self._cue_time = cue_time

    @classmethod
    def of_transcript(cls, transcript: Transcript) -> Timeline:
        """The timeline of a loaded transcript: its cue times when it has cues, else the estimate (at the pace
        its chapter list implies, if it has one)."""
        return cls(
            transcript.text,
            cue_time=transcript.time_at if transcript.cues else None,
            words_per_minute=transcript.words_per_minute,
        )

    @property
    def timed(self) -> bool:
        """Whether the times are the file's own (subtitles) rather than estimates."""
        return self._cue_time is not None

    @property
    def length(self) -> int:
        """Length of the document text in characters."""
        return self._length

    @property
    def word_count(self) -> int:
        """Number of words in the document."""
        if self._word_starts is not None:
            return len(self._word_starts)
        if self._word_count is None:
            self._word_count = len(self._text.split())  # the same words as ``word_starts``, without offsets
        return self._word_count

    def list_words(self) -> list[int]:
        """The word starts, listed now if not yet (idempotent; safe on a worker: the list is set whole)."""
        if self._word_starts is None:
            self._word_starts = word_starts(self._text)
        return self._word_starts

    def word_index(self, offset: int) -> int:
        """Number of the word holding (or just before) ``offset``."""
        starts = self._word_starts
        if starts is None:
            self._queries += 1
            if self._queries <= self.LAZY_QUERIES:  # the words starting up to the offset, counted
                return max(0, len(self._text[: max(0, offset + 1)].split()) - 1)
            starts = self.list_words()
        return max(0, bisect_right(starts, offset) - 1)

    def seconds_at(self, offset: int) -> float:
        """Seconds into the episode at a document offset."""
        if self._cue_time is not None:
            timed = self._cue_time(offset)
            if timed is not None:
                return timed
        return self.word_index(offset) * 60.0 / self._pace

    @property
    def duration(self) -> float:
        """Seconds from the start to the end of the document."""
        return self.seconds_at(self._length)

    def fraction_at(self, offset: int) -> float:
        """How far into the text an offset is, 0..1."""
        return min(1.0, max(0.0, offset / self._length)) if self._length else 0.0

    def place_label(self, offset: int) -> str:
        """Where an offset is, for lists and exports: ``12:34`` when timed, else ``min 12``."""
        seconds = self.seconds_at(offset)
        return format_clock(seconds) if self.timed else f"min {int(seconds // 60)}"

    def length_label(self, start: int, end: int) -> str:
        """How long ``[start, end)`` lasts: ``3:24`` when timed, else ``4 min``."""
        seconds = max(0.0, self.seconds_at(end) - self.seconds_at(start))
        return format_clock(seconds) if self.timed else f"{max(1, round(seconds / 60))} min"

    def position_label(self, offset: int) -> str:
        """The status bar's reading position: percent, then the time or minute of the whole."""
        percent = round(100 * self.fraction_at(offset))
        here, total = self.seconds_at(offset), self.duration
        if self.timed:
            return f"{percent}%  ·  {format_clock(here)} / {format_clock(total)}"
        return f"{percent}%  ·  minute {int(here // 60)} of {int(round(total / 60))}"


@dataclass(frozen=True)
class ChapterRow:
    """One chapter as the panels list it: title, ``[start, end)``, its length in words, its keywords."""

    title: str
    start: int
    end: int
    length: str
    keywords: tuple[str, ...] = ()


class Chapter(Span, Protocol):
    """A chapter of the outline: a titled span with keywords (``outline.chapters.Section``)."""

    @property
    def title(self) -> str:
        """The chapter's title."""

    @property
    def keywords(self) -> tuple[str, ...]:
        """Words that characterise the chapter."""


def chapter_rows(sections: Sequence[Chapter], timeline: Timeline) -> list[ChapterRow]:
    """The outline's rows, each with its length as the timeline tells it."""
    return [
        ChapterRow(s.title, s.start, s.end, timeline.length_label(s.start, s.end), tuple(s.keywords))
        for s in sections
    ]


def group_label(sections: Sequence[Chapter], timeline: Timeline, offset: int) -> str:
    """The heading a list groups an offset under: its chapter's title, else a span of ten minutes."""
    number = chapter_at(sections, offset)
    if number >= 0:
        return sections[number].title
    low = int(max(0.0, timeline.seconds_at(offset)) // 600) * 10
    return f"Minutes {low}–{low + 10}"
