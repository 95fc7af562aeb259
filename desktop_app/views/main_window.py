"""The main window: menus, the reader, the side panels, the status bar; it wires every signal.

Panels never call each other; this module connects them to each other and to the services.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

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

from desktop_app import APP_NAME, __version__
from desktop_app.annotations.service import AnnotationService
from desktop_app.document import BACKGROUND_DELAY_MS, Document, DocumentService, Preview
from desktop_app.export import format_clock
from desktop_app.search.service import SearchService
from desktop_app.settings import Settings
from desktop_app.views import theme
from desktop_app.views.outline_panel import ChapterStrip, OutlinePanel
from desktop_app.views.reader_view import ReaderView
from desktop_app.views.window_annotations import AnnotationWiring
from desktop_app.views.window_outline import OutlineWiring
from desktop_app.views.window_search import SearchWiring

if TYPE_CHECKING:
    from desktop_app.views.annotations_panel import AnnotationsPanel
    from desktop_app.views.note_editor import NoteEditor
    from desktop_app.views.search_panel import SearchPanel

logger = logging.getLogger(__name__)


@dataclass
class _SidePanels:
    annotations: AnnotationsPanel
    editor: NoteEditor
    search: SearchPanel

# Built after the first paint (``_after_first_paint``), one module per event-loop turn.
SIDE_PANEL_MODULES = ("desktop_app.views.annotations_panel", "desktop_app.views.note_editor",
                      "desktop_app.views.search_panel")
READER_MIN_WIDTH = 380
STEP_INTERVAL_MS = 1  # a real timer, so that paint events and other timers run between the steps
FILE_FILTER = "Transcripts (*.txt *.srt *.vtt);;Plain text (*.txt);;Subtitles (*.srt *.vtt);;All files (*)"


class MainWindow(OutlineWiring, AnnotationWiring, SearchWiring, QMainWindow):
    """The application window.

    Signals:
        preview_shown(object): the first paragraphs of a long transcript opened at start-up are in the reader
            (a :class:`~desktop_app.document.Preview`; the whole document follows with ``document_shown``).
        document_shown(object): a document's text is in the reader and its position restored.
        annotation_selected(str): the selected highlight changed ("" for none).
    """

    preview_shown = Signal(object)
    document_shown = Signal(object)
    annotation_selected = Signal(str)

    def __init__(self, service: DocumentService, annotations: AnnotationService, search: SearchService,
                 settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("main_window")
        self.service = service
        self.annotations = annotations
        self.search = search
        self.search_result: Any = None
        self.current_hit = -1
        self.settings = settings
        self.document: Document | None = None
        self.last_error: QMessageBox | None = None
        self.auto_sections: list[Any] = []
        self.sections: list[Any] = []
        self.selected_annotation = ""
        self._attach_pending: Document | None = None
        self.setWindowTitle(APP_NAME)
        self.setAcceptDrops(True)
        self.resize(1280, 860)
        self.reader = ReaderView(self)
        self.reader.setMinimumWidth(READER_MIN_WIDTH)  # a narrow window shrinks the docks, not the text
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
        # The notes and search panels are built just after the transcript is first painted (_side_panels).
        self._side: _SidePanels | None = None
        self.notes_dock = self._dock("Highlights and Notes", "notes_dock", self._placeholder(),
                                     Qt.DockWidgetArea.RightDockWidgetArea)
        self.search_dock = self._dock("Search", "search_dock", self._placeholder(), Qt.DockWidgetArea.RightDockWidgetArea)
        self.tabifyDockWidget(self.notes_dock, self.search_dock)
        self.notes_dock.raise_()
        self._build_status_bar()
        self._build_menus()
        self._connect_signals()
        self._save_position_timer = QTimer(self, singleShot=True, interval=1500)
        self._save_position_timer.timeout.connect(self._save_position)
        self._pending_steps: list[Callable[[], object]] = []
        self._step_timer = QTimer(self, singleShot=True, interval=STEP_INTERVAL_MS)
        self._step_timer.timeout.connect(self._run_next_step)
        self._build_highlight_actions()
        self.apply_theme(settings.theme)
        self.reader.set_zoom(settings.zoom)
        if service.opening is not None:  # started before this window listened (app.run_gui)
            self._on_loading_started(service.opening)
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

    def _action(self, menu: QMenu, text: str, slot: object,
                shortcut: QKeySequence | QKeySequence.StandardKey | str | list | None = None,
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
        self._action(self.edit_menu, "&Find…", self.show_search, QKeySequence.StandardKey.Find, "find_action")
        self._action(self.edit_menu, "Find &Next", self.find_next, ["F3", QKeySequence.StandardKey.FindNext],
                     "find_next_action")
        self._action(self.edit_menu, "Find &Previous", self.find_previous,
                     ["Shift+F3", QKeySequence.StandardKey.FindPrevious], "find_previous_action")
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
        self.view_menu.addAction(self.search_dock.toggleViewAction())
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
        service.preview_ready.connect(self._on_preview)
        service.opened.connect(self._on_opened)
        service.open_failed.connect(self._on_open_failed)
        service.progress.connect(self._on_progress)
        service.stage_failed.connect(self._on_stage_failed)
        hints = QGuiApplication.styleHints()
        if hasattr(hints, "colorSchemeChanged"):
            hints.colorSchemeChanged.connect(self._on_system_scheme_changed)
        self.reader.position_changed.connect(self._on_position_changed)
        self.reader.document_painted.connect(self._after_first_paint)
        self.reader.highlight_clicked.connect(self.select_annotation)
        self.reader.context_menu_requested.connect(self._extend_context_menu)
        self._connect_outline()
        self._connect_annotations()
        self._connect_search()

    def _connect_outline(self) -> None:
        self.service.outline_ready.connect(self._on_outline_ready)
        outline = self.outline_panel
        outline.chapter_activated.connect(self.go_to_chapter)
        outline.rename_requested.connect(self.rename_chapter)
        outline.split_requested.connect(self.split_chapter)
        outline.merge_requested.connect(self.merge_chapter)
        outline.move_start_requested.connect(self.move_chapter_start)
        outline.reset_requested.connect(self.reset_outline)
        outline.granularity_requested.connect(self.service.rebuild_outline)
        self.chapter_strip.chapter_clicked.connect(self.go_to_chapter)

    @Slot()
    def _after_first_paint(self) -> None:
        """The text is on screen: build the side panels, then start the annotations, the outline and the index.

        One step per event-loop turn, so that none of them keeps the window from repainting for long: the
        panels' modules load one at a time, and the workers start only once the panels are built (they would
        otherwise compete with the construction for the interpreter).
        """
        steps: list[Callable[[], object]] = [partial(importlib.import_module, name) for name in SIDE_PANEL_MODULES]
        self._pending_steps = [*steps, self._side_panels, self._attach_annotations, self.service.start_background]
        self._run_next_step()

    @Slot()
    def _run_next_step(self) -> None:
        if self._pending_steps:
            self._pending_steps.pop(0)()
        if self._pending_steps:
            self._step_timer.start()

    @Slot()
    def _attach_annotations(self) -> None:
        document, self._attach_pending = self._attach_pending, None
        if document is not None and document is self.document:
            self.annotations.attach(document.transcript.text, document.title, document.sha256,
                                    document.transcript.source, self.service.dirs.annotations)

    def _placeholder(self) -> QWidget:
        widget = QWidget(self)
        widget.setMinimumWidth(320)
        return widget

    # -- the side panels, built lazily ------------------------------------------------------
    @property
    def annotations_panel(self) -> AnnotationsPanel:
        return self._side_panels().annotations

    @property
    def note_editor(self) -> NoteEditor:
        return self._side_panels().editor

    @property
    def search_panel(self) -> SearchPanel:
        return self._side_panels().search

    def _side_panels(self) -> _SidePanels:
        """Build the notes and search panels on first use; their modules load only then (faster first paint)."""
        if self._side is None:
            from desktop_app.views.annotations_panel import AnnotationsPanel
            from desktop_app.views.note_editor import NoteEditor
            from desktop_app.views.search_panel import SearchPanel

            notes = QSplitter(Qt.Orientation.Vertical, self)
            side = _SidePanels(AnnotationsPanel(notes), NoteEditor(notes), SearchPanel(self))
            notes.setStretchFactor(0, 3)
            notes.setStretchFactor(1, 1)
            notes.setMinimumWidth(320)
            side.search.setMinimumWidth(320)
            widths = [self.notes_dock.width(), self.search_dock.width()]
            self.notes_dock.setWidget(notes)
            self.search_dock.setWidget(side.search)
            # Keep the docks as wide as their placeholders: a narrower reader would lay the whole text out again.
            self.resizeDocks([self.notes_dock, self.search_dock], widths, Qt.Orientation.Horizontal)
            self._side = side
            self._connect_annotation_panels(side)
            self._connect_search_panel(side.search)
            if self.annotations.path is not None:
                side.annotations.set_file_path(str(self.annotations.path))
            if self.annotations.ready:
                self._on_annotations_changed()
        return self._side

    def _connect_annotations(self) -> None:
        notes = self.annotations
        notes.changed.connect(self._on_annotations_changed)
        notes.outline_changed.connect(self._on_user_outline_changed)
        notes.load_failed.connect(self._on_annotations_unavailable)
        notes.save_failed.connect(self._on_save_failed)
        notes.saved.connect(lambda path: self.statusBar().showMessage("Saved", 1500))
        notes.loaded.connect(lambda: self.annotations_panel.set_file_path(str(notes.path or "")))
        notes.colors_changed.connect(self._on_colors_changed)
        self.annotation_selected.connect(self._show_selected_annotation)

    def _connect_annotation_panels(self, side: _SidePanels) -> None:
        panel = side.annotations
        panel.annotation_activated.connect(self.reveal_annotation)
        panel.current_changed.connect(self.select_annotation)
        panel.delete_requested.connect(self.remove_annotation)
        panel.color_change_requested.connect(lambda key_id, color: self._update_annotation(key_id, color=color))
        panel.color_meaning_change_requested.connect(self._set_color_meaning)
        editor = side.editor
        editor.note_edited.connect(lambda key_id, text: self._update_annotation(key_id, note=text))
        editor.tags_edited.connect(lambda key_id, tags: self._update_annotation(key_id, tags=tags))
        editor.color_requested.connect(lambda key_id, color: self._update_annotation(key_id, color=color))
        editor.delete_requested.connect(self.remove_annotation)

    def _connect_search(self) -> None:
        self.service.index_ready.connect(self.search.set_index)
        self.service.stage_failed.connect(self._on_search_unavailable)
        self.search.results_ready.connect(self._on_search_results)

    def _connect_search_panel(self, search: SearchPanel) -> None:
        search.query_changed.connect(self.search.search)
        search.query_committed.connect(self._remember_query)
        search.hit_activated.connect(self.go_to_hit)
        search.next_requested.connect(self.find_next)
        search.previous_requested.connect(self.find_previous)
        search.dismissed.connect(self._back_to_reader)
        search.set_recent(self.settings.recent_queries())
        self.search.busy_changed.connect(search.set_busy)
        self.search.search_failed.connect(search.show_message)

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
    def _on_preview(self, preview: Preview) -> None:
        """Show the first paragraphs while the rest is segmented, unless another document is on screen."""
        if self.document is not None:
            return
        self.reader.set_display_text(preview.text)
        self.setWindowTitle(f"{preview.title} — {APP_NAME}")
        self.preview_shown.emit(preview)

    @Slot(object)
    def _on_opened(self, document: Document) -> None:
        self.document = document
        self.search.set_index(None)  # the query carries over and runs again once the new index is ready
        self.search_result, self.current_hit = None, -1
        if self.search.current_query.strip():
            self.search_panel.show_message("Indexing the new transcript…")
        self.auto_sections, self.selected_annotation = [], ""
        self._show_outline_pending()
        self._attach_pending = document
        QTimer.singleShot(BACKGROUND_DELAY_MS, self._attach_annotations)  # at the latest; normally on first paint
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

    @Slot(str)
    def _on_annotations_unavailable(self, message: str) -> None:
        self.annotations_panel.set_file_path(f"{self.annotations.path} (could not be read; left untouched)")
        self.show_error("Highlights and notes unavailable", message)

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
        self._pending_steps.clear()
        self._step_timer.stop()
        self._attach_pending = None  # the attach's fallback single shot may still fire, after the services are gone
        self._save_position()
        if self._side is not None:
            self._side.editor.flush()
        self.annotations.flush()
        self.settings.set_window_state(QByteArray(self.saveGeometry()), QByteArray(self.saveState()))
        self.settings.sync()
        super().closeEvent(event)


def screen_fits(window: QMainWindow) -> None:
    """Keep a restored window on a screen that exists."""
    screen = QGuiApplication.screenAt(window.geometry().center()) or QGuiApplication.primaryScreen()
    if screen is not None and not screen.availableGeometry().intersects(window.geometry()):
        window.move(screen.availableGeometry().topLeft())
