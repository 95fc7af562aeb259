"""The highlights list, the note editor and the search panel, built into their docks after the first paint.

Their modules are imported only when they are built, so that the first paint of a transcript does not wait
for them (``MainWindow._after_first_paint`` imports them one per event-loop turn first).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QSplitter

if TYPE_CHECKING:
    from PySide6.QtWidgets import QDockWidget, QMainWindow

    from desktop_app.views.annotations_panel import AnnotationsPanel
    from desktop_app.views.library_panel import LibraryPanel
    from desktop_app.views.note_editor import NoteEditor
    from desktop_app.views.search_panel import SearchPanel

MODULES = (
    "desktop_app.views.annotations_panel",
    "desktop_app.views.note_editor",
    "desktop_app.views.search_panel",
    "desktop_app.views.library_panel",
)
MIN_WIDTH = 320


@dataclass
class SidePanels:
    """The panels beside the reader that are built after the first paint."""

    annotations: AnnotationsPanel
    editor: NoteEditor
    search: SearchPanel
    library: LibraryPanel


def build_side_panels(
    window: QMainWindow, notes_dock: QDockWidget, search_dock: QDockWidget, library_dock: QDockWidget
) -> SidePanels:
    """Build the panels into their docks, keeping the docks as wide as their placeholders.

    A narrower reader would lay the whole text out again.
    """
    from desktop_app.views.annotations_panel import AnnotationsPanel
    from desktop_app.views.library_panel import LibraryPanel
    from desktop_app.views.note_editor import NoteEditor
    from desktop_app.views.search_panel import SearchPanel

    notes = QSplitter(Qt.Orientation.Vertical, window)
    side = SidePanels(AnnotationsPanel(notes), NoteEditor(notes), SearchPanel(window), LibraryPanel(window))
    library_dock.setWidget(side.library)
    notes.setStretchFactor(0, 3)
    notes.setStretchFactor(1, 1)
    notes.setMinimumWidth(MIN_WIDTH)
    side.search.setMinimumWidth(MIN_WIDTH)
    widths = [notes_dock.width(), search_dock.width()]
    notes_dock.setWidget(notes)
    search_dock.setWidget(side.search)
    window.resizeDocks([notes_dock, search_dock], widths, Qt.Orientation.Horizontal)
    return side
