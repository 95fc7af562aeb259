"""Highlighting as a user does it: select words, press a colour key, undo, delete, restart and find it back."""

from __future__ import annotations

from typing import TYPE_CHECKING

import yaml
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QTextCursor

if TYPE_CHECKING:
    from pathlib import Path


def open_ready(harness, seed_path: Path):
    window = harness.start()
    window.resize(1200, 800)
    harness.open(seed_path)
    harness.qtbot.waitUntil(lambda: harness.annotations.ready, timeout=10_000)
    return window


def point_at(window, position: int) -> QPoint:
    cursor = QTextCursor(window.reader.document())
    cursor.setPosition(position)
    return window.reader.cursorRect(cursor).center()


def double_click_word(qtbot, window, word: str) -> None:
    reader = window.reader
    position = reader.toPlainText().index(word)
    reader._scroll_to_position(position, margin_lines=3)  # where the word is on screen
    qtbot.mouseDClick(reader.viewport(), Qt.MouseButton.LeftButton, pos=point_at(window, position + 1))


def select_words(qtbot, window, phrase: str, words: int) -> None:
    """Click before a phrase, then extend the selection word by word with Ctrl+Shift+Right."""
    reader = window.reader
    position = reader.toPlainText().index(phrase)
    reader._scroll_to_position(position, margin_lines=3)  # where the word is on screen
    qtbot.mouseClick(reader.viewport(), Qt.MouseButton.LeftButton, pos=point_at(window, position))
    for _ in range(words):
        qtbot.keyClick(
            reader, Qt.Key.Key_Right, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
        )


def test_select_press_key_undo_redo_delete(harness, seed_path: Path, qtbot) -> None:
    window = open_ready(harness, seed_path)
    window.reader.setFocus()
    select_words(qtbot, window, "fellow Jiu-Jitsu practitioner", 5)
    assert window.reader.textCursor().selectedText().startswith("fellow Jiu-Jitsu practitioner")
    with qtbot.waitSignal(harness.annotations.changed, timeout=3000):
        qtbot.keyClick(window.reader, Qt.Key.Key_2)
    notes = harness.annotations.annotations
    assert len(notes) == 1 and notes[0].color == "green"
    text = window.session.document.transcript.text
    assert text[notes[0].start : notes[0].end].startswith("fellow Jiu-Jitsu practitioner")
    assert [h.color for h in window.reader.highlights()] == ["green"]
    fmt = window.reader.document().findBlock(window.reader.highlights()[0].start)
    assert fmt.isValid()

    qtbot.keyClick(window.reader, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert harness.annotations.annotations == []
    assert window.reader.highlights() == []
    qtbot.keyClick(
        window.reader, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    )
    assert len(harness.annotations.annotations) == 1

    # clicking inside the highlight selects it; Delete removes it
    span = window.reader.highlights()[0]
    point = point_at(window, span.end - 2)  # far from the last click: a single click, not a double one
    with qtbot.waitSignal(window.session.selection_changed, timeout=3000) as blocker:
        qtbot.mouseClick(window.reader.viewport(), Qt.MouseButton.LeftButton, pos=point)
    assert blocker.args == [span.id]
    qtbot.keyClick(window.reader, Qt.Key.Key_Delete)
    assert harness.annotations.annotations == []


def test_highlight_is_saved_to_yaml_and_back_after_restart(harness, seed_path: Path, qtbot) -> None:
    window = open_ready(harness, seed_path)
    double_click_word(qtbot, window, "Zuckerberg")
    window.reader.setFocus()
    qtbot.keyClick(window.reader, Qt.Key.Key_1)
    annotation = harness.annotations.annotations[0]
    harness.annotations.update(annotation.id, note="He is the guest", tags=["people"])
    with qtbot.waitSignal(harness.annotations.saved, timeout=10_000):
        pass  # autosave fires shortly after the change
    path = harness.annotations.path
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert data["document"]["sha256"] == window.session.document.sha256
    entry = data["annotations"][0]
    assert entry["note"] == "He is the guest" and entry["tags"] == ["people"]
    assert entry["target"]["exact"] == "Zuckerberg"

    harness.stop()
    window = harness.start()
    harness.open(seed_path)
    qtbot.waitUntil(lambda: len(harness.annotations.annotations) == 1, timeout=10_000)
    qtbot.waitUntil(lambda: len(window.reader.highlights()) == 1, timeout=5000)
    restored = harness.annotations.annotations[0]
    assert (restored.id, restored.note, restored.tags) == (annotation.id, "He is the guest", ("people",))


def test_corrupt_annotations_file_is_reported_and_never_overwritten(harness, seed_path: Path, qtbot) -> None:
    window = harness.start()
    harness.open(seed_path)
    qtbot.waitUntil(lambda: harness.annotations.ready, timeout=10_000)
    path = harness.annotations.path
    harness.stop()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "format: transcript-reader-annotations\nversion: 1\nannotations: [unclosed\n", encoding="utf-8"
    )
    before = path.read_bytes()

    window = harness.start()
    with qtbot.waitSignal(harness.annotations.load_failed, timeout=10_000):
        harness.open(seed_path)
    assert window.last_error is not None and str(path) in window.last_error.text()
    double_click_word(qtbot, window, "Zuckerberg")
    window.reader.setFocus()
    qtbot.keyClick(window.reader, Qt.Key.Key_1)
    assert harness.annotations.annotations == []
    assert harness.annotations.flush()
    assert path.read_bytes() == before


