"""The outline panel: chapters with titles and lengths, following the reading position; and the chapter strip.

Signals (OutlinePanel):
    chapter_activated(int): the user chose chapter *i* (click, Enter) — jump there.
    rename_requested(int, str): chapter *i* should get a new title.
    split_requested(int): split the current chapter at the reading position.
    merge_requested(int): merge chapter *i* with the next one.
    move_start_requested(int): move the start of chapter *i* to the reading position.
    reset_requested(): drop the user's edits and show the automatic outline.
    granularity_requested(float): recompute the automatic outline with fewer / more chapters.
    episode_chapters_requested(): show the chapters the file itself gives.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    QSize,
    Qt,
    Signal,
    Slot,
)
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QToolButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

    from desktop_app.timeline import ChapterRow
from desktop_app.views.theme import plain_tooltip

_ROOT = QModelIndex()
ROLE_START = int(Qt.ItemDataRole.UserRole) + 1
ROLE_END = ROLE_START + 1
ROLE_KEYWORDS = ROLE_START + 2

GRANULARITIES = (("Fewer chapters", 0.6), ("Automatic", 1.0), ("More chapters", 1.6))
EPISODE_CHAPTERS = "episode"  # the choice of the file's own chapters, beside the granularities
BAND_COLORS = ("#8fb3d9", "#c9a7d8", "#9fcfa8", "#e7c08d", "#e59a9a", "#a7c7c5")


class OutlineModel(QAbstractTableModel):
    """The chapters as a table: column 0 the title (editable), column 1 the length.

    Signals:
        title_edited(int, str): the user typed a new title for row *i* (the owner applies it).
    """

    title_edited = Signal(int, str)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._sections: list[ChapterRow] = []
        self._current = -1

    # -- data ---------------------------------------------------------------------------------
    def set_sections(self, sections: Sequence[ChapterRow]) -> None:
        """Show these chapters (none is current until ``set_current``)."""
        self.beginResetModel()
        self._sections = list(sections)
        self._current = -1
        self.endResetModel()

    def sections(self) -> list[ChapterRow]:
        """The chapters shown."""
        return list(self._sections)

    def current(self) -> int:
        """The row shown as the chapter being read (-1 for none)."""
        return self._current

    def set_current(self, row: int) -> None:
        """Show row ``row`` as the chapter being read (bold)."""
        if row == self._current:
            return
        old, self._current = self._current, row
        for changed in (old, row):
            if 0 <= changed < len(self._sections):
                self.dataChanged.emit(
                    self.index(changed, 0), self.index(changed, 1), [Qt.ItemDataRole.FontRole]
                )

    # -- QAbstractItemModel -------------------------------------------------------------------
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:
        """Chapters at the top level; no children."""
        return 0 if parent.isValid() else len(self._sections)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:
        """Two columns: chapter title and length."""
        return 2

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        """The column titles "Chapter" and "Length"."""
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return ("Chapter", "Length")[section] if 0 <= section < 2 else None
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        """Chapters are selectable and have no children; titles (column 0) are editable."""
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren
        return base | Qt.ItemFlag.ItemIsEditable if index.column() == 0 else base

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        """Numbered title, length, keyword tooltip, bold current chapter and the chapter's start/end roles."""
        if not index.isValid() or not (0 <= index.row() < len(self._sections)):
            return None
        section = self._sections[index.row()]
        column = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            if column == 0:
                return (
                    section.title
                    if role == Qt.ItemDataRole.EditRole
                    else f"{index.row() + 1}. {section.title}"
                )
            return section.length
        if role == Qt.ItemDataRole.ToolTipRole:
            keywords = ", ".join(section.keywords)
            return plain_tooltip(f"{section.title}\n{keywords}" if keywords else section.title)
        if role == Qt.ItemDataRole.FontRole and index.row() == self._current:
            from PySide6.QtGui import QFont

            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.TextAlignmentRole and column == 1:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == ROLE_START:
            return section.start
        if role == ROLE_END:
            return section.end
        if role == ROLE_KEYWORDS:
            return list(section.keywords)
        return None

    def setData(
        self, index: QModelIndex | QPersistentModelIndex, value: Any, role: int = Qt.ItemDataRole.EditRole
    ) -> bool:
        """Editing a title does not change the model: the panel asks for a rename, the owner applies it."""
        if not index.isValid() or role != Qt.ItemDataRole.EditRole or index.column() != 0:
            return False
        title = " ".join(str(value).split())
        if not title or title == self._sections[index.row()].title:
            return False
        self.title_edited.emit(index.row(), title)
        return True


