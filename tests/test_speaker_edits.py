"""The user's speaker corrections as plain Python: rename, reassign, split, storage, re-anchoring (no Qt)."""

from __future__ import annotations

import dataclasses

import pytest

from desktop_app.readability.segmentation import Paragraph, Readable, Sentence
from desktop_app.speakers import edits
from desktop_app.speakers.edits import SpeakerEditError, SpeakerEdits

HOST, GUEST = "Host", "Guest"
PARAGRAPHS = [
    (HOST, "welcome to the show today we talk about boats and the sea."),
    (GUEST, "thanks for having me it is a pleasure to be here with you."),
    (GUEST, "i grew up on a fishing boat off the coast of maine. we left at dawn."),
    (HOST, "what did the ocean teach you about patience and the weather?"),
    (GUEST, "that the weather decides and you listen or you go home early."),
]


def make(paragraphs: list[tuple[str | None, str]] = PARAGRAPHS, prefix: str = "") -> tuple[str, Readable]:
    """A text of one paragraph per line, its sentences at ". " and "?"; speakers as given."""
    text = prefix + "\n".join(body for _speaker, body in paragraphs)
    result, position = [], len(prefix)
    for speaker, body in paragraphs:
        sentences, start = [], position
        for piece in body.split(". "):
            end = start + len(piece.rstrip(".?"))
            sentences.append(Sentence(start, end, "?" if piece.endswith("?") else "."))
            start += len(piece) + 2
        result.append(Paragraph(sentences[0].start, sentences[-1].end, tuple(sentences), speaker))
        position += len(body) + 1
    return text, Readable(tuple(result))


def speakers(readable: Readable) -> list[str | None]:
    return [p.speaker for p in readable.paragraphs]


def test_no_edits_change_nothing() -> None:
    text, readable = make()
    assert edits.apply_edits(readable, text, SpeakerEdits()) is readable
    assert edits.edits_from_record(None).edits.is_empty
    assert edits.edits_to_record(SpeakerEdits()) == {}


def test_rename_once_for_the_whole_document() -> None:
    text, readable = make()
    renamed = edits.rename(SpeakerEdits(), GUEST, "Mark  Zuckerberg ", readable.speakers)
    assert renamed.renames == {GUEST: "Mark Zuckerberg"}
    result = edits.apply_edits(readable, text, renamed)
    assert speakers(result) == [HOST, "Mark Zuckerberg", "Mark Zuckerberg", HOST, "Mark Zuckerberg"]
    assert result.speakers == (HOST, "Mark Zuckerberg")
    again = edits.rename(renamed, "Mark Zuckerberg", "Mark", readable.speakers)
    assert again.renames == {GUEST: "Mark"}
    back = edits.rename(again, "Mark", GUEST, readable.speakers)
    assert back.renames == {}  # renamed back: nothing left to keep


def test_rename_refuses_empty_unknown_and_same_names() -> None:
    _text, readable = make()
    with pytest.raises(SpeakerEditError, match="empty"):
        edits.rename(SpeakerEdits(), GUEST, "   ", readable.speakers)
    with pytest.raises(SpeakerEditError, match="no speaker called Nobody"):
        edits.rename(SpeakerEdits(), "Nobody", "Someone", readable.speakers)
    with pytest.raises(SpeakerEditError, match="already called"):
        edits.rename(SpeakerEdits(), GUEST, GUEST, readable.speakers)


def test_reassign_a_paragraph_to_an_existing_or_a_new_speaker() -> None:
    text, readable = make()
    third = readable.paragraphs[2]
    changed = edits.assign(SpeakerEdits(), text, readable, third.start + 10, HOST)
    assert [t.speaker for t in changed.turns] == [HOST]
    assert changed.turns[0].target.start == third.start and not changed.turns[0].split
    result = edits.apply_edits(readable, text, changed)
    assert speakers(result) == [HOST, GUEST, HOST, HOST, GUEST]
    newer = edits.assign(changed, text, result, third.start, "Producer")
    assert [t.speaker for t in newer.turns] == ["Producer"]  # the earlier reassignment is replaced
    assert speakers(edits.apply_edits(readable, text, newer))[2] == "Producer"
    with pytest.raises(SpeakerEditError, match="already speaks"):
        edits.assign(newer, text, edits.apply_edits(readable, text, newer), third.start, "Producer")


