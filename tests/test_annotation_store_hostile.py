"""Issue 16 on the annotations file: hostile files refused naming entry and field, per-field merge, how a
save treats the file it replaces (mode, read-only, symlinks, size limit)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from desktop_app import atomic_file
from desktop_app.annotations import file_model, store
from desktop_app.annotations.model import Annotation
from desktop_app.annotations.store import (
    AnnotationFile,
    AnnotationFileError,
    AnnotationStore,
    DocumentRef,
    backup_path,
    load,
    merge,
    save,
)
from desktop_app.outline import edits as outline_edits

HOSTILE = Path(__file__).parent / "data" / "annotations" / "hostile"
TEXT = "I compute is the currency of the future I think it is so and here are some quotes at the end."
SHA = "5" * 64


def make_file(*annotations: Annotation) -> AnnotationFile:
    return AnnotationFile(
        document=DocumentRef("Sample", SHA, "/tmp/sample.txt"), annotations=list(annotations)
    )


def note(start: int, end: int, when: str = "2026-11-29T10:00:00Z", **kwargs: object) -> Annotation:
    return Annotation.create(TEXT, start, end, now=when, **kwargs)  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------------- refusals


@pytest.mark.parametrize("path", sorted(HOSTILE.glob("*.yaml")), ids=lambda p: p.stem)
def test_hostile_files_are_refused_naming_where(tmp_path: Path, path: Path) -> None:
    """Each file of the corpus says on its first line what the refusal must contain."""
    expected = path.read_text(encoding="utf-8").splitlines()[0].split("expect: ", 1)[1]
    copy = tmp_path / path.name
    copy.write_bytes(path.read_bytes())
    with pytest.raises(AnnotationFileError) as info:
        load(copy)
    assert expected in info.value.message
    assert copy.read_bytes() == path.read_bytes()


def test_the_hostile_corpus_covers_the_issue() -> None:
    assert len(list(HOSTILE.glob("*.yaml"))) >= 14


def test_a_store_never_rewrites_a_file_with_a_repeated_key(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    text = (HOSTILE / "duplicate-note-key.yaml").read_text(encoding="utf-8")
    path.write_text(text, encoding="utf-8")
    keeper = AnnotationStore(path)
    with pytest.raises(AnnotationFileError):
        keeper.load()
    with pytest.raises(AnnotationFileError, match="could not be read"):
        keeper.save(make_file(note(2, 9)))
    assert path.read_text(encoding="utf-8") == text


def test_outline_records_with_odd_fields_never_raise() -> None:
    records = [
        {"title": {"a": 1}, "keywords": 5},
        {"title": "Two", "keywords": ["x", 3], "start": {"start": 10**400, "end": 3, "exact": "ab"}},
        {"title": "Three", "start": {"start": "9", "end": None, "exact": 5}},
        {"title": "Four", "start": {"start": 2, "end": 9, "exact": "compute"}},
    ]
    sections = outline_edits.from_records(records, TEXT)
    assert sections is not None
    assert [s.title for s in sections] == ["Chapter 1", "Four"]
    assert sections[0].keywords == ()


# --------------------------------------------------------------------------------------------- merging


def test_a_hand_edit_wins_over_an_unchanged_field_although_updated_is_not_bumped(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    a, b = note(2, 9), note(41, 57)
    save(path, make_file(a, b))
    keeper = AnnotationStore(path)
    mine = keeper.load()
    mine.upsert(b.edited(note="mine", now="2026-11-29T12:00:00Z"))  # an unsaved change in the app
    mine.upsert(a.edited(color="green", now="2026-11-29T12:00:00Z"))  # and another field of `a`
    text = path.read_text(encoding="utf-8")
    assert text.count("note: ''") == 2
    path.write_text(text.replace("note: ''", "note: by hand", 1), encoding="utf-8")  # `a`, first in the file
    merged = keeper.save(mine)
    by_id = {x.id: x for x in merged.annotations}
    assert by_id[a.id].note == "by hand" and by_id[a.id].color == "green"
    assert by_id[b.id].note == "mine"
    assert load(path) == merged


def test_both_sides_changing_one_field_the_newer_wins_other_fields_merge() -> None:
    a = note(2, 9)
    base = make_file(a)
    ours = make_file(a.edited(note="ours", now="2026-11-29T12:00:00Z"))
    theirs = make_file(a.edited(note="theirs", tags=["t"], now="2026-11-29T13:00:00Z"))
    merged = merge(ours, theirs, base).annotations[0]
    assert (merged.note, merged.tags) == ("theirs", ("t",))
    ours = make_file(a.edited(note="ours", now="2026-11-29T14:00:00Z"))
    merged = merge(ours, theirs, base).annotations[0]
    assert (merged.note, merged.tags) == ("ours", ("t",))


def test_an_edit_after_a_deletion_on_the_other_side_wins_with_a_base() -> None:
    a, b = note(2, 9), note(41, 57)
    base = make_file(a, b)
    ours = make_file(a.edited(note="kept"), b)
    theirs = make_file(a, b)
    theirs.remove(a.id, now="2026-11-29T11:00:00Z")
    assert [x.note for x in merge(ours, theirs, base).annotations] == [
        "kept",
        "",
    ]  # edited after the deletion
    older = make_file(a.edited(note="older", now="2026-11-29T10:30:00Z"), b)
    assert [x.id for x in merge(older, theirs, base).annotations] == [b.id]  # deleted after that edit
    untouched = make_file(a, b)
    merged = merge(untouched, theirs, base)
    assert [x.id for x in merged.annotations] == [b.id] and [t.id for t in merged.deleted] == [a.id]


def test_colours_and_unknown_fields_merge_per_key() -> None:
    base = make_file()
    ours, theirs = make_file(), make_file()
    ours.colors = {**base.colors, "yellow": "Ours"}
    theirs.colors = {**base.colors, "blue": "Theirs"}
    ours.extra, theirs.extra = {"mine": 1}, {"their": 2}
    merged = merge(ours, theirs, base)
    assert merged.colors["yellow"] == "Ours" and merged.colors["blue"] == "Theirs"
    assert merged.extra == {"mine": 1, "their": 2}


# --------------------------------------------------------------------------------------------- the file replaced


def test_a_save_keeps_the_file_mode(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    save(path, make_file(note(2, 9)))
    os.chmod(path, 0o600)
    save(path, make_file(note(2, 9), note(41, 57)))
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_a_read_only_file_is_refused_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    save(path, make_file(note(2, 9)))
    before = path.read_bytes()
    os.chmod(path, 0o444)
    with pytest.raises(AnnotationFileError, match="read-only"):
        save(path, make_file(note(41, 57)))
    assert path.read_bytes() == before
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_a_symlink_is_written_through_atomically(tmp_path: Path) -> None:
    synced = tmp_path / "synced"
    synced.mkdir()
    real = synced / "a.yaml"
    save(real, make_file(note(2, 9)))
    link = tmp_path / "annotations" / "a.yaml"
    link.parent.mkdir()
    link.symlink_to(real)
    keeper = AnnotationStore(link)
    content = keeper.load()
    content.upsert(note(41, 57))
    keeper.save(content)
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert len(load(real).annotations) == 2
    assert backup_path(real).exists() and not backup_path(link).exists()


def test_a_save_over_the_size_limit_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "a.yaml"
    save(path, make_file(note(2, 9)))
    before = path.read_bytes()
    monkeypatch.setattr(file_model, "MAX_FILE_BYTES", 2000)
    with pytest.raises(AnnotationFileError, match="over the 0 MB limit|limit of annotation files"):
        save(path, make_file(note(2, 9, note="x" * 3000)))
    assert path.read_bytes() == before


def test_entry_bytes_estimates_the_growth_of_the_file() -> None:
    small, big = make_file(note(2, 9)), make_file(note(2, 9), note(41, 57, note="n" * 500))
    grown = len(store.dump(big).encode()) - len(store.dump(small).encode())
    assert abs(store.entry_bytes(big.annotations[1]) - grown) <= 8


def test_atomic_text_writes_keep_mode_refuse_read_only_and_follow_links(tmp_path: Path) -> None:
    real = tmp_path / "real.md"
    real.write_text("old", encoding="utf-8")
    os.chmod(real, 0o600)
    link = tmp_path / "link.md"
    link.symlink_to(real)
    atomic_file.write_text_atomic(link, "new")
    assert link.is_symlink() and real.read_text(encoding="utf-8") == "new"
    assert stat.S_IMODE(os.stat(real).st_mode) == 0o600
    os.chmod(real, 0o400)
    with pytest.raises(atomic_file.WriteRefused, match="read-only"):
        atomic_file.write_text_atomic(real, "newer")
    assert real.read_text(encoding="utf-8") == "new"