class OutlinePanel(QWidget):
    """The chapter list with its toolbar."""

    chapter_activated = Signal(int)
    rename_requested = Signal(int, str)
    split_requested = Signal(int)
    merge_requested = Signal(int)
    move_start_requested = Signal(int)
    reset_requested = Signal()
    granularity_requested = Signal(float)
    episode_chapters_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("outline_panel")
        self.model = OutlineModel(parent=self)
        self.model.title_edited.connect(self.rename_requested)
        self.view = QTreeView(self)
        self.view.setObjectName("outline_view")
        self.view.setModel(self.model)
        self.view.setRootIsDecorated(False)
        self.view.setUniformRowHeights(True)
        self.view.setAlternatingRowColors(True)
        self.view.setEditTriggers(
            QAbstractItemView.EditTrigger.EditKeyPressed | QAbstractItemView.EditTrigger.SelectedClicked
        )
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header = self.view.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.status = QLabel("Finding chapters…", self)
        self.status.setObjectName("outline_status")
        self.status.setWordWrap(True)
        self.granularity = QComboBox(self)
        self.granularity.setObjectName("outline_granularity")
        for label, value in GRANULARITIES:
            self.granularity.addItem(label, value)
        self.granularity.setCurrentIndex(1)
        self.granularity.setToolTip("How many chapters the automatic outline makes")
        self.granularity.activated.connect(self._on_granularity)
        edit_button = QToolButton(self)
        edit_button.setText("Edit")
        edit_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.edit_menu = QMenu(self)
        self.rename_action = self.edit_menu.addAction("Rename Chapter", self._rename_current)
        self.rename_action.setShortcut("F2")
        self.split_action = self.edit_menu.addAction("Split Chapter Here", self._split_current)
        self.merge_action = self.edit_menu.addAction("Merge with Next Chapter", self._merge_current)
        self.move_action = self.edit_menu.addAction("Move Chapter Start Here", self._move_current)
        self.edit_menu.addSeparator()
        self.reset_action = self.edit_menu.addAction("Reset to Automatic Outline", self.reset_requested.emit)
        edit_button.setMenu(self.edit_menu)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.granularity, 1)
        row.addWidget(edit_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(row)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.status)
        self.view.activated.connect(self._on_activated)
        self.view.clicked.connect(self._on_activated)
        self.view.customContextMenuRequested.connect(self._show_context_menu)

    # -- content ------------------------------------------------------------------------------
    def set_sections(self, sections: Sequence[ChapterRow], source: str = "automatic") -> None:
        """Show the chapters in force; ``edited``: they are the user's, not the automatic ones."""
        self.model.set_sections(sections)
        count = len(sections)
        whose = {"edited": "edited by you", "episode": "the episode's own"}.get(source, "automatic")
        self.status.setText(f"{count} chapter{'' if count == 1 else 's'} · {whose}")
        if source == "episode":
            self.granularity.setCurrentIndex(self.granularity.findData(EPISODE_CHAPTERS))
        self.reset_action.setEnabled(source == "edited")

    def show_message(self, message: str) -> None:
        """Show a message instead of chapters."""
        self.model.set_sections([])
        self.status.setText(message)

    def follow(self, row: int) -> None:
        """Select the chapter being read (without emitting activation)."""
        self.model.set_current(row)
        if row < 0:
            return
        index = self.model.index(row, 0)
        if (
            self.view.currentIndex().row() != row
            and self.view.state() != QAbstractItemView.State.EditingState
        ):
            self.view.setCurrentIndex(index)
            self.view.scrollTo(index, QAbstractItemView.ScrollHint.EnsureVisible)

    def current_row(self) -> int:
        """The selected chapter's row (-1 when none)."""
        index = self.view.currentIndex()
        return index.row() if index.isValid() else -1

    # -- user actions -------------------------------------------------------------------------
    @Slot(QModelIndex)
    def _on_activated(self, index: QModelIndex) -> None:
        if index.isValid():
            self.chapter_activated.emit(index.row())

    @Slot(int)
    def _on_granularity(self, position: int) -> None:
        value = self.granularity.itemData(position)
        if value == EPISODE_CHAPTERS:
            self.episode_chapters_requested.emit()
        else:
            self.granularity_requested.emit(float(value))

    def offer_episode_chapters(self, offered: bool) -> None:
        """List "The episode's chapters" among the outline choices (when the file gives chapters)."""
        position = self.granularity.findData(EPISODE_CHAPTERS)
        if offered and position < 0:
            self.granularity.insertItem(0, "The episode's chapters", EPISODE_CHAPTERS)
        elif not offered and position >= 0:
            self.granularity.removeItem(position)
            self.granularity.setCurrentIndex(self.granularity.findData(1.0))

    @Slot()
    def _rename_current(self) -> None:
        row = self.current_row()
        if row >= 0:
            self.view.edit(self.model.index(row, 0))

    @Slot()
    def _split_current(self) -> None:
        self.split_requested.emit(self.current_row())

    @Slot()
    def _merge_current(self) -> None:
        row = self.current_row()
        if 0 <= row < self.model.rowCount() - 1:
            self.merge_requested.emit(row)

    @Slot()
    def _move_current(self) -> None:
        row = self.current_row()
        if row > 0:
            self.move_start_requested.emit(row)

    @Slot("QPoint")
    def _show_context_menu(self, point: Any) -> None:
        index = self.view.indexAt(point)
        if index.isValid():
            self.view.setCurrentIndex(index)
        self.merge_action.setEnabled(0 <= self.current_row() < self.model.rowCount() - 1)
        self.edit_menu.exec(self.view.viewport().mapToGlobal(point))


