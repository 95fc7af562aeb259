"""Quitting when the highlights cannot be saved: the user is asked, and nothing is lost unless they say so."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from PySide6.QtWidgets import QMessageBox

from desktop_app.annotations import store
from desktop_app.views import dialogs

if TYPE_CHECKING:
    from pathlib import Path


def _window_with_a_failing_disk(harness, seed_path: Path, monkeypatch):
    window = harness.start()
    harness.open(seed_path)
    harness.qtbot.waitUntil(lambda: harness.annotations.ready, timeout=10_000)
    notes = harness.annotations
    notes.add(10, 30, "green", note="kept in memory")

    def full_disk() -> bool:
        notes.save_failed.emit("Your annotations could not be saved: No space left on device")
        return False

    monkeypatch.setattr(notes, "flush", full_disk)
    return window


def _question(window) -> QMessageBox:
    boxes = [b for b in window.findChildren(QMessageBox) if b.isVisible()]
    assert len(boxes) == 1, [b.windowTitle() for b in boxes]  # the question only, no second error box
    assert "No space left on device" in boxes[0].text()
    return boxes[0]


def _click(box: QMessageBox, label: str) -> None:
    button = next(b for b in box.buttons() if b.text().replace("&", "") == label)
    button.click()


def test_cancel_keeps_the_window_and_the_unsaved_highlight(harness, seed_path: Path, monkeypatch) -> None:
    window = _window_with_a_failing_disk(harness, seed_path, monkeypatch)
    window.close()
    assert window.isVisible()
    _click(_question(window), "Cancel")
    assert window.isVisible()
    assert [a.note for a in harness.annotations.annotations] == ["kept in memory"]
    monkeypatch.undo()  # the disk has room again: now the window closes and saves
    window.close()
    assert not window.isVisible()


@pytest.mark.parametrize("answer", ["Quit Without Saving", "Save a Copy…"])
def test_quit_or_save_a_copy_then_quit(
    harness, seed_path: Path, monkeypatch, tmp_path: Path, answer: str
) -> None:
    window = _window_with_a_failing_disk(harness, seed_path, monkeypatch)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    copy = elsewhere / harness.annotations.path.name
    monkeypatch.setattr(dialogs, "choose_copy_folder", lambda _parent, _suggested: str(elsewhere))
    window.close()
    _click(_question(window), answer)
    harness.qtbot.waitUntil(lambda: not window.isVisible(), timeout=5000)
    if answer == "Save a Copy…":
        assert [a.note for a in store.load(copy).annotations] == ["kept in memory"]
    else:
        assert not copy.exists()
