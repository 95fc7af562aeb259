"""The note editor: the selected highlight's quote, colour, note (Markdown plain text) and tags.

Signals (NoteEditor):
    note_edited(str, str): annotation id, the whole note — ~600 ms after typing stops, on focus-out, before
        another annotation is shown, and on ``flush()``; never once per keystroke, never for ``set_annotation``.
    tags_edited(str, list): annotation id, the tags (comma-separated in the field) — on Enter or focus-out.
    color_requested(str, str): annotation id, colour key (a colour button was clicked).
    delete_requested(str): annotation id (the Delete button).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QStringListModel,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QFont, QPalette
from PySide6.QtWidgets import (
    QButtonGroup,
    QCompleter,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.annotations.colors import COLOR_KEYS, DEFAULT_COLOR_MEANINGS
from desktop_app.annotations.model import Annotation, normalize_tags
from desktop_app.views.annotations_model import short_quote
from desktop_app.views.theme import is_dark, plain_tooltip, swatch_color, swatch_icon

if TYPE_CHECKING:
    from collections.abc import Iterable

logger = logging.getLogger(__name__)

DEBOUNCE_MS = 600
HINT = "Select text and press 1–5 to highlight"
QUOTE_CHARS = 280


def parse_tags(text: str) -> list[str]:
    """Comma-separated tags: stripped, a leading ``#`` dropped, empty ones and repeats removed."""
    return list(normalize_tags(part.strip().lstrip("#") for part in text.split(",")))


class TagCompleter(QCompleter):
    """Completes the tag being typed after the last comma, keeping the ones before it."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setModel(QStringListModel(self))
        self.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)

    def set_tags(self, tags: Iterable[str]) -> None:
        """The tags offered for completion (sorted case-insensitively)."""
        model = self.model()
        assert isinstance(model, QStringListModel)
        tags = sorted(set(tags), key=str.casefold)
        if tags != model.stringList():  # resetting would close an open popup
            model.setStringList(tags)

    def tags(self) -> list[str]:
        """The tags offered for completion."""
        model = self.model()
        assert isinstance(model, QStringListModel)
        return model.stringList()

    def splitPath(self, path: str) -> list[str]:
        """Complete only the tag after the last comma."""
        return [path.rsplit(",", 1)[-1].strip()]

    def pathFromIndex(self, index: QModelIndex | QPersistentModelIndex) -> str:
        """The field's text with the tag being typed replaced by the chosen one."""
        widget = self.widget()
        typed = widget.text() if isinstance(widget, QLineEdit) else ""
        done = [part.strip() for part in typed.split(",")[:-1] if part.strip()]
        return ", ".join([*done, str(index.data())])


