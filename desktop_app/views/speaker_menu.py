"""Who speaks, corrected by the user: Edit › Speakers, the reader's "Speaker" context menu, and their dialogs.

The menu emits intents only; :func:`connect_speaker_menu` (called by the main window, which builds it) joins
it to the reading session, which makes the corrections (undoable, saved in the annotations file).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal, SignalInstance, Slot
from PySide6.QtGui import QAction, QKeySequence

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from PySide6.QtWidgets import QDialog, QMenu, QWidget

    from desktop_app.session import ReadingSession
    from desktop_app.views.reader_view import ReaderView

SPLIT_SHORTCUTS = ("Ctrl+Return", "Ctrl+Enter")


class SpeakerMenu(QObject):
    """Edit › Speakers (rename, change a paragraph's speaker, split a turn at the cursor) and the reader's
    context menu entries, with the dialogs that ask for names.

    Signals (intents):
        rename_requested(str, str): call this speaker by the new name throughout the document.
        assign_requested(int, str): give the paragraph holding this document offset to this speaker.
        split_requested(int, str): start a new turn of this speaker at this document offset.
        reset_requested(): drop the document's speaker corrections.
        rename_asked(int), assign_asked(int), split_asked(int): a menu item or key asks for a dialog about
            the document offset of the reader's cursor; the answer is ``ask_rename`` / ``ask_assign`` /
            ``ask_split`` with the speaker there.
    """

    rename_requested = Signal(str, str)
    assign_requested = Signal(int, str)
    split_requested = Signal(int, str)
    reset_requested = Signal()
    rename_asked = Signal(int)
    assign_asked = Signal(int)
    split_asked = Signal(int)

    def __init__(self, window: QWidget, reader: ReaderView, edit_menu: QMenu) -> None:
        super().__init__(window)
        self._window = window
        self._reader = reader
        self._speakers: tuple[str, ...] = ()
        self.dialog: QDialog | None = None  # the name dialog on screen (the latest one)
        edit_menu.addSeparator()
        self.menu = edit_menu.addMenu("S&peakers")
        self.menu.setObjectName("speakers_menu")
        self.rename_action = self._action("&Rename Speaker…", self.rename_asked)
        self.assign_action = self._action("&Change Speaker of Paragraph…", self.assign_asked)
        self.split_action = self._action("&Split Turn at Cursor…", self.split_asked, SPLIT_SHORTCUTS)
        self.menu.addSeparator()
        self.reset_action = self.menu.addAction("Reset Speaker &Corrections")
        self.reset_action.triggered.connect(lambda _checked=False: self.reset_requested.emit())

    def _action(self, text: str, asked: SignalInstance, keys: Sequence[str] = ()) -> QAction:
        action = QAction(text, self._window)
        action.setShortcuts([QKeySequence(k) for k in keys])
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        if keys:
            self._reader.addAction(action)  # the keys work while the reader has the focus
        action.triggered.connect(lambda _checked=False: asked.emit(int(self._reader.cursor_offset())))
        self.menu.addAction(action)
        return action

    def set_speakers(self, names: Sequence[str]) -> None:
        """The speakers of the open document, as shown (offered as choices)."""
        self._speakers = tuple(names)
        self.rename_action.setEnabled(bool(names))

    @property
    def speakers(self) -> tuple[str, ...]:
        """The speakers offered as choices."""
        return self._speakers

    # -- the reader's context menu ------------------------------------------------------------
    def extend_context_menu(self, menu: QMenu, offset: int, here: str | None) -> None:
        """Add "Speaker ▸" (rename, reassign, split a turn here) for the paragraph at ``offset``, spoken by
        ``here`` (None: unknown)."""
        menu.addSeparator()
        speaker = menu.addMenu("S&peaker")
        speaker.setObjectName("speaker_context_menu")
        for name in self._speakers:
            action = speaker.addAction(name)
            action.setCheckable(True)
            action.setChecked(name == here)
            action.triggered.connect(lambda _c=False, n=name: self._assign(offset, n, here))
        speaker.addAction(
            "New Speaker…", lambda: self.ask_name(lambda n: self.assign_requested.emit(offset, n))
        )
        speaker.addSeparator()
        if here:
            speaker.addAction(f"Rename “{here}”…", lambda: self.ask_rename(here))
        split = speaker.addMenu("Split Turn Here")
        for name in self._speakers:
            item = split.addAction(name)
            item.triggered.connect(lambda _c=False, n=name: self.split_requested.emit(offset, n))
        split.addAction("New Speaker…", lambda: self.ask_name(lambda n: self.split_requested.emit(offset, n)))

    def _assign(self, offset: int, name: str, here: str | None) -> None:
        if name != here:
            self.assign_requested.emit(offset, name)

    # -- dialogs (window-modal, not blocking; their module loads on first use) ---------------
    def ask_rename(self, here: str | None) -> None:
        """Ask which speaker gets which new name (``here`` chosen first)."""
        from desktop_app.views.speaker_dialogs import RenameDialog

        if not self._speakers:
            return
        dialog = RenameDialog(self._window, self._speakers, here)
        dialog.accepted.connect(lambda: self.rename_requested.emit(dialog.old_name(), dialog.new_name()))
        self._show(dialog)

    def ask_assign(self, offset: int, here: str | None) -> None:
        """Ask who speaks the paragraph at ``offset`` (a known speaker or a new name)."""
        self._ask_choice(
            "Change Speaker",
            "Who speaks this paragraph?",
            here,
            lambda n: self.assign_requested.emit(offset, n),
        )

    def ask_split(self, offset: int, here: str | None) -> None:
        """Ask who speaks the new turn starting at ``offset`` (the speaker after ``here`` chosen first)."""
        others = [n for n in self._speakers if n != here]
        self._ask_choice(
            "Split Turn",
            "The text from the cursor on becomes a new paragraph.\nWho speaks it?",
            others[0] if others else here,
            lambda n: self.split_requested.emit(offset, n),
        )

    def ask_name(self, done: Callable[[str], None]) -> None:
        """Ask for a new speaker's name; ``done`` receives it (not empty)."""
        from desktop_app.views.speaker_dialogs import name_dialog

        self._show(name_dialog(self._window, "New Speaker", "Name of the new speaker:", None, None, done))

    def _ask_choice(self, title: str, label: str, chosen: str | None, done: Callable[[str], None]) -> None:
        from desktop_app.views.speaker_dialogs import name_dialog

        self._show(name_dialog(self._window, title, label, self._speakers, chosen, done))

    def _show(self, dialog: QDialog) -> None:
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        self.dialog = dialog
        dialog.destroyed.connect(self._forget_dialog)
        dialog.open()

    @Slot()
    def _forget_dialog(self) -> None:
        self.dialog = None


def connect_speaker_menu(menu: SpeakerMenu, session: ReadingSession, reader: ReaderView) -> None:
    """Join the speaker menu to the session: its intents become corrections, the speakers become choices."""

    def extend(context_menu: QMenu, _start: int, _end: int) -> None:
        offset = reader.context_offset
        menu.extend_context_menu(context_menu, offset, session.speaker_at(offset))

    reader.context_menu_requested.connect(extend)
    menu.rename_asked.connect(lambda at: menu.ask_rename(session.speaker_at(at)))
    menu.assign_asked.connect(lambda at: menu.ask_assign(at, session.speaker_at(at)))
    menu.split_asked.connect(lambda at: menu.ask_split(at, session.speaker_at(at)))
    menu.rename_requested.connect(session.rename_speaker)
    menu.assign_requested.connect(session.assign_speaker)
    menu.split_requested.connect(session.split_turn)
    menu.reset_requested.connect(session.reset_speakers)
    session.document_changed.connect(lambda _document: menu.set_speakers(session.speakers))
    session.speakers_changed.connect(lambda: menu.set_speakers(session.speakers))
    menu.set_speakers(session.speakers)
