"""The main window: it builds the reader, the side panels, the menus and the status bar, and connects them.

Everything the user reads and does goes through the :class:`~desktop_app.session.ReadingSession`: the
panels emit intents, the session decides and announces facts, the window shows them. Panels never call
each other, and this module keeps no reading state of its own.
"""

from __future__ import annotations

import importlib
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, Signal, Slot
from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDropEvent, QGuiApplication
from PySide6.QtWidgets import QHBoxLayout, QMainWindow, QMenu, QMessageBox, QWidget

from desktop_app import APP_NAME
from desktop_app.formats import FILE_DIALOG_FILTER
from desktop_app.views import theme
from desktop_app.views.annotation_tools import AnnotationTools
from desktop_app.views.main_menu import MainMenu
from desktop_app.views.outline_panel import ChapterStrip, OutlinePanel
from desktop_app.views.reader_view import HighlightSpan, ReaderView
from desktop_app.views.side_panels import MODULES, SidePanels, build_side_panels
from desktop_app.views.speaker_menu import SpeakerMenu, connect_speaker_menu
from desktop_app.views.status_bar import StatusBar
from desktop_app.views.window_parts import EventLoopSteps, add_dock

if TYPE_CHECKING:
    from collections.abc import Callable

    from desktop_app.display_text import DisplayText
    from desktop_app.document import Document, Preview
    from desktop_app.session import ReadingSession
    from desktop_app.views.annotations_panel import AnnotationsPanel
    from desktop_app.views.note_editor import NoteEditor
    from desktop_app.views.search_panel import SearchPanel

READER_MIN_WIDTH = 380
NOTHING_OPEN = "\n\n\nNo transcript is open.\nUse File › Open… (Ctrl+O) to open one."


