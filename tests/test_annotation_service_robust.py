"""Issue 16 on the annotation service: nothing lost to a second writer, a hand edit, a full disk or a
read-only file; changes that would make the file too big are refused before they are made."""

from __future__ import annotations

import errno
import os
from typing import TYPE_CHECKING

import pytest
import shiboken6

from desktop_app.annotations import file_model, store
from desktop_app.annotations.model import Annotation
from desktop_app.annotations.service import AnnotationError, AnnotationService
from desktop_app.tasks import TaskRunner

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path

TEXT = "we talk about open source models and about jiu-jitsu and about the metaverse " * 30
OTHER_TEXT = "a second episode about llamas and about threads and about glasses " * 30
SHA, OTHER_SHA = "f" * 64, "e" * 64


@pytest.fixture
def tasks() -> Iterator[TaskRunner]:
    runner = TaskRunner()
    yield runner
    runner.wait()


@pytest.fixture
def make_service(qtbot, tasks: TaskRunner, tmp_path: Path) -> Iterator[Callable[[], AnnotationService]]:
    made: list[AnnotationService] = []

    def make() -> AnnotationService:
        service = AnnotationService(tasks)
        with qtbot.waitSignal(service.loaded, timeout=10_000):
            service.attach(TEXT, "Test episode", SHA, str(tmp_path / "episode.txt"), tmp_path / "annotations")
        made.append(service)
        return service

    yield make
    for service in made:
        service.close()
    tasks.wait()
    for service in made:
        shiboken6.delete(service)


def span(word: str, text: str = TEXT, nth: int = 0) -> tuple[int, int]:
    start = -1
    for _ in range(nth + 1):
        start = text.index(word, start + 1)
    return start, start + len(word)


def test_edits_made_while_a_merging_save_runs_keep_the_other_writers_work(make_service, qtbot) -> None:
    service = make_service()
    with qtbot.waitSignal(service.saved, timeout=10_000):
        first = service.add(*span("open source"), "yellow")
    # another instance writes: a highlight, a colour name and an outline edit
    other = store.AnnotationStore(service.path)
    theirs = other.load()
    added = Annotation.create(TEXT, *span("jiu-jitsu"), note="from the other window")
    theirs.upsert(added)
    theirs.colors["blue"] = "Their meaning"
    theirs.outline = [{"title": "Their chapter", "keywords": []}]
    other.save(theirs)
    service.save_soon()  # merges their file in, on the worker...
    during = service.add(*span("metaverse"), "pink")  # ...while the user keeps editing
    with qtbot.waitSignal(service.saved, timeout=10_000):
        pass
    assert service.flush()
    on_disk = store.load(service.path)
    assert {a.id for a in on_disk.annotations} == {first.id, added.id, during.id}
    assert on_disk.colors["blue"] == "Their meaning"
    assert on_disk.outline == [{"title": "Their chapter", "keywords": []}]
    assert {a.id for a in service.annotations} == {first.id, added.id, during.id}
    assert service.colors["blue"] == "Their meaning"
    assert service.outline_records == on_disk.outline


def test_two_app_instances_editing_alternately_lose_nothing(make_service, qtbot) -> None:
    one, two = make_service(), make_service()
    ids = set()
    for round_number in range(4):
        for service, word in ((one, "about"), (two, "the")):
            ids.add(service.add(*span(word, nth=round_number * 2 + (service is two)), "yellow").id)
            service.save_soon()
        one.set_color_meaning("green", f"round {round_number}")
    assert one.flush() and two.flush() and one.flush()
    assert {a.id for a in store.load(one.path).annotations} == ids
    assert store.load(one.path).colors["green"] == "round 3"


def test_a_hand_edit_made_during_unsaved_changes_is_kept(make_service, qtbot) -> None:
    service = make_service()
    with qtbot.waitSignal(service.saved, timeout=10_000):
        edited = service.add(*span("open source"), "yellow", note="before")
    text = service.path.read_text(encoding="utf-8")
    added = service.add(*span("metaverse"), "blue")  # unsaved
    service.path.write_text(text.replace("note: before", "note: typed in an editor"), encoding="utf-8")
    assert service.flush()
    on_disk = store.load(service.path)
    assert on_disk.find(edited.id).note == "typed in an editor"
    assert on_disk.find(added.id) is not None
    assert service.find(edited.id).note == "typed in an editor"


