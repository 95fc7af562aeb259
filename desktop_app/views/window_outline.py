"""The main window's outline wiring: chapters from the service and the user's edits, jumping, following."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Slot

from desktop_app.export import format_clock
from desktop_app.outline import edits as outline_edits

if TYPE_CHECKING:
    from desktop_app.views.window_base import WindowBase as _Base
else:
    _Base = object


class OutlineWiring(_Base):
    """Part of :class:`MainWindow` (split out to keep each file readable); uses the window's attributes."""

    # -- outline ------------------------------------------------------------------------------
    @Slot(object)
    def _on_outline_ready(self, sections: list[Any]) -> None:
        self.auto_sections = list(sections)
        self._refresh_outline()

    @Slot(object)
    def _on_user_outline_changed(self, _records: object) -> None:
        self._refresh_outline()

    def _refresh_outline(self) -> None:
        document = self.document
        if document is None:
            return
        if not self.auto_sections and not self.annotations.outline_records:
            if self.sections:  # the user's outline was reset before the automatic one arrived
                self._show_outline_pending()
            return
        text = document.transcript.text
        user = outline_edits.from_records(self.annotations.outline_records, text) \
            if self.annotations.outline_records else None
        self.sections = user or self.auto_sections
        self.outline_panel.set_sections(self.sections, self._chapter_length, edited=user is not None)
        self._refresh_annotations_panel()
        length = max(1, len(text))
        self.chapter_strip.set_bands([(s.start / length, s.end / length, s.title) for s in self.sections])
        self._on_position_changed(self.reader.top_position())

    def _show_outline_pending(self) -> None:
        self.sections = []
        self.outline_panel.show_message("Finding chapters…")
        self.chapter_strip.set_bands([])

    def _chapter_length(self, start: int, end: int) -> str:
        assert self.document is not None
        seconds = self.document.seconds_at(end) - self.document.seconds_at(start)
        if self.document.transcript.cues:
            return format_clock(seconds)
        return f"{max(1, round(seconds / 60))} min"

    def current_chapter(self) -> int:
        if self.document is None:
            return -1
        return self.outline_panel.model.section_at(self.document.display.map.to_doc(self.reader.reading_position()))

    @Slot(int)
    def go_to_chapter(self, row: int) -> None:
        if self.document is not None and 0 <= row < len(self.sections):
            self.reader.scroll_to_position(self.document.display.map.to_display(self.sections[row].start))

    @Slot()
    def next_chapter(self) -> None:
        self.go_to_chapter(min(len(self.sections) - 1, self.current_chapter() + 1))

    @Slot()
    def previous_chapter(self) -> None:
        row = self.current_chapter()
        if row > 0 and self.document is not None:
            start = self.document.display.map.to_display(self.sections[row].start)
            row = row - 1 if self.reader.top_position() <= start else row
        self.go_to_chapter(max(0, row))

    def _edit_outline(self, label: str, edit: Any) -> None:
        if self.document is None or not self.sections:
            return
        try:
            sections = edit(self.sections)
            self.annotations.set_outline(outline_edits.to_records(sections, self.document.transcript.text), label)
        except (outline_edits.OutlineEditError, RuntimeError) as error:
            self.statusBar().showMessage(str(error), 5000)

    @Slot(int, str)
    def rename_chapter(self, row: int, title: str) -> None:
        self._edit_outline("Rename chapter", lambda sections: outline_edits.rename(sections, row, title))

    def _reading_paragraph_start(self) -> int:
        assert self.document is not None
        offset = self.current_offset()
        for paragraph in self.document.readable.paragraphs:
            if paragraph.end > offset:
                return paragraph.start
        return offset

    @Slot(int)
    def split_chapter(self, _row: int) -> None:
        """Start a new chapter at the paragraph at the top of the reader."""
        if self.document is None:
            return
        offset, starts = self._reading_paragraph_start(), self.document.sentence_starts()
        self._edit_outline("Split chapter", lambda sections: outline_edits.split(sections, offset, starts))

    @Slot(int)
    def merge_chapter(self, row: int) -> None:
        self._edit_outline("Merge chapters", lambda sections: outline_edits.merge_with_next(sections, row))

    @Slot(int)
    def move_chapter_start(self, row: int) -> None:
        """Move the start of chapter ``row`` to the paragraph at the top of the reader."""
        if self.document is None:
            return
        offset, starts = self._reading_paragraph_start(), self.document.sentence_starts()
        self._edit_outline("Move chapter start",
                           lambda sections: outline_edits.move_start(sections, row, offset, starts))

    @Slot()
    def reset_outline(self) -> None:
        try:
            self.annotations.set_outline([], "Reset outline")
        except RuntimeError as error:
            self.statusBar().showMessage(str(error), 5000)