class MainWindow(QMainWindow):
    """The application window.

    Signals:
        preview_shown(object): the first paragraphs of a long transcript are in the reader (a ``Preview``).
        document_shown(object): a document's text is in the reader and its position restored.
    """

    preview_shown = Signal(object)
    document_shown = Signal(object)

    def __init__(self, session: ReadingSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("main_window")
        self.session = session
        self.settings = session.settings
        self.last_error: QMessageBox | None = None
        self._closed = False
        self._quit_unsaved = False  # the user chose to quit although the annotations could not be saved
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
        self.outline_dock = add_dock(self, "Outline", "outline_dock", self.outline_panel)
        self._side: SidePanels | None = None  # the notes and search panels: built after the first paint
        self.notes_dock = add_dock(self, "Highlights", "notes_dock")
        self.search_dock = add_dock(self, "Search", "search_dock")
        self.library_dock = add_dock(self, "Library", "library_dock")
        self.tabifyDockWidget(self.notes_dock, self.library_dock)
        self.tabifyDockWidget(self.notes_dock, self.search_dock)
        self.notes_dock.raise_()
        self.status = StatusBar(self)
        self.setStatusBar(self.status)
        docks = [
            (self.outline_dock, "Ctrl+Shift+O"),
            (self.search_dock, ""),
            (self.notes_dock, "Ctrl+Shift+H"),
        ]
        docks.append((self.library_dock, "Ctrl+Shift+L"))
        self.menu = MainMenu(self, self.reader, session.annotations.undo_stack, docks)
        self.speaker_menu = SpeakerMenu(self, self.reader, self.menu.edit_menu)
        self._steps = EventLoopSteps(self)
        self._connect()
        connect_speaker_menu(self.speaker_menu, session, self.reader)
        self.menu.set_recent_files(self.settings.recent_files())
        self.menu.set_color_meanings(session.annotations.colors)
        self.menu.hide_fillers_action.setChecked(session.hide_fillers)
        self.menu.refine_outline_action.setChecked(session.refine_outline)
        self.menu.refine_outline_action.setVisible(session.refine_available)
        self.apply_theme(self.settings.theme)
        self.reader.set_zoom(self.settings.zoom)
        if session.documents.opening is not None:  # started before this window listened (app.run_gui)
            self._on_loading(session.documents.opening)
        geometry, state = self.settings.window_state()
        if geometry is not None:
            self.restoreGeometry(geometry)
        if state is not None:
            self.restoreState(state)
        self.annotation_tools = AnnotationTools(self)  # All Annotations, Export All, Copy as Quote

    def _connect(self) -> None:
        """Every connection of the window, in one place: session facts to views, view intents to the session."""
        s, menu, reader, outline = self.session, self.menu, self.reader, self.outline_panel
        s.loading.connect(self._on_loading)
        s.preview_ready.connect(self._on_preview)
        s.document_changed.connect(self._on_document)
        s.display_changed.connect(self._on_display)
        s.open_failed.connect(self._on_open_failed)
        s.open_cancelled.connect(lambda path: self._on_open_failed(path, ""))
        self.status.cancel_requested.connect(s.cancel_open)
        s.progress.connect(self.status.show_progress)
        s.notice.connect(self.status.show_notice)
        s.problem.connect(self.show_error)
        s.sections_changed.connect(self._on_sections)
        s.outline_pending.connect(self._on_outline_pending)
        s.chapter_changed.connect(outline.follow)
        s.chapter_changed.connect(self.chapter_strip.set_current)
        s.annotations_changed.connect(self._on_annotations)
        s.colors_changed.connect(self._on_annotations)
        s.speakers_changed.connect(self._on_speakers)
        s.selection_changed.connect(self._on_highlight_selected)
        s.hits_changed.connect(self._on_hits)
        s.current_hit_changed.connect(self._on_current_hit)
        reader.position_changed.connect(self._on_scrolled)
        reader.document_painted.connect(self._after_first_paint)
        reader.highlight_clicked.connect(s.select_annotation)
        reader.context_menu_requested.connect(self._extend_context_menu)
        outline.chapter_activated.connect(self.go_to_chapter)
        outline.rename_requested.connect(s.rename_chapter)
        outline.split_requested.connect(lambda _row: s.split_chapter(reader.top_offset()))
        outline.merge_requested.connect(s.merge_chapter)
        outline.move_start_requested.connect(lambda row: s.move_chapter_start(row, reader.top_offset()))
        outline.reset_requested.connect(s.reset_outline)
        outline.granularity_requested.connect(s.set_granularity)
        outline.episode_chapters_requested.connect(s.use_episode_outline)
        self.chapter_strip.chapter_clicked.connect(self.go_to_chapter)
        menu.open_requested.connect(self.choose_file)
        menu.open_path_requested.connect(self.open_path)
        menu.open_bundled_requested.connect(self.open_bundled)
        menu.clear_recent_requested.connect(self.settings.clear_recent_files)
        menu.clear_recent_requested.connect(lambda: menu.set_recent_files([]))
        menu.export_requested.connect(self.export_annotations)
        menu.show_annotations_file_requested.connect(self.show_annotations_file)
        menu.find_requested.connect(self.show_search)
        menu.find_next_requested.connect(lambda: self._step_hit(+1))
        menu.find_previous_requested.connect(lambda: self._step_hit(-1))
        menu.zoom_requested.connect(self.zoom)
        menu.theme_requested.connect(lambda key: self.apply_theme(key, remember=True))
        menu.hide_fillers_requested.connect(s.set_hide_fillers)
        menu.refine_outline_requested.connect(s.set_refine_outline)
        menu.beginning_requested.connect(lambda: reader.scroll_to_offset(0))
        menu.next_chapter_requested.connect(lambda: self._scroll_to(s.next_chapter()))
        menu.previous_chapter_requested.connect(
            lambda: self._scroll_to(s.previous_chapter(reader.top_offset()))
        )
        menu.highlight_requested.connect(self.highlight_selection)
        menu.add_note_requested.connect(self.add_note)
        menu.delete_highlight_requested.connect(s.remove_selected)
        menu.shortcuts_requested.connect(self._show_shortcuts)
        menu.about_requested.connect(self._show_about)
        hints = QGuiApplication.styleHints()
        if hasattr(hints, "colorSchemeChanged"):
            hints.colorSchemeChanged.connect(lambda _scheme: self.apply_theme(self.settings.theme))

    def _connect_side_panels(self, side: SidePanels) -> None:
        s, panel, editor, search = self.session, side.annotations, side.editor, side.search
        s.annotations_file.connect(panel.set_file_path)
        s.search_message.connect(search.show_message)
        s.search_service.busy_changed.connect(search.set_busy)
        s.search_service.search_failed.connect(search.show_message)
        panel.annotation_activated.connect(self.reveal_annotation)
        panel.current_changed.connect(s.select_annotation)
        panel.delete_requested.connect(s.remove_annotation)
        panel.color_change_requested.connect(lambda key_id, color: s.update_annotation(key_id, color=color))
        panel.color_meaning_change_requested.connect(s.set_color_meaning)
        editor.note_edited.connect(lambda key_id, text: s.update_annotation(key_id, note=text))
        editor.tags_edited.connect(lambda key_id, tags: s.update_annotation(key_id, tags=tags))
        editor.color_requested.connect(lambda key_id, color: s.update_annotation(key_id, color=color))
        editor.delete_requested.connect(s.remove_annotation)
        search.query_changed.connect(s.search)
        search.query_committed.connect(lambda query: search.set_recent(s.remember_query(query)))
        search.hit_activated.connect(s.go_to_hit)
        search.next_requested.connect(lambda: self._step_hit(+1))
        search.previous_requested.connect(lambda: self._step_hit(-1))
        search.dismissed.connect(self.reader.setFocus)
        search.set_recent(self.settings.recent_queries())
        if s.library is not None:
            from desktop_app.views.library_scope import connect_library

            connect_library(side.library, search, s.library, s.open, s.open_sha256)

    # -- the side panels, built lazily --------------------------------------------------------
    @property
    def annotations_panel(self) -> AnnotationsPanel:
        """The highlights and notes list."""
        return self._side_panels().annotations

    @property
    def note_editor(self) -> NoteEditor:
        """The editor of the selected highlight's note, tags and colour."""
        return self._side_panels().editor

    @property
    def search_panel(self) -> SearchPanel:
        """The search field and results."""
        return self._side_panels().search

    def _side_panels(self) -> SidePanels:
        """Build the notes and search panels on first use; their modules load only then (faster first paint)."""
        if self._side is None:
            self._side = build_side_panels(self, self.notes_dock, self.search_dock, self.library_dock)
            self._connect_side_panels(self._side)
            self._on_speakers()
            if self.session.annotations.path is not None:
                self._side.annotations.set_file_path(str(self.session.annotations.path))
            if self.session.annotations.ready:
                self._on_annotations()
        return self._side

    @Slot()
    def _after_first_paint(self) -> None:
        """The text is on screen: build the side panels, then start the annotations, the outline, the index and
        the library, one step per event-loop turn so that none keeps the window from repainting for long."""
        steps: list[Callable[[], object]] = [partial(importlib.import_module, name) for name in MODULES]
        s = self.session
        self._steps.run(
            [*steps, self._side_panels, s.attach_annotations, s.start_background, s.start_library]
        )

    # -- opening ------------------------------------------------------------------------------
    @Slot()
    def choose_file(self) -> None:
        """File › Open: ask for a transcript."""
        document = self.session.document
        start_dir = str(Path(document.transcript.source).parent) if document else str(Path.home())
        from desktop_app.views import dialogs  # on first use: its Qt classes cost start-up time

        path = dialogs.choose_transcript(self, start_dir, FILE_DIALOG_FILTER)
        if path:
            self.open_path(path)

    @Slot(str)
    def open_path(self, path: str) -> None:
        """Open a transcript (the current one stays on screen until it is ready)."""
        self.session.open(path)

    @Slot()
    def open_bundled(self) -> None:
        """Open the transcript that ships with the app."""
        from desktop_app.paths import default_transcript

        self.open_path(str(default_transcript()))

    @Slot(str)
    def _on_loading(self, path: str) -> None:
        if self.session.document is None:
            self.reader.set_placeholder(f"\n\n\nOpening {Path(path).name}…")

    @Slot(object)
    def _on_preview(self, preview: Preview) -> None:
        self.reader.set_display(preview.display)
        self.setWindowTitle(f"{preview.title} — {APP_NAME}")
        self.preview_shown.emit(preview)

    @Slot(object)
    def _on_document(self, document: Document) -> None:
        self.reader.set_display(document.display)
        self.outline_panel.offer_episode_chapters(bool(self.session.episode_sections))
        self._on_speakers()
        self.setWindowTitle(f"{document.title} — {APP_NAME}")
        self.menu.set_recent_files(self.settings.recent_files())
        self.reader.scroll_to_offset(self.session.saved_position())
        self.status.set_position(self.session.position_label())
        self.document_shown.emit(document)

    @Slot(object)
    def _on_display(self, display: DisplayText) -> None:
        """The same document shown another way: keep the place, the highlights and the hits."""
        self.reader.replace_display(display)
        self._on_annotations()
        self.reader.set_search_hits(self.session.hit_ranges(), current=self.session.current_hit_range())

    @Slot()
    def _on_speakers(self) -> None:
        if self._side is not None:
            self._side.search.set_speakers(self.session.speakers)

    @Slot(str, str)
    def _on_open_failed(self, _path: str, message: str) -> None:
        if self.session.document is None:
            self.reader.set_placeholder(NOTHING_OPEN)
            self.outline_panel.show_message("")  # not "Finding chapters…" with nothing open
        if message:  # "" when the user cancelled
            self.show_error("Could not open transcript", message)

    @Slot(str, str)
    def show_error(self, title: str, message: str) -> None:
        """A non-blocking message box (kept in ``last_error`` for tests); one at a time for the same trouble."""
        if (
            self.last_error is None
            or not self.last_error.isVisible()
            or self.last_error.windowTitle() != title
        ):
            from desktop_app.views import dialogs  # on first use: its Qt classes cost start-up time

            self.last_error = dialogs.show_error(self, title, message)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        """Accept files dragged from a file manager."""
        if any(url.isLocalFile() for url in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        """Open the first file dropped on the window; a dropped folder goes to the library, as on its panel."""
        files = [url.toLocalFile() for url in event.mimeData().urls() if url.isLocalFile()]
        if files and self.session.library is not None and any(Path(f).is_dir() for f in files):
            event.acceptProposedAction()
            self._side_panels().library.add_paths(files)
            self.library_dock.show()
            self.library_dock.raise_()
        elif files:
            event.acceptProposedAction()
            self.open_path(files[0])

    # -- reading and chapters -----------------------------------------------------------------
    @Slot(int)
    def _on_scrolled(self, top: int) -> None:
        self.session.set_position(top, self.reader.reading_offset())
        self.status.set_position(self.session.position_label())

    def _scroll_to(self, offset: int | None, margin_lines: float = 0.0) -> None:
        if offset is not None:
            self.reader.scroll_to_offset(offset, margin_lines)

    @Slot(int)
    def go_to_chapter(self, row: int) -> None:
        """Scroll to the start of chapter ``row``."""
        self._scroll_to(self.session.chapter_start(row))

    @Slot()
    def _on_sections(self) -> None:
        rows = self.session.chapter_rows()
        length = max(1, self.session.timeline.length if self.session.timeline is not None else 1)
        self.outline_panel.set_sections(rows, source=self.session.outline_source)
        self.chapter_strip.set_bands([(r.start / length, r.end / length, r.title) for r in rows])
        self._on_annotations()

    @Slot(str)
    def _on_outline_pending(self, message: str) -> None:
        self.outline_panel.show_message(message)
        self.chapter_strip.set_bands([])

    # -- highlights ---------------------------------------------------------------------------
    @Slot(str)
    def highlight_selection(self, color: str) -> None:
        """Keys 1–5: highlight the selected words, or recolour the selected highlight."""
        if self.session.highlight(*self.reader.selection_range(), color):
            self.reader.clear_selection()

    @Slot()
    def add_note(self) -> None:
        """Highlight the selection if needed, then put the cursor in the note editor."""
        if self.session.trimmed(*self.reader.selection_range()) is not None:
            self.highlight_selection("yellow")
        if self.session.selected_annotation:
            self.notes_dock.show()
            self.note_editor.note.setFocus()

    @Slot(str)
    def reveal_annotation(self, annotation_id: str) -> None:
        """Scroll the reader to a highlight and select it."""
        self._scroll_to(self.session.annotation_start(annotation_id), margin_lines=6)
        self.session.select_annotation(annotation_id)

    @Slot()
    def _on_annotations(self) -> None:
        s = self.session
        self.reader.set_highlights(
            [HighlightSpan(a.id, a.start, a.end, a.color, a.note) for a in s.placed_annotations()]
        )
        self.menu.set_color_meanings(s.annotations.colors)
        if self._side is not None:
            places, quotes = s.annotation_places(), s.annotation_quotes()
            self._side.annotations.set_annotations(
                s.annotations.annotations, s.chapter_rows(), s.annotations.colors, places, quotes
            )
            self._on_highlight_selected(s.selected_annotation)

    @Slot(str)
    def _on_highlight_selected(self, annotation_id: str) -> None:
        s, notes = self.session, self.session.annotations
        self.reader.set_selected_highlight(annotation_id)
        self.menu.set_highlight_selected(bool(annotation_id))
        if self._side is not None:
            self._side.annotations.select_annotation(annotation_id)
            tags = sorted({t for a in notes.annotations for t in a.tags})
            found, words = notes.find(annotation_id) if annotation_id else None, s.quote_of(annotation_id)
            self._side.editor.set_annotation(found, notes.colors, tags, words)

    @Slot(object, int, int)
    def _extend_context_menu(self, menu: QMenu, start: int, end: int) -> None:
        self.menu.extend_context_menu(menu, start != end, bool(self.session.selected_annotation))

    @Slot()
    def _show_shortcuts(self) -> None:
        from desktop_app.views import dialogs

        dialogs.show_shortcuts(self)

    @Slot()
    def _show_about(self) -> None:
        from desktop_app.views import dialogs

        dialogs.show_about(self, str(self.session.documents.dirs.data))

    @Slot()
    def show_annotations_file(self) -> None:
        """Say where this transcript's highlights and notes are kept."""
        from desktop_app.views import dialogs  # on first use: its Qt classes cost start-up time

        dialogs.show_annotations_file(self, self.session.annotations.path)

    @Slot()
    def export_annotations(self) -> None:
        """File › Export: choose a file and a format, then export on a worker."""
        if self.session.document is not None:
            from desktop_app.views import dialogs  # on first use: its Qt classes cost start-up time

            path, fmt = dialogs.choose_export(self, self.session.suggested_export_path())
            if path:
                self.session.export(path, fmt)

    # -- search -------------------------------------------------------------------------------
    @Slot()
    def show_search(self) -> None:
        """Ctrl+F: show the search panel and put the cursor in its field (with the selected words, if any)."""
        self.search_dock.show()
        self.search_dock.raise_()
        selected = self.reader.selected_text().strip()
        if selected and len(selected) < 60 and "\u2029" not in selected:
            self.search_panel.query_edit.setText(selected)
        self.search_panel.focus_query()

    def _step_hit(self, direction: int) -> None:
        if (
            not self.session.step_hit(direction, self.reader.top_offset())
            and not self.search_dock.isVisible()
        ):
            self.show_search()

    @Slot()
    def _on_hits(self) -> None:
        result = self.session.search_result
        if result is not None and self._side is not None:
            self._side.search.set_result(result, self.session.hit_labels())
        self.reader.set_search_hits(self.session.hit_ranges())
        self.status.drop_notice("Match ")  # "Match 3 of 54" was about the previous query's hits

    @Slot(int)
    def _on_current_hit(self, number: int) -> None:
        current = self.session.current_hit_range()
        if current is not None:
            self.reader.reveal_range(*current)
        self.reader.set_search_hits(self.session.hit_ranges(), current=current)
        self.search_panel.select_hit(number)

    # -- zoom, theme, help --------------------------------------------------------------------
    @Slot(int)
    def zoom(self, step: int) -> None:
        """One size larger (+1), smaller (-1), or the default (0)."""
        self.reader.set_zoom(self.reader.zoom + step if step else 0)
        self.settings.zoom = self.reader.zoom
        self.status.showMessage(f"Text size {self.reader.point_size():g} pt", 2000)

    @Slot(str)
    def apply_theme(self, key: str, remember: bool = False) -> None:
        """Show the window in light, dark or the system's theme (``remember``: the user chose it)."""
        if remember:
            self.settings.theme = key
        self.resolved_theme = theme.apply(key, self.reader)
        self.menu.set_theme(key)

    def closeEvent(self, event: QCloseEvent) -> None:
        """Save the note being typed, the annotations, the position and the layout; ask when saving fails."""
        if not self._closed:
            if self._side is not None:
                self._side.editor.flush()
            if not self.session.stop() and not self._quit_unsaved:
                event.ignore()
                message = self.session.last_save_error or "The annotations file could not be written."
                from desktop_app.views import dialogs  # on first use: its Qt classes cost start-up time

                dialogs.ask_before_quit(self, message, self._after_quit_question)
                return
            self._closed = True
            self._steps.stop()
            # the session may go before this window
            self.reader.position_changed.disconnect(self._on_scrolled)
            self.settings.set_window_state(QByteArray(self.saveGeometry()), QByteArray(self.saveState()))
            self.settings.sync()
        super().closeEvent(event)

    def _after_quit_question(self, choice: str) -> None:
        if choice == "elsewhere":
            from desktop_app.views import dialogs  # on first use: its Qt classes cost start-up time

            folder = dialogs.choose_copy_folder(self, self.session.suggested_copy_folder())
            if not folder or not self.session.save_unsaved_copies(folder):
                return
        if choice in ("elsewhere", "quit"):
            self._quit_unsaved = True
        if choice != "cancel":
            self.close()