def test_unsaved_changes_survive_a_failed_save_when_switching_documents(
    make_service, qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    service = make_service()
    first_path = service.path
    service.add(*span("open source"), "yellow", note="must not be lost")

    def no_space(*_args: object, **_kwargs: object) -> int:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "write", no_space)
    with qtbot.waitSignal(service.save_failed, timeout=10_000) as failed:
        service.attach(
            OTHER_TEXT, "Other episode", OTHER_SHA, str(tmp_path / "other.txt"), tmp_path / "annotations"
        )
    assert "disk is full" in failed.args[0]
    qtbot.waitUntil(lambda: service.ready, timeout=10_000)
    assert service.has_unsaved_changes and service.unsaved_documents() == [first_path]
    assert not service.flush()  # still full: the quit dialog asks
    assert service.has_unsaved_changes and "disk is full" in (service.last_save_error or "")
    monkeypatch.undo()
    assert service.flush()
    assert not service.has_unsaved_changes
    assert [a.note for a in store.load(first_path).annotations] == ["must not be lost"]


def test_reopening_a_document_whose_save_failed_brings_its_changes_back(
    make_service, qtbot, tmp_path: Path
) -> None:
    service = make_service()
    with qtbot.waitSignal(service.saved, timeout=10_000):
        service.add(*span("open source"), "yellow")
    os.chmod(service.path, 0o444)
    kept = service.add(*span("metaverse"), "blue", note="kept")
    with qtbot.waitSignal(service.save_failed, timeout=10_000):
        service.attach(
            OTHER_TEXT, "Other episode", OTHER_SHA, str(tmp_path / "other.txt"), tmp_path / "annotations"
        )
    with qtbot.waitSignal(service.loaded, timeout=10_000):
        service.attach(TEXT, "Test episode", SHA, str(tmp_path / "episode.txt"), tmp_path / "annotations")
    assert service.find(kept.id) is not None and service.dirty
    os.chmod(service.path, 0o644)
    assert service.flush() and store.load(service.path).find(kept.id) is not None


def test_a_read_only_file_at_quit_can_be_saved_elsewhere(make_service, qtbot, tmp_path: Path) -> None:
    service = make_service()
    with qtbot.waitSignal(service.saved, timeout=10_000):
        service.add(*span("open source"), "yellow")
    before = service.path.read_bytes()
    os.chmod(service.path, 0o444)
    added = service.add(*span("metaverse"), "blue")
    with qtbot.waitSignal(service.save_failed, timeout=10_000) as failed:
        assert not service.flush()
    assert "read-only" in failed.args[0] and service.has_unsaved_changes
    assert service.path.read_bytes() == before
    copies = service.save_unsaved_to(tmp_path / "elsewhere")
    assert copies == [tmp_path / "elsewhere" / service.path.name]
    assert store.load(copies[0]).find(added.id) is not None
    copy = service.save_copy(tmp_path / "copy.yaml")
    assert len(store.load(copy).annotations) == 2
    os.chmod(service.path, 0o644)


def test_a_change_that_would_pass_the_size_limit_is_refused(
    make_service, monkeypatch: pytest.MonkeyPatch
) -> None:
    service = make_service()
    service.add(*span("open source"), "yellow")
    monkeypatch.setattr(file_model, "MAX_FILE_BYTES", 3000)
    with pytest.raises(AnnotationError, match="limit"):
        service.add(*span("metaverse"), "blue", note="n" * 3000)
    assert len(service.annotations) == 1
    first = service.annotations[0]
    with pytest.raises(AnnotationError, match="limit"):
        service.update(first.id, note="n" * 3000)
    assert service.find(first.id).note == ""
    service.update(first.id, note="short")  # a small change still fits
    assert service.flush()


def test_not_ready_raises_the_named_error(qtbot, tasks: TaskRunner) -> None:
    service = AnnotationService(tasks)
    with pytest.raises(AnnotationError, match="still loading"):
        service.add(0, 3, "yellow")
    assert isinstance(AnnotationError("x"), RuntimeError)
    shiboken6.delete(service)
