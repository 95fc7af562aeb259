"""Correcting who speaks in the real window: rename, reassign, split; undo; the corrections survive a restart."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QComboBox, QDialogButtonBox, QMenu

from desktop_app.annotations import store
from desktop_app.views.annotations_model import ROLE_POSITION

if TYPE_CHECKING:
    from pathlib import Path

GUEST = "Mark Zuckerberg"


def open_seed(harness, seed_path: Path):
    window = harness.start()
    window.resize(1200, 800)
    with harness.qtbot.waitSignal(harness.annotations.speakers_changed, timeout=60_000):
        harness.open(seed_path)
    return window


def point_at(window, offset: int) -> QPoint:
    """The viewport point of a document offset, scrolled into view."""
    reader = window.reader
    reader.scroll_to_offset(offset, margin_lines=3)
    cursor = QTextCursor(reader.document())
    cursor.setPosition(reader._display(offset))
    return reader.cursorRect(cursor).center()


def context_action(window, point: QPoint, *path: str):
    """The action at ``path`` (menu titles, then the item) of the reader's context menu at ``point``."""
    menu = window.reader.context_menu_at(point)
    for title in path[:-1]:
        menu = next(
            a.menu()
            for a in menu.actions()
            if isinstance(a.menu(), QMenu) and a.text().replace("&", "") == title
        )
    return next(a for a in menu.actions() if a.text() == path[-1])


def click_ok(qtbot, dialog) -> None:
    buttons = dialog.findChild(QDialogButtonBox)
    qtbot.mouseClick(buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)


