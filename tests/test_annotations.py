"""The annotation model and anchoring: exact, moved (edits, re-punctuation, duplicates), fuzzy, orphans."""

from __future__ import annotations

import dataclasses
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from desktop_app.annotations.model import (
    AnchorStatus,
    Annotation,
    Target,
    anchor,
    anchor_annotations,
    format_timestamp,
    make_target,
    normalize_tags,
    normalized_words,
    parse_timestamp,
    utc_now,
)

SEED = Path(__file__).resolve().parent.parent / "resources" / "transcripts" / "lex-383-mark-zuckerberg.txt"
TEXT = (
    "i think compute is going to be the currency of the future i think it'll be maybe the most precious "
    "commodity in the world and that's really remarkable the road to AGI should be a giant power struggle"
)


def span_of(text: str, phrase: str, nth: int = 0) -> tuple[int, int]:
    starts = [m.start() for m in re.finditer(re.escape(phrase), text)]
    return starts[nth], starts[nth] + len(phrase)


def words_at(text: str, start: int, end: int) -> list[str]:
    return normalized_words(text[start:end])


# --------------------------------------------------------------------------------------------- model


def test_make_target_takes_32_characters_of_context() -> None:
    start, end = span_of(TEXT, "most precious commodity")
    target = make_target(TEXT, start, end)
    assert target.exact == "most precious commodity"
    assert target.prefix == TEXT[start - 32 : start] and len(target.prefix) == 32
    assert target.suffix == TEXT[end : end + 32]
    assert make_target(TEXT, 0, 1).prefix == ""
    assert make_target(TEXT, len(TEXT) - 1, len(TEXT)).suffix == ""


@pytest.mark.parametrize(("start", "end"), [(5, 5), (6, 5), (-1, 3), (0, len(TEXT) + 1)])
def test_make_target_refuses_bad_spans(start: int, end: int) -> None:
    with pytest.raises(ValueError, match="bad span"):
        make_target(TEXT, start, end)


def test_create_and_edit() -> None:
    item = Annotation.create(
        TEXT, 2, 9, color="blue", note="n", tags=[" ai ", "ai", "", "x"], now="2026-11-29T10:00:00Z"
    )
    assert len(item.id) == 36 and item.color == "blue" and item.tags == ("ai", "x")
    assert item.created == item.updated == "2026-11-29T10:00:00Z"
    assert (item.start, item.end) == (2, 9) and item.status is AnchorStatus.EXACT
    changed = item.edited(note="m", tags=["b"], now="2026-11-29T11:00:00Z")
    assert (changed.note, changed.tags, changed.updated, changed.created) == (
        "m",
        ("b",),
        "2026-11-29T11:00:00Z",
        item.created,
    )
    assert changed.id == item.id and item.note == "n"
    assert Annotation.create(TEXT, 2, 9).id != Annotation.create(TEXT, 2, 9).id


def test_timestamps() -> None:
    assert format_timestamp(datetime(2026, 11, 29, 10, 15, tzinfo=timezone.utc)) == "2026-11-29T10:15:00Z"
    assert format_timestamp(datetime(2026, 11, 29, 10, 15, 0, 250_999)) == "2026-11-29T10:15:00.250Z"
    plus_one = timezone(timedelta(hours=1))
    assert format_timestamp(datetime(2026, 11, 29, 11, 15, tzinfo=plus_one)) == "2026-11-29T10:15:00Z"
    assert parse_timestamp("2026-11-29T10:15:00Z") == datetime(2026, 11, 29, 10, 15, tzinfo=timezone.utc)
    assert parse_timestamp("2026-11-29T10:15:00.5Z") > parse_timestamp("2026-11-29T10:15:00Z")
    assert parse_timestamp(utc_now()).tzinfo is not None
    with pytest.raises(ValueError):
        parse_timestamp("yesterday")
    with pytest.raises(ValueError):
        parse_timestamp(3)  # type: ignore[arg-type]


def test_normalize_tags_keeps_first_order() -> None:
    assert normalize_tags(["b", " a", "b ", ""]) == ("b", "a")


# --------------------------------------------------------------------------------------------- anchoring


