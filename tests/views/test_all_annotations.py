"""Every highlight of the library in the window, as a user reaches it: All Annotations (filter, open at a
highlight), Export All to a folder (front matter that YAML reads), and Copy as Quote with Ctrl+Shift+C."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
import yaml
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

from desktop_app.annotations.service import AnnotationService
from desktop_app.document import DocumentService
from desktop_app.library.catalog import open_library_catalog
from desktop_app.library.service import LibraryService
from desktop_app.search.service import SearchService
from desktop_app.session import ReadingSession
from desktop_app.settings import Settings
from desktop_app.tasks import TaskRunner
from desktop_app.views import annotation_tools
from desktop_app.views.main_window import MainWindow

if TYPE_CHECKING:
    from pathlib import Path

WAIT_MS = 30_000
CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier

OPEN_SOURCE = (
    "# Open Source AI\n# Source: https://youtube.com/watch?v=5t1vTLU7s40\n\n"
    + "so what do you think about open source i think it is the future of computing and we should all "
    "be working on it together because nobody can do it alone and that is why we release the models "
) * 6
COMPUTE = "compute is going to be the currency of the future and energy will matter a great deal too " * 15


@pytest.fixture
def episodes(tmp_path: Path) -> tuple[Path, Path]:
    one = tmp_path / "episodes" / "open-source.txt"
    one.parent.mkdir()
    one.write_text(OPEN_SOURCE, encoding="utf-8")
    two = tmp_path / "episodes" / "Compute [dQw4w9WgXcQ].txt"
    two.write_text(COMPUTE, encoding="utf-8")
    return one, two


@pytest.fixture
def window(harness, episodes: tuple[Path, Path]) -> MainWindow:
    """The window over a library holding both episodes (the catalog filled as Library › Add does)."""
    return make_window(harness, episodes)


def make_window(harness, episodes: tuple[Path, Path]) -> MainWindow:
    """A window as the app builds it, on the harness's data folder (a second one: a restart)."""
    h = harness
    h.tasks = TaskRunner()
    h.service = DocumentService(h.dirs, h.tasks)
    h.annotations, h.search = AnnotationService(h.tasks), SearchService(h.tasks)
    library = LibraryService(h.dirs, h.tasks)
    library.catalog = open_library_catalog(h.dirs.data)
    library.catalog.add_files([str(p) for p in episodes])
    settings = Settings(h.dirs.settings_file)
    h.session = ReadingSession(h.service, h.annotations, h.search, settings, library=library)
    h.window = MainWindow(h.session)
    h.qtbot.addWidget(h.window)
    h.window.resize(1400, 900)
    h.window.show()
    return h.window


def open_ready(harness, path: Path) -> None:
    """Open an episode and wait until its own highlights are loaded (not the previous episode's)."""
    with harness.qtbot.waitSignal(harness.annotations.loaded, timeout=WAIT_MS):
        harness.open(path)


def highlight(
    harness, window: MainWindow, phrase: str, key: Qt.Key, note: str = "", tags: tuple[str, ...] = ()
) -> str:
    """Select the words in the reader and press a colour key; add a note and tags to the new highlight."""
    reader = window.reader
    text = window.session.document.text
    start = text.index(phrase)
    reader.select_range(start, start + len(phrase))
    reader.setFocus()
    with harness.qtbot.waitSignal(harness.annotations.changed, timeout=3000):
        harness.qtbot.keyClick(reader, key)
    annotation_id = window.session.selected_annotation
    if note or tags:
        window.session.update_annotation(annotation_id, note=note or None, tags=list(tags) or None)
    return annotation_id


def switch_to(harness, path: Path) -> None:
    """Open another episode; wait until the one left is saved."""
    open_ready(harness, path)
    harness.qtbot.waitUntil(lambda: not harness.annotations.has_unsaved_changes, timeout=WAIT_MS)


def show_all(harness, window: MainWindow):
    tools = window.annotation_tools
    service = window.session.library_annotations
    window.reader.setFocus()
    with harness.qtbot.waitSignal(service.loaded, timeout=WAIT_MS):
        harness.qtbot.keyClick(window.reader, Qt.Key.Key_A, CTRL_SHIFT)
    assert tools.dock.isVisible()
    return tools.panel