class ChapterStrip(QWidget):
    """A narrow strip beside the reader's scrollbar: each chapter a band, the current one outlined.

    Signals:
        chapter_clicked(int): the user clicked band *i*.
    """

    chapter_clicked = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("chapter_strip")
        self.setFixedWidth(10)
        self._bands: list[tuple[float, float, str]] = []
        self._current = -1

    def set_bands(self, bands: Sequence[tuple[float, float, str]]) -> None:
        """Fractions (start, end) of the document and a tooltip title per chapter."""
        self._bands = list(bands)
        self._current = -1
        self.update()

    def set_current(self, row: int) -> None:
        """Outline band ``row`` as the chapter being read (-1: none)."""
        if row != self._current:
            self._current = row
            self.update()

    def bands(self) -> list[tuple[float, float, str]]:
        """The bands shown: (start, end, title) per chapter."""
        return list(self._bands)

    def sizeHint(self) -> QSize:
        """10 px wide (the strip's fixed width), 200 px tall."""
        return QSize(10, 200)

    def _band_at(self, y: int) -> int:
        fraction = y / max(1, self.height())
        for row, (start, end, _title) in enumerate(self._bands):
            if start <= fraction < end:
                return row
        return -1

    def paintEvent(self, event: QPaintEvent) -> None:
        """One band per chapter, faded unless it is the current one, which is outlined."""
        painter = QPainter(self)
        height = self.height()
        for row, (start, end, _title) in enumerate(self._bands):
            color = QColor(BAND_COLORS[row % len(BAND_COLORS)])
            if row != self._current:
                color.setAlpha(140)
            top, bottom = int(start * height), int(end * height)
            painter.fillRect(QRect(1, top, self.width() - 2, max(1, bottom - top - 1)), color)
            if row == self._current:
                painter.setPen(self.palette().color(self.foregroundRole()))
                painter.drawRect(QRect(0, top, self.width() - 1, max(1, bottom - top - 1)))
        painter.end()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        """A click on a band emits ``chapter_clicked``."""
        row = self._band_at(int(event.position().y()))
        if row >= 0:
            self.chapter_clicked.emit(row)

    def event(self, event: Any) -> bool:
        """Tooltips show the title of the chapter under the pointer."""
        from PySide6.QtCore import QEvent
        from PySide6.QtWidgets import QToolTip

        if event.type() == QEvent.Type.ToolTip:
            row = self._band_at(int(event.pos().y()))
            if row >= 0:
                QToolTip.showText(event.globalPos(), plain_tooltip(self._bands[row][2]), self)
            else:
                QToolTip.hideText()
            return True
        return super().event(event)
