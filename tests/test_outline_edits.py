"""User edits of the outline: pure functions, and anchoring that survives changes to the text."""

from __future__ import annotations

import pytest

from desktop_app.outline import edits
from desktop_app.outline.section import Section

TEXT = " ".join(f"word{i}" for i in range(400))
STARTS = [
    i
    for i in range(len(TEXT))
    if i == 0
    or TEXT[i - 1] == " "
    and TEXT[i:].startswith("word")
    and int(TEXT[i + 4 :].split(" ", 1)[0]) % 10 == 0
]


def sections() -> list[Section]:
    a, b = TEXT.index("word100"), TEXT.index("word250")
    return [
        Section("Intro", 0, a, ("x",)),
        Section("Middle", a, b, ("y",)),
        Section("End", b, len(TEXT), ("z",)),
    ]


def assert_covers(result: list[Section]) -> None:
    assert result[0].start == 0 and result[-1].end == len(TEXT)
    for left, right in zip(result, result[1:], strict=False):
        assert left.end == right.start


def test_rename() -> None:
    result = edits.rename(sections(), 1, "  Open   source ")
    assert [s.title for s in result] == ["Intro", "Open source", "End"]
    with pytest.raises(edits.OutlineEditError):
        edits.rename(sections(), 1, "   ")
    with pytest.raises(edits.OutlineEditError):
        edits.rename(sections(), 7, "x")


def test_split_snaps_to_the_sentence_start() -> None:
    offset = TEXT.index("word175") + 2
    result = edits.split(sections(), offset, STARTS)
    assert len(result) == 4
    assert result[2].start == TEXT.index("word170")
    assert_covers(result)
    with pytest.raises(edits.OutlineEditError):
        edits.split(sections(), TEXT.index("word100"), STARTS)


def test_merge_with_next() -> None:
    result = edits.merge_with_next(sections(), 0)
    assert [s.title for s in result] == ["Intro", "End"]
    assert result[0].keywords == ("x", "y")
    assert_covers(result)
    with pytest.raises(edits.OutlineEditError):
        edits.merge_with_next(sections(), 2)


def test_move_start_within_neighbours_only() -> None:
    result = edits.move_start(sections(), 1, TEXT.index("word120"), STARTS)
    assert result[1].start == TEXT.index("word120") and result[0].end == result[1].start
    assert_covers(result)
    with pytest.raises(edits.OutlineEditError):
        edits.move_start(sections(), 1, TEXT.index("word300"), STARTS)
    with pytest.raises(edits.OutlineEditError):
        edits.move_start(sections(), 0, 10, STARTS)


def test_records_round_trip_and_survive_an_insertion() -> None:
    original = edits.rename(sections(), 2, "Finale")
    records = edits.to_records(original, TEXT)
    assert edits.from_records(records, TEXT) == original
    edited = "Some new words at the very start. " + TEXT
    shifted = edits.from_records(records, edited)
    assert shifted is not None
    assert [s.title for s in shifted] == ["Intro", "Middle", "Finale"]
    assert shifted[1].start == edited.index("word100")
    assert shifted[-1].end == len(edited)


def test_lost_chapter_start_merges_into_the_previous_one() -> None:
    records = edits.to_records(sections(), TEXT)
    damaged = TEXT.replace(TEXT[TEXT.index("word250") : TEXT.index("word260")], "completely different text ")
    result = edits.from_records(records, damaged)
    assert result is not None and [s.title for s in result] == ["Intro", "Middle"]
    assert edits.from_records([], TEXT) is None
    assert edits.from_records([{"bogus": 1}, "not a mapping"], TEXT) is not None