def test_all_annotations_filter_and_open_at_a_highlight(
    harness, window, episodes, qtbot, qtmodeltester
) -> None:
    one, two = episodes
    open_ready(harness, one)
    first = highlight(
        harness, window, "i think it is the future of computing", Qt.Key.Key_1, "Key claim", ("ai",)
    )
    switch_to(harness, two)
    highlight(harness, window, "compute is going to be the currency", Qt.Key.Key_3, tags=("economics",))
    panel = show_all(harness, window)
    assert panel.model.rowCount() == 2
    assert "2 highlights in 2 episodes" in panel.status.text()
    qtmodeltester.check(panel.model)
    quotes = [panel.model.item(row).quote for row in range(2)]
    assert quotes[0].startswith("I think it is the future of computing")  # as the reader shows it

    panel.text_filter.setText("claim")
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1, timeout=3000)
    panel.text_filter.setText("")
    qtbot.waitUntil(lambda: panel.model.rowCount() == 2, timeout=3000)
    panel.tag_filter.setCurrentIndex(panel.tag_filter.findData("economics"))
    assert [panel.model.item(0).color] == ["blue"] and panel.model.rowCount() == 1
    panel.tag_filter.setCurrentIndex(0)
    panel.color_filter.setCurrentIndex(panel.color_filter.findData("yellow"))
    assert panel.model.rowCount() == 1
    panel.color_filter.setCurrentIndex(0)
    panel.order.setCurrentIndex(1)  # newest first: the highlight made last comes first
    assert panel.model.item(0).color == "blue"
    panel.order.setCurrentIndex(0)
    panel.episode_filter.setCurrentIndex(panel.episode_filter.findText("Open Source AI"))
    assert panel.model.rowCount() == 1

    panel.list.setCurrentIndex(panel.model.index(0, 0))
    with qtbot.waitSignal(window.document_shown, timeout=WAIT_MS):
        qtbot.keyClick(panel.list, Qt.Key.Key_Return)
    assert window.session.document.transcript.source == str(one)
    qtbot.waitUntil(lambda: window.session.selected_annotation == first, timeout=WAIT_MS)
    start = harness.annotations.find(first).start
    assert window.reader.top_offset() <= start


def test_export_all_to_a_folder(harness, window, episodes, qtbot, tmp_path, monkeypatch) -> None:
    one, two = episodes
    open_ready(harness, one)
    highlight(
        harness,
        window,
        "nobody can do it alone",
        Qt.Key.Key_2,
        'A note with "quotes": and #hash',
        ("open source",),
    )
    switch_to(harness, two)
    highlight(harness, window, "energy will matter", Qt.Key.Key_1)
    folder = tmp_path / "vault" / "Podcasts"
    monkeypatch.setattr(annotation_tools, "choose_export_folder", lambda _parent, _start: str(folder))
    with qtbot.waitSignal(window.session.library_annotations.exported, timeout=WAIT_MS) as blocker:
        window.annotation_tools.export_action.trigger()
    assert len(blocker.args[0].written) == 2
    files = {p.name: p.read_text(encoding="utf-8") for p in folder.iterdir()}
    assert sorted(files) == ["Compute.md", "Open Source AI.md"]
    front = yaml.safe_load(files["Open Source AI.md"].split("---\n")[1])
    assert front["title"] == "Open Source AI"
    assert front["source"] == "https://youtube.com/watch?v=5t1vTLU7s40"
    assert "open-source" in front["tags"]
    assert (
        "Nobody can do it alone" in files["Open Source AI.md"]
        or "nobody can do it alone" in files["Open Source AI.md"]
    )
    assert "https://www.youtube.com/watch?v=5t1vTLU7s40&t=" in files["Open Source AI.md"]
    compute = files["Compute.md"]
    assert (
        yaml.safe_load(compute.split("---\n")[1])["source"] == "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
    )
    assert "https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=" in compute


def test_export_all_starts_in_the_folder_chosen_last_time(
    harness, window, episodes, qtbot, monkeypatch
) -> None:
    folder = episodes[0].parent / "exports"
    folder.mkdir()
    asked: list[str] = []

    def choose(_parent, start: str) -> str:
        asked.append(start)
        return str(folder)

    monkeypatch.setattr(annotation_tools, "choose_export_folder", choose)
    service = window.session.library_annotations
    for _ in range(2):
        with qtbot.waitSignal(service.exported, timeout=WAIT_MS):
            window.annotation_tools.export_action.trigger()
    assert asked[1] == str(folder) != asked[0]


def test_the_all_annotations_dock_comes_back_where_the_user_left_it(harness, window, episodes, qtbot) -> None:
    dock = window.annotation_tools.dock
    window.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, dock)
    dock.show()
    assert window.close()
    again = make_window(harness, episodes)
    restored = again.annotation_tools.dock
    qtbot.waitUntil(restored.isVisible, timeout=WAIT_MS)
    assert again.dockWidgetArea(restored) == Qt.DockWidgetArea.LeftDockWidgetArea


