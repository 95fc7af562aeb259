"""The annotations panel: every highlight and note, grouped by chapter, filtered and sorted (model in annotations_model.py).

Signals (AnnotationsPanel):
    annotation_activated(str): the user chose an annotation (click, Enter) — scroll the reader there.
    current_changed(str): the user moved the selection to an annotation ("" for none); never emitted for
        programmatic changes (``set_annotations``, ``select_annotation``, filtering).
    delete_requested(str): Delete key or context menu on an annotation.
    color_change_requested(str, str): context menu: annotation id, colour key.
    color_meaning_change_requested(str, str): the "Colours…" dialog renamed colour key → meaning.
"""

from __future__ import annotations

import logging
from collections import Counter
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QEvent,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    QRect,
    QSize,
    Qt,
    Signal,
    Slot,
)
from PySide6.QtGui import QColor, QFont, QFontMetrics, QIcon, QKeyEvent, QPainter, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QToolButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from desktop_app.annotations.colors import COLOR_KEYS
from desktop_app.views.annotations_model import (
    ROLE_COLOR,
    ROLE_ID,
    ROLE_KIND,
    ROLE_MEANING,
    ROLE_NOTE,
    ROLE_POSITION,
    ROLE_SWATCH,
    ROLE_TAGS,
    AnnotationsFilterProxy,
    AnnotationsModel,
)
from desktop_app.views.item_painting import draw_item_background
from desktop_app.views.theme import is_dark, swatch_color, swatch_icon

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    from desktop_app.annotations.model import Annotation
    from desktop_app.timeline import ChapterRow

logger = logging.getLogger(__name__)


class _AnnotationDelegate(QStyledItemDelegate):
    """Chapter rows as bold headers with a count; annotations as cards: colour bar, quote, note, tags · place."""

    PAD = 6
    BAR = 4

    def _lines(self, index: QModelIndex | QPersistentModelIndex) -> list[tuple[str, str]]:
        lines = [("quote", f"“{index.data(Qt.ItemDataRole.DisplayRole)}”")]
        note = (index.data(ROLE_NOTE) or "").strip()
        if note:
            lines.append(("note", note.splitlines()[0]))
        meta = [
            " ".join(f"#{t}" for t in index.data(ROLE_TAGS) or []),
            index.data(ROLE_POSITION) or "",
            index.data(ROLE_MEANING) or "",
        ]
        lines.append(("meta", " · ".join(m for m in meta if m)))
        return lines

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        """Cheap: called for every row (one ``data()`` call per annotation)."""
        spacing = QFontMetrics(option.font).lineSpacing()
        if not index.parent().isValid():
            return QSize(200, spacing + self.PAD)
        return QSize(200, spacing * (3 if (index.data(ROLE_NOTE) or "").strip() else 2) + 2 * self.PAD)

    def paint(
        self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        text_color, muted = draw_item_background(painter, opt)
        painter.save()
        if index.data(ROLE_KIND) == "chapter":
            self._paint_chapter(painter, opt, index, text_color, muted)
        else:
            self._paint_card(painter, opt, index, text_color, muted)
        painter.restore()

    def _paint_chapter(
        self,
        painter: QPainter,
        opt: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
        text_color: QColor,
        muted: QColor,
    ) -> None:
        rect = opt.rect.adjusted(self.PAD // 2, 0, -self.PAD, 0)
        count = str(index.model().rowCount(index))
        font = QFont(opt.font)
        painter.setFont(font)
        painter.setPen(muted)
        count_width = QFontMetrics(font).horizontalAdvance(count) + self.PAD
        painter.drawText(rect, int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter), count)
        font.setBold(True)
        painter.setFont(font)
        painter.setPen(text_color)
        title = QFontMetrics(font).elidedText(
            index.data(Qt.ItemDataRole.DisplayRole) or "",
            Qt.TextElideMode.ElideRight,
            max(0, rect.width() - count_width),
        )
        painter.drawText(rect, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), title)

    def _paint_card(
        self,
        painter: QPainter,
        opt: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
        text_color: QColor,
        muted: QColor,
    ) -> None:
        rect = opt.rect.adjusted(2, self.PAD // 2, -self.PAD, -self.PAD // 2)
        bar = index.data(ROLE_SWATCH) or swatch_color(COLOR_KEYS[0], False)
        painter.fillRect(QRect(rect.left(), rect.top(), self.BAR, rect.height()), bar)
        x = rect.left() + self.BAR + self.PAD
        y = rect.top() + self.PAD // 2
        width = max(0, rect.right() - x)
        for kind, text in self._lines(index):
            font = QFont(opt.font)
            font.setItalic(kind == "quote")
            metrics = QFontMetrics(font)
            painter.setFont(font)
            painter.setPen(muted if kind == "meta" else text_color)
            line = QRect(x, y, width, metrics.lineSpacing())
            painter.drawText(
                line,
                int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                metrics.elidedText(text, Qt.TextElideMode.ElideRight, width),
            )
            y += metrics.lineSpacing()


class _AnnotationTree(QTreeView):
    """The list; Delete / Backspace on an annotation asks for its deletion (before any window shortcut)."""

    delete_pressed = Signal()

    def event(self, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.ShortcutOverride
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace)
            and not event.modifiers()
        ):
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and not event.modifiers():
            self.delete_pressed.emit()
            return
        super().keyPressEvent(event)