def test_rename_follows_reassigned_paragraphs() -> None:
    text, readable = make()
    changed = edits.assign(SpeakerEdits(), text, readable, readable.paragraphs[0].start, "Producer")
    result = edits.apply_edits(readable, text, changed)
    renamed = edits.rename(changed, "Producer", "Jane", readable.speakers)
    assert renamed.renames == {} and [t.speaker for t in renamed.turns] == ["Jane"]
    assert speakers(edits.apply_edits(readable, text, renamed))[0] == "Jane"
    assert result.speakers == ("Producer", GUEST, HOST)


def test_split_a_paragraph_at_the_cursor_into_a_new_turn() -> None:
    text, readable = make()
    third = readable.paragraphs[2]
    cursor = text.index("we left", third.start) + 1  # inside "we": the turn starts at the word
    changed = edits.split_turn(SpeakerEdits(), text, readable, cursor, HOST)
    assert changed.turns[0].split and changed.turns[0].target.start == text.index("we left")
    result = edits.apply_edits(readable, text, changed)
    assert len(result.paragraphs) == len(readable.paragraphs) + 1
    first, second = result.paragraphs[2], result.paragraphs[3]
    assert (first.speaker, second.speaker) == (GUEST, HOST)
    assert text[first.start : first.end] == "i grew up on a fishing boat off the coast of maine"
    assert text[second.start : second.end] == "we left at dawn"
    assert [p.speaker for p in result.paragraphs][4:] == [HOST, GUEST]


def test_split_inside_a_sentence_splits_the_sentence() -> None:
    text, readable = make()
    second = readable.paragraphs[1]
    cut = text.index("it is a pleasure")
    result = edits.apply_edits(readable, text, edits.split_turn(SpeakerEdits(), text, readable, cut, HOST))
    head, tail = result.paragraphs[1], result.paragraphs[2]
    assert text[head.start : head.end] == "thanks for having me"
    assert (
        head.sentences[-1].mark == "—" and tail.sentences[0].start == cut
    )  # cut off, as transcripts write it
    assert tail.end == second.end and tail.speaker == HOST
    assert cut in result.capitalize


def test_split_at_a_paragraph_start_reassigns_and_at_the_end_is_refused() -> None:
    text, readable = make()
    third = readable.paragraphs[2]
    changed = edits.split_turn(SpeakerEdits(), text, readable, third.start, HOST)
    assert not changed.turns[0].split
    with pytest.raises(SpeakerEditError, match="cursor"):
        edits.split_turn(SpeakerEdits(), text, readable, len(text), HOST)


def test_reassigning_a_split_turn_changes_its_speaker() -> None:
    text, readable = make()
    cut = text.index("we left")
    split = edits.split_turn(SpeakerEdits(), text, readable, cut, HOST)
    result = edits.apply_edits(readable, text, split)
    changed = edits.assign(split, text, result, cut + 4, "Producer")
    assert len(changed.turns) == 1 and changed.turns[0].split and changed.turns[0].speaker == "Producer"


def test_records_round_trip() -> None:
    text, readable = make()
    changed = edits.rename(SpeakerEdits(), GUEST, "Mark Zuckerberg", readable.speakers)
    changed = edits.assign(changed, text, readable, readable.paragraphs[0].start, "Lex Fridman")
    changed = edits.split_turn(changed, text, readable, text.index("we left"), "Lex Fridman")
    record = edits.edits_to_record(changed)
    assert record["renames"] == {GUEST: "Mark Zuckerberg"}
    assert [t["speaker"] for t in record["turns"]] == ["Lex Fridman", "Lex Fridman"]
    assert set(record["turns"][1]["at"]) == {"start", "end", "exact", "prefix", "suffix"}
    read = edits.edits_from_record(record)
    assert read.problems == () and read.writable and read.edits == changed


def test_corrections_survive_a_changed_text_and_a_new_segmentation() -> None:
    text, readable = make()
    changed = edits.rename(SpeakerEdits(), GUEST, "Mark", readable.speakers)
    changed = edits.assign(changed, text, readable, readable.paragraphs[3].start, "Mark")
    changed = edits.split_turn(changed, text, readable, text.index("we left"), HOST)
    record = edits.edits_to_record(changed)

    # the transcript gained an introduction: every offset moved
    new_text, new_readable = make(prefix="an introduction added later by the editor of the transcript.\n")
    new_readable = dataclasses.replace(
        new_readable,
        paragraphs=(Paragraph(0, 61, (Sentence(0, 61, "."),), None), *new_readable.paragraphs),
    )
    result = edits.apply_edits(new_readable, new_text, edits.edits_from_record(record).edits)
    shown = [(p.speaker, new_text[p.start : p.start + 12]) for p in result.paragraphs]
    assert shown == [
        (None, "an introduct"),
        (HOST, "welcome to t"),
        ("Mark", "thanks for h"),
        ("Mark", "i grew up on"),
        (HOST, "we left at d"),
        ("Mark", "what did the"),
        ("Mark", "that the wea"),
    ]

    # a new segmentation merged two paragraphs: the split still starts a turn
    merged = list(readable.paragraphs)
    merged[1:3] = [
        Paragraph(merged[1].start, merged[2].end, merged[1].sentences + merged[2].sentences, GUEST)
    ]
    result = edits.apply_edits(dataclasses.replace(readable, paragraphs=tuple(merged)), text, changed)
    assert [p.speaker for p in result.paragraphs] == [HOST, "Mark", HOST, "Mark", "Mark"]
    assert text[result.paragraphs[2].start :].startswith("we left")