def test_copy_as_quote_with_the_shortcut(harness, window, episodes, qtbot) -> None:
    one, _two = episodes
    open_ready(harness, one)
    text = window.session.document.text
    start = text.index("nobody can do it alone")
    window.reader.select_range(start, start + len("nobody can do it alone"))
    window.reader.setFocus()
    QGuiApplication.clipboard().clear()
    qtbot.keyClick(window.reader, Qt.Key.Key_C, CTRL_SHIFT)
    copied = QGuiApplication.clipboard().text()
    assert copied.startswith("> ") and "nobody can do it alone" in copied.casefold()
    assert "*Open Source AI*" in copied
    assert "(https://www.youtube.com/watch?v=5t1vTLU7s40&t=" in copied

    highlight(harness, window, "we release the models", Qt.Key.Key_1)  # a highlight chosen, nothing selected
    window.reader.clear_selection()
    qtbot.keyClick(window.reader, Qt.Key.Key_C, CTRL_SHIFT)
    assert "release the models" in QGuiApplication.clipboard().text()

    window.reader.select_range(start, start + len("nobody can do it alone"))  # a selection left in the reader
    tree = window.annotations_panel.view
    tree.setFocus()
    qtbot.keyClick(tree, Qt.Key.Key_C, CTRL_SHIFT)  # the highlight chosen in the panel, not the selection
    assert "release the models" in QGuiApplication.clipboard().text()


def test_a_corrupt_annotations_file_does_not_hide_the_other_episodes(
    harness, window, episodes, qtbot
) -> None:
    one, two = episodes
    open_ready(harness, one)
    highlight(harness, window, "nobody can do it alone", Qt.Key.Key_2)
    switch_to(harness, two)
    highlight(harness, window, "energy will matter", Qt.Key.Key_1)
    broken = harness.annotations.path  # the open episode's file is read from memory; break the other one
    other = next(p for p in harness.dirs.annotations.glob("*.yaml") if p != broken)
    other.write_text("format: transcript-reader-annotations\nannotations: [unclosed\n", encoding="utf-8")
    panel = show_all(harness, window)
    assert panel.model.rowCount() == 1
    assert "problem" in panel.status.text()
    assert "could not be read" in panel.status.toolTip()
    assert other.read_text(encoding="utf-8").startswith(
        "format: transcript-reader-annotations\nannotations: ["
    )


def test_panels_and_the_single_export_show_quotes_as_the_reader_does(
    harness, window, episodes, qtbot, tmp_path
):
    one, _two = episodes
    open_ready(harness, one)
    highlight(harness, window, "i think it is the future of computing", Qt.Key.Key_1)
    qtbot.waitUntil(lambda: window.annotations_panel.model.rowCount() > 0, timeout=WAIT_MS)
    panel = window.annotations_panel
    chapter = panel.model.index(0, 0)
    shown = panel.model.index(0, 0, chapter).data()
    assert shown.startswith("I think it is the future of computing")  # capitalised, not the raw caption
    assert window.note_editor.quote.text().startswith("“I think it is the future of computing")
    target = tmp_path / "notes.md"
    with qtbot.waitSignal(window.session.notice, timeout=WAIT_MS, check_params_cb=lambda m: "Exported" in m):
        window.session.export(str(target), "markdown")
    exported = target.read_text(encoding="utf-8")
    assert "I think it is the future of computing" in exported
    assert "https://www.youtube.com/watch?v=5t1vTLU7s40&t=" in exported
    assert yaml.safe_load(exported.split("---\n")[1])["source"] == "https://youtube.com/watch?v=5t1vTLU7s40"


def test_a_highlight_whose_transcript_is_gone_says_so(harness, window, episodes, qtbot) -> None:
    one, two = episodes
    open_ready(harness, one)
    highlight(harness, window, "nobody can do it alone", Qt.Key.Key_2)
    switch_to(harness, two)
    one.unlink()
    panel = show_all(harness, window)
    assert panel.model.rowCount() == 1 and "problem" in panel.status.text()
    panel.list.setCurrentIndex(panel.model.index(0, 0))
    qtbot.keyClick(panel.list, Qt.Key.Key_Return)
    assert window.last_error is not None and "no longer at" in window.last_error.text()
    assert window.session.document.transcript.source == str(two)
