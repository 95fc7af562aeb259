"""The window's library-wide annotation tools: the All Annotations dock, Export All and Copy as Quote.

Built by the main window (``AnnotationTools(window)``) and wired here, so that the window module stays small:
the panel announces intents, the session (and its library annotations service) does the work on workers, and
the facts come back as signals. The panel's module is imported when the dock is first shown.

- View the dock with Library › All Annotations (Ctrl+Shift+A); it reads the library's highlights when shown
  and again (after a pause) when highlights or the library change while it is shown.
- Choosing a highlight opens its episode at it (the session's open-at intent) and selects it.
- Edit › Copy as Quote (Ctrl+Shift+C): the reader's selection, else the highlight chosen in a panel, as a
  Markdown block quote on the clipboard.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Slot
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QApplication, QFileDialog, QMenu

from desktop_app.views.window_parts import add_late_dock, unelided_dock_tabs

if TYPE_CHECKING:
    from desktop_app.library.all_annotations import LibraryAnnotations, LibraryHighlight
    from desktop_app.library.export_all import ExportReport
    from desktop_app.views.all_annotations_panel import AllAnnotationsPanel
    from desktop_app.views.main_window import MainWindow

SHOW_SHORTCUT = "Ctrl+Shift+A"
COPY_SHORTCUT = "Ctrl+Shift+C"
RELOAD_DELAY_MS = 1500
"""Highlights edited while the view is shown are read again this long after the last change."""


def choose_export_folder(parent: MainWindow, suggested: str) -> str:
    """Ask for the folder to export every episode's highlights into ("" when cancelled)."""
    return QFileDialog.getExistingDirectory(parent, "Export All Highlights and Notes to Folder", suggested)


