"""The Qt annotation service: autosave, undo/redo, external edits, failures that lose nothing."""

from __future__ import annotations

import errno
import os
from typing import TYPE_CHECKING

import pytest
import shiboken6

from desktop_app.annotations import store
from desktop_app.annotations.model import Annotation
from desktop_app.annotations.service import AnnotationService
from desktop_app.tasks import TaskRunner

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

TEXT = "we talk about open source models and about jiu-jitsu and about the metaverse " * 30
SHA = "f" * 64


@pytest.fixture
def service(qtbot, tmp_path: Path) -> Iterator[AnnotationService]:
    tasks = TaskRunner()
    notes = AnnotationService(tasks)
    with qtbot.waitSignal(notes.loaded, timeout=10_000):
        notes.attach(TEXT, "Test episode", SHA, str(tmp_path / "episode.txt"), tmp_path / "annotations")
    yield notes
    notes.close()
    tasks.wait()
    shiboken6.delete(notes)  # on this (the GUI) thread, not wherever the cyclic GC happens to run


def test_changes_are_autosaved_without_a_save_button(service: AnnotationService, qtbot) -> None:
    start = TEXT.index("open source")
    with qtbot.waitSignal(service.saved, timeout=10_000):
        annotation = service.add(start, start + 11, "green", note="key point", tags=["ai"])
    saved = store.load(service.path)
    assert saved.find(annotation.id).note == "key point"
    assert saved.document.sha256 == SHA
    assert not service.dirty


def test_undo_and_redo_every_kind_of_change(service: AnnotationService) -> None:
    start = TEXT.index("metaverse")
    annotation = service.add(start, start + 9, "yellow")
    service.update(annotation.id, note="a note")
    service.update(annotation.id, color="pink")
    service.remove(annotation.id)
    assert service.annotations == []
    service.undo_stack.undo()
    assert service.find(annotation.id).color == "pink"
    service.undo_stack.undo()
    assert service.find(annotation.id).color == "yellow"
    service.undo_stack.undo()
    assert service.find(annotation.id).note == ""
    service.undo_stack.undo()
    assert service.annotations == []
    for _ in range(4):
        service.undo_stack.redo()
    assert service.annotations == []
    service.set_color_meaning("blue", "Surprising")
    assert service.colors["blue"] == "Surprising"
    service.undo_stack.undo()
    assert service.colors["blue"] != "Surprising"


def test_an_edit_made_outside_the_app_is_picked_up(service: AnnotationService, qtbot) -> None:
    start = TEXT.index("open source")
    with qtbot.waitSignal(service.saved, timeout=10_000):
        ours = service.add(start, start + 4, "yellow")
    other = store.load(service.path)
    theirs = Annotation.create(
        TEXT, TEXT.index("jiu-jitsu"), TEXT.index("jiu-jitsu") + 9, note="from elsewhere"
    )
    other.annotations.append(theirs)
    with qtbot.waitSignal(service.changed, timeout=10_000):
        store.save(service.path, other)
    assert {a.id for a in service.annotations} == {ours.id, theirs.id}


def test_a_full_disk_reports_keeps_the_data_and_the_old_file(
    service: AnnotationService, qtbot, monkeypatch: pytest.MonkeyPatch
) -> None:
    start = TEXT.index("open source")
    with qtbot.waitSignal(service.saved, timeout=10_000):
        service.add(start, start + 4, "yellow")
    before = service.path.read_bytes()

    def no_space(*_args: object, **_kwargs: object) -> int:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "write", no_space)
    with qtbot.waitSignal(service.save_failed, timeout=10_000) as blocker:
        service.add(start + 5, start + 11, "blue")
    assert "could not be saved" in blocker.args[0]
    assert service.path.read_bytes() == before
    assert len(service.annotations) == 2 and service.dirty
    monkeypatch.undo()
    assert service.flush()
    assert len(store.load(service.path).annotations) == 2


def test_a_broken_file_is_reported_and_never_written(qtbot, tmp_path: Path) -> None:
    folder = tmp_path / "annotations"
    folder.mkdir()
    broken = store.annotations_path(folder, "Test episode", SHA)
    broken.write_text(
        "format: transcript-reader-annotations\nversion: 1\nannotations:\n  - {id: 1, color: [\n"
    )
    before = broken.read_bytes()
    tasks = TaskRunner()
    service = AnnotationService(tasks)
    with qtbot.waitSignal(service.load_failed, timeout=10_000) as blocker:
        service.attach(TEXT, "Test episode", SHA, str(tmp_path / "episode.txt"), folder)
    assert str(broken) in blocker.args[0]
    with pytest.raises(RuntimeError):
        service.add(0, 5, "yellow")
    assert service.close()
    tasks.wait()
    shiboken6.delete(service)
    assert broken.read_bytes() == before
