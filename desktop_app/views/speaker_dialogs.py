"""The speaker menu's dialogs (``views/speaker_menu.py``), loaded when the first one opens."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Slot
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QInputDialog,
    QLineEdit,
    QWidget,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence


def name_dialog(
    parent: QWidget,
    title: str,
    label: str,
    names: Sequence[str] | None,
    chosen: str | None,
    done: Callable[[str], None],
) -> QInputDialog:
    """A dialog asking for a speaker's name: typed, or chosen among ``names`` (editable; ``chosen`` first);
    ``done`` receives it (not empty) when the user confirms. Not shown yet."""
    dialog = QInputDialog(parent)
    dialog.setWindowTitle(title)
    dialog.setLabelText(label)
    if names is None:
        dialog.setInputMode(QInputDialog.InputMode.TextInput)
    else:
        dialog.setComboBoxItems(list(names))
        dialog.setComboBoxEditable(True)  # a new name can be typed
        if chosen:
            dialog.setTextValue(chosen)
        combo = dialog.findChild(QComboBox)
        completer = combo.completer() if combo is not None else None
        if completer is not None:  # inline completion would take the first Enter
            completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
    dialog.accepted.connect(lambda: _give_name(dialog.textValue(), done))
    return dialog


def _give_name(name: str, done: Callable[[str], None]) -> None:
    if name.strip():
        done(name.strip())


class RenameDialog(QDialog):
    """Which speaker, and the new name (for the whole document)."""

    def __init__(self, parent: QWidget, names: Sequence[str], here: str | None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Rename Speaker")
        form = QFormLayout(self)
        self.speaker = QComboBox(self)
        self.speaker.setObjectName("rename_speaker_old")
        self.speaker.addItems(list(names))
        if here is not None and here in names:
            self.speaker.setCurrentText(here)
        self.name = QLineEdit(self)
        self.name.setObjectName("rename_speaker_new")
        self.name.setMaxLength(80)
        self.name.setMinimumWidth(260)
        self.name.setPlaceholderText("e.g. the guest's full name")
        form.addRow("Speaker:", self.speaker)
        form.addRow("New name (everywhere in this transcript):", self.name)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form.addRow(self.buttons)
        self.speaker.currentTextChanged.connect(self._fill)
        self.name.textChanged.connect(self._check)
        self._fill(self.speaker.currentText())

    @Slot(str)
    def _fill(self, name: str) -> None:
        self.name.setText(name)
        self.name.selectAll()
        self.name.setFocus()

    @Slot(str)
    def _check(self, text: str) -> None:
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(bool(text.strip()) and text.strip() != self.speaker.currentText())

    def old_name(self) -> str:
        """The speaker to rename."""
        return self.speaker.currentText()

    def new_name(self) -> str:
        """The name to give."""
        return self.name.text().strip()