def test_rename_reassign_split_undo_and_restart(harness, seed_path: Path, qtbot) -> None:
    window = open_seed(harness, seed_path)
    session, notes = window.session, harness.annotations
    host = session.speakers[0]
    assert set(session.speakers) == {host, GUEST} and host in ("Host", "Lex Fridman")
    paragraphs = session.document.readable.paragraphs
    count = len(paragraphs)

    # rename the host from the context menu of one of their paragraphs, in the dialog
    first_host = next(p for p in paragraphs if p.speaker == host)
    rename = context_action(window, point_at(window, first_host.start + 5), "Speaker", f"Rename “{host}”…")
    rename.trigger()
    dialog = window.speaker_menu.dialog
    assert dialog.speaker.currentText() == host
    dialog.name.clear()
    qtbot.keyClicks(dialog.name, "Lex Fridman")
    with qtbot.waitSignal(session.speakers_changed, timeout=5000):
        click_ok(qtbot, dialog)
    assert session.speakers == ("Lex Fridman", GUEST)
    assert host not in window.reader.speaker_labels() or host == "Lex Fridman"
    assert "Lex Fridman" in window.reader.speaker_labels()

    # reassign a guest paragraph to the host: Speaker ▸ Lex Fridman (from its label)
    guest = [p for p in session.document.readable.paragraphs if p.speaker == GUEST][2]
    label_point = point_at(window, guest.start) - QPoint(40, 0)  # on the label, left of the first word
    assert window.reader.offset_at(label_point) == guest.start
    with qtbot.waitSignal(session.speakers_changed, timeout=5000):
        context_action(window, label_point, "Speaker", "Lex Fridman").trigger()
    assert session.speaker_at(guest.start) == "Lex Fridman"

    # split a long paragraph at the cursor into a new turn (Ctrl+Return, then a new name in the dialog)
    long = max(session.document.readable.paragraphs, key=lambda p: p.end - p.start)
    text = session.document.text
    cut = text.index(" ", (long.start + long.end) // 2) + 1
    window.reader.scroll_to_offset(long.start)
    window.reader.select_range(cut, cut)
    window.reader.setFocus()
    qtbot.keyClick(window.reader, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    dialog = window.speaker_menu.dialog
    assert dialog is not None and dialog.windowTitle() == "Split Turn"
    combo = dialog.findChild(QComboBox)
    combo.lineEdit().clear()
    qtbot.keyClicks(combo.lineEdit(), "Producer")
    with qtbot.waitSignal(session.speakers_changed, timeout=5000):
        click_ok(qtbot, dialog)
    readable = session.document.readable
    assert len(readable.paragraphs) == count + 1
    assert session.speaker_at(cut) == "Producer" and session.speaker_at(cut - 2) == long.speaker
    assert next(p for p in readable.paragraphs if p.start == cut).speaker == "Producer"
    assert "Producer" in window.reader.speaker_labels()
    assert window.speaker_menu.speakers == ("Lex Fridman", GUEST, "Producer")
    assert window.reader.cursor_offset() == cut  # the cursor stays: the next split is one key away
    head = next(p for p in reversed(readable.paragraphs) if p.end < cut)
    assert head.sentences[-1].mark in (
        ".",
        "?",
        "!",
        "—",
    )  # cut off mid-sentence: a dash, as transcripts write it
    assert "—" in session.document.display.text or head.sentences[-1].mark != "—"

    # undo the split, then redo it (Edit › Undo / Redo: the same stack as highlights and chapters)
    assert window.menu.undo_action.text() == "&Undo Split turn"
    with qtbot.waitSignal(session.speakers_changed, timeout=5000):
        window.menu.undo_action.trigger()
    assert len(session.document.readable.paragraphs) == count
    assert "Producer" not in window.reader.speaker_labels()
    with qtbot.waitSignal(session.speakers_changed, timeout=5000):
        window.menu.redo_action.trigger()
    assert "Producer" in window.reader.speaker_labels()
    labels = window.reader.speaker_labels()
    assert notes.flush()
    path = notes.path

    # the file holds them, anchored like highlights
    saved = store.load(path).speakers
    assert saved["renames"] == {host: "Lex Fridman"} or host == "Lex Fridman"
    turns = saved["turns"]
    assert [(t["speaker"], t["split"]) for t in turns] == [("Lex Fridman", False), ("Producer", True)]
    assert turns[1]["at"]["start"] == cut and text[cut:].startswith(turns[1]["at"]["exact"])

    # restart on the same data folder: the corrections are back
    harness.stop()
    window = open_seed(harness, seed_path)
    qtbot.waitUntil(lambda: window.reader.speaker_labels() == labels, timeout=10_000)
    session = window.session
    assert session.speakers == ("Lex Fridman", GUEST, "Producer")
    assert session.speaker_at(guest.start) == "Lex Fridman" and session.speaker_at(cut) == "Producer"
    assert len(session.document.readable.paragraphs) == count + 1

    # Edit › Speakers › Reset Speaker Corrections, undoable
    with qtbot.waitSignal(session.speakers_changed, timeout=5000):
        window.speaker_menu.reset_action.trigger()
    assert session.speakers == (host, GUEST) and len(session.document.readable.paragraphs) == count
    with qtbot.waitSignal(session.speakers_changed, timeout=5000):
        window.menu.undo_action.trigger()
    assert session.speakers == ("Lex Fridman", GUEST, "Producer")


def test_search_results_highlights_and_exports_name_the_corrected_speaker(
    harness, seed_path: Path, qtbot, tmp_path: Path
) -> None:
    window = open_seed(harness, seed_path)
    session = window.session
    first_guest = next(p for p in session.document.readable.paragraphs if p.speaker == GUEST)
    window.reader.select_range(first_guest.start + 3, first_guest.start + 3)
    window.speaker_menu.rename_action.trigger()  # Edit › Speakers › Rename Speaker…: the speaker at the cursor
    dialog = window.speaker_menu.dialog
    assert dialog.speaker.currentText() == GUEST and dialog.name.text() == GUEST
    qtbot.keyClicks(dialog.name, "Mark")  # the name is selected: typing replaces it
    with qtbot.waitSignal(session.speakers_changed, timeout=5000):
        qtbot.keyClick(dialog.name, Qt.Key.Key_Return)
    assert "Mark" in session.speakers

    # Edit › Speakers › Change Speaker of Paragraph…: a new name typed in the dialog, then undone
    window.reader.select_range(first_guest.start + 3, first_guest.start + 3)
    window.speaker_menu.assign_action.trigger()
    dialog = window.speaker_menu.dialog
    combo = dialog.findChild(QComboBox)
    assert combo.currentText() == "Mark"
    combo.lineEdit().selectAll()
    qtbot.keyClicks(combo.lineEdit(), "Interpreter")
    with qtbot.waitSignal(session.speakers_changed, timeout=5000):
        click_ok(qtbot, dialog)
    assert session.speaker_at(first_guest.start) == "Interpreter"
    with qtbot.waitSignal(session.speakers_changed, timeout=5000):
        window.menu.undo_action.trigger()
    assert session.speaker_at(first_guest.start) == "Mark"
    paragraph = next(p for p in session.document.readable.paragraphs if p.speaker == "Mark")
    highlight = session.highlight(paragraph.start, paragraph.start + 20, "yellow")
    assert highlight is not None
    assert session.annotation_places()[highlight].startswith("Mark · ")
    model = window.annotations_panel.model

    def first_place() -> str:
        chapter = model.index(0, 0)
        return str(model.index(0, 0, chapter).data(ROLE_POSITION) or "")

    qtbot.waitUntil(lambda: first_place().startswith("Mark · "), timeout=5000)
    session.rename_speaker("Mark", "Mark Z.")  # the highlights panel follows a rename
    qtbot.waitUntil(lambda: first_place().startswith("Mark Z. · "), timeout=5000)
    window.menu.undo_action.trigger()
    qtbot.waitUntil(lambda: first_place().startswith("Mark · "), timeout=5000)

    window.search_dock.show()
    panel = window.search_panel
    combo = panel.speaker_combo
    assert [combo.itemText(i) for i in range(combo.count())][1:] == list(session.speakers)
    qtbot.waitUntil(lambda: session.documents.index is not None, timeout=60_000)
    qtbot.keyClicks(panel.query_edit, "speaker:Mark metaverse")
    qtbot.waitUntil(
        lambda: session.search_result is not None and session.search_result.query == "speaker:Mark metaverse",
        timeout=10_000,
    )
    assert session.search_result.hits
    assert all(session.speaker_at(h.start) == "Mark" for h in session.search_result.hits)
    assert panel.model.position_label(0).startswith("Mark")

    out = tmp_path / "notes.md"
    with qtbot.waitSignal(session.notice, timeout=10_000, check_params_cb=lambda m: m.startswith("Exported")):
        session.export(str(out), "markdown")
    assert "**Mark:**" in out.read_text(encoding="utf-8")


def test_a_malformed_speaker_entry_is_reported_and_loses_nothing(harness, seed_path: Path, qtbot) -> None:
    window = open_seed(harness, seed_path)
    session = window.session
    session.highlight(100, 140, "green")
    session.rename_speaker(GUEST, "Mark")
    assert harness.annotations.flush()
    path = harness.annotations.path
    harness.stop()
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text + "  - speaker: Someone\n    at: nowhere\n"
        if "turns:" in text
        else text.replace("speakers:\n", "speakers:\n  turns:\n  - speaker: Someone\n    at: nowhere\n"),
        encoding="utf-8",
    )
    window = open_seed(harness, seed_path)
    qtbot.waitUntil(lambda: window.last_error is not None, timeout=10_000)
    assert "speakers.turns[0]" in window.last_error.text() and "kept" in window.last_error.text()
    assert "Mark" in window.session.speakers  # the rename still applies
    assert len(window.session.placed_annotations()) == 1  # the highlight too
    window.session.rename_speaker("Mark", "Mark Zuckerberg")
    assert harness.annotations.flush()
    assert "speaker: Someone" in path.read_text(encoding="utf-8")  # kept as it was


def _rev_interview(path: Path, intro: str = "") -> Path:
    lines, seconds = [], 2
    said = {
        "Sarah Chen": "Thanks for joining me today, tell me about the boats of {}.",
        "Marcus Webb": "It started on a fishing boat in {}. My uncle ran charters and every summer I worked the deck.",
    }
    if intro:
        lines += ["Sarah Chen (00:00:00):", intro, ""]
    for place in ("Maine", "Oregon", "Alaska", "Texas"):
        for speaker, line in said.items():
            lines += [f"{speaker} (00:{seconds // 60:02d}:{seconds % 60:02d}):", line.format(place), ""]
            seconds += 9
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def test_corrections_follow_the_words_when_the_transcript_is_edited(harness, tmp_path: Path, qtbot) -> None:
    path = _rev_interview(tmp_path / "interview.txt")
    window = harness.start()
    harness.open(path)
    qtbot.waitUntil(lambda: harness.annotations.ready, timeout=10_000)
    session = window.session
    text, paragraphs = session.document.text, session.document.readable.paragraphs
    assert session.speakers == ("Sarah Chen", "Marcus Webb")
    with qtbot.waitSignal(session.speakers_changed, timeout=5000):
        session.rename_speaker("Marcus Webb", "Marcus")
    third_guest = [p for p in paragraphs if p.speaker == "Marcus Webb"][2]
    with qtbot.waitSignal(session.speakers_changed, timeout=5000):
        session.assign_speaker(third_guest.start + 3, "Sarah Chen")
    cut = text.index("every summer", third_guest.end)  # in the fourth guest turn
    with qtbot.waitSignal(session.speakers_changed, timeout=5000):
        session.split_turn(cut + 2, "Producer")
    assert session.speaker_at(cut) == "Producer" and session.speaker_at(cut - 3) == "Marcus"
    assert harness.annotations.flush()
    harness.stop()

    # the transcript gains an opening turn: every offset moves, the file is found by its path
    _rev_interview(path, intro="Welcome to the show, a few words before we start with our guest today.")
    window = harness.start()
    with qtbot.waitSignal(harness.annotations.speakers_changed, timeout=30_000):
        harness.open(path)
    session = window.session
    new_text = session.document.text
    shift = new_text.index("Thanks for joining")
    new_cut = new_text.index("every summer", third_guest.end + shift)
    assert new_cut == cut + shift
    assert session.speakers == ("Sarah Chen", "Marcus", "Producer")
    assert session.speaker_at(third_guest.start + shift) == "Sarah Chen"
    assert session.speaker_at(new_cut) == "Producer" and session.speaker_at(new_cut - 3) == "Marcus"
    assert "Producer" in window.reader.speaker_labels()
