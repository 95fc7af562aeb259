"""Search as a user does it: Ctrl+F, type, results appear, F3 / Shift+F3 walk the hits in the reader."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt

if TYPE_CHECKING:
    from pathlib import Path


def open_searchable(harness, seed_path: Path):
    window = harness.start()
    window.resize(1300, 850)
    with harness.qtbot.waitSignal(harness.service.index_ready, timeout=60_000):
        harness.open(seed_path)
    return window


def type_query(qtbot, window, query: str) -> None:
    qtbot.keyClick(window.reader, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.search_panel.query_edit.hasFocus()
    with qtbot.waitSignal(
        window.session.search_service.results_ready,
        timeout=10_000,
        check_params_cb=lambda result: result.query == query,
    ):
        qtbot.keyClicks(window.search_panel.query_edit, query)


def test_typing_a_query_paints_every_hit_and_f3_walks_them(harness, seed_path: Path, qtbot) -> None:
    window = open_searchable(harness, seed_path)
    window.reader.setFocus()
    type_query(qtbot, window, "llama")
    result = window.session.search_result
    assert result.total >= 5
    text = window.session.document.transcript.text
    assert all(text[h.start : h.end].lower().startswith("llama") for h in result.hits)
    painted = window.reader.search_hits()
    assert len(painted) == result.total
    assert all(text[a:b].lower().startswith("llama") for a, b in painted)
    on_screen = [selection.cursor.selectedText() for selection in window.reader.extraSelections()]
    assert len(on_screen) == result.total and all(s.lower().startswith("llama") for s in on_screen)
    assert len(window.reader.markers.markers("search")) == result.total

    qtbot.keyClick(window.search_panel.query_edit, Qt.Key.Key_F3)
    first = window.session.current_hit
    assert first >= 0
    start, end = window.reader.current_hit()
    assert text[start:end].lower() == "llama"
    selections = window.reader.extraSelections()
    current = selections[-1].cursor  # painted last, over the others
    assert current.selectedText().lower() == "llama"
    assert window.reader.textCursor().position() == current.selectionStart()
    qtbot.keyClick(window.search_panel.query_edit, Qt.Key.Key_F3)
    assert window.session.current_hit == (first + 1) % len(result.hits)
    qtbot.keyClick(window.search_panel.query_edit, Qt.Key.Key_F3, Qt.KeyboardModifier.ShiftModifier)
    assert window.session.current_hit == first
    assert window.search_panel.current_hit() == first

    qtbot.keyClick(window.search_panel.query_edit, Qt.Key.Key_Escape)
    assert window.reader.hasFocus()
    assert "llama" in window.settings.recent_queries() or window.search_panel.recent() == []


def test_a_phrase_hit_covers_the_whole_phrase(harness, seed_path: Path, qtbot) -> None:
    window = open_searchable(harness, seed_path)
    window.reader.setFocus()
    type_query(qtbot, window, '"rear naked choke"')
    assert window.session.search_result.total >= 1
    window.session.go_to_hit(0)
    start, end = window.reader.current_hit()
    assert window.session.document.text[start:end].lower() == "rear naked choke"
    assert window.reader.extraSelections()[-1].cursor.selectedText().lower() == "rear naked choke"


def test_notes_are_searchable(harness, seed_path: Path, qtbot) -> None:
    window = open_searchable(harness, seed_path)
    qtbot.waitUntil(lambda: harness.annotations.ready, timeout=10_000)
    text = window.session.document.transcript.text
    start = text.index("Jiu-Jitsu")
    annotation = harness.annotations.add(start, start + 9, "blue", note="remember the quokka example")
    window.reader.setFocus()
    type_query(qtbot, window, "note:quokka")
    qtbot.waitUntil(
        lambda: window.session.search_result is not None and window.session.search_result.total >= 1,
        timeout=10_000,
    )
    hit = window.session.search_result.hits[0]
    assert hit.note_id == annotation.id
    window.session.go_to_hit(0)
    assert window.session.selected_annotation == annotation.id


def test_a_new_query_takes_away_the_previous_query_s_match_notice(harness, seed_path: Path, qtbot) -> None:
    """F3 says "Match 1 of 23" for six seconds; a new query typed within them left it beside other results."""
    window = open_searchable(harness, seed_path)
    window.reader.setFocus()
    type_query(qtbot, window, "llama")
    qtbot.keyClick(window.search_panel.query_edit, Qt.Key.Key_F3)
    assert window.status.currentMessage().startswith("Match 1 of ")
    window.search_panel.query_edit.clear()
    window.reader.setFocus()
    type_query(qtbot, window, "metaverse")
    assert window.status.currentMessage() == ""