def test_unchanged_text_anchors_exactly() -> None:
    start, end = span_of(TEXT, "the road to AGI")
    assert anchor(TEXT, make_target(TEXT, start, end)) == dataclasses.replace(
        anchor(TEXT, make_target(TEXT, start, end)),
        start=start,
        end=end,
        status=AnchorStatus.EXACT,
        score=1.0,
    )


@pytest.mark.parametrize(
    "edit",
    [
        lambda t: "A new opening sentence was inserted here. " + t,
        lambda t: t.replace("i think compute is going to be ", ""),
        lambda t: t.replace("the currency", "the real currency").replace("commodity", "commodity, really,"),
    ],
    ids=["insert-before", "delete-before", "edits-around"],
)
def test_moved_quote_is_found_exactly(edit: object) -> None:
    start, end = span_of(TEXT, "that's really remarkable")
    new_text = edit(TEXT)  # type: ignore[operator]
    result = anchor(new_text, make_target(TEXT, start, end))
    assert result.status is AnchorStatus.MOVED and result.score == 1.0
    assert new_text[result.start : result.end] == "that's really remarkable"


def test_repunctuated_text_keeps_the_same_words() -> None:
    punctuated = (
        "Lex Fridman: I think compute is going to be the currency of the future. I think it’ll be, maybe, the "
        "most precious commodity in the world, and that’s really remarkable.” The road to AGI should be a giant "
        "power struggle."
    )
    for phrase in ("i think it'll be maybe the most", "that's really remarkable the road to AGI", "struggle"):
        start, end = span_of(TEXT, phrase)
        result = anchor(punctuated, make_target(TEXT, start, end))
        assert result.status is AnchorStatus.MOVED
        assert words_at(punctuated, result.start, result.end) == normalized_words(phrase)
    start, end = span_of(TEXT, "i think", nth=1)  # the second "i think": context decides
    result = anchor(punctuated, make_target(TEXT, start, end))
    assert punctuated[result.start : result.end] == "I think" and result.start == punctuated.index(
        "I think it"
    )


def test_partial_word_selection_is_kept_partial() -> None:
    start, end = span_of(TEXT, "precious commod")
    punctuated = TEXT.replace("precious commodity", "precious, commodity").upper()
    result = anchor(punctuated, make_target(TEXT, start + 2, end))  # "ecious commod"
    assert punctuated[result.start : result.end] == "ECIOUS, COMMOD"


def test_duplicate_quotes_are_told_apart_by_context_then_distance() -> None:
    text = "alpha one two three beta " * 3 + "gamma one two three delta"
    start, end = span_of(text, "one two three", nth=3)
    shifted = "prefix words " + text
    result = anchor(shifted, make_target(text, start, end))
    assert shifted[result.start - 6 : result.start] == "gamma "
    start, end = span_of(text, "one two three", nth=1)  # identical context: the nearest wins
    result = anchor(shifted, make_target(text, start, end))
    assert result.start == span_of(shifted, "one two three", nth=1)[0]


def test_fuzzy_match_tolerates_a_changed_word() -> None:
    start, end = span_of(TEXT, "the most precious commodity in the world")
    edited = TEXT.replace("most precious commodity", "most valuable commodity")
    result = anchor(edited, make_target(TEXT, start, end))
    assert result.status is AnchorStatus.MOVED and 0 < result.score < 0.9
    assert edited[result.start : result.end] == "the most valuable commodity in the world"


def test_fuzzy_match_edges_substitution_versus_deletion() -> None:
    start, end = span_of(TEXT, "maybe the most precious commodity in the world")
    target = make_target(TEXT, start, end)
    replaced = TEXT.replace("maybe the most precious", "perhaps the most previous")
    result = anchor(replaced, target)
    assert replaced[result.start : result.end] == "perhaps the most previous commodity in the world"
    deleted = TEXT.replace("maybe the most", "the most")
    result = anchor(deleted, target)
    assert deleted[result.start : result.end] == "the most precious commodity in the world"


