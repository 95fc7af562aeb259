"""The main window's search wiring: Ctrl+F, results in the panel and the reader, F3 / Shift+F3."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Slot

if TYPE_CHECKING:
    from desktop_app.views.window_base import WindowBase as _Base
else:
    _Base = object


class SearchWiring(_Base):
    """Part of :class:`MainWindow` (split out to keep each file readable); uses the window's attributes."""

    # -- search -------------------------------------------------------------------------------
    @Slot()
    def show_search(self) -> None:
        """Ctrl+F: show the search panel and put the cursor in its field (with the selected words, if any)."""
        self.search_dock.show()
        self.search_dock.raise_()
        selected = self.reader.textCursor().selectedText().strip()
        if selected and len(selected) < 60 and "\u2029" not in selected:
            self.search_panel.query_edit.setText(selected)
        self.search_panel.focus_query()

    @Slot()
    def _back_to_reader(self) -> None:
        self.reader.setFocus()

    @Slot(str)
    def _remember_query(self, query: str) -> None:
        self.search_panel.set_recent(self.settings.add_recent_query(query))

    @Slot(str, str)
    def _on_search_unavailable(self, stage: str, message: str) -> None:
        if stage == "index":
            self.search_panel.show_message(f"Search is unavailable: {message}")

    def section_title_at(self, offset: int) -> str | None:
        for section in self.sections:
            if section.start <= offset < section.end:
                return str(section.title)
        return None

    def _minute_of(self, offset: int) -> float:
        return self.document.seconds_at(offset) / 60 if self.document is not None else 0.0

    @Slot(object)
    def _on_search_results(self, result: Any) -> None:
        self.search_result, self.current_hit = result, -1
        self.search_panel.set_result(result, self.section_title_at if self.sections else (lambda _o: None),
                                     self.place_label, self._minute_of)
        self.reader.set_search_hits(self._hit_ranges())

    def _hit_ranges(self) -> list[tuple[int, int]]:
        if self.document is None or self.search_result is None:
            return []
        mapping = self.document.display.map
        return [mapping.range_to_display(h.start, h.end) for h in self.search_result.hits if h.note_id is None]

    @Slot(int)
    def go_to_hit(self, number: int) -> None:
        """Show hit ``number`` of the current result in the reader (a note hit selects its highlight)."""
        result, document = self.search_result, self.document
        if result is None or document is None or not 0 <= number < len(result.hits):
            return
        self.current_hit = number
        hit = result.hits[number]
        span = document.display.map.range_to_display(hit.start, hit.end)
        self.reader.reveal_range(*span)
        self.reader.set_search_hits(self._hit_ranges(), current=span)
        if hit.note_id:
            self.select_annotation(hit.note_id)
        self.search_panel.select_hit(number)
        self.statusBar().showMessage(f"Match {number + 1} of {result.total}", 3000)

    @Slot()
    def find_next(self) -> None:
        self._step_hit(+1)

    @Slot()
    def find_previous(self) -> None:
        self._step_hit(-1)

    def _step_hit(self, direction: int) -> None:
        result = self.search_result
        if result is None or not result.hits:
            if not self.search_dock.isVisible():
                self.show_search()
            return
        count = len(result.hits)
        if self.current_hit < 0:  # start from the reading position
            here = self.current_offset()
            after = [i for i, h in enumerate(result.hits) if h.start >= here]
            number = (after[0] if after else 0) if direction > 0 else ((after[0] - 1) % count if after else count - 1)
        else:
            number = (self.current_hit + direction) % count
        self.go_to_hit(number)
