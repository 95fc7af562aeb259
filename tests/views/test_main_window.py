"""Drive the real window the way a user does: open, read, zoom, switch theme, restart, bad files."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QMessageBox

if TYPE_CHECKING:
    from pathlib import Path


def test_opens_the_seed_as_readable_paragraphs(harness, seed_path: Path) -> None:
    window = harness.start()
    harness.open(seed_path)
    assert "Zuckerberg" in window.windowTitle()
    text = window.reader.toPlainText()
    assert text.startswith(
        "Host\u2003The following is a conversation with Mark Zuckerberg"
    )  # labelled speaker
    assert window.reader.document().blockCount() > 100  # paragraphs, not one wall of words
    assert "?" in text and ". " in text
    assert "minute 0 of" in window.status.position_label.text()


def test_the_word_list_is_made_on_a_worker_after_the_first_paint(harness, seed_path: Path, qtbot) -> None:
    """The status bar's first answers are counted; the list of word starts follows in the background."""
    window = harness.start()
    harness.open(seed_path, wait_for="index_ready")
    timeline = window.session.document.timeline
    qtbot.waitUntil(lambda: timeline._word_starts is not None, timeout=10_000)
    assert len(timeline._word_starts) == timeline.word_count == 29633


def test_zoom_keys_change_the_text_size_and_persist(harness, seed_path: Path, qtbot) -> None:
    window = harness.start()
    harness.open(seed_path)
    base = window.reader.point_size()
    window.reader.setFocus()
    qtbot.keyClick(window.reader, Qt.Key.Key_Equal, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(window.reader, Qt.Key.Key_Equal, Qt.KeyboardModifier.ControlModifier)
    assert window.reader.point_size() == base + 2
    qtbot.keyClick(window.reader, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    assert window.reader.point_size() == base + 1
    assert window.settings.zoom == 1
    qtbot.keyClick(window.reader, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    assert window.reader.point_size() == base


def test_switching_theme_recolours_the_reader(harness, seed_path: Path) -> None:
    window = harness.start()
    harness.open(seed_path)
    window.menu.theme_actions["dark"].trigger()
    assert window.resolved_theme == "dark"
    assert window.reader.colors.background == "#1d1f23"
    assert window.settings.theme == "dark"
    window.menu.theme_actions["light"].trigger()
    assert window.resolved_theme == "light"
    assert (
        window.menu.theme_actions["light"].isChecked() and not window.menu.theme_actions["dark"].isChecked()
    )


@pytest.mark.parametrize("paragraph", [120, 480])  # far in: the text is still being laid out when restored
def test_reading_position_is_restored_after_a_restart(
    harness, seed_path: Path, qtbot, paragraph: int
) -> None:
    window = harness.start()
    harness.open(seed_path)
    window.resize(900, 700)
    document = window.session.document
    target = document.readable.paragraphs[paragraph].start
    with qtbot.waitSignal(window.reader.position_changed, timeout=5000):
        window.reader.scroll_to_offset(target)
    saved_offset = window.reader.top_offset()
    assert saved_offset > 0
    harness.stop()

    window = harness.start()
    assert window.settings.last_document == str(seed_path.resolve())
    harness.open(seed_path)
    restored = window.reader.top_offset()
    assert abs(restored - saved_offset) < 200, (restored, saved_offset)
    assert window.reader.verticalScrollBar().value() > 0


def test_annotations_are_not_attached_after_the_window_closed(harness, seed_path: Path, monkeypatch) -> None:
    window = harness.start()
    harness.open(seed_path)
    calls: list[tuple] = []
    monkeypatch.setattr(window.session.annotations, "attach", lambda *args: calls.append(args))
    window.session._attach_pending = window.session.document  # as if the first paint had not come yet
    window.close()
    window.session.attach_annotations()  # the fallback single shot firing after the close
    assert calls == []


def test_keyboard_scrolling(harness, seed_path: Path, qtbot) -> None:
    window = harness.start()
    harness.open(seed_path)
    bar = window.reader.verticalScrollBar()
    window.reader.setFocus()
    qtbot.keyClick(window.reader, Qt.Key.Key_Space)
    assert bar.value() > 0
    first = bar.value()
    qtbot.keyClick(window.reader, Qt.Key.Key_PageDown)
    assert bar.value() > first
    qtbot.keyClick(window.reader, Qt.Key.Key_End)
    assert bar.value() == bar.maximum()
    qtbot.keyClick(window.reader, Qt.Key.Key_Home)
    assert bar.value() == 0


def test_a_bad_file_shows_a_message_and_keeps_the_open_document(
    harness, seed_path: Path, write_file, qtbot
) -> None:
    window = harness.start()
    harness.open(seed_path)
    bad = write_file("broken.txt", b"\x00\x01\x02binary\x00" * 50)
    with qtbot.waitSignal(harness.service.open_failed, timeout=10_000) as blocker:
        window.open_path(str(bad))
    assert "binary" in blocker.args[1]
    box = window.last_error
    assert isinstance(box, QMessageBox) and box.isVisible()
    assert "binary" in box.text()
    assert "Zuckerberg" in window.windowTitle()
    box.button(QMessageBox.StandardButton.Ok).click()


def test_an_empty_first_file_leaves_no_outline_waiting(harness, write_file, qtbot) -> None:
    """The first file of a session is empty: nothing is open, and the outline does not say it is finding
    chapters (it did, for good)."""
    window = harness.start()
    with qtbot.waitSignal(harness.service.open_failed, timeout=10_000) as blocker:
        window.open_path(str(write_file("empty.txt", b"")))
    assert "empty" in blocker.args[1]
    assert window.session.document is None
    assert "No transcript is open" in window.reader.toPlainText()
    assert window.outline_panel.status.text() == ""
    window.last_error.button(QMessageBox.StandardButton.Ok).click()


def test_open_subtitles_shows_real_time(harness, write_file) -> None:
    srt = "".join(
        f"{i}\n00:{i // 60:02d}:{i % 60:02d},000 --> 00:{(i + 1) // 60:02d}:{(i + 1) % 60:02d},000\n"
        f"this is cue number {i} of a short test episode about reading\n\n"
        for i in range(1, 300)
    )
    window = harness.start()
    harness.open(write_file("episode.srt", srt))
    assert window.session.document.transcript.format == "srt"
    assert "/ 05:00" in window.status.position_label.text()


def test_recent_files_menu_lists_opened_documents(harness, seed_path: Path, write_file) -> None:
    window = harness.start()
    other = write_file("other.txt", "hello there this is another transcript " * 50)
    harness.open(seed_path)
    harness.open(other)
    names = [a.text() for a in window.menu.recent_menu.actions() if a.text()]
    assert names[:2] == ["other.txt", seed_path.name]


def test_a_huge_file_is_refused_with_a_clear_message(harness, seed_path: Path, tmp_path: Path, qtbot) -> None:
    window = harness.start()
    harness.open(seed_path)
    huge = tmp_path / "huge.txt"
    with huge.open("wb") as stream:
        stream.truncate(50 * 1024 * 1024)  # sparse: instant
    with qtbot.waitSignal(harness.service.open_failed, timeout=10_000) as blocker:
        window.open_path(str(huge))
    assert "50 MB" in blocker.args[1]
    assert window.last_error is not None and "50 MB" in window.last_error.text()
    assert "Zuckerberg" in window.windowTitle()


def _drop_event(path: Path) -> tuple[object, object]:
    """A drop of ``path`` on the window, as the desktop sends it, with its data (the event only points to it:
    keep both alive)."""
    from PySide6.QtCore import QMimeData, QPointF, QUrl
    from PySide6.QtGui import QDropEvent

    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    event = QDropEvent(
        QPointF(50, 50),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    return event, mime


def test_dropping_a_file_opens_it(harness, write_file, qtbot) -> None:
    window = harness.start()
    path = write_file("dropped.txt", "this transcript arrived by drag and drop " * 40)
    event, _mime = _drop_event(path)
    with qtbot.waitSignal(window.document_shown, timeout=10_000):
        window.dropEvent(event)
    assert window.session.document.transcript.source == str(path.resolve())


def test_dropping_a_folder_adds_it_to_the_library(harness, seed_path: Path, tmp_path: Path, qtbot) -> None:
    """A folder dropped on the reader was refused ("is a folder, not a transcript file"); on the library panel
    it is added. Now the reader does the same and shows the library."""
    window = harness.start(library=True)
    harness.open(seed_path)
    qtbot.waitUntil(lambda: harness.library.catalog is not None, timeout=30_000)  # started after the paint
    folder = tmp_path / "episodes"
    folder.mkdir()
    (folder / "boats.txt").write_text("we talked about boats and the harbour all day long " * 30, "utf-8")
    event, _mime = _drop_event(folder)
    with qtbot.waitSignal(
        harness.library.entries_changed,
        timeout=30_000,
        check_params_cb=lambda entries: any(e.path.endswith("boats.txt") for e in entries),
    ):
        window.dropEvent(event)
    assert window.last_error is None
    assert "Zuckerberg" in window.windowTitle()  # the open transcript stays
    assert window.library_dock.isVisible()


def test_a_long_transcript_opened_first_shows_its_beginning_then_the_whole(
    harness, seed_text: str, tmp_path: Path, qtbot
) -> None:
    path = tmp_path / "never-seen.txt"
    path.write_text(seed_text + " and that is all", encoding="utf-8")  # a new text: nothing cached
    window = harness.start()
    seen: list[tuple[str, str]] = []
    window.preview_shown.connect(
        lambda preview: seen.append((preview.display.text, window.reader.toPlainText()))
    )
    with qtbot.waitSignals([window.preview_shown, window.document_shown], order="strict", timeout=60_000):
        window.open_path(str(path))
    ((preview_text, shown_text),) = seen
    assert shown_text == preview_text and shown_text.startswith("The following is a conversation")
    assert len(window.reader.toPlainText()) > 10 * len(preview_text)  # then the whole text replaced it
    assert window.session.document is not None and window.session.document.transcript.text.endswith(
        "and that is all"
    )


def test_a_window_built_after_the_open_started_still_shows_it(harness, seed_path: Path, qtbot) -> None:
    """As at start-up (app.run_gui): the transcript is opened first, the window is built while it loads."""
    from desktop_app.session import ReadingSession
    from desktop_app.views.main_window import MainWindow

    window = harness.start()
    service = harness.service
    with qtbot.waitSignal(service.opened, timeout=30_000):
        service.open(str(seed_path))
        late = MainWindow(ReadingSession(service, harness.annotations, harness.search, window.settings))
        qtbot.addWidget(late)
        assert "Opening lex-383-mark-zuckerberg.txt" in late.reader.toPlainText()
    assert late.session.document is service.document
    assert "The following is a conversation with Mark Zuckerberg" in late.reader.toPlainText()[:80]
    late.close()


def test_opening_can_be_cancelled_and_the_transcript_on_screen_stays(
    harness, seed_path: Path, tmp_path: Path, qtbot
) -> None:
    window = harness.start()
    harness.open(seed_path)
    title, shown = window.windowTitle(), window.reader.toPlainText()
    other = tmp_path / "other.txt"
    other.write_text("a whole other conversation about the sea " * 3000, encoding="utf-8")  # new: not cached
    window.open_path(str(other))
    assert window.status.cancel_button.isVisible()
    with qtbot.waitSignal(window.session.open_cancelled, timeout=5_000):
        qtbot.mouseClick(window.status.cancel_button, Qt.MouseButton.LeftButton)
    assert not window.status.cancel_button.isVisible()
    harness.tasks.wait()  # the cancelled job finishes on its worker; its result is dropped
    QCoreApplication.processEvents()  # any late delivery reaches the window now (there must be none)
    assert (window.windowTitle(), window.reader.toPlainText()) == (title, shown)
    assert window.last_error is None or not window.last_error.isVisible()


def test_a_failed_open_while_chapters_are_made_still_shows_them(
    harness, seed_path: Path, tmp_path: Path, qtbot
) -> None:
    window = harness.start()
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.7\n" + bytes(100))
    with qtbot.waitSignal(harness.service.outline_ready, timeout=60_000):
        harness.open(seed_path)
        window.open_path(str(broken))  # fails while the seed's outline is still being made
    assert window.outline_panel.model.rowCount() > 5


def test_a_library_hit_opens_its_transcript_at_the_hit_with_every_hit_painted(
    harness, seed_path: Path, seed_text: str, qtbot
) -> None:
    window = harness.start()
    at = seed_text.index("rear naked choke")
    with qtbot.waitSignal(
        window.session.hits_changed,
        timeout=30_000,
        check_params_cb=lambda: window.session.search_result is not None,
    ):
        window.session.open(str(seed_path), at, "rear naked choke")  # what the library panel asks for
    qtbot.waitUntil(lambda: window.session.document is not None, timeout=30_000)
    assert abs(window.reader.top_offset() - at) < 300  # shown where the hit is, not at the last position
    qtbot.waitUntil(lambda: bool(window.reader.search_hits()), timeout=30_000)
    assert any(start <= at < end + 1 for start, end in window.reader.search_hits())