class _ColorMeaningsDialog(QDialog):
    """Edit what each of the five colours means."""

    def __init__(
        self, colors: dict[str, str], icon: Callable[[str], QIcon], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Colour Meanings")
        self.setObjectName("color_meanings_dialog")
        self._original = dict(colors)
        self.fields: dict[str, QLineEdit] = {}
        form = QFormLayout(self)
        for number, key in enumerate(COLOR_KEYS, start=1):
            field_ = QLineEdit(colors.get(key, key), self)
            field_.addAction(icon(key), QLineEdit.ActionPosition.LeadingPosition)
            form.addRow(f"&{number}  {key.capitalize()}", field_)
            self.fields[key] = field_
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def changes(self) -> dict[str, str]:
        """The renamed colours (key → new meaning)."""
        result = {}
        for key, field_ in self.fields.items():
            meaning = " ".join(field_.text().split())
            if meaning and meaning != self._original.get(key, key):
                result[key] = meaning
        return result


class AnnotationsPanel(QWidget):
    """Filter bar, the annotation tree, a count and the path of the annotations file."""

    annotation_activated = Signal(str)
    current_changed = Signal(str)
    delete_requested = Signal(str)
    color_change_requested = Signal(str, str)
    color_meaning_change_requested = Signal(str, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("annotations_panel")
        self.model = AnnotationsModel(self)
        self.proxy = AnnotationsFilterProxy(self)
        self.proxy.setSourceModel(self.model)
        self._selected = ""
        self._quiet = 0
        self.view = _AnnotationTree(self)
        self.view.setObjectName("annotations_view")
        self.view.setModel(self.proxy)
        self.view.setItemDelegate(_AnnotationDelegate(self.view))
        self.view.setHeaderHidden(True)
        self.view.setIndentation(8)
        self.view.setRootIsDecorated(False)
        self.view.setItemsExpandable(False)
        self.view.setUniformRowHeights(False)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self._build_filters()
        self.count_label = QLabel("No highlights yet", self)
        self.count_label.setObjectName("annotations_count")
        self.file_path = QLineEdit(self)
        self.file_path.setObjectName("annotations_file_path")
        self.file_path.setReadOnly(True)
        self.file_path.setFrame(False)
        self.file_path.setPlaceholderText("No annotations file")
        saved_in = QLabel("Saved in", self)
        saved_in.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        file_row = QHBoxLayout()
        file_row.addWidget(saved_in)
        file_row.addWidget(self.file_path, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.filter_edit)
        layout.addLayout(self._filter_row)
        layout.addLayout(self._order_row)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.count_label)
        layout.addLayout(file_row)
        self.view.activated.connect(self._on_activated)
        self.view.clicked.connect(self._on_activated)
        self.view.delete_pressed.connect(self._delete_current)
        self.view.customContextMenuRequested.connect(self._show_context_menu)
        self.view.selectionModel().currentChanged.connect(self._on_current_changed)
        self._sync_theme()

    def _build_filters(self) -> None:
        self.filter_edit = QLineEdit(self)
        self.filter_edit.setObjectName("annotations_filter")
        self.filter_edit.setPlaceholderText("Filter quotes, notes and tags")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.textChanged.connect(
            lambda text: self._change_filter(self.proxy.set_text_filter, text)
        )
        self._filter_row = row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(2)
        self.color_buttons: dict[str, QToolButton] = {}
        for key in COLOR_KEYS:
            button = QToolButton(self)
            button.setCheckable(True)
            button.setAutoRaise(True)
            button.setObjectName(f"annotations_color_{key}")
            button.toggled.connect(self._on_color_filter)
            row.addWidget(button)
            self.color_buttons[key] = button
        self.tag_combo = QComboBox(self)
        self.tag_combo.setObjectName("annotations_tag")
        self.tag_combo.addItem("All tags", "")
        self.tag_combo.currentIndexChanged.connect(
            lambda _i: self._change_filter(self.proxy.set_tag_filter, self.tag_combo.currentData() or "")
        )
        self.sort_combo = QComboBox(self)
        self.sort_combo.setObjectName("annotations_sort")
        self.sort_combo.addItem("Position", "position")
        self.sort_combo.addItem("Date", "date")
        self.sort_combo.setToolTip("Order by place in the transcript, or by last change (newest first)")
        self.sort_combo.currentIndexChanged.connect(
            lambda _i: self._change_filter(self.proxy.set_sort_mode, self.sort_combo.currentData())
        )
        meanings = QToolButton(self)
        meanings.setText("Colours…")
        meanings.setToolTip("Edit what each colour means")
        meanings.clicked.connect(self.edit_color_meanings)
        row.addStretch(1)
        row.addWidget(meanings)
        # Tags and order on a row of their own: beside the colours they were clipped in a narrow dock.
        self._order_row = order = QHBoxLayout()
        order.setContentsMargins(0, 0, 0, 0)
        order.addWidget(self.tag_combo, 1)
        order.addWidget(self.sort_combo)

    # -- content ------------------------------------------------------------------------------
    def set_annotations(
        self,
        annotations: Sequence[Annotation],
        sections: Sequence[ChapterRow] = (),
        colors: dict[str, str] | None = None,
        places: Mapping[str, str] | None = None,
        quotes: Mapping[str, str] | None = None,
    ) -> None:
        """Show these annotations grouped by chapter, each with its place and its words as the reader shows
        them (by id); keeps the selection."""
        self._quiet += 1
        try:
            reset = self.model.set_annotations(annotations, sections, colors, places, quotes)
            self._refresh_tags(annotations)
            if reset:
                self._expand()
            self._restore_selection()
        finally:
            self._quiet -= 1
        self._refresh_color_buttons()
        self._update_count()

    def set_file_path(self, path: str) -> None:
        """The YAML file holding these annotations (selectable, so the user can copy it)."""
        self.file_path.setText(path)
        self.file_path.setToolTip(f"Your highlights and notes are saved in this YAML file:\n{path}")
        self.file_path.setCursorPosition(len(path))

    def select_annotation(self, annotation_id: str) -> None:
        """Select (and reveal) an annotation, or clear the selection for ""; emits nothing."""
        self._selected = annotation_id
        self._quiet += 1
        try:
            self._restore_selection()
        finally:
            self._quiet -= 1

    def current_annotation(self) -> str:
        """The id of the selected annotation ("" when none)."""
        return self.view.currentIndex().data(ROLE_ID) or ""

    def _restore_selection(self) -> None:
        index = self.proxy.mapFromSource(self.model.find(self._selected)) if self._selected else QModelIndex()
        if not index.isValid():
            self.view.selectionModel().clear()
            return
        if index != self.view.currentIndex():  # (unchanged: leave the scrolling to the user)
            self.view.setCurrentIndex(index)
            self.view.scrollTo(index, QAbstractItemView.ScrollHint.EnsureVisible)

    def _expand(self) -> None:
        for row in range(self.proxy.rowCount()):
            self.view.expand(self.proxy.index(row, 0))

    def _change_filter(self, apply: Callable[[Any], None], value: Any) -> None:
        self._quiet += 1
        try:
            apply(value)
            self._expand()
            self._restore_selection()
        finally:
            self._quiet -= 1
        self._update_count()

    def _refresh_tags(self, annotations: Sequence[Annotation]) -> None:
        counts = Counter(tag for a in annotations for tag in a.tags)
        items = ["All tags"] + [f"{tag} ({counts[tag]})" for tag in sorted(counts, key=str.casefold)]
        if items == [self.tag_combo.itemText(i) for i in range(self.tag_combo.count())]:
            return
        current = self.tag_combo.currentData() or ""
        self.tag_combo.blockSignals(True)
        self.tag_combo.clear()
        self.tag_combo.addItem("All tags", "")
        for tag in sorted(counts, key=str.casefold):
            self.tag_combo.addItem(f"{tag} ({counts[tag]})", tag)
        found = self.tag_combo.findData(current)
        self.tag_combo.setCurrentIndex(max(0, found))
        self.tag_combo.blockSignals(False)
        if current and found < 0:
            self._change_filter(self.proxy.set_tag_filter, "")

    def _refresh_color_buttons(self) -> None:
        colors = self.model.colors()
        for number, (key, button) in enumerate(self.color_buttons.items(), start=1):
            button.setIcon(swatch_icon(self.model.swatch_color(key), 14))
            button.setToolTip(
                f"Show only “{colors.get(key, key)}” ({key}, key {number}); "
                "with none chosen, every colour is shown"
            )

    def _update_count(self) -> None:
        everything = self.model.annotations()
        shown = [a for a in everything if self.proxy.accepts(a)]
        notes = sum(1 for a in shown if a.note.strip())
        orphans = sum(1 for a in shown if a.is_orphan)
        total = len(everything)
        head = f"{len(shown)} of {total}" if self.proxy.is_filtering() else f"{total}"
        text = f"{head} highlight{'' if total == 1 else 's'} · {notes} note{'' if notes == 1 else 's'}"
        self.count_label.setText(
            text + (f" · {orphans} unplaced" if orphans else "")
            if total
            else "No highlights yet — select text and press 1–5"
        )

    def changeEvent(self, event: QEvent) -> None:
        """Follow palette changes (light or dark swatches and colour buttons)."""
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            self._sync_theme()
        super().changeEvent(event)

    def _sync_theme(self) -> None:
        self.model.set_dark(is_dark(self))
        self._refresh_color_buttons()

    # -- user actions -------------------------------------------------------------------------
    @Slot(bool)
    def _on_color_filter(self, _checked: bool) -> None:
        keys = [key for key, button in self.color_buttons.items() if button.isChecked()]
        self._change_filter(self.proxy.set_color_filter, keys)

    @Slot(QModelIndex)
    def _on_activated(self, index: QModelIndex) -> None:
        annotation_id = index.data(ROLE_ID) if index.isValid() else None
        if annotation_id:
            self.annotation_activated.emit(annotation_id)

    @Slot(QModelIndex, QModelIndex)
    def _on_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if self._quiet:
            return
        self._selected = current.data(ROLE_ID) or "" if current.isValid() else ""
        self.current_changed.emit(self._selected)

    @Slot()
    def _delete_current(self) -> None:
        annotation_id = self.current_annotation()
        if annotation_id:
            self.delete_requested.emit(annotation_id)

    def context_menu(self, index: QModelIndex) -> QMenu:
        """The menu for a row of the view (or the empty area, for an invalid index)."""
        menu = QMenu(self)
        annotation_id = index.data(ROLE_ID) if index.isValid() else None
        if annotation_id:
            menu.addAction("Go to Highlight", lambda: self.annotation_activated.emit(annotation_id))
            colours = menu.addMenu("Colour")
            meanings = self.model.colors()
            for number, key in enumerate(COLOR_KEYS, start=1):
                action = colours.addAction(
                    swatch_icon(self.model.swatch_color(key)), f"&{number}  {meanings.get(key, key)}"
                )
                action.setObjectName(f"color_{key}")
                action.setCheckable(True)
                action.setChecked(index.data(ROLE_COLOR) == key)
                action.triggered.connect(
                    lambda _=False, k=key: self.color_change_requested.emit(annotation_id, k)
                )
            delete = menu.addAction("Delete Highlight", lambda: self.delete_requested.emit(annotation_id))
            delete.setObjectName("delete_highlight")
            menu.addSeparator()
        menu.addAction("Edit Colour Meanings…", self.edit_color_meanings)
        return menu

    @Slot(QPoint)
    def _show_context_menu(self, point: QPoint) -> None:
        index = self.view.indexAt(point)
        if index.isValid() and index.data(ROLE_ID):
            self.view.setCurrentIndex(index)
        menu = self.context_menu(index)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.popup(self.view.viewport().mapToGlobal(point))

    @Slot()
    def edit_color_meanings(self) -> QDialog:
        """Open the (window-modal) colour meanings dialog; OK asks for each renamed colour."""
        dialog = _ColorMeaningsDialog(
            self.model.colors(), lambda k: swatch_icon(self.model.swatch_color(k)), self
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def apply() -> None:
            for key, meaning in dialog.changes().items():
                self.color_meaning_change_requested.emit(key, meaning)

        dialog.accepted.connect(apply)
        dialog.open()
        return dialog
