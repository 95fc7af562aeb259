"""What the main window's wiring mixins (``window_*.py``) use of the window, for the type checker.

The mixins are parts of :class:`~desktop_app.views.main_window.MainWindow`; under ``TYPE_CHECKING`` they
derive from :class:`WindowBase`, which declares the window's attributes and the methods one part calls on
another. At run time the mixins derive from ``object`` and this module is not imported.
"""

from __future__ import annotations

from abc import abstractmethod
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDockWidget, QMainWindow, QMenu, QMessageBox

if TYPE_CHECKING:
    from desktop_app.annotations.service import AnnotationService
    from desktop_app.document import Document, DocumentService
    from desktop_app.outline.chapters import Section
    from desktop_app.search.index import SearchResult
    from desktop_app.search.service import SearchService
    from desktop_app.settings import Settings
    from desktop_app.views.annotations_panel import AnnotationsPanel
    from desktop_app.views.note_editor import NoteEditor
    from desktop_app.views.outline_panel import ChapterStrip, OutlinePanel
    from desktop_app.views.reader_view import ReaderView
    from desktop_app.views.search_panel import SearchPanel


class WindowBase(QMainWindow):
    """The window as its mixins see it; :class:`MainWindow` provides all of it (never instantiated)."""

    annotation_selected = Signal(str)

    service: DocumentService
    annotations: AnnotationService
    search: SearchService
    settings: Settings
    document: Document | None
    auto_sections: list[Section]
    sections: list[Section]
    selected_annotation: str
    search_result: SearchResult | None
    current_hit: int
    last_error: QMessageBox | None
    reader: ReaderView
    chapter_strip: ChapterStrip
    outline_panel: OutlinePanel
    notes_dock: QDockWidget
    search_dock: QDockWidget
    edit_menu: QMenu

    @property
    @abstractmethod
    def annotations_panel(self) -> AnnotationsPanel: ...

    @property
    @abstractmethod
    def note_editor(self) -> NoteEditor: ...

    @property
    @abstractmethod
    def search_panel(self) -> SearchPanel: ...

    @abstractmethod
    def current_offset(self) -> int: ...

    @abstractmethod
    def show_error(self, title: str, message: str) -> None: ...

    @abstractmethod
    def _on_position_changed(self, display_position: int) -> None: ...

    # Defined by one mixin, called by another.
    @abstractmethod
    def place_label(self, offset: int) -> str: ...

    @abstractmethod
    def select_annotation(self, annotation_id: str) -> None: ...

    @abstractmethod
    def _refresh_annotations_panel(self) -> None: ...
