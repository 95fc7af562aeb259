"""View › Hide Fillers in the real window: the text loses its "um"s, highlights and the place stay."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path


def _ums(text: str) -> int:
    return len(re.findall(r"\b[Uu]m\b", text))


def test_hiding_fillers_keeps_highlights_and_the_place(harness, seed_path: Path, qtbot) -> None:
    window = harness.start()
    window.resize(1100, 800)
    harness.open(seed_path)
    qtbot.waitUntil(lambda: harness.annotations.ready, timeout=10_000)
    text = window.session.document.text
    start = text.index("mini Academy in my garage")
    highlight = harness.annotations.add(start, start + len("mini Academy in my garage"), "green")
    paragraph = window.session.document.readable.paragraphs[200]
    with qtbot.waitSignal(window.reader.position_changed, timeout=5000):
        window.reader.scroll_to_offset(paragraph.start)
    before = window.reader.top_offset()
    assert _ums(window.reader.toPlainText()) > 400

    with qtbot.waitSignal(window.session.display_changed, timeout=10_000):
        window.menu.hide_fillers_action.trigger()
    shown = window.reader.toPlainText()
    assert _ums(shown) < 40
    assert window.settings.hide_fillers
    assert [(h.id, h.start, h.end) for h in window.reader.highlights()] == [
        (highlight.id, highlight.start, highlight.end)
    ]
    assert abs(window.reader.top_offset() - before) < 400  # still at the same place
    assert window.session.document.text == text  # the document itself is untouched

    with qtbot.waitSignal(window.session.display_changed, timeout=10_000):
        window.menu.hide_fillers_action.trigger()
    assert _ums(window.reader.toPlainText()) > 400 and not window.settings.hide_fillers
