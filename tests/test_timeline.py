"""Timeline: seconds at offsets (cue times or the words-per-minute estimate), labels, and chapter_at."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass

import pytest

from desktop_app.timeline import (
    WORDS_PER_MINUTE,
    ChapterRow,
    Timeline,
    chapter_at,
    chapter_rows,
    format_clock,
    group_label,
    word_starts,
)


@dataclass(frozen=True)
class Section:
    title: str
    start: int
    end: int
    keywords: tuple[str, ...] = ()


TEXT = "word " * (WORDS_PER_MINUTE * 30)  # thirty minutes at the estimated pace
SECTIONS = [Section("Intro", 0, 100), Section("Middle", 100, 5000), Section("End", 5000, len(TEXT))]


@pytest.mark.parametrize(
    ("seconds", "clock"), [(0, "00:00"), (59.9, "00:59"), (754.2, "12:34"), (3754, "1:02:34"), (-5, "00:00")]
)
def test_format_clock(seconds: float, clock: str) -> None:
    assert format_clock(seconds) == clock


def test_word_starts() -> None:
    assert word_starts("  a bc\n d ") == [2, 4, 8]


def test_word_questions_before_the_word_list_is_built_give_the_same_answers() -> None:
    """Opening a document asks a few questions before its first paint: they are counted, not looked up in a
    list of every word, and agree with the list for every offset (edges, runs of odd whitespace)."""
    text = "  alpha beta\u2003\u2003gamma\n\tdelta\u00a0epsilon  zeta\u3000eta  "
    starts = word_starts(text)
    expected = [max(0, bisect_right(starts, offset) - 1) for offset in range(-3, len(text) + 3)]
    lazy = Timeline(text)
    lazy.LAZY_QUERIES = len(expected) + 1
    assert lazy.word_count == len(starts) == 7
    assert [lazy.word_index(offset) for offset in range(-3, len(text) + 3)] == expected
    assert lazy._word_starts is None  # answered without the list
    listed = Timeline(text)
    listed.LAZY_QUERIES = 2
    assert [listed.word_index(offset) for offset in range(-3, len(text) + 3)] == expected
    assert listed._word_starts == starts  # built after two questions
    assert listed.word_count == 7
    assert Timeline("").word_index(5) == 0 and Timeline("").word_count == 0


def test_word_list_made_on_request_and_at_once_for_long_texts(monkeypatch: pytest.MonkeyPatch) -> None:
    """The document service lists the words on a worker after the first paint; a very long text lists them
    at once, since counting before an offset would cost each question too much."""
    timeline = Timeline("one two  three")
    assert timeline._word_starts is None
    assert timeline.list_words() == [0, 4, 9] == timeline.list_words()
    assert timeline.word_index(10) == 2
    monkeypatch.setattr(Timeline, "LAZY_MAX_CHARS", 10)
    assert Timeline("one two  three")._word_starts == [0, 4, 9]


def test_untimed_text_runs_at_the_words_per_minute_estimate() -> None:
    timeline = Timeline(TEXT)
    assert not timeline.timed
    assert timeline.seconds_at(0) == 0
    one_minute_in = 5 * WORDS_PER_MINUTE  # five characters a word
    assert timeline.seconds_at(one_minute_in) == pytest.approx(60)
    assert timeline.duration == pytest.approx(30 * 60, abs=1)
    assert timeline.place_label(one_minute_in) == "min 1"
    assert timeline.length_label(0, one_minute_in * 4) == "4 min"
    assert timeline.position_label(len(TEXT) // 2) == "50%  ·  minute 15 of 30"


def test_cue_times_win_where_the_file_has_them() -> None:
    timeline = Timeline(TEXT, cue_time=lambda offset: offset / 10 if offset < 1000 else None)
    assert timeline.timed
    assert timeline.seconds_at(500) == 50
    assert timeline.seconds_at(2000) == pytest.approx(400 * 60 / WORDS_PER_MINUTE)  # no cue there: estimate
    assert timeline.place_label(754) == "01:15"
    assert timeline.length_label(0, 600) == "01:00"
    assert timeline.position_label(0).startswith("0%  ·  00:00 / ")


def test_fraction_is_clamped_and_empty_text_is_safe() -> None:
    assert Timeline(TEXT).fraction_at(10 * len(TEXT)) == 1.0
    empty = Timeline("")
    assert empty.fraction_at(0) == 0.0 and empty.duration == 0.0 and empty.word_count == 0


@pytest.mark.parametrize(
    ("offset", "chapter"),
    [(0, 0), (99, 0), (100, 1), (4999, 1), (5000, 2), (len(TEXT) - 1, 2), (len(TEXT), -1), (-1, -1)],
)
def test_chapter_at_uses_half_open_spans(offset: int, chapter: int) -> None:
    assert chapter_at(SECTIONS, offset) == chapter


def test_chapter_at_outside_every_chapter_and_without_chapters() -> None:
    gappy = [Section("A", 10, 20), Section("B", 30, 40)]
    assert [chapter_at(gappy, o) for o in (5, 10, 25, 30, 45)] == [-1, 0, -1, 1, -1]
    assert chapter_at([], 5) == -1


def test_chapter_rows_and_group_labels() -> None:
    timeline = Timeline(TEXT)
    rows = chapter_rows(SECTIONS, timeline)
    assert rows[0] == ChapterRow("Intro", 0, 100, "1 min", ())
    assert [r.title for r in rows] == ["Intro", "Middle", "End"]
    assert group_label(SECTIONS, timeline, 200) == "Middle"
    assert group_label([], timeline, 5 * WORDS_PER_MINUTE * 12) == "Minutes 10–20"


def test_counted_word_questions_agree_with_the_list_on_every_unicode_space() -> None:
    """The counting path (``str.split``) and the listed one (``\\S+``) see the same words for every character
    Python calls whitespace, mixed with zero-width and control characters that are not, at every offset and
    far past either end."""
    import random

    spaces = [chr(c) for c in range(0x110000) if chr(c).isspace()]
    others = [*"ab.,'é\x00\u200b\u200d\ufeff\u00ad", "\U0001f600", "\r\n"]
    rng = random.Random(11)
    for _ in range(300):
        text = "".join(
            rng.choice(spaces if rng.random() < 0.4 else others) for _ in range(rng.randint(0, 30))
        )
        starts = word_starts(text)
        offsets = [-(10**9), *range(-3, len(text) + 3), 10**9]
        counted = Timeline(text)
        counted.LAZY_QUERIES = len(offsets) + 1
        assert counted.word_count == len(starts)
        assert [counted.word_index(o) for o in offsets] == [
            max(0, bisect_right(starts, o) - 1) for o in offsets
        ]
        assert counted._word_starts is None
