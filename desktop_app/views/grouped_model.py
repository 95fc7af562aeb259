"""One item model shape for the lists grouped by chapter: header rows (not selectable) holding item rows.

The search results (chapter → hits) and the highlights panel (chapter → highlights) share it: a subclass says
how many groups and items there are and what each row shows; the tree's bookkeeping is here, once.
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, Qt

HEADER = 0
"""Internal id of header rows; an item row carries its header's row + 1."""
_ROOT = QModelIndex()
_ITEM_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren

Index = QModelIndex | QPersistentModelIndex


class GroupedItemModel(QAbstractItemModel):
    """Headers at the top level, items below them; one column. Headers have no flags: the keyboard skips them."""

    def group_count(self) -> int:
        """How many header rows there are (subclasses answer)."""
        raise NotImplementedError

    def item_count(self, group: int) -> int:
        """How many items header ``group`` holds (subclasses answer; ``group`` is in range)."""
        raise NotImplementedError

    # -- positions ----------------------------------------------------------------------------
    @staticmethod
    def is_header(index: Index) -> bool:
        """True for a header row."""
        return index.isValid() and index.internalId() == HEADER

    @staticmethod
    def item_position(index: Index) -> tuple[int, int] | None:
        """(header row, item row) of an item row; None for headers and invalid indexes."""
        if not index.isValid() or index.internalId() == HEADER:
            return None
        return index.internalId() - 1, index.row()

    def item_index(self, group: int, row: int) -> QModelIndex:
        """The index of item ``row`` under header ``group``."""
        return self.createIndex(row, 0, group + 1)

    # -- QAbstractItemModel -------------------------------------------------------------------
    def index(self, row: int, column: int, parent: Index = _ROOT) -> QModelIndex:
        """Headers at the top level, their items below (internal id: the header row + 1)."""
        if column != 0 or row < 0:
            return QModelIndex()
        if not parent.isValid():
            return self.createIndex(row, 0, HEADER) if row < self.group_count() else QModelIndex()
        group = parent.row()
        if parent.internalId() == HEADER and group < self.group_count() and row < self.item_count(group):
            return self.createIndex(row, 0, group + 1)
        return QModelIndex()

    def parent(self, index: Index = _ROOT) -> QModelIndex:  # type: ignore[override]
        """The header of an item row; the root for headers."""
        if not index.isValid() or index.internalId() == HEADER:
            return QModelIndex()
        return self.createIndex(index.internalId() - 1, 0, HEADER)

    def rowCount(self, parent: Index = _ROOT) -> int:
        """Headers at the top level, each header's items under it."""
        if not parent.isValid():
            return self.group_count()
        if parent.column() == 0 and parent.internalId() == HEADER and parent.row() < self.group_count():
            return self.item_count(parent.row())
        return 0

    def columnCount(self, parent: Index = _ROOT) -> int:
        """One column."""
        return 1

    def hasChildren(self, parent: Index = _ROOT) -> bool:
        """One call per row instead of ``flags`` + ``rowCount`` (the view asks for every row when expanding)."""
        if not parent.isValid():
            return self.group_count() > 0
        return parent.internalId() == HEADER and parent.column() == 0 and parent.row() < self.group_count()

    def flags(self, index: Index) -> Qt.ItemFlag:
        """Items are selectable; headers have no flags (keyboard navigation skips them)."""
        return _ITEM_FLAGS if index.isValid() and index.internalId() != HEADER else Qt.ItemFlag.NoItemFlags