def test_vanished_quote_is_an_orphan_not_dropped() -> None:
    start, end = span_of(TEXT, "giant power struggle")
    target = make_target(TEXT, start, end)
    result = anchor("something else entirely", target)
    assert result.status is AnchorStatus.ORPHAN and result.start == result.end == len(
        "something else entirely"
    )
    assert anchor("", target).status is AnchorStatus.ORPHAN
    bad = Target(0, 3, "", "", "")
    assert anchor(TEXT, bad).status is AnchorStatus.ORPHAN


def test_anchor_annotations_updates_moved_targets_and_keeps_orphans() -> None:
    a = Annotation.create(TEXT, *span_of(TEXT, "the road to AGI"), now="2026-11-29T10:00:00Z")
    b = Annotation.create(TEXT, *span_of(TEXT, "giant power struggle"), now="2026-11-29T10:00:00Z")
    c = Annotation.create(TEXT, *span_of(TEXT, "i think compute"), now="2026-11-29T10:00:00Z")
    new_text = "Inserted. " + TEXT.replace("giant power struggle", "big fight")
    moved, orphan, exact = anchor_annotations(new_text, [a, b, c])
    assert moved.status is AnchorStatus.MOVED and moved.updated == a.updated
    assert new_text[moved.start : moved.end] == "the road to AGI" and moved.target.prefix.endswith(
        "remarkable "
    )
    assert orphan.is_orphan and orphan.target == b.target
    assert exact.status is AnchorStatus.MOVED  # shifted by the insertion
    assert [x.status for x in anchor_annotations(TEXT, [a, b, c])] == [AnchorStatus.EXACT] * 3


def test_seed_transcript_random_highlights_survive_light_edits() -> None:
    text = SEED.read_text(encoding="utf-8")
    words = list(re.finditer(r"\S+", text))
    targets = []
    for i in range(0, len(words) - 40, 997):
        first, last = words[i], words[i + 3 + i % 20]
        targets.append(make_target(text, first.start(), last.end()))
    edited = "Transcript, lightly edited.\n\n" + re.sub(r" so ", " so, ", text).replace(" yeah ", " yes ")
    for target in targets:
        result = anchor(edited, target)
        assert result.status is not AnchorStatus.ORPHAN
        expected = [w.replace("yeah", "yes") for w in normalized_words(target.exact)]
        assert words_at(edited, result.start, result.end) == expected


def test_edited_place_beats_an_exact_copy_in_a_foreign_context() -> None:
    text = (
        "we said the models are not controllable at all "
        + "filler words here " * 20
        + "but the models are not controllable by design"
    )
    start, end = span_of(text, "models are not controllable by design")
    edited = text.replace("not controllable by design", "not steerable by design")
    result = anchor(edited, make_target(text, start, end))
    assert edited[result.start : result.end] == "models are not steerable by design"


def test_words_joined_by_punctuation_compare_without_it() -> None:
    assert normalized_words("Visit cursor.com, it’s GPT-4 — $3,500… and/or DALL·E") == [
        "visit",
        "cursorcom",
        "its",
        "gpt4",
        "3500",
        "and",
        "or",
        "dalle",
    ]
    captions = "go to cursorcom and its free"
    punctuated = "Go to cursor.com, and it’s free."
    result = anchor(punctuated, make_target(captions, 3, 23))
    assert punctuated[result.start : result.end] == "to cursor.com, and it’s"


def test_anchor_annotations_shortcut_agrees_with_anchor_and_keeps_order() -> None:
    text = SEED.read_text(encoding="utf-8")[:20_000]
    words = list(re.finditer(r"\S+", text))
    items = [
        Annotation.create(text, words[i].start(), words[i + 4].end(), now="2026-11-29T10:00:00Z")
        for i in range(2500, 10, -97)  # deliberately not in text order
    ]
    edited = "A new first line.\n" + text[:9000] + " an inserted clause, " + text[9000:]
    anchored = anchor_annotations(edited, items)
    assert [a.id for a in anchored] == [a.id for a in items]
    for before, after in zip(items, anchored, strict=True):
        alone = anchor(edited, before.target)
        assert (after.start, after.end, after.status) == (alone.start, alone.end, alone.status)
        assert edited[after.start : after.end] == before.target.exact