class AnnotationTools(QObject):
    """The All Annotations dock and the Library › All Annotations, Export All and Edit › Copy as Quote items."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.session = window.session
        self.panel: AllAnnotationsPanel | None = None
        self._reveal_after_open = ""  # the highlight to select once its episode is open
        self._reload = QTimer(self, singleShot=True, interval=RELOAD_DELAY_MS)
        self._reload.timeout.connect(self.load)
        self.session.destroyed.connect(self._reload.stop)  # a reload due after the session has gone: none
        self.dock, restored = add_late_dock(window, "All Annotations", "all_annotations_dock")
        if not restored:  # first start: a tab beside the library's, hidden
            window.tabifyDockWidget(window.library_dock, self.dock)
            self.dock.hide()
        self._build_actions()
        self._connect()

    def _build_actions(self) -> None:
        window = self.window
        self.show_action = self.dock.toggleViewAction()
        self.show_action.setText("&All Annotations")
        self.show_action.setShortcut(QKeySequence(SHOW_SHORTCUT))
        self.show_action.triggered.connect(self._raise_when_shown)  # a tab behind the library's otherwise
        self.export_action = QAction("&Export All Annotations to Folder…", window)
        self.export_action.setObjectName("export_all_action")
        self.export_action.triggered.connect(self.choose_export)
        self.copy_action = QAction("Copy as &Quote", window)
        self.copy_action.setObjectName("copy_quote_action")
        self.copy_action.setShortcut(QKeySequence(COPY_SHORTCUT))
        self.copy_action.triggered.connect(self.copy_quote)
        self.window.menu.edit_menu.addSeparator()
        self.window.menu.edit_menu.addAction(self.copy_action)
        help_menu = window.menuBar().actions()[-1]
        library = QMenu("&Library", window)
        window.menuBar().insertMenu(help_menu, library)
        library.addAction(self.show_action)
        library.addAction(self.export_action)

    def _connect(self) -> None:
        s = self.session
        self.dock.visibilityChanged.connect(self._on_visibility)
        s.annotations_changed.connect(self._on_annotations_changed)
        self.window.reader.context_menu_requested.connect(self._extend_context_menu)
        if s.library is not None:
            s.library.entries_changed.connect(lambda _entries: self._reload_if_shown())
        service = s.library_annotations
        if service is not None:
            service.progress.connect(self._on_progress)
            service.loaded.connect(self._on_loaded)
            service.exported.connect(self._on_exported)
            service.failed.connect(self.window.show_error)

    # -- the dock -----------------------------------------------------------------------------
    def ensure_panel(self) -> AllAnnotationsPanel:
        """The panel, built into the dock on first use."""
        if self.panel is None:
            from desktop_app.views.all_annotations_panel import AllAnnotationsPanel

            self.panel = panel = AllAnnotationsPanel(self.dock)
            panel.set_dark(getattr(self.window, "resolved_theme", "light") == "dark")
            self.dock.setWidget(panel)
            panel.highlight_activated.connect(self.open_highlight)
            panel.quote_copy_requested.connect(self._copy_highlight)
            panel.refresh_requested.connect(self.refresh)
            panel.export_requested.connect(self.choose_export)
        return self.panel

    def show(self) -> None:
        """Show the dock in front (it reads the library's highlights)."""
        self.dock.show()
        self.dock.raise_()

    @Slot(bool)
    def _raise_when_shown(self, checked: bool) -> None:
        if checked:
            self.dock.raise_()

    @Slot(bool)
    def _on_visibility(self, visible: bool) -> None:
        if visible:
            unelided_dock_tabs(self.window)
            self.ensure_panel()
            self.load()

    @Slot()
    def load(self) -> None:
        """Read the library's highlights again (on a worker; episodes whose files did not change are reused)."""
        if self.session.library is None:
            self.ensure_panel().status.setText("The library is not available.")
            return
        self.session.load_library_annotations()

    @Slot()
    def refresh(self) -> None:
        """The Refresh button: read every file again, changed or not (chapters computed since, too)."""
        if self.session.library is not None:
            self.session.load_library_annotations(afresh=True)

    def _reload_if_shown(self) -> None:
        if self.panel is not None and self.dock.isVisible():
            self._reload.start()

    @Slot(int, int)
    def _on_progress(self, done: int, total: int) -> None:
        if self.panel is not None:
            self.panel.set_loading(done, total)

    @Slot(object)
    def _on_loaded(self, result: LibraryAnnotations) -> None:
        self.ensure_panel().set_annotations(result)

    # -- opening a highlight ------------------------------------------------------------------
    @Slot(object)
    def open_highlight(self, item: LibraryHighlight) -> None:
        """Open the highlight's episode at it, and select it once its highlights are loaded."""
        if not Path(item.path).is_file():
            self.window.show_error(
                "Transcript not found",
                f"The transcript of “{item.episode_title}” is no longer at {item.path}. Add it to the "
                "library again from where it is now; its highlights are kept.",
            )
            return
        if not item.placed:
            self.session.notice.emit("This highlight is not found in the episode's current text.")
        start = max(0, item.start)
        if self.session.open_highlight(item.path, item.episode, start):
            self._reveal_after_open = item.id
        else:
            self.window.reveal_annotation(item.id)

    @Slot()
    def _on_annotations_changed(self) -> None:
        wanted = self._reveal_after_open
        if wanted and self.session.annotations.find(wanted) is not None:
            self._reveal_after_open = ""
            self.window.reveal_annotation(wanted)
        self._reload_if_shown()

    # -- export -------------------------------------------------------------------------------
    @Slot()
    def choose_export(self) -> None:
        """Library › Export All Annotations: ask for a folder, then export on a worker."""
        settings = self.session.settings
        folder = choose_export_folder(self.window, settings.folder("export_all") or str(Path.home()))
        if folder:
            settings.set_folder("export_all", folder)
            self.export_to(folder)

    def export_to(self, folder: str) -> None:
        """Export every episode's highlights into ``folder`` (on a worker; a notice says when done)."""
        self.session.notice.emit(f"Exporting highlights to {folder}…")
        self.session.export_library_annotations(folder)

    @Slot(object)
    def _on_exported(self, report: ExportReport) -> None:
        self.session.notice.emit(report.summary())
        if report.failed:
            lines = "\n".join(f"• {title}: {message}" for title, message in report.failed)
            self.window.show_error("Some episodes were not exported", lines)

    # -- copy as quote ------------------------------------------------------------------------
    @Slot()
    def copy_quote(self) -> None:
        """Ctrl+Shift+C: the highlight chosen in All Annotations or in Highlights and Notes when one of them
        has the focus, else the reader's selection, else the selected highlight, as a Markdown quote on the
        clipboard."""
        focus, panel = QApplication.focusWidget(), self.panel
        chosen = panel.current_highlight() if panel is not None else None
        if chosen is not None and focus is not None and panel is not None and panel.isAncestorOf(focus):
            self._copy_highlight(chosen)
            return
        in_highlights = focus is not None and self.window.notes_dock.isAncestorOf(focus)
        selection = (0, 0) if in_highlights else self.window.reader.selection_range()
        text = self.session.quote_markdown(*selection)  # no words given: the selected highlight
        if text:
            QGuiApplication.clipboard().setText(text)

    @Slot(object)
    def _copy_highlight(self, item: LibraryHighlight) -> None:
        QGuiApplication.clipboard().setText(item.as_markdown_quote())
        self.session.notice.emit("Copied as a quote")

    @Slot(object, int, int)
    def _extend_context_menu(self, menu: QMenu, start: int, end: int) -> None:
        if start != end or self.session.selected_annotation:
            menu.addAction(self.copy_action)