def test_a_turn_whose_words_are_gone_is_kept_but_not_applied() -> None:
    text, readable = make()
    changed = edits.split_turn(SpeakerEdits(), text, readable, text.index("we left"), HOST)
    other_text, other = make([(GUEST, "something else entirely, said by one person only.")])
    assert edits.turn_positions(changed, other_text) == [None]
    assert edits.apply_edits(other, other_text, changed).paragraphs == other.paragraphs


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ({"renames": {"Guest": 5}}, "speakers.renames.Guest"),
        ({"turns": [{"speaker": "A"}]}, "'speakers.turns[0]': field 'at'"),
        ({"turns": ["oops"]}, "'speakers.turns[0]': must be a mapping"),
        ({"turns": [{"speaker": "", "at": {}}]}, "field 'speaker'"),
        ({"turns": [{"speaker": "A", "split": "yes", "at": {}}]}, "field 'split'"),
        ({"turns": [{"speaker": "A", "at": {"start": 5, "end": 2, "exact": "x"}}]}, "start before end"),
    ],
)
def test_a_malformed_entry_is_reported_kept_and_the_rest_applies(raw: dict, problem: str) -> None:
    text, readable = make()
    good = edits.edits_to_record(edits.rename(SpeakerEdits(), HOST, "Lex", readable.speakers))
    record = {**raw, "renames": {**good["renames"], **raw.get("renames", {})}}
    read = edits.edits_from_record(record)
    assert read.writable and len(read.problems) == 1 and problem in read.problems[0]
    assert speakers(edits.apply_edits(readable, text, read.edits))[0] == "Lex"
    written = edits.edits_to_record(edits.rename(read.edits, "Lex", "Lex Fridman", readable.speakers))
    for key, value in raw.items():  # the unreadable entry is still there, as it was
        if isinstance(value, dict):
            assert all(written[key][k] == v for k, v in value.items())
        else:
            assert written[key][-len(value) :] == value


@pytest.mark.parametrize("raw", [["a list"], "text", {"renames": ["x"]}, {"turns": {"a": 1}}])
def test_an_unknown_shape_is_ignored_and_not_writable(raw: object) -> None:
    read = edits.edits_from_record(raw)
    assert not read.writable and read.problems and "speakers" in read.problems[0]


def test_unknown_fields_are_kept() -> None:
    text, readable = make()
    record = edits.edits_to_record(
        edits.split_turn(SpeakerEdits(), text, readable, text.index("we left"), HOST)
    )
    record["future"] = {"voices": 3}
    record["turns"][0]["confidence"] = 0.5
    again = edits.edits_to_record(edits.edits_from_record(record).edits)
    assert again == record


def test_word_start() -> None:
    text = "one two  three"
    assert [edits.word_start(text, i) for i in range(len(text) + 1)] == [
        0,
        0,
        0,
        4,
        4,
        4,
        4,
        9,
        9,
        9,
        9,
        9,
        9,
        9,
        14,
    ]


def test_corrected_speaker_of_an_automatic_paragraph_agrees_with_the_reader() -> None:
    text, readable = make()
    third, fourth = readable.paragraphs[2], readable.paragraphs[3]
    changed = edits.rename(SpeakerEdits(), GUEST, "Mark", readable.speakers)
    changed = edits.assign(changed, text, readable, fourth.start + 3, "Producer")
    changed = edits.split_turn(changed, text, readable, text.index("we left", third.start), HOST)
    shown = edits.apply_edits(readable, text, changed)
    for paragraph in readable.paragraphs:
        for at in range(paragraph.start, paragraph.end):
            reader = next(p.speaker for p in reversed(shown.paragraphs) if p.start <= at)
            library = edits.corrected_speaker(changed, paragraph.speaker, paragraph.start, paragraph.end, at)
            assert library == reader, (at, text[at : at + 10])
    assert {p.speaker for p in shown.paragraphs} == {HOST, "Mark", "Producer"}
