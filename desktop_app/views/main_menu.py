"""The window's menus and keyboard shortcuts; each item emits an intent signal, nothing more."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal, SignalInstance
from PySide6.QtGui import QAction, QKeySequence

from desktop_app import APP_NAME
from desktop_app.annotations.colors import COLOR_KEYS

if TYPE_CHECKING:
    from collections.abc import Sequence

    from PySide6.QtGui import QUndoStack
    from PySide6.QtWidgets import QDockWidget, QMainWindow, QMenu, QWidget

Shortcut = QKeySequence | QKeySequence.StandardKey | str
THEMES = (("system", "Follow &System"), ("light", "&Light"), ("dark", "&Dark"))


class MainMenu(QObject):
    """File, Edit, View, Go and Help menus of a main window, and the reader's highlight keys.

    Signals (intents; the window connects them):
        open_requested(), open_path_requested(str), open_bundled_requested(), clear_recent_requested(),
        export_requested(), show_annotations_file_requested(), find_requested(), find_next_requested(),
        find_previous_requested(), zoom_requested(int) (+1, -1, 0 = actual size), theme_requested(str),
        hide_fillers_requested(bool), refine_outline_requested(bool),
        beginning_requested(), next_chapter_requested(), previous_chapter_requested(),
        highlight_requested(str) (a colour key), add_note_requested(), delete_highlight_requested(),
        shortcuts_requested(), about_requested().
    """

    open_requested = Signal()
    open_path_requested = Signal(str)
    open_bundled_requested = Signal()
    clear_recent_requested = Signal()
    export_requested = Signal()
    show_annotations_file_requested = Signal()
    find_requested = Signal()
    find_next_requested = Signal()
    find_previous_requested = Signal()
    zoom_requested = Signal(int)
    theme_requested = Signal(str)
    hide_fillers_requested = Signal(bool)
    refine_outline_requested = Signal(bool)
    beginning_requested = Signal()
    next_chapter_requested = Signal()
    previous_chapter_requested = Signal()
    highlight_requested = Signal(str)
    add_note_requested = Signal()
    delete_highlight_requested = Signal()
    shortcuts_requested = Signal()
    about_requested = Signal()

    def __init__(
        self,
        window: QMainWindow,
        reader: QWidget,
        undo_stack: QUndoStack,
        docks: Sequence[tuple[QDockWidget, str]],
    ) -> None:
        super().__init__(window)
        self._window = window
        self._reader = reader
        self.theme_actions: dict[str, QAction] = {}
        self.highlight_actions: dict[str, QAction] = {}
        self._build_file_menu()
        self._build_edit_menu(undo_stack)
        self._build_view_menu(docks)
        self._build_go_and_help_menus()

    def _action(
        self,
        menu: QMenu,
        text: str,
        signal: SignalInstance | None = None,
        shortcut: Sequence[Shortcut] = (),
        name: str = "",
        reader_only: bool = False,
    ) -> QAction:
        """An action in ``menu`` that emits ``signal``; ``reader_only`` keys work only while the reader has focus."""
        action = QAction(text, self._window)
        sequences: list[QKeySequence] = []
        for item in shortcut:
            sequence = QKeySequence(item)
            if not sequence.isEmpty() and sequence not in sequences:
                sequences.append(sequence)
        action.setShortcuts(sequences)
        if signal is not None:
            action.triggered.connect(lambda _checked=False: signal.emit())
        if name:
            action.setObjectName(name)
        if reader_only:
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            self._reader.addAction(action)
        menu.addAction(action)
        return action

    def _build_file_menu(self) -> None:
        menu = self._window.menuBar().addMenu("&File")
        self._action(menu, "&Open…", self.open_requested, [QKeySequence.StandardKey.Open], "open_action")
        self.recent_menu = menu.addMenu("Open &Recent")
        self.recent_menu.setObjectName("recent_menu")
        self._action(menu, "Open &Bundled Transcript", self.open_bundled_requested)
        menu.addSeparator()
        self._action(
            menu, "&Export Highlights and Notes…", self.export_requested, ["Ctrl+E"], "export_action"
        )
        self._action(menu, "Show Annotations &File", self.show_annotations_file_requested)
        menu.addSeparator()
        quit_action = self._action(menu, "&Quit", None, [QKeySequence.StandardKey.Quit])
        quit_action.triggered.connect(self._window.close)

    def _build_edit_menu(self, undo_stack: QUndoStack) -> None:
        self.edit_menu = menu = self._window.menuBar().addMenu("&Edit")
        self.undo_action = undo_stack.createUndoAction(self._window, "&Undo")
        self.undo_action.setShortcut(QKeySequence.StandardKey.Undo)
        self.redo_action = undo_stack.createRedoAction(self._window, "&Redo")
        self.redo_action.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        menu.addAction(self.undo_action)
        menu.addAction(self.redo_action)
        menu.addSeparator()
        self._action(menu, "&Find…", self.find_requested, [QKeySequence.StandardKey.Find], "find_action")
        self._action(
            menu,
            "Find &Next",
            self.find_next_requested,
            ["F3", QKeySequence.StandardKey.FindNext],
            "find_next_action",
        )
        self._action(
            menu,
            "Find &Previous",
            self.find_previous_requested,
            ["Shift+F3", QKeySequence.StandardKey.FindPrevious],
            "find_previous_action",
        )
        menu.addSeparator()
        colors = menu.addMenu("&Highlight Selection")
        for number, key in enumerate(COLOR_KEYS, start=1):
            action = self._action(colors, key, None, [str(number)], reader_only=True)
            action.triggered.connect(lambda _checked=False, k=key: self.highlight_requested.emit(k))
            self.highlight_actions[key] = action
        self.add_note_action = self._action(
            menu, "Add &Note…", self.add_note_requested, ["N", "Ctrl+Shift+N"], reader_only=True
        )
        self.delete_highlight_action = self._action(
            menu,
            "&Delete Highlight",
            self.delete_highlight_requested,
            [QKeySequence.StandardKey.Delete, "Backspace"],
            reader_only=True,
        )

    def _build_view_menu(self, docks: Sequence[tuple[QDockWidget, str]]) -> None:
        menu = self._window.menuBar().addMenu("&View")
        zooms: tuple[tuple[str, list[Shortcut], str, int], ...] = (
            ("Zoom &In", ["Ctrl+=", "Ctrl++", QKeySequence.StandardKey.ZoomIn], "zoom_in", 1),
            ("Zoom &Out", ["Ctrl+-", QKeySequence.StandardKey.ZoomOut], "zoom_out", -1),
            ("&Actual Size", ["Ctrl+0"], "zoom_reset", 0),
        )
        for text, keys, name, step in zooms:
            action = self._action(menu, text, None, keys, name)
            action.triggered.connect(lambda _checked=False, s=step: self.zoom_requested.emit(s))
        self.hide_fillers_action = self._action(
            menu, "Hide &Fillers (Clean Verbatim)", None, ["Ctrl+Shift+F"], "hide_fillers"
        )
        self.hide_fillers_action.setCheckable(True)
        self.hide_fillers_action.setToolTip(
            'Leave out "um", "uh" and repeated words; the text and highlights stay'
        )
        self.hide_fillers_action.toggled.connect(self.hide_fillers_requested)
        self.refine_outline_action = self._action(
            menu, "&Refine Automatic Chapters", None, [], "refine_outline"
        )
        self.refine_outline_action.setCheckable(True)
        self.refine_outline_action.setToolTip(
            "After the first chapters, place them again with a language model (about 10 s for a 3-hour episode, "
            "once: the result is kept)"
        )
        self.refine_outline_action.toggled.connect(self.refine_outline_requested)
        menu.addSeparator()
        themes = menu.addMenu("&Theme")
        for key, label in THEMES:
            action = self._action(themes, label)
            action.setCheckable(True)
            action.triggered.connect(lambda _checked=False, k=key: self.theme_requested.emit(k))
            self.theme_actions[key] = action
        menu.addSeparator()
        for dock, shortcut in docks:
            toggle = dock.toggleViewAction()
            if shortcut:
                toggle.setShortcut(QKeySequence(shortcut))
            menu.addAction(toggle)

    def _build_go_and_help_menus(self) -> None:
        go = self._window.menuBar().addMenu("&Go")
        self._action(go, "&Beginning", self.beginning_requested, ["Ctrl+Home"])
        self._action(go, "&Next Chapter", self.next_chapter_requested, ["Alt+Down"], "next_chapter")
        self._action(go, "&Previous Chapter", self.previous_chapter_requested, ["Alt+Up"], "previous_chapter")
        help_menu = self._window.menuBar().addMenu("&Help")
        self._action(help_menu, "&Keyboard Shortcuts", self.shortcuts_requested, ["F1"])
        self._action(help_menu, f"&About {APP_NAME}", self.about_requested)

    # -- state shown in the menus -------------------------------------------------------------
    def set_recent_files(self, paths: Sequence[str]) -> None:
        """List the recently opened files (newest first) in File › Open Recent."""
        self.recent_menu.clear()
        for path in paths:
            action = self.recent_menu.addAction(Path(path).name)
            action.setToolTip(path)
            action.triggered.connect(lambda _checked=False, p=path: self.open_path_requested.emit(p))
        if paths:
            self.recent_menu.addSeparator()
            self.recent_menu.addAction("Clear Menu", self.clear_recent_requested.emit)
        self.recent_menu.setEnabled(bool(paths))

    def set_color_meanings(self, meanings: dict[str, str]) -> None:
        """Label the highlight keys with what each colour means."""
        for number, (key, action) in enumerate(self.highlight_actions.items(), start=1):
            action.setText(f"&{number}  {meanings.get(key, key)} ({key})")

    def set_theme(self, key: str) -> None:
        """Check the chosen theme."""
        for name, action in self.theme_actions.items():
            action.setChecked(name == key)

    def set_highlight_selected(self, selected: bool) -> None:
        """Delete Highlight works only while a highlight is selected."""
        self.delete_highlight_action.setEnabled(selected)

    def extend_context_menu(self, menu: QMenu, has_selection: bool, has_highlight: bool) -> None:
        """Add the highlight actions to the reader's context menu."""
        menu.addSeparator()
        if has_selection:
            for action in self.highlight_actions.values():
                menu.addAction(action)
            menu.addAction(self.add_note_action)
        elif has_highlight:
            menu.addAction(self.add_note_action)
            menu.addAction(self.delete_highlight_action)