def test_note_and_tags_typed_in_the_editor_are_saved_and_listed(harness, seed_path: Path, qtbot) -> None:
    window = open_ready(harness, seed_path)
    window.reader.setFocus()
    select_words(qtbot, window, "fellow Jiu-Jitsu practitioner", 3)
    qtbot.keyClick(window.reader, Qt.Key.Key_N)
    annotation_id = window.session.selected_annotation
    assert annotation_id and window.note_editor.note.hasFocus()
    with qtbot.waitSignal(window.note_editor.note_edited, timeout=5000):
        qtbot.keyClicks(window.note_editor.note, "Mark trains in his garage")
    qtbot.keyClicks(window.note_editor.tags, "sport, people")
    qtbot.keyClick(window.note_editor.tags, Qt.Key.Key_Return)
    annotation = harness.annotations.find(annotation_id)
    assert annotation.note == "Mark trains in his garage" and annotation.tags == ("sport", "people")
    assert window.annotations_panel.model.annotations()[0].note == "Mark trains in his garage"
    assert [h.note for h in window.reader.highlights()] == ["Mark trains in his garage"]
    window.close()  # flushes the note editor and saves
    data = yaml.safe_load(harness.annotations.path.read_text(encoding="utf-8"))
    assert data["annotations"][0]["note"] == "Mark trains in his garage"


def test_activating_an_annotation_in_the_panel_scrolls_the_reader(harness, seed_path: Path, qtbot) -> None:
    window = open_ready(harness, seed_path)
    text = window.session.document.transcript.text
    start = text.index("rear naked choke") if "rear naked choke" in text else len(text) // 2
    annotation = harness.annotations.add(start, start + 10, "blue")
    before = window.reader.verticalScrollBar().value()
    with qtbot.waitSignal(window.reader.position_changed, timeout=5000):
        window.annotations_panel.annotation_activated.emit(annotation.id)
    assert window.reader.verticalScrollBar().value() > before + 1000
    assert window.session.selected_annotation == annotation.id


def test_export_from_the_window_writes_markdown_and_json(
    harness, seed_path: Path, qtbot, tmp_path: Path
) -> None:
    window = open_ready(harness, seed_path)
    text = window.session.document.transcript.text
    start = text.index("Jiu-Jitsu")
    harness.annotations.add(start, start + 9, "green", note="the sport", tags=["sport"])
    markdown, web = tmp_path / "notes.md", tmp_path / "notes.json"
    window.session.export(str(markdown), "markdown")
    window.session.export(str(web), "json")
    qtbot.waitUntil(lambda: markdown.exists() and web.exists(), timeout=10_000)
    assert "> **Host:** Jiu-Jitsu" in markdown.read_text(encoding="utf-8")  # with who said it
    assert "the sport" in markdown.read_text(encoding="utf-8")
    assert '"TextPositionSelector"' in web.read_text(encoding="utf-8")
