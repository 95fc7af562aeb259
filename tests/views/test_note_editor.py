"""The note editor: debounced note edits, tags, colour buttons, and no echo of programmatic changes."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit

from desktop_app.annotations.model import Annotation
from desktop_app.views.note_editor import HINT, NoteEditor, TagCompleter, parse_tags

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = [pytest.mark.qt_log_level_fail("WARNING"), pytest.mark.qt_log_ignore("propagateSizeHints")]

TEXT = "the metaverse is a set of digital spaces where you can feel present with other people"
COLORS = {
    "yellow": "Key idea",
    "green": "Quote",
    "blue": "Question",
    "pink": "Disagree",
    "purple": "Follow up",
}


def make(word: str, note: str = "", tags: tuple[str, ...] = (), color: str = "yellow") -> Annotation:
    start = TEXT.index(word)
    return Annotation.create(TEXT, start, start + len(word), color=color, note=note, tags=tags)


@pytest.fixture
def editor(qtbot) -> NoteEditor:
    widget = NoteEditor()
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    widget.activateWindow()
    qtbot.waitUntil(widget.isActiveWindow)
    return widget


def test_parse_tags() -> None:
    assert parse_tags(" ai,  #vr , ,ai, open source ") == ["ai", "vr", "open source"]
    assert parse_tags("") == [] and parse_tags(" , ") == []


def test_disabled_with_a_hint_when_nothing_is_selected(editor: NoteEditor) -> None:
    assert editor.hint.isVisible() and editor.hint.text() == HINT
    assert not editor.note.isEnabled() and not editor.tags.isEnabled()
    editor.set_annotation(make("metaverse"), COLORS, [])
    assert not editor.hint.isVisible() and editor.note.isEnabled()
    assert "metaverse" in editor.quote.text()
    editor.set_annotation(None)
    assert editor.hint.isVisible() and not editor.note.isEnabled() and editor.note.toPlainText() == ""


def test_programmatic_set_emits_nothing(qtbot, editor: NoteEditor) -> None:
    first, second = make("metaverse", "a note", ("vr",)), make("digital spaces", "other", ("web",), "blue")
    signals = (editor.note_edited, editor.tags_edited, editor.color_requested, editor.delete_requested)
    with (
        qtbot.assertNotEmitted(signals[0], wait=0),
        qtbot.assertNotEmitted(signals[1], wait=0),
        qtbot.assertNotEmitted(signals[2], wait=0),
    ):
        editor.set_annotation(first, COLORS, ["vr", "web"])
        editor.set_annotation(second, COLORS, ["vr", "web"])
        editor.set_annotation(dataclasses.replace(second, note="changed elsewhere"), COLORS, [])
        editor.set_annotation(None)
        assert not editor.pending()
    editor.set_annotation(second, COLORS, [])
    assert editor.note.toPlainText() == "other" and editor.tags.text() == "web"
    assert editor.color_buttons["blue"].isChecked() and not editor.color_buttons["yellow"].isChecked()


def test_typing_emits_the_note_once_after_a_pause(qtbot, editor: NoteEditor) -> None:
    annotation = make("metaverse")
    editor.set_annotation(annotation, COLORS, [])
    edits: list[tuple[str, str]] = []
    editor.note_edited.connect(lambda *args: edits.append(args))
    editor.note.setFocus()
    with qtbot.waitSignal(editor.note_edited, timeout=5000) as blocker:
        qtbot.keyClicks(editor.note, "Zuck on VR")
        assert edits == [] and editor.pending()  # nothing per keystroke
    assert blocker.args == [annotation.id, "Zuck on VR"]
    assert edits == [(annotation.id, "Zuck on VR")]
    with qtbot.assertNotEmitted(editor.note_edited, wait=800):
        pass


def test_focus_out_emits_at_once(qtbot, editor: NoteEditor) -> None:
    annotation = make("metaverse")
    editor.set_annotation(annotation, COLORS, [])
    editor._timer.setInterval(600_000)  # only focus-out can emit in this test
    editor.note.setFocus()
    qtbot.waitUntil(editor.note.hasFocus)
    qtbot.keyClicks(editor.note, "hello")
    with qtbot.waitSignal(editor.note_edited, timeout=2000) as blocker:
        editor.tags.setFocus()
    assert blocker.args == [annotation.id, "hello"]
    with qtbot.assertNotEmitted(editor.note_edited, wait=0):
        editor.note.setFocus()
        editor.tags.setFocus()  # nothing new


def test_switching_annotation_flushes_the_pending_note_for_the_old_one(qtbot, editor: NoteEditor) -> None:
    first, second = make("metaverse"), make("digital spaces", "theirs")
    editor.set_annotation(first, COLORS, [])
    qtbot.keyClicks(editor.note, "mine")
    with qtbot.waitSignal(editor.note_edited, timeout=1000) as blocker:
        editor.set_annotation(second, COLORS, [])
    assert blocker.args == [first.id, "mine"]
    assert editor.note.toPlainText() == "theirs" and not editor.pending()


def test_a_round_trip_does_not_clobber_typing(qtbot, editor: NoteEditor) -> None:
    annotation = make("metaverse", "start")
    editor.set_annotation(annotation, COLORS, [])
    editor.note.moveCursor(editor.note.textCursor().MoveOperation.End)
    with qtbot.waitSignal(editor.note_edited, timeout=5000) as blocker:
        qtbot.keyClicks(editor.note, " one")
    assert blocker.args == [annotation.id, "start one"]
    qtbot.keyClicks(editor.note, " two")  # typed while the save of "start one" comes back
    editor.set_annotation(annotation.edited(note="start one"), COLORS, [])
    editor.set_annotation(annotation.edited(note="start one", tags=("x",)), COLORS, ["x"])
    assert editor.note.toPlainText() == "start one two" and editor.pending()
    assert editor.note.textCursor().position() == len("start one two")
    editor.set_annotation(annotation.edited(note="undone"), COLORS, [])  # a real change (undo) wins
    assert editor.note.toPlainText() == "undone" and not editor.pending()


def test_tags_emitted_on_enter_parsed_and_not_echoed(qtbot, editor: NoteEditor) -> None:
    annotation = make("metaverse", tags=("vr",))
    editor.set_annotation(annotation, COLORS, ["vr", "ai", "open source"])
    editor.tags.setFocus()
    editor.tags.setText("vr, #ai ,, vr, open source")
    with qtbot.waitSignal(editor.tags_edited) as blocker:
        qtbot.keyClick(editor.tags, Qt.Key.Key_Return)
    assert blocker.args == [annotation.id, ["vr", "ai", "open source"]]
    assert editor.tags.text() == "vr, ai, open source"
    with qtbot.assertNotEmitted(editor.tags_edited, wait=0):
        qtbot.keyClick(editor.tags, Qt.Key.Key_Return)  # unchanged
        editor.set_annotation(annotation.edited(tags=("vr", "ai", "open source")), COLORS, [])
        editor.note.setFocus()
    assert editor.tags.text() == "vr, ai, open source"


def test_tag_completer_completes_the_last_tag(qapp) -> None:
    field = QLineEdit()
    completer = TagCompleter()
    field.setCompleter(completer)
    completer.set_tags(["open source", "ai", "Vr", "ai"])
    assert completer.tags() == ["ai", "open source", "Vr"]
    field.setText("ai, op")
    assert completer.splitPath(field.text()) == ["op"]
    completer.setCompletionPrefix("op")
    assert completer.pathFromIndex(completer.currentIndex()) == "ai, open source"


def test_colour_buttons_and_delete(qtbot, editor: NoteEditor) -> None:
    annotation = make("metaverse", color="green")
    editor.set_annotation(annotation, {**COLORS, "pink": "Nope"}, [])
    assert editor.color_buttons["green"].isChecked()
    assert editor.color_buttons["pink"].toolTip().startswith("Nope")
    with qtbot.waitSignal(editor.color_requested) as blocker:
        editor.color_buttons["pink"].click()
    assert blocker.args == [annotation.id, "pink"]
    with qtbot.waitSignal(editor.delete_requested) as deleted:
        editor.delete_button.click()
    assert deleted.args == [annotation.id]
    editor.set_annotation(None)
    with qtbot.assertNotEmitted(editor.color_requested, wait=0):
        editor.color_buttons["pink"].click()  # disabled: nothing


def test_flush_before_quit(qtbot, editor: NoteEditor) -> None:
    annotation = make("metaverse")
    editor.set_annotation(annotation, COLORS, [])
    qtbot.keyClicks(editor.note, "last words")
    with qtbot.waitSignal(editor.note_edited, timeout=1000) as blocker:
        editor.flush()
    assert blocker.args == [annotation.id, "last words"] and not editor.pending()


def test_wired_to_the_annotation_service_typing_survives_round_trips(
    qtbot, editor: NoteEditor, tmp_path: Path
) -> None:
    """The wiring the main window uses: edits go to the service, its ``changed`` comes back to the editor."""
    import hashlib

    from desktop_app.annotations.service import AnnotationService
    from desktop_app.tasks import TaskRunner

    tasks = TaskRunner()
    service = AnnotationService(tasks)
    try:
        with qtbot.waitSignal(service.loaded, timeout=10_000):
            service.attach(
                TEXT,
                "Sample",
                hashlib.sha256(TEXT.encode()).hexdigest(),
                str(tmp_path / "t.txt"),
                tmp_path / "annotations",
            )
        annotation = service.add(4, 13, "blue")

        def refresh() -> None:
            current = service.find(annotation.id)
            editor.set_annotation(
                current, service.colors, sorted({t for a in service.annotations for t in a.tags})
            )

        service.changed.connect(refresh)
        editor.note_edited.connect(lambda annotation_id, text: service.update(annotation_id, note=text))
        editor.tags_edited.connect(lambda annotation_id, tags: service.update(annotation_id, tags=tags))
        refresh()
        editor._timer.setInterval(600_000)  # only flush() emits: the order of events is fixed
        editor.note.setFocus()
        qtbot.keyClicks(editor.note, "abc")
        editor.flush()
        assert service.find(annotation.id).note == "abc"
        qtbot.keyClicks(editor.note, " def")  # typing on while "abc" is applied and saved
        with qtbot.waitSignal(service.saved, timeout=5000):
            service.update(annotation.id, tags=["vr"])  # another change comes back through `changed`
        assert editor.note.toPlainText() == "abc def" and editor.tags.text() == "vr" and editor.pending()
        editor.flush()
        assert service.find(annotation.id).note == "abc def"
        service.undo_stack.undo()  # an undo is a real change: the editor shows it
        assert editor.note.toPlainText() == "abc"
    finally:
        tasks.wait()
