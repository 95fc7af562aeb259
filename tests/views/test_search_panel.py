"""SearchPanel: debounced typing, grouped results, keyboard-only operation, the suggestion link, painting."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QColor, QImage, QKeySequence, QPalette
from PySide6.QtWidgets import QVBoxLayout, QWidget

from desktop_app.search.index import Hit, SearchResult
from desktop_app.timeline import Timeline, group_label
from desktop_app.views.search_panel import SearchPanel, focus_snippet
from desktop_app.views.search_results_model import (
    MAX_SHOWN,
    ROLE_HIT,
    ROLE_KIND,
    ROLE_NOTE_ID,
    ROLE_POSITION,
    ROLE_SPANS,
    ROLE_START,
)
from desktop_app.views.theme import DARK, LIGHT, ReaderColors

if TYPE_CHECKING:
    from pytestqt.modeltest import ModelTester
    from pytestqt.qtbot import QtBot

SNIPPET = "…we released the llama model as open source because it is good for the ecosystem and for us…"
SPAN = (SNIPPET.index("llama"), SNIPPET.index("llama") + 5)


def make_hit(start: int, note_id: str | None = None) -> Hit:
    return Hit(start, start + 5, 1.0, SNIPPET, (SPAN,), -1 if note_id else start // 100, note_id)


def make_result(
    query: str,
    starts: list[int],
    suggestion: str | None = None,
    error: str | None = None,
    total: int | None = None,
) -> SearchResult:
    hits = tuple(make_hit(s) for s in starts)
    return SearchResult(query, hits, len(hits) if total is None else total, suggestion, error)


def chapter(offset: int) -> str | None:
    return "Introduction" if offset < 1000 else "Llama and open source"


def label(offset: int) -> str:
    return f"min {offset // 100}"


def labels(result: SearchResult) -> list[tuple[str, str]]:
    """What the session gives the panel: each hit's group heading and place."""
    return [
        (chapter(h.start) or "", f"note · {label(h.start)}" if h.note_id else label(h.start))
        for h in result.hits
    ]


@pytest.fixture
def panel(qtbot: QtBot) -> SearchPanel:
    widget = SearchPanel()
    widget.resize(360, 600)
    qtbot.addWidget(widget)
    widget.show()
    widget.activateWindow()
    qtbot.waitExposed(widget)
    return widget


def show(
    panel: SearchPanel, query: str, starts: list[int], suggestion: str | None = None, error: str | None = None
) -> SearchResult:
    """The lead's part: the user's query is in the field, and its result arrives."""
    panel.query_edit.setText(query)
    result = make_result(query, starts, suggestion, error)
    panel.set_result(result, labels(result))
    return result


def test_typing_emits_the_query_once_after_a_pause(qtbot: QtBot, panel: SearchPanel) -> None:
    emitted: list[str] = []
    panel.query_changed.connect(emitted.append)
    with qtbot.waitSignal(panel.query_changed, timeout=2000) as blocker:
        qtbot.keyClicks(panel.query_edit, "open source")
        assert emitted == []  # not on every key
    assert blocker.args == ["open source"]
    qtbot.keyClicks(panel.query_edit, " ")  # the same query, stripped: nothing new
    qtbot.waitUntil(lambda: not panel._debounce.isActive(), timeout=2000)
    assert emitted == ["open source"]


def test_enter_emits_at_once_then_goes_to_the_first_hit_when_results_arrive(
    qtbot: QtBot, panel: SearchPanel
) -> None:
    emitted: list[str] = []
    panel.query_changed.connect(emitted.append)
    qtbot.keyClicks(panel.query_edit, "llama")
    with qtbot.waitSignal(panel.query_committed) as committed, qtbot.assertNotEmitted(panel.next_requested):
        qtbot.keyClick(panel.query_edit, Qt.Key.Key_Return)
    assert emitted == ["llama"] and committed.args == ["llama"]  # without waiting for the debounce
    steps: list[bool] = []
    panel.next_requested.connect(lambda: steps.append(True))
    with qtbot.waitSignal(panel.next_requested, timeout=2000):
        panel.set_result(make_result("llama", [10, 20]), labels(make_result("llama", [10, 20])))
        assert steps == []  # asked for once the caller has finished showing the result
    assert steps == [True]


