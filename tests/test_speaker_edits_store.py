"""Speaker corrections in the annotations file: the ``speakers:`` key, old files, merges, undo, bad entries."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
import shiboken6

from desktop_app.annotations import store
from desktop_app.annotations.service import AnnotationService
from desktop_app.speakers import edits
from desktop_app.tasks import TaskRunner

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

TEXT = "welcome to the show today we talk about boats. thanks for having me it is a pleasure to be here. " * 5
SHA = "e" * 64
RECORD = {
    "renames": {"Guest": "Mark Zuckerberg"},
    "turns": [
        {
            "speaker": "Lex Fridman",
            "split": True,
            "at": {
                "start": 47,
                "end": 95,
                "exact": TEXT[47:95],
                "prefix": TEXT[15:47],
                "suffix": TEXT[95:127],
            },
        }
    ],
}
OLD_FILE = """format: transcript-reader-annotations
version: 1
document: {title: Episode, sha256: eee, source: /tmp/episode.txt}
colors: {yellow: Important}
annotations:
- id: 5f0c8a52-0000-4000-8000-000000000001
  color: yellow
  created: 2026-11-29T10:15:00Z
  updated: 2026-11-29T10:15:00Z
  target: {start: 0, end: 7, exact: welcome, prefix: '', suffix: ' to the show today we talk about '}
  note: first words
  tags: []
outline: []
"""


def test_a_file_without_the_key_loads_and_is_written_without_it() -> None:
    content = store.parse(OLD_FILE)
    assert content.speakers is None and len(content.annotations) == 1
    assert "speakers" not in store.dump(content)


def test_the_key_round_trips_after_the_outline_and_keeps_everything_else() -> None:
    content = store.parse(OLD_FILE + "future_key: {kept: true}\n")
    content.speakers = RECORD
    text = store.dump(content)
    assert text.index("outline:") < text.index("speakers:") < text.index("future_key:")
    again = store.parse(text)
    assert again.speakers == RECORD and again.extra == {"future_key": {"kept": True}}
    assert again.annotations == content.annotations and again.colors == {"yellow": "Important"}
    assert edits.edits_from_record(again.speakers).problems == ()


def test_a_malformed_speaker_entry_loads_everything_else_and_is_kept() -> None:
    bad = OLD_FILE + "speakers:\n  renames: {Guest: Mark}\n  turns:\n  - speaker: Lex\n    at: nowhere\n"
    content = store.parse(bad)
    assert len(content.annotations) == 1 and content.annotations[0].note == "first words"
    read = edits.edits_from_record(content.speakers)
    assert read.edits.renames == {"Guest": "Mark"}
    assert read.problems == (
        "'speakers.turns[0]': field 'at' must be a mapping with start, end and exact (got the text 'nowhere')",
    )
    rewritten = store.parse(store.dump(content))
    assert rewritten.speakers == content.speakers  # the unreadable entry is still in the file


def test_merge_takes_the_side_that_changed_the_corrections() -> None:
    base = store.parse(OLD_FILE)
    theirs = store.parse(OLD_FILE)
    theirs.speakers = RECORD
    ours = store.parse(OLD_FILE)
    ours.colors["yellow"] = "Key point"
    merged = store.merge(ours, theirs, base)
    assert merged.speakers == RECORD and merged.colors["yellow"] == "Key point"
    ours.speakers = {"renames": {"Host": "Lex"}}
    assert store.merge(ours, theirs, base).speakers == {"renames": {"Host": "Lex"}}
    assert store.merge(store.parse(OLD_FILE), theirs).speakers == RECORD  # no base: theirs when we have none


@pytest.fixture
def service(qtbot, tmp_path: Path) -> Iterator[AnnotationService]:
    tasks = TaskRunner()
    notes = AnnotationService(tasks)
    with qtbot.waitSignal(notes.loaded, timeout=10_000):
        notes.attach(TEXT, "Episode", SHA, str(tmp_path / "episode.txt"), tmp_path / "annotations")
    yield notes
    notes.close()
    tasks.wait()
    shiboken6.delete(notes)


def test_the_service_saves_undoes_and_redoes_corrections(service: AnnotationService, qtbot) -> None:
    assert service.speaker_record is None
    with qtbot.waitSignal(service.speakers_changed, timeout=5000) as changed:
        service.set_speakers(RECORD, "Rename speaker")
    assert changed.args == [RECORD] and service.undo_stack.undoText() == "Rename speaker"
    with qtbot.waitSignal(service.saved, timeout=10_000):
        service.save_soon()
    assert store.load(service.path).speakers == RECORD
    with qtbot.waitSignal(service.speakers_changed, timeout=5000) as changed:
        service.undo_stack.undo()
    assert changed.args == [None] and service.speaker_record is None
    service.undo_stack.redo()
    assert service.speaker_record == RECORD


def test_the_search_index_takes_speakers_by_offset_after_a_split(tmp_path: Path) -> None:
    from desktop_app.search.index import SearchIndex

    text = "the boats were old and the nets were torn\nwe sailed at dawn and the weather was kind"
    paragraphs = [(0, 41), (42, len(text))]
    index = SearchIndex.open_or_build(
        tmp_path / "search", "a" * 64, text, paragraphs, speakers=["Host", "Guest"]
    )
    try:
        assert {h.start for h in index.search("speaker:Guest weather").hits} == {text.index("weather")}
        assert index.search("speaker:Host weather").total == 0
        cut = text.index("the weather")  # the user split the second paragraph: "the weather…" is the host's
        index.set_speakers(["Host", "Guest", "Host"], [0, 42, cut])
        assert index.paragraphs == tuple(paragraphs)  # the index keeps its paragraphs
        assert index.search("speaker:Guest weather").total == 0
        assert {h.start for h in index.search("speaker:Host weather").hits} == {text.index("weather")}
        assert index.speakers == ("Host", "Guest")
    finally:
        index.close()
