"""Small window-modal message boxes: errors, information, the keyboard shortcuts, About."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QAbstractButton, QCheckBox, QFileDialog, QMessageBox, QWidget

from desktop_app import APP_NAME, __version__

if TYPE_CHECKING:
    from collections.abc import Callable


def _open(box: QMessageBox) -> QMessageBox:
    box.setWindowModality(Qt.WindowModality.WindowModal)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box


def choose_transcript(parent: QWidget, start_dir: str, file_filter: str) -> str:
    """File › Open: the chosen file ("" when cancelled)."""
    path, _chosen = QFileDialog.getOpenFileName(parent, "Open Transcript", start_dir, file_filter)
    return path


def choose_export(parent: QWidget, suggested: str) -> tuple[str, str]:
    """File › Export: the chosen file and its format, ``"markdown"`` or ``"json"`` ("" when cancelled)."""
    path, chosen = QFileDialog.getSaveFileName(
        parent, "Export Highlights and Notes", suggested, "Markdown (*.md);;Web Annotation JSON (*.json)"
    )
    return path, "json" if path.endswith(".json") or "JSON" in chosen else "markdown"


QUIT_CHOICES = ("retry", "elsewhere", "quit")
"""What ``ask_before_quit`` offers; ``choose`` is called with one of these, or "cancel"."""


def ask_before_quit(parent: QWidget, message: str, choose: Callable[[str], None]) -> QMessageBox:
    """The highlights could not be saved: try again, save a copy elsewhere, quit anyway, or stay (non-blocking)."""
    box = QMessageBox(
        QMessageBox.Icon.Warning,
        "Highlights and notes not saved",
        f"{message}\n\nYour unsaved highlights and notes are still here.",
        parent=parent,
    )
    box.setTextFormat(Qt.TextFormat.PlainText)
    buttons: dict[QAbstractButton, str] = {
        box.addButton("Try Again", QMessageBox.ButtonRole.AcceptRole): "retry",
        box.addButton("Save a Copy…", QMessageBox.ButtonRole.ActionRole): "elsewhere",
        box.addButton("Quit Without Saving", QMessageBox.ButtonRole.DestructiveRole): "quit",
        box.addButton(QMessageBox.StandardButton.Cancel): "cancel",
    }
    box.finished.connect(lambda _result: choose(buttons.get(box.clickedButton(), "cancel")))
    return _open(box)


def choose_copy_folder(parent: QWidget, suggested: str) -> str:
    """A folder for copies of the unsaved annotations files ("" when cancelled)."""
    return QFileDialog.getExistingDirectory(parent, "Save Copies of the Highlights and Notes in", suggested)


def confirm_library_removal(
    parent: QWidget, count: int, annotated: int, remove: Callable[[bool], None]
) -> QMessageBox:
    """Removing transcripts of which ``annotated`` have highlights or notes: ask first (non-blocking);
    ``remove(trash_annotations)`` runs only when the user confirms. Keeping the highlights is the default."""
    what = "this transcript" if count == 1 else f"these {count} transcripts"
    box = QMessageBox(
        QMessageBox.Icon.Question,
        "Remove from the Library",
        f"Remove {what} from the library? The files themselves stay where they are.",
        parent=parent,
    )
    box.setTextFormat(Qt.TextFormat.PlainText)
    whose = "It has" if count == 1 else f"{annotated} of them have"
    box.setInformativeText(
        f"{whose} highlights or notes. They are kept, and come back when you add the file again, unless you "
        "move them to the trash."
    )
    trash = QCheckBox("Also move their highlights and notes to the trash")
    trash.setObjectName("trash_annotations")
    box.setCheckBox(trash)
    confirm = box.addButton("Remove", QMessageBox.ButtonRole.AcceptRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(confirm)

    def finished(_result: int) -> None:
        if box.clickedButton() is confirm:
            remove(trash.isChecked())

    box.finished.connect(finished)
    return _open(box)


def show_error(parent: QWidget, title: str, message: str) -> QMessageBox:
    """A warning in plain text (a file's content in the message can never become a link)."""
    box = QMessageBox(QMessageBox.Icon.Warning, title, message, QMessageBox.StandardButton.Ok, parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    return _open(box)


def show_information(parent: QWidget, title: str, message: str) -> QMessageBox:
    """A plain-text message whose text can be selected and copied (a path)."""
    box = QMessageBox(QMessageBox.Icon.Information, title, message, QMessageBox.StandardButton.Ok, parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return _open(box)


def show_annotations_file(parent: QWidget, path: object) -> QMessageBox:
    """Where this transcript's highlights, notes and corrections are kept (``path`` None: nothing is open)."""
    message = (
        "No transcript is open."
        if path is None
        else f"Your highlights, notes and corrections for this transcript are saved in:\n\n{path}"
    )
    return show_information(parent, "Annotations file", message)


def show_about(parent: QWidget, data_folder: str) -> QMessageBox:
    """Help › About: the version and where the user's data is kept."""
    text = (
        f"<b>{APP_NAME}</b> {__version__}<br>Read, search and annotate long interview transcripts, offline."
        f"<br><br>Data folder: {html.escape(data_folder)}"
    )
    return _open(
        QMessageBox(
            QMessageBox.Icon.NoIcon, f"About {APP_NAME}", text, QMessageBox.StandardButton.Close, parent
        )
    )


def show_shortcuts(parent: QWidget) -> QMessageBox:
    """F1: every keyboard shortcut of the window's actions, and the reading keys."""
    rows = {
        f"<tr><td><b>{a.shortcut().toString(QKeySequence.SequenceFormat.NativeText)}</b></td>"
        f"<td>{html.escape(a.text().replace('&', ''))}</td></tr>"
        for a in parent.findChildren(QAction)
        if not a.shortcut().isEmpty() and a.text()
    }
    extra = (
        "<tr><td><b>Space / Shift+Space</b></td><td>Page down / up</td></tr>"
        "<tr><td><b>Home / End</b></td><td>Beginning / end</td></tr>"
    )
    return _open(
        QMessageBox(
            QMessageBox.Icon.NoIcon,
            "Keyboard Shortcuts",
            f"<table cellpadding=3>{''.join(sorted(rows))}{extra}</table>",
            QMessageBox.StandardButton.Close,
            parent,
        )
    )
