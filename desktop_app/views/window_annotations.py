"""The main window's annotation wiring: highlight keys, the reader's marks, the panel, the note editor, export."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMenu, QMessageBox

from desktop_app.annotations.model import COLOR_KEYS
from desktop_app.atomic_file import write_text_atomic
from desktop_app.export import format_clock
from desktop_app.views.reader_view import HighlightSpan

if TYPE_CHECKING:
    from desktop_app.views.window_base import WindowBase as _Base
else:
    _Base = object


class AnnotationWiring(_Base):
    """Part of :class:`MainWindow` (split out to keep each file readable); uses the window's attributes."""

    # -- highlights -----------------------------------------------------------------------------
    def _build_highlight_actions(self) -> None:
        """Keys 1–5 highlight the selection (only while the reader has focus); Delete removes one."""
        self.highlight_actions: dict[str, QAction] = {}
        menu = self.edit_menu.addMenu("&Highlight Selection")
        for number, key in enumerate(COLOR_KEYS, start=1):
            action = QAction(self)
            action.setShortcut(QKeySequence(str(number)))
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            action.triggered.connect(lambda _=False, k=key: self.highlight_selection(k))
            self.reader.addAction(action)
            menu.addAction(action)
            self.highlight_actions[key] = action
        self.add_note_action = QAction("Add &Note…", self)
        self.add_note_action.setShortcuts([QKeySequence("N"), QKeySequence("Ctrl+Shift+N")])
        self.add_note_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.add_note_action.triggered.connect(self.add_note)
        self.reader.addAction(self.add_note_action)
        self.edit_menu.addAction(self.add_note_action)
        self.delete_highlight_action = QAction("&Delete Highlight", self)
        self.delete_highlight_action.setShortcuts([QKeySequence(QKeySequence.StandardKey.Delete),
                                                   QKeySequence("Backspace")])
        self.delete_highlight_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.delete_highlight_action.triggered.connect(self.delete_selected_highlight)
        self.reader.addAction(self.delete_highlight_action)
        self.edit_menu.addAction(self.delete_highlight_action)
        self._update_color_labels()

    def _update_color_labels(self) -> None:
        meanings = self.annotations.colors
        for number, (key, action) in enumerate(self.highlight_actions.items(), start=1):
            action.setText(f"&{number}  {meanings.get(key, key)} ({key})")

    def _selection_doc_range(self) -> tuple[int, int] | None:
        if self.document is None:
            return None
        start, end = self.document.display.map.range_to_doc(*self.reader.selection_range())
        text = self.document.transcript.text
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        return (start, end) if end > start else None

    @Slot()
    def highlight_selection(self, color: str) -> str | None:
        """Highlight the selected words, or recolour the selected highlight; returns the annotation id."""
        span = self._selection_doc_range()
        try:
            if span is None:
                if self.selected_annotation:
                    self.annotations.update(self.selected_annotation, color=color)
                    return self.selected_annotation
                self.statusBar().showMessage("Select some text first, then press 1–5 to highlight it.", 4000)
                return None
            annotation = self.annotations.add(span[0], span[1], color)
        except RuntimeError as error:
            self.statusBar().showMessage(str(error), 6000)
            return None
        self.reader.select_range(self.reader.selection_range()[1], self.reader.selection_range()[1])
        self.select_annotation(annotation.id)
        return annotation.id

    @Slot(str)
    def select_annotation(self, annotation_id: str) -> None:
        self.selected_annotation = annotation_id if self.annotations.find(annotation_id) else ""
        self.reader.set_selected_highlight(self.selected_annotation)
        self.delete_highlight_action.setEnabled(bool(self.selected_annotation))
        self.annotation_selected.emit(self.selected_annotation)

    @Slot()
    def delete_selected_highlight(self) -> None:
        if self.selected_annotation:
            try:
                self.annotations.remove(self.selected_annotation)
            except RuntimeError as error:
                self.statusBar().showMessage(str(error), 5000)
            self.select_annotation("")

    @Slot()
    def _on_annotations_changed(self) -> None:
        document = self.document
        if document is None:
            return
        mapping = document.display.map
        spans = [HighlightSpan(a.id, *mapping.range_to_display(a.start, a.end), a.color, a.note)
                 for a in self.annotations.annotations if not a.is_orphan]
        self.reader.set_highlights(spans)
        if self.selected_annotation and not self.annotations.find(self.selected_annotation):
            self.select_annotation("")
        self._update_color_labels()
        self._refresh_annotations_panel()
        self._show_selected_annotation(self.selected_annotation)
        self.search.set_notes([(a.id, a.note, a.start, a.end) for a in self.annotations.annotations if a.note.strip()])

    @Slot()
    def _on_colors_changed(self) -> None:
        self._update_color_labels()
        self._refresh_annotations_panel()
        self._show_selected_annotation(self.selected_annotation)

    def _refresh_annotations_panel(self) -> None:
        self.annotations_panel.set_annotations(self.annotations.annotations, self.sections, self.annotations.colors,
                                               self.place_label)

    def place_label(self, offset: int) -> str:
        """Where an offset is, for lists: the real time for subtitles, else the minute."""
        if self.document is None:
            return ""
        seconds = self.document.seconds_at(offset)
        return format_clock(seconds) if self.document.transcript.cues else f"min {int(seconds // 60)}"

    @Slot(str)
    def _show_selected_annotation(self, annotation_id: str) -> None:
        self.annotations_panel.select_annotation(annotation_id)
        annotation = self.annotations.find(annotation_id) if annotation_id else None
        tags = sorted({t for a in self.annotations.annotations for t in a.tags})
        self.note_editor.set_annotation(annotation, self.annotations.colors, tags)

    @Slot(str)
    def reveal_annotation(self, annotation_id: str) -> None:
        """Scroll the reader to an annotation and select it."""
        annotation = self.annotations.find(annotation_id)
        if annotation is None or self.document is None:
            return
        if not annotation.is_orphan:
            self.reader.scroll_to_position(self.document.display.map.to_display(annotation.start), margin_lines=6)
        self.select_annotation(annotation_id)

    def _update_annotation(self, annotation_id: str, **changes: Any) -> None:
        try:
            self.annotations.update(annotation_id, **changes)
        except RuntimeError as error:
            self.statusBar().showMessage(str(error), 5000)

    @Slot(str)
    def remove_annotation(self, annotation_id: str) -> None:
        try:
            self.annotations.remove(annotation_id)
        except RuntimeError as error:
            self.statusBar().showMessage(str(error), 5000)

    @Slot(str, str)
    def _set_color_meaning(self, key: str, meaning: str) -> None:
        try:
            self.annotations.set_color_meaning(key, meaning)
        except RuntimeError as error:
            self.statusBar().showMessage(str(error), 5000)

    @Slot()
    def add_note(self) -> None:
        """Highlight the selection if needed, then put the cursor in the note editor."""
        if self._selection_doc_range() is not None:
            self.highlight_selection("yellow")
        if self.selected_annotation:
            self.notes_dock.show()
            self.note_editor.note.setFocus()

    @Slot(object, int, int)
    def _extend_context_menu(self, menu: QMenu, start: int, end: int) -> None:
        menu.addSeparator()
        if start != end:
            for action in self.highlight_actions.values():
                menu.addAction(action)
            menu.addAction(self.add_note_action)
        elif self.selected_annotation:
            menu.addAction(self.add_note_action)
            menu.addAction(self.delete_highlight_action)

    @Slot(str)
    def _on_save_failed(self, message: str) -> None:
        self.statusBar().showMessage("Annotations NOT saved — see the message", 10_000)
        if self.last_error is None or not self.last_error.isVisible():
            self.show_error("Could not save highlights and notes", message)

    @Slot()
    def show_annotations_file(self) -> None:
        path = self.annotations.path
        message = f"Your highlights and notes for this transcript are saved in:\n\n{path}" if path \
            else "No transcript is open."
        box = QMessageBox(QMessageBox.Icon.Information, "Annotations file", message, QMessageBox.StandardButton.Ok, self)
        box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()

    @Slot()
    def export_annotations(self) -> None:
        if self.document is None:
            return
        from desktop_app.annotations.store import slugify

        suggested = str(Path.home() / f"{slugify(self.document.title)}-notes.md")
        path, chosen = QFileDialog.getSaveFileName(self, "Export Highlights and Notes", suggested,
                                                   "Markdown (*.md);;Web Annotation JSON (*.json)")
        if path:
            self.write_export(path, "json" if path.endswith(".json") or "JSON" in chosen else "markdown")

    def write_export(self, path: str, fmt: str) -> None:
        """Write the export on a worker thread; report in the status bar."""
        from desktop_app import export

        document = self.document
        assert document is not None
        text, title, notes = document.transcript.text, document.title, self.annotations.annotations
        sections, colors, source = list(self.sections), self.annotations.colors, document.transcript.source
        time_of = document.seconds_at if document.transcript.cues else None

        def job(_progress: object) -> str:
            if fmt == "json":
                output = export.to_web_annotation_json(title, text, notes, source=source, sha256=document.sha256,
                                                       colors=colors)
            else:
                output = export.to_markdown(title, text, notes, sections=sections, colors=colors, time_of=time_of)
            write_text_atomic(path, output)
            return path

        self.service.tasks.submit("export", job,
                                  on_done=lambda p: self.statusBar().showMessage(f"Exported to {p}", 6000),
                                  on_error=lambda message, _e: self.show_error("Export failed", message))
