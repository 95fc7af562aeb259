"""The main window: menus, the reader, the side panels, the status bar; it wires every signal.

Panels never call each other; this module connects them to each other and to the services.
"""

from __future__ import annotations

import logging
from pathlib import Path

from typing import Any

from PySide6.QtCore import QByteArray, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QAction, QCloseEvent, QDragEnterEvent, QDropEvent, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QProgressBar,
    QSplitter,
    QWidget,
)

from desktop_app import APP_NAME, __version__, outline_edits
from desktop_app.annotation_service import AnnotationService
from desktop_app.annotations import COLOR_KEYS
from desktop_app.document import Document, DocumentService
from desktop_app.settings import Settings
from desktop_app.views import theme
from desktop_app.views.annotations_panel import AnnotationsPanel
from desktop_app.views.note_editor import NoteEditor
from desktop_app.views.outline_panel import ChapterStrip, OutlinePanel
from desktop_app.views.reader_view import HighlightSpan, ReaderView

logger = logging.getLogger(__name__)

FILE_FILTER = "Transcripts (*.txt *.srt *.vtt);;Plain text (*.txt);;Subtitles (*.srt *.vtt);;All files (*)"


def format_clock(seconds: float) -> str:
    seconds = int(max(0, seconds))
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


class MainWindow(QMainWindow):
    """The application window.

    Signals:
        document_shown(object): a document's text is in the reader and its position restored.
        annotation_selected(str): the selected highlight changed ("" for none).
    """

    document_shown = Signal(object)
    annotation_selected = Signal(str)

    def __init__(self, service: DocumentService, annotations: AnnotationService, settings: Settings,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("main_window")
        self.service = service
        self.annotations = annotations
        self.settings = settings
        self.document: Document | None = None
        self.last_error: QMessageBox | None = None
        self.auto_sections: list[Any] = []
        self.sections: list[Any] = []
        self.selected_annotation = ""
        self.setWindowTitle(APP_NAME)
        self.setAcceptDrops(True)
        self.resize(1280, 860)
        self.reader = ReaderView(self)
        self.chapter_strip = ChapterStrip(self)
        central = QWidget(self)
        row = QHBoxLayout(central)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        row.addWidget(self.reader, 1)
        row.addWidget(self.chapter_strip)
        self.setCentralWidget(central)
        self.outline_panel = OutlinePanel(self)
        self.outline_panel.setMinimumWidth(300)
        self.outline_dock = self._dock("Outline", "outline_dock", self.outline_panel, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.annotations_panel = AnnotationsPanel(self)
        self.note_editor = NoteEditor(self)
        notes = QSplitter(Qt.Orientation.Vertical, self)
        notes.addWidget(self.annotations_panel)
        notes.addWidget(self.note_editor)
        notes.setStretchFactor(0, 3)
        notes.setStretchFactor(1, 1)
        notes.setMinimumWidth(320)
        self.notes_dock = self._dock("Highlights and Notes", "notes_dock", notes, Qt.DockWidgetArea.RightDockWidgetArea)
        self._build_status_bar()
        self._build_menus()
        self._connect_signals()
        self._save_position_timer = QTimer(self, singleShot=True, interval=1500)
        self._save_position_timer.timeout.connect(self._save_position)
        self._build_highlight_actions()
        self.apply_theme(settings.theme)
        self.reader.set_zoom(settings.zoom)
        geometry, state = settings.window_state()
        if geometry is not None:
            self.restoreGeometry(geometry)
        if state is not None:
            self.restoreState(state)

    # -- construction -------------------------------------------------------------------------
    def _dock(self, title: str, name: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable
                         | QDockWidget.DockWidgetFeature.DockWidgetClosable)
        self.addDockWidget(area, dock)
        return dock

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self.position_label = QLabel("", self)
        self.position_label.setObjectName("position_label")
        self.progress_bar = QProgressBar(self)
        self.progress_bar.setMaximumWidth(160)
        self.progress_bar.setRange(0, 100)
        self.progress_bar.setTextVisible(False)
        self.progress_bar.hide()
        self.progress_label = QLabel("", self)
        bar.addWidget(self.progress_label)
        bar.addWidget(self.progress_bar)
        bar.addPermanentWidget(self.position_label)

    def _action(self, menu: QMenu, text: str, slot: object, shortcut: QKeySequence | str | list | None = None,
                name: str | None = None) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            if isinstance(shortcut, list):
                sequences: list[QKeySequence] = []
                for item in shortcut:
                    sequence = QKeySequence(item)
                    if not sequence.isEmpty() and sequence not in sequences:
                        sequences.append(sequence)
                action.setShortcuts(sequences)
            else:
                action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        if name:
            action.setObjectName(name)
        menu.addAction(action)
        return action

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self._action(file_menu, "&Open…", self.choose_file, QKeySequence.StandardKey.Open, "open_action")
        self.recent_menu = file_menu.addMenu("Open &Recent")
        self.recent_menu.setObjectName("recent_menu")
        self._action(file_menu, "Open &Bundled Transcript", self.open_bundled)
        file_menu.addSeparator()
        self._action(file_menu, "&Export Highlights and Notes…", self.export_annotations, "Ctrl+E", "export_action")
        self._action(file_menu, "Show Annotations &File", self.show_annotations_file)
        file_menu.addSeparator()
        self.file_menu = file_menu
        self._action(file_menu, "&Quit", self.close, QKeySequence.StandardKey.Quit)

        self.edit_menu = self.menuBar().addMenu("&Edit")
        undo = self.annotations.undo_stack.createUndoAction(self, "&Undo")
        undo.setShortcut(QKeySequence.StandardKey.Undo)
        redo = self.annotations.undo_stack.createRedoAction(self, "&Redo")
        redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        self.undo_action, self.redo_action = undo, redo
        self.edit_menu.addAction(undo)
        self.edit_menu.addAction(redo)
        self.edit_menu.addSeparator()

        self.view_menu = self.menuBar().addMenu("&View")
        self.zoom_in_action = self._action(self.view_menu, "Zoom &In", self.zoom_in,
                                           ["Ctrl+=", "Ctrl++", QKeySequence.StandardKey.ZoomIn], "zoom_in")
        self.zoom_out_action = self._action(self.view_menu, "Zoom &Out", self.zoom_out,
                                            ["Ctrl+-", QKeySequence.StandardKey.ZoomOut], "zoom_out")
        self._action(self.view_menu, "&Actual Size", self.zoom_reset, "Ctrl+0", "zoom_reset")
        self.view_menu.addSeparator()
        theme_menu = self.view_menu.addMenu("&Theme")
        self.theme_actions: dict[str, QAction] = {}
        for key, label in (("system", "Follow &System"), ("light", "&Light"), ("dark", "&Dark")):
            action = self._action(theme_menu, label, lambda _=False, k=key: self.set_theme(k))
            action.setCheckable(True)
            self.theme_actions[key] = action
        self.view_menu.addSeparator()
        self.view_menu.addAction(self.outline_dock.toggleViewAction())
        self.outline_dock.toggleViewAction().setShortcut(QKeySequence("Ctrl+Shift+O"))
        self.view_menu.addAction(self.notes_dock.toggleViewAction())
        self.notes_dock.toggleViewAction().setShortcut(QKeySequence("Ctrl+Shift+H"))

        self.go_menu = self.menuBar().addMenu("&Go")
        self._action(self.go_menu, "&Beginning", lambda: self.reader.scroll_to_position(0), "Ctrl+Home")
        self._action(self.go_menu, "&Next Chapter", self.next_chapter, "Alt+Down", "next_chapter")
        self._action(self.go_menu, "&Previous Chapter", self.previous_chapter, "Alt+Up", "previous_chapter")

        help_menu = self.menuBar().addMenu("&Help")
        self._action(help_menu, "&Keyboard Shortcuts", self.show_shortcuts, "F1")
        self._action(help_menu, f"&About {APP_NAME}", self.show_about)
        self._refresh_recent_menu()

    def _connect_signals(self) -> None:
        service = self.service
        service.loading_started.connect(self._on_loading_started)
        service.opened.connect(self._on_opened)
        service.open_failed.connect(self._on_open_failed)
        service.progress.connect(self._on_progress)
        service.stage_failed.connect(self._on_stage_failed)
        hints = QGuiApplication.styleHints()
        if hasattr(hints, "colorSchemeChanged"):
            hints.colorSchemeChanged.connect(self._on_system_scheme_changed)
        self.reader.position_changed.connect(self._on_position_changed)
        self.reader.highlight_clicked.connect(self.select_annotation)
        self.reader.context_menu_requested.connect(self._extend_context_menu)
        service.outline_ready.connect(self._on_outline_ready)
        outline = self.outline_panel
        outline.chapter_activated.connect(self.go_to_chapter)
        outline.rename_requested.connect(self.rename_chapter)
        outline.split_requested.connect(self.split_chapter)
        outline.merge_requested.connect(self.merge_chapter)
        outline.move_start_requested.connect(self.move_chapter_start)
        outline.reset_requested.connect(self.reset_outline)
        outline.granularity_requested.connect(service.rebuild_outline)
        self.chapter_strip.chapter_clicked.connect(self.go_to_chapter)
        notes = self.annotations
        notes.changed.connect(self._on_annotations_changed)
        notes.outline_changed.connect(self._on_user_outline_changed)
        notes.load_failed.connect(lambda message: self.show_error("Highlights and notes unavailable", message))
        notes.save_failed.connect(self._on_save_failed)
        notes.saved.connect(lambda path: self.statusBar().showMessage("Saved", 1500))
        notes.loaded.connect(lambda: self.annotations_panel.set_file_path(str(notes.path or "")))
        notes.colors_changed.connect(self._on_colors_changed)
        panel = self.annotations_panel
        panel.annotation_activated.connect(self.reveal_annotation)
        panel.current_changed.connect(self.select_annotation)
        panel.delete_requested.connect(self.remove_annotation)
        panel.color_change_requested.connect(lambda key_id, color: self._update_annotation(key_id, color=color))
        panel.color_meaning_change_requested.connect(self._set_color_meaning)
        editor = self.note_editor
        editor.note_edited.connect(lambda key_id, text: self._update_annotation(key_id, note=text))
        editor.tags_edited.connect(lambda key_id, tags: self._update_annotation(key_id, tags=tags))
        editor.color_requested.connect(lambda key_id, color: self._update_annotation(key_id, color=color))
        editor.delete_requested.connect(self.remove_annotation)
        self.annotation_selected.connect(self._show_selected_annotation)

    # -- opening ------------------------------------------------------------------------------
    @Slot()
    def choose_file(self) -> None:
        start_dir = str(Path(self.document.transcript.source).parent) if self.document else str(Path.home())
        path, _ = QFileDialog.getOpenFileName(self, "Open Transcript", start_dir, FILE_FILTER)
        if path:
            self.open_path(path)

    def open_path(self, path: str) -> None:
        self._save_position()
        self.service.open(path)

    @Slot()
    def open_bundled(self) -> None:
        from desktop_app.paths import default_transcript

        self.open_path(str(default_transcript()))

    @Slot(str)
    def _on_loading_started(self, path: str) -> None:
        if self.document is None:
            self.reader.set_placeholder(f"\n\n\nOpening {Path(path).name}…")

    @Slot(object)
    def _on_opened(self, document: Document) -> None:
        self.document = document
        self.auto_sections, self.sections, self.selected_annotation = [], [], ""
        self.outline_panel.show_message("Finding chapters…")
        self.chapter_strip.set_bands([])
        self.annotations.attach(document.transcript.text, document.title, document.sha256,
                                document.transcript.source, self.service.dirs.annotations)
        self.reader.set_display_text(document.display.text)
        self.setWindowTitle(f"{document.title} — {APP_NAME}")
        self.settings.last_document = document.transcript.source
        self.settings.add_recent_file(document.transcript.source)
        self._refresh_recent_menu()
        for warning in document.transcript.warnings:
            self.statusBar().showMessage(warning, 10_000)
        saved = self.settings.position(document.sha256)
        self.reader.scroll_to_position(document.display.map.to_display(saved))
        self._update_position_label(self.reader.top_position())
        self.document_shown.emit(document)

    @Slot(str, str)
    def _on_open_failed(self, path: str, message: str) -> None:
        if self.document is None:
            self.reader.set_placeholder("\n\n\nNo transcript is open.\nUse File › Open… (Ctrl+O) to open one.")
        self.show_error("Could not open transcript", message)

    @Slot(str, str)
    def _on_stage_failed(self, stage: str, message: str) -> None:
        self.statusBar().showMessage(f"{stage.capitalize()} unavailable: {message}", 15_000)

    def show_error(self, title: str, message: str) -> None:
        """A non-blocking, window-modal message box (kept in ``last_error`` for tests)."""
        box = QMessageBox(QMessageBox.Icon.Warning, title, message, QMessageBox.StandardButton.Ok, self)
        box.setWindowModality(Qt.WindowModality.WindowModal)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.last_error = box
        box.open()

    def _refresh_recent_menu(self) -> None:
        self.recent_menu.clear()
        recent = self.settings.recent_files()
        for path in recent:
            action = self.recent_menu.addAction(Path(path).name)
            action.setToolTip(path)
            action.triggered.connect(lambda _=False, p=path: self.open_path(p))
        if recent:
            self.recent_menu.addSeparator()
            self.recent_menu.addAction("Clear Menu", self._clear_recent)
        self.recent_menu.setEnabled(bool(recent))

    @Slot()
    def _clear_recent(self) -> None:
        self.settings.clear_recent_files()
        self._refresh_recent_menu()

    # -- drag and drop ------------------------------------------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 - Qt override
        if event.mimeData().hasUrls() and any(u.isLocalFile() for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 - Qt override
        files = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        if files:
            event.acceptProposedAction()
            self.open_path(files[0])

    # -- progress and position ----------------------------------------------------------------
    @Slot(str, float)
    def _on_progress(self, label: str, fraction: float) -> None:
        done = fraction >= 1.0 or not label
        self.progress_bar.setVisible(not done)
        self.progress_label.setText("" if done else label)
        self.progress_bar.setValue(int(fraction * 100))

    @Slot(int)
    def _on_position_changed(self, display_position: int) -> None:
        self._update_position_label(display_position)
        self._save_position_timer.start()
        if self.document is not None:
            offset = self.document.display.map.to_doc(self.reader.reading_position())
            self.outline_panel.follow(offset)
            self.chapter_strip.set_current(self.outline_panel.model.section_at(offset))

    def current_offset(self) -> int:
        """Document offset at the top of the reader."""
        if self.document is None:
            return 0
        return self.document.display.map.to_doc(self.reader.top_position())

    def _update_position_label(self, display_position: int) -> None:
        document = self.document
        if document is None:
            self.position_label.setText("")
            return
        offset = document.display.map.to_doc(display_position)
        percent = round(100 * document.fraction_at(offset))
        here, total = document.seconds_at(offset), document.duration
        timed = bool(document.transcript.cues)
        if timed:
            text = f"{percent}%  ·  {format_clock(here)} / {format_clock(total)}"
        else:
            text = f"{percent}%  ·  minute {int(here // 60)} of {int(round(total / 60))}"
        self.position_label.setText(text)

    @Slot()
    def _save_position(self) -> None:
        if self.document is not None:
            self.settings.set_position(self.document.sha256, self.current_offset())

    # -- zoom and theme -----------------------------------------------------------------------
    @Slot()
    def zoom_in(self) -> None:
        self._set_zoom(self.reader.zoom + 1)

    @Slot()
    def zoom_out(self) -> None:
        self._set_zoom(self.reader.zoom - 1)

    @Slot()
    def zoom_reset(self) -> None:
        self._set_zoom(0)

    def _set_zoom(self, steps: int) -> None:
        self.reader.set_zoom(steps)
        self.settings.zoom = self.reader.zoom
        self.statusBar().showMessage(f"Text size {self.reader.point_size():g} pt", 2000)

    @Slot(object)
    def _on_system_scheme_changed(self, _scheme: object) -> None:
        if self.settings.theme == "system":
            self.apply_theme("system")

    def set_theme(self, key: str) -> None:
        self.settings.theme = key
        self.apply_theme(key)

    def apply_theme(self, key: str) -> None:
        resolved = theme.resolve(key)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            theme.apply_palette(app, resolved)
        self.reader.set_colors(theme.reader_colors(resolved))
        for name, action in self.theme_actions.items():
            action.setChecked(name == key)
        self.resolved_theme = resolved

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
        if document is None or not self.auto_sections and not self.annotations.content.outline:
            return
        text = document.transcript.text
        user = outline_edits.from_records(self.annotations.content.outline, text) \
            if self.annotations.content.outline else None
        self.sections = user or self.auto_sections
        self.outline_panel.set_sections(self.sections, self._chapter_length, edited=user is not None)
        self._refresh_annotations_panel()
        length = max(1, len(text))
        self.chapter_strip.set_bands([(s.start / length, s.end / length, s.title) for s in self.sections])
        self._on_position_changed(self.reader.top_position())

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
        from desktop_app.annotation_store import slugify

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
            Path(path).write_text(output, encoding="utf-8")
            return path

        self.service.tasks.submit("export", job,
                                  on_done=lambda p: self.statusBar().showMessage(f"Exported to {p}", 6000),
                                  on_error=lambda message, _e: self.show_error("Export failed", message))

    # -- help ---------------------------------------------------------------------------------
    @Slot()
    def show_about(self) -> None:
        QMessageBox.about(self, f"About {APP_NAME}",
                          f"<b>{APP_NAME}</b> {__version__}<br>Read, search and annotate long interview "
                          f"transcripts, offline.<br><br>Data folder: {self.service.dirs.data}")

    @Slot()
    def show_shortcuts(self) -> None:
        rows = []
        for action in self.findChildren(QAction):
            if action.shortcut().isEmpty() or not action.text():
                continue
            keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            rows.append(f"<tr><td><b>{keys}</b></td><td>{action.text().replace('&', '')}</td></tr>")
        extra = ("<tr><td><b>Space / Shift+Space</b></td><td>Page down / up</td></tr>"
                 "<tr><td><b>Home / End</b></td><td>Beginning / end</td></tr>")
        box = QMessageBox(QMessageBox.Icon.NoIcon, "Keyboard Shortcuts",
                          f"<table cellpadding=3>{''.join(sorted(set(rows)))}{extra}</table>",
                          QMessageBox.StandardButton.Close, self)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()

    # -- closing ------------------------------------------------------------------------------
    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        self._save_position()
        self.note_editor.flush()
        self.annotations.flush()
        self.settings.set_window_state(QByteArray(self.saveGeometry()), QByteArray(self.saveState()))
        self.settings.sync()
        super().closeEvent(event)


def screen_fits(window: QMainWindow) -> None:
    """Keep a restored window on a screen that exists."""
    screen = QGuiApplication.screenAt(window.geometry().center()) or QGuiApplication.primaryScreen()
    if screen is not None and not screen.availableGeometry().intersects(window.geometry()):
        window.move(screen.availableGeometry().topLeft())
