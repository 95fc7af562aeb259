"""The outline beside the reader: jumping, following the scroll, and every user edit (undoable, persistent)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QPoint, Qt

if TYPE_CHECKING:
    from pathlib import Path


def open_with_outline(harness, seed_path: Path):
    window = harness.start()
    window.resize(1200, 800)
    with harness.qtbot.waitSignal(harness.service.outline_ready, timeout=60_000):
        harness.open(seed_path)
    harness.qtbot.waitUntil(lambda: harness.annotations.ready, timeout=10_000)
    return window


def test_outline_lists_chapters_and_clicking_jumps(harness, seed_path: Path, qtbot) -> None:
    window = open_with_outline(harness, seed_path)
    model = window.outline_panel.model
    assert model.rowCount() >= 8
    assert len(window.chapter_strip.bands()) == model.rowCount()
    row = model.rowCount() // 2
    view = window.outline_panel.view
    rect = view.visualRect(model.index(row, 0))
    with qtbot.waitSignal(window.reader.position_changed, timeout=5000):
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    section = window.session.sections[row]
    assert (
        window.reader.top_offset() <= section.start < window.reader.top_offset() + 200
    )  # its line is at the top
    assert window.session.current_chapter == row
    assert window.outline_panel.current_row() == row


def test_current_chapter_follows_scrolling_and_keys(harness, seed_path: Path, qtbot) -> None:
    window = open_with_outline(harness, seed_path)
    target = window.session.sections[3]
    with qtbot.waitSignal(window.reader.position_changed, timeout=5000):
        window.reader.scroll_to_offset(target.start + 50)
    assert window.outline_panel.current_row() == 3
    window.reader.setFocus()
    with qtbot.waitSignal(window.reader.position_changed, timeout=5000):
        qtbot.keyClick(window.reader, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    assert window.outline_panel.current_row() == 4
    with qtbot.waitSignal(window.reader.position_changed, timeout=5000):
        qtbot.keyClick(window.reader, Qt.Key.Key_Up, Qt.KeyboardModifier.AltModifier)
    assert window.outline_panel.current_row() == 3


def test_rename_split_merge_reset_undo_and_restart(harness, seed_path: Path, qtbot) -> None:
    window = open_with_outline(harness, seed_path)
    model = window.outline_panel.model
    count = model.rowCount()
    view = window.outline_panel.view

    # rename by editing in place (F2, type, Enter)
    view.setFocus()
    view.setCurrentIndex(model.index(1, 0))
    qtbot.keyClick(view, Qt.Key.Key_F2)
    editor = view.focusWidget()
    editor.selectAll()
    qtbot.keyClicks(editor, "Jiu-jitsu competition")
    with qtbot.waitSignal(harness.annotations.outline_changed, timeout=5000):
        qtbot.keyClick(editor, Qt.Key.Key_Return)
    assert window.session.sections[1].title == "Jiu-jitsu competition"
    assert "edited by you" in window.outline_panel.status.text()

    # split at the reading position, then merge back
    middle = window.session.sections[2]
    paragraph = next(
        p for p in window.session.document.readable.paragraphs if p.start > (middle.start + middle.end) // 2
    )
    window.reader.scroll_to_offset(paragraph.start)
    window.outline_panel.split_requested.emit(2)  # Edit › Split chapter
    assert model.rowCount() == count + 1
    assert window.session.sections[3].start == paragraph.start
    window.session.merge_chapter(2)
    assert model.rowCount() == count

    # undo the merge and the split
    window.menu.undo_action.trigger()
    assert model.rowCount() == count + 1
    window.menu.undo_action.trigger()
    assert model.rowCount() == count
    window.menu.redo_action.trigger()
    assert model.rowCount() == count + 1
    assert harness.annotations.flush()

    # restart: the edits are back
    harness.stop()
    window = harness.start()
    with qtbot.waitSignal(harness.annotations.outline_changed, timeout=30_000):
        harness.open(seed_path)
    qtbot.waitUntil(lambda: window.outline_panel.model.rowCount() == count + 1, timeout=60_000)
    assert window.session.sections[1].title == "Jiu-jitsu competition"

    # reset to automatic (the automatic outline may still be on its way after the restart)
    window.session.reset_outline()
    qtbot.waitUntil(lambda: window.outline_panel.model.rowCount() == count, timeout=60_000)
    assert "automatic" in window.outline_panel.status.text()


def test_granularity_changes_the_number_of_chapters(harness, seed_path: Path, qtbot) -> None:
    window = open_with_outline(harness, seed_path)
    count = window.outline_panel.model.rowCount()
    combo = window.outline_panel.granularity
    with qtbot.waitSignal(harness.service.outline_ready, timeout=60_000):
        combo.setCurrentIndex(0)
        combo.activated.emit(0)
    assert window.outline_panel.model.rowCount() < count


def test_outline_model_passes_the_model_tester(harness, seed_path: Path, qtmodeltester) -> None:
    window = open_with_outline(harness, seed_path)
    qtmodeltester.check(window.outline_panel.model)


def test_move_a_chapter_start_and_click_the_chapter_strip(harness, seed_path: Path, qtbot) -> None:
    window = open_with_outline(harness, seed_path)
    row = 3
    section, previous = window.session.sections[row], window.session.sections[row - 1]
    paragraph = next(
        p
        for p in window.session.document.readable.paragraphs
        if previous.start < p.start < section.start and p.start > (previous.start + section.start) // 2
    )
    window.reader.scroll_to_offset(paragraph.start)
    window.outline_panel.move_start_requested.emit(row)  # Edit › Move chapter start here
    assert window.session.sections[row].start == paragraph.start
    assert window.session.sections[row - 1].end == paragraph.start
    window.menu.undo_action.trigger()
    assert window.session.sections[row].start == section.start

    strip = window.chapter_strip
    start_fraction, end_fraction, _title = strip.bands()[5]
    y = int((start_fraction + end_fraction) / 2 * strip.height())
    with qtbot.waitSignal(window.reader.position_changed, timeout=5000):
        qtbot.mouseClick(strip, Qt.MouseButton.LeftButton, pos=QPoint(strip.width() // 2, y))
    assert window.session.current_chapter == 5