class NoteEditor(QWidget):
    """Edits the note and tags of one annotation; disabled (with a hint) when none is selected."""

    note_edited = Signal(str, str)
    tags_edited = Signal(str, list)
    color_requested = Signal(str, str)
    delete_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("note_editor")
        self._id = ""
        self._note_known = ""  # the last note received or emitted for this annotation
        self._tags_known: tuple[str, ...] = ()
        self._colors = dict(DEFAULT_COLOR_MEANINGS)
        self._color = ""
        self._setting = False
        self._timer = QTimer(self, singleShot=True, interval=DEBOUNCE_MS)
        self._timer.timeout.connect(self.flush)
        self.hint = QLabel(HINT, self)
        self.hint.setObjectName("note_editor_hint")
        self.hint.setWordWrap(True)
        self.hint.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.quote = QLabel(self)
        self.quote.setObjectName("note_editor_quote")
        self.quote.setWordWrap(True)
        self.quote.setTextFormat(Qt.TextFormat.PlainText)
        self.quote.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        italic = QFont(self.quote.font())
        italic.setItalic(True)
        self.quote.setFont(italic)
        self.note = QPlainTextEdit(self)
        self.note.setObjectName("note_editor_note")
        self.note.setPlaceholderText("Write a note (Markdown)…")
        self.note.setTabChangesFocus(True)
        self.note.textChanged.connect(self._on_note_changed)
        self.note.installEventFilter(self)
        self.tags = QLineEdit(self)
        self.tags.setObjectName("note_editor_tags")
        self.tags.setPlaceholderText("Tags, separated by commas")
        self.tags.setClearButtonEnabled(True)
        self.completer = TagCompleter(self)
        self.tags.setCompleter(self.completer)
        self.tags.editingFinished.connect(self._commit_tags)
        self.delete_button = QToolButton(self)
        self.delete_button.setObjectName("note_editor_delete")
        self.delete_button.setText("Delete")
        self.delete_button.setToolTip("Delete this highlight and its note")
        self.delete_button.clicked.connect(self._request_delete)
        self._build_layout()
        self.set_annotation(None)

    def _build_layout(self) -> None:
        self.color_group = QButtonGroup(self)
        self.color_group.setExclusive(True)
        self.color_buttons: dict[str, QToolButton] = {}
        colors = QHBoxLayout()
        colors.setContentsMargins(0, 0, 0, 0)
        colors.setSpacing(2)
        for key in COLOR_KEYS:
            button = QToolButton(self)
            button.setObjectName(f"note_editor_color_{key}")
            button.setCheckable(True)
            button.setAutoRaise(True)
            button.clicked.connect(lambda _=False, k=key: self._request_color(k))
            self.color_group.addButton(button)
            colors.addWidget(button)
            self.color_buttons[key] = button
        colors.addStretch(1)
        colors.addWidget(self.delete_button)
        self.form = QWidget(self)
        form = QVBoxLayout(self.form)
        form.setContentsMargins(0, 0, 0, 0)
        form.addWidget(self.quote)
        form.addLayout(colors)
        form.addWidget(self.note, 1)
        tags_row = QHBoxLayout()
        tags_row.addWidget(QLabel("Tags", self.form))
        tags_row.addWidget(self.tags, 1)
        form.addLayout(tags_row)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.hint)
        layout.addWidget(self.form, 1)

    # -- content ------------------------------------------------------------------------------
    def annotation_id(self) -> str:
        """The id of the annotation being edited ("" when none)."""
        return self._id

    def set_annotation(
        self,
        annotation: Annotation | None,
        colors: dict[str, str] | None = None,
        known_tags: Iterable[str] = (),
        quote: str = "",
    ) -> None:
        """Show an annotation (None: nothing selected; ``quote``: its words as the reader shows them, else
        the anchored words). Emits nothing for it, except pending edits of the previous annotation. Text being typed is kept when the same annotation comes back with the note
        and tags last emitted or received (an autosave round trip)."""
        if colors is not None:
            self._colors = {**DEFAULT_COLOR_MEANINGS, **colors}
        new_id = annotation.id if annotation is not None else ""
        if new_id != self._id:
            self.flush()
            self._commit_tags()
        self._setting = True
        try:
            self._show(annotation, same=new_id == self._id, words=quote)
        finally:
            self._setting = False
        self.completer.set_tags(known_tags)
        self._refresh_colors()

    def _show(self, annotation: Annotation | None, same: bool, words: str = "") -> None:
        self._id = annotation.id if annotation is not None else ""
        self.hint.setVisible(annotation is None)
        self.form.setEnabled(annotation is not None)
        if annotation is None:
            self._timer.stop()
            self._note_known, self._tags_known, self._color = "", (), ""
            self.quote.clear()
            self.note.setPlainText("")
            self.tags.clear()
            return
        if not same or annotation.note != self._note_known:
            self._timer.stop()
            self._note_known = annotation.note
            self.note.setPlainText(annotation.note)
        if not same or annotation.tags != self._tags_known:
            self._tags_known = annotation.tags
            self.tags.setText(", ".join(annotation.tags))
        words = words or annotation.target.exact
        quote = short_quote(words, QUOTE_CHARS)
        self.quote.setText(f"“{quote}”" + ("\n(not found in the text)" if annotation.is_orphan else ""))
        self.quote.setToolTip(plain_tooltip(short_quote(words, 2000)))
        self._color = annotation.color

    def _refresh_colors(self) -> None:
        dark = is_dark(self)
        for number, (key, button) in enumerate(self.color_buttons.items(), start=1):
            button.setIcon(swatch_icon(swatch_color(key, dark), 16))
            button.setToolTip(f"{self._colors.get(key, key)} ({key}, key {number})")
            button.setChecked(key == self._color)

    def changeEvent(self, event: QEvent) -> None:
        """Recolour the colour buttons when the palette changes."""
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            self._refresh_colors()
        super().changeEvent(event)

    # -- editing ------------------------------------------------------------------------------
    def _on_note_changed(self) -> None:
        if not self._setting and self._id:
            self._timer.start()

    def flush(self) -> None:
        """Emit the note now if it differs from the last one emitted or received (call before quitting)."""
        self._timer.stop()
        text = self.note.toPlainText()
        if self._id and text != self._note_known:
            self._note_known = text
            self.note_edited.emit(self._id, text)

    def _request_delete(self) -> None:
        if self._id:
            self.delete_requested.emit(self._id)

    def _request_color(self, key: str) -> None:
        if self._id:
            self.color_requested.emit(self._id, key)

    def _commit_tags(self) -> None:
        tags = tuple(parse_tags(self.tags.text()))
        if not self._id or tags == self._tags_known:
            return
        self._tags_known = tags
        self.tags.setText(", ".join(tags))
        self.tags_edited.emit(self._id, list(tags))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Emit a pending note edit when the note field loses focus."""
        if watched is self.note and event.type() == QEvent.Type.FocusOut:
            self.flush()
        return super().eventFilter(watched, event)

    def pending(self) -> bool:
        """True while typed text waits for the debounce."""
        return self._timer.isActive()