def test_clearing_the_field_emits_an_empty_query_at_once(qtbot: QtBot, panel: SearchPanel) -> None:
    show(panel, "llama", [10])
    panel._emitted = "llama"
    with qtbot.waitSignal(panel.query_changed, timeout=0) as blocker:
        qtbot.keyClick(panel.query_edit, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
        qtbot.keyClick(panel.query_edit, Qt.Key.Key_Backspace)
    assert blocker.args == [""]


def test_results_are_grouped_by_chapter_in_document_order(panel: SearchPanel) -> None:
    show(panel, "llama", [10, 500, 1200, 1500, 2400])
    model = panel.model
    assert model.rowCount() == 2
    intro, llama = model.index(0, 0), model.index(1, 0)
    assert (intro.data(), llama.data()) == ("Introduction", "Llama and open source")
    assert intro.data(ROLE_KIND) == "group" and llama.data(ROLE_START) == 1200
    assert [model.index(r, 0, intro).data(ROLE_HIT) for r in range(model.rowCount(intro))] == [0, 1]
    assert [model.index(r, 0, llama).data(ROLE_HIT) for r in range(model.rowCount(llama))] == [2, 3, 4]
    first = model.index(0, 0, intro)
    assert first.data(ROLE_POSITION) == "min 0" and first.data(ROLE_KIND) == "hit"
    assert [tuple(s) for s in first.data(ROLE_SPANS)] == [SPAN]
    assert not model.flags(intro) & Qt.ItemFlag.ItemIsSelectable  # headers are skipped by the keyboard
    assert panel.status.text() == "5 matches"


def test_without_an_outline_hits_are_grouped_by_minutes(panel: SearchPanel) -> None:
    panel.query_edit.setText("llama")
    result = make_result("llama", [10, 900, 1100, 4000])
    timeline = Timeline("word " * 20_000)  # five characters a word, 185 words a minute
    headings = [group_label([], timeline, h.start * 10) for h in result.hits]
    panel.set_result(result, [(heading, "") for heading in headings])
    titles = [panel.model.index(r, 0).data() for r in range(panel.model.rowCount())]
    assert titles == ["Minutes 0–10", "Minutes 10–20", "Minutes 40–50"]


def test_notes_are_labelled(panel: SearchPanel) -> None:
    panel.query_edit.setText("llama")
    result = SearchResult("llama", (make_hit(10), make_hit(10, note_id="note-1")), 2)
    panel.set_result(result, labels(result))
    note = panel.model.hit_index(1)
    assert note.data(ROLE_NOTE_ID) == "note-1" and note.data(ROLE_POSITION) == "note · min 0"
    assert panel.status.text() == "2 matches (1 in notes)"


def test_model_passes_the_model_tester(qtmodeltester: ModelTester, panel: SearchPanel) -> None:
    qtmodeltester.check(panel.model)
    show(panel, "llama", [10, 500, 1200, 1500, 2400])
    qtmodeltester.check(panel.model)
    show(panel, "nothing", [])
    qtmodeltester.check(panel.model)


def test_long_results_are_capped(panel: SearchPanel) -> None:
    show(panel, "the", list(range(0, 12_000, 10)))
    assert panel.model.shown_count() == MAX_SHOWN
    assert panel.status.text() == f"1,200 matches · showing the first {MAX_SHOWN:,}"
    panel.select_hit(1100)  # not listed
    assert panel.current_hit() == -1


def test_status_shows_errors_and_nothing_found(panel: SearchPanel) -> None:
    show(panel, "(", [], error="Type some words to search for.")
    assert "Type some words to search for." in panel.status.text()
    show(panel, "zebra", [])
    assert panel.status.text() == "No matches"


def test_suggestion_link_runs_the_suggestion(qtbot: QtBot, panel: SearchPanel) -> None:
    show(panel, "opne sorce", [], suggestion="open source")
    assert "did you mean" in panel.status.text() and "open source</a>" in panel.status.text()
    with (
        qtbot.waitSignal(panel.query_changed, timeout=0) as changed,
        qtbot.waitSignal(panel.query_committed, timeout=0) as committed,
    ):
        panel.status.linkActivated.emit("suggest")
    assert changed.args == committed.args == ["open source"]
    assert panel.current_query() == "open source"


@pytest.mark.parametrize(
    ("key", "modifier", "signal"),
    [
        (Qt.Key.Key_Return, Qt.KeyboardModifier.NoModifier, "next_requested"),
        (Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier, "previous_requested"),
        (Qt.Key.Key_F3, Qt.KeyboardModifier.NoModifier, "next_requested"),
        (Qt.Key.Key_F3, Qt.KeyboardModifier.ShiftModifier, "previous_requested"),
        (Qt.Key.Key_Escape, Qt.KeyboardModifier.NoModifier, "dismissed"),
    ],
)
def test_keys_in_the_query_field(
    qtbot: QtBot, panel: SearchPanel, key: Qt.Key, modifier: Qt.KeyboardModifier, signal: str
) -> None:
    show(panel, "llama", [10, 1200])
    others = {"next_requested", "previous_requested", "dismissed"} - {signal}
    with (
        qtbot.waitSignal(getattr(panel, signal), timeout=0),
        qtbot.assertNotEmitted(getattr(panel, others.pop())),
        qtbot.assertNotEmitted(getattr(panel, others.pop())),
    ):
        qtbot.keyClick(panel.query_edit, key, modifier)


def test_f3_and_escape_win_over_window_shortcuts(qtbot: QtBot) -> None:
    window = QWidget()
    qtbot.addWidget(window)
    triggered: list[str] = []
    for keys in ("F3", "Shift+F3", "Escape"):
        action = QAction(window)
        action.setShortcut(QKeySequence(keys))
        action.triggered.connect(lambda _checked=False, k=keys: triggered.append(k))
        window.addAction(action)
    search = SearchPanel(window)
    QVBoxLayout(window).addWidget(search)
    window.show()
    window.activateWindow()
    qtbot.waitExposed(window)
    show(search, "llama", [10])
    search.focus_query()
    with qtbot.waitSignal(search.next_requested, timeout=0), qtbot.waitSignal(search.dismissed, timeout=0):
        qtbot.keyClick(search.query_edit, Qt.Key.Key_F3)
        qtbot.keyClick(search.query_edit, Qt.Key.Key_Escape)
    assert triggered == []


def test_f3_without_results_does_nothing(qtbot: QtBot, panel: SearchPanel) -> None:
    panel.query_edit.setText("llama")
    with qtbot.assertNotEmitted(panel.next_requested):
        qtbot.keyClick(panel.query_edit, Qt.Key.Key_F3)


def test_keyboard_only_walk_through_the_results(qtbot: QtBot, panel: SearchPanel) -> None:
    show(panel, "llama", [10, 500, 1200])
    panel.focus_query()
    qtbot.waitUntil(panel.query_edit.hasFocus, timeout=2000)
    qtbot.keyClick(panel.query_edit, Qt.Key.Key_Down)
    qtbot.waitUntil(panel.view.hasFocus, timeout=2000)
    assert panel.current_hit() == 0
    qtbot.keyClick(panel.view, Qt.Key.Key_Down)
    qtbot.keyClick(panel.view, Qt.Key.Key_Down)  # over the "Llama and open source" header
    assert panel.current_hit() == 2
    with qtbot.waitSignal(panel.hit_activated, timeout=0) as activated:
        qtbot.keyClick(panel.view, Qt.Key.Key_Return)
    assert activated.args == [2]
    with qtbot.waitSignal(panel.next_requested, timeout=0):
        qtbot.keyClick(panel.view, Qt.Key.Key_F3)
    with qtbot.waitSignal(panel.dismissed, timeout=0):
        qtbot.keyClick(panel.view, Qt.Key.Key_Escape)
    panel.select_hit(0)
    qtbot.keyClick(panel.view, Qt.Key.Key_Up)  # from the first hit back to the query
    qtbot.waitUntil(panel.query_edit.hasFocus, timeout=2000)


def test_typing_in_the_list_goes_to_the_query(qtbot: QtBot, panel: SearchPanel) -> None:
    show(panel, "llama", [10])
    panel.select_hit(0)
    panel.view.setFocus()
    qtbot.waitUntil(panel.view.hasFocus, timeout=2000)
    with qtbot.waitSignal(panel.query_changed, timeout=2000) as blocker:
        qtbot.keyClicks(panel.view, "s")
    assert blocker.args == ["llamas"]


def test_clicking_a_hit_activates_it(qtbot: QtBot, panel: SearchPanel) -> None:
    show(panel, "llama", [10, 500, 1200])
    index = panel.model.hit_index(2)
    with (
        qtbot.waitSignal(panel.hit_activated, timeout=0) as activated,
        qtbot.waitSignal(panel.query_committed, timeout=0),
    ):
        qtbot.mouseClick(
            panel.view.viewport(), Qt.MouseButton.LeftButton, pos=panel.view.visualRect(index).center()
        )
    assert activated.args == [2]
    header = panel.model.index(0, 0)
    with qtbot.assertNotEmitted(panel.hit_activated):
        qtbot.mouseClick(
            panel.view.viewport(), Qt.MouseButton.LeftButton, pos=panel.view.visualRect(header).center()
        )


def test_select_hit_selects_without_emitting(qtbot: QtBot, panel: SearchPanel) -> None:
    show(panel, "llama", [10, 500, 1200])
    with qtbot.assertNotEmitted(panel.hit_activated):
        panel.select_hit(2)
    assert panel.current_hit() == 2
    assert panel.view.visualRect(panel.model.hit_index(2)).intersects(panel.view.viewport().rect())


def test_a_new_result_of_the_same_query_keeps_the_selected_hit(panel: SearchPanel) -> None:
    show(panel, "llama", [10, 500, 1200])
    panel.select_hit(1)
    show(panel, "llama", [5, 10, 500, 1200])  # a note matched: hit numbers shift
    assert panel.current_hit() == 2
    show(panel, "metaverse", [10, 500])
    assert panel.current_hit() == -1


def test_recent_queries(qtbot: QtBot, panel: SearchPanel) -> None:
    panel.set_recent(["open source", "llama"])
    assert panel.recent() == ["open source", "llama"]
    assert [a.text() for a in panel.recent_menu.actions()] == ["open source", "llama"]
    with qtbot.waitSignal(panel.query_changed, timeout=0) as changed:
        panel.recent_menu.actions()[1].trigger()
    assert changed.args == ["llama"] and panel.current_query() == "llama"
    panel.clear()
    panel.focus_query()
    qtbot.waitUntil(panel.query_edit.hasFocus, timeout=2000)
    qtbot.keyClick(panel.query_edit, Qt.Key.Key_Down)  # no results: the recent queries drop down
    popup = panel.completer.popup()
    assert popup is not None
    qtbot.waitUntil(popup.isVisible, timeout=2000)
    assert panel.completer.completionCount() == 2


def test_clear_and_focus(qtbot: QtBot, panel: SearchPanel) -> None:
    show(panel, "llama", [10])
    with qtbot.assertNotEmitted(panel.query_changed):
        panel.clear()
    assert panel.current_query() == "" and panel.model.rowCount() == 0
    panel.query_edit.setText("fight")
    panel.focus_query()
    assert panel.query_edit.selectedText() == "fight"


def test_busy_shows_searching_only_when_slow(qtbot: QtBot, panel: SearchPanel) -> None:
    show(panel, "llama", [10])
    panel.set_busy(True)
    assert panel.status.text() == "1 match"  # no flicker for a quick search
    qtbot.waitUntil(lambda: panel.status.text() == "Searching…", timeout=2000)
    panel.set_busy(False)
    assert panel.status.text() == "1 match"


def test_focus_snippet_keeps_the_match_in_view() -> None:
    text = "one two three four five six seven eight nine ten eleven twelve thirteen llama fourteen"
    start = text.index("llama")
    short, spans = focus_snippet(text, [(start, start + 5)], before=12)
    assert short.startswith("…") and short.endswith("fourteen")
    assert [short[s:e] for s, e in spans] == ["llama"]
    assert focus_snippet("a llama", [(2, 7)]) == ("a llama", [(2, 7)])


def colour_pixels(image: QImage, color: str) -> int:
    image = image.convertToFormat(QImage.Format.Format_RGB32)
    pixels = np.frombuffer(image.constBits(), dtype=np.uint32, count=image.width() * image.height())
    return int(np.count_nonzero(pixels == QColor(color).rgb()))


@pytest.mark.parametrize("colors", [LIGHT, DARK], ids=["light", "dark"])
def test_delegate_paints_snippets_with_the_matches_emphasised(
    qtbot: QtBot, panel: SearchPanel, colors: ReaderColors
) -> None:
    palette = QPalette(panel.palette())
    palette.setColor(QPalette.ColorRole.Base, QColor(colors.background))
    palette.setColor(QPalette.ColorRole.Text, QColor(colors.text))
    panel.setPalette(palette)
    panel.query_edit.setText("llama")
    result = SearchResult("llama", (make_hit(10), make_hit(10, note_id="n"), make_hit(1200)), 3)
    panel.set_result(result, labels(result))
    panel.select_hit(0)
    image = panel.grab().toImage()
    assert not image.isNull()
    assert (
        colour_pixels(image, colors.search_hit) > 100
    )  # the matches are painted on the reader's search colour
    assert colour_pixels(image, colors.background) > 1000  # in this theme
