"""The library panel: every document of the library (sortable, filterable), and search across all of them.

The panel runs nothing itself: it shows the entries, indexing state and results it is given (see
``library/service.py``; :func:`connect_library_panel` makes the connections) and announces what the user wants.

Signals (LibraryPanel):
    open_requested(str, int): open this file; at this document offset (-1: at the last reading position).
    add_requested(list): add these files and folders to the library (buttons, drag and drop).
    remove_requested(list, bool): remove these documents (sha256s) from the library; True: and move their
        highlights and notes to the trash (asked first whenever they have any).
    search_requested(str): search the library for this query (after a 150 ms pause in typing, or on Enter).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTableView,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from desktop_app.formats import FILE_DIALOG_FILTER
from desktop_app.timeline import WORDS_PER_MINUTE, format_clock
from desktop_app.views import dialogs
from desktop_app.views.grouped_model import GroupedItemModel
from desktop_app.views.theme import plain_tooltip

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from PySide6.QtGui import QDragEnterEvent, QDropEvent, QResizeEvent

    from desktop_app.library.catalog import Entry
    from desktop_app.library.results import LibraryHit, LibraryResult
    from desktop_app.library.service import LibraryService

DEBOUNCE_MS = 150
COLUMNS = ("Title", "Show", "Length", "Added", "Read", "Highlights", "Notes")
OPTIONAL_COLUMNS = (3, 6, 1, 5, 4)
"""Added, Notes, Show, Highlights, Read: left out in this order when the panel is too narrow for them."""
TITLE_MIN_WIDTH = 160
ROLE_SORT = int(Qt.ItemDataRole.UserRole) + 1
ROLE_SHA = int(Qt.ItemDataRole.UserRole) + 2
ROLE_PATH = int(Qt.ItemDataRole.UserRole) + 3
ROLE_START = int(Qt.ItemDataRole.UserRole) + 4
Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()
_DISPLAY = Qt.ItemDataRole.DisplayRole
_TOOLTIP = Qt.ItemDataRole.ToolTipRole


def length_label(entry: Entry) -> str:
    """``1:02:03`` for subtitles, else the number of words (``12,345 words``)."""
    if entry.duration is not None:
        return format_clock(entry.duration)
    return f"{entry.words:,} words"


class LibraryTableModel(QAbstractTableModel):
    """The entries of the catalog, one row each; ``ROLE_SORT`` gives each cell's sort key."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._entries: list[Entry] = []

    def set_entries(self, entries: Sequence[Entry]) -> None:
        """Show these entries. The catalog keeps the order entries were added in, so while a folder is added
        the new list is the old one with rows at its end: those are inserted and only the rows whose facts
        changed are updated (the view keeps its selection and scroll position, and the sorting proxy places
        just the new rows instead of sorting all again, which took the GUI thread 50+ ms a batch while the
        workers held the GIL). Any other change (a removal) resets the list."""
        new, old = list(entries), self._entries
        if len(new) < len(old) or any(a.sha256 != b.sha256 for a, b in zip(old, new, strict=False)):
            self.beginResetModel()
            self._entries = new
            self.endResetModel()
            return
        last_column = len(COLUMNS) - 1
        for row, (before, after) in enumerate(zip(old, new, strict=False)):
            if before != after:
                old[row] = after
                self.dataChanged.emit(self.index(row, 0), self.index(row, last_column))
        if len(new) > len(old):
            self.beginInsertRows(_ROOT, len(old), len(new) - 1)
            old.extend(new[len(old) :])
            self.endInsertRows()

    def entry(self, row: int) -> Entry:
        """The entry of a row."""
        return self._entries[row]

    def annotated(self, sha256s: Sequence[str]) -> int:
        """How many of these documents have highlights or notes."""
        wanted = set(sha256s)
        return sum(1 for e in self._entries if e.sha256 in wanted and (e.highlights or e.notes))

    def rowCount(self, parent: Index = _ROOT) -> int:
        """One row per entry."""
        return 0 if parent.isValid() else len(self._entries)

    def columnCount(self, parent: Index = _ROOT) -> int:
        """The columns of ``COLUMNS``."""
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = _DISPLAY) -> Any:
        """Column titles."""
        if orientation == Qt.Orientation.Horizontal and role == _DISPLAY and 0 <= section < len(COLUMNS):
            return COLUMNS[section]
        return None

    def data(self, index: Index, role: int = _DISPLAY) -> Any:
        """Text, sort keys, sha256 and path of a cell."""
        if not index.isValid():
            return None
        entry = self._entries[index.row()]
        column = index.column()
        if role == ROLE_SHA:
            return entry.sha256
        if role == ROLE_PATH:
            return entry.path
        if role == _TOOLTIP:  # the whole title (the cell elides a long one) and where the file is
            return plain_tooltip(f"{entry.title}\n{entry.path}" + (" (missing)" if entry.missing else ""))
        if role == ROLE_SORT:
            keys = (
                entry.title.lower(),
                entry.show.lower(),
                entry.duration or entry.words / WORDS_PER_MINUTE * 60,
                entry.added,
                entry.progress,
                entry.highlights,
                entry.notes,
            )
            return keys[column]
        if role == _DISPLAY:
            added = entry.added[:10]
            values = (
                entry.title + (" (missing)" if entry.missing else ""),
                entry.show,
                length_label(entry),
                added,
                f"{round(entry.progress * 100)} %",
                str(entry.highlights),
                str(entry.notes),
            )
            return values[column]
        return None


class _EntryFilter(QSortFilterProxyModel):
    """Sorts by ``ROLE_SORT``; keeps the rows whose title or show holds every word of the filter text."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._words: list[str] = []
        self.setSortRole(ROLE_SORT)

    def set_filter_text(self, text: str) -> None:
        """Filter by these words (any case)."""
        self.beginFilterChange()
        self._words = text.lower().split()
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        """Every word in the title or the show."""
        model = self.sourceModel()
        if not self._words or not isinstance(model, LibraryTableModel):
            return True
        entry = model.entry(source_row)
        haystack = f"{entry.title} {entry.show}".lower()
        return all(word in haystack for word in self._words)


class LibraryResultModel(GroupedItemModel):
    """Library hits: an episode per header row (title and count), its hits below in text order, each shown as
    "chapter — speaker: snippet"."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._groups: list[tuple[str, list[LibraryHit]]] = []

    def set_result(self, result: LibraryResult | None) -> None:
        """Show a result (None: nothing)."""
        groups: list[tuple[str, list[LibraryHit]]] = []
        for group in result.groups() if result is not None else []:
            hits = [hit for _chapter, chapter_hits in group.chapters for hit in chapter_hits]
            groups.append((group.title, hits))
        self.beginResetModel()
        self._groups = groups
        self.endResetModel()

    def group_count(self) -> int:
        """Episodes."""
        return len(self._groups)

    def item_count(self, group: int) -> int:
        """Hits of an episode."""
        return len(self._groups[group][1])

    def flags(self, index: Index) -> Qt.ItemFlag:
        """Episode rows are enabled (drawn in the text colour) but not selectable; hits are selectable."""
        if self.is_header(index):
            return Qt.ItemFlag.ItemIsEnabled
        return super().flags(index)

    def hit(self, index: Index) -> LibraryHit | None:
        """The hit of an item row."""
        position = self.item_position(index)
        if position is None:
            return None
        return self._groups[position[0]][1][position[1]]

    def data(self, index: Index, role: int = _DISPLAY) -> Any:
        """Headers: the episode and its number of hits; items: the chapter and the snippet."""
        if not index.isValid():
            return None
        hit = self.hit(index)
        if hit is None:
            title, hits = self._groups[index.row()]
            if role == Qt.ItemDataRole.FontRole:
                font = QFont()
                font.setBold(True)
                return font
            return f"{title} ({len(hits)})" if role in (_DISPLAY, _TOOLTIP) else None
        if role == _DISPLAY:  # "Chapter — Guest: …snippet"
            lead = " — ".join(part for part in (hit.section, hit.speaker) if part)
            return f"{lead}: {hit.snippet}" if lead else hit.snippet
        if role == _TOOLTIP:
            return hit.snippet
        if role == ROLE_PATH:
            return hit.path
        if role == ROLE_START:
            return hit.start
        return None


class LibraryPanel(QWidget):
    """The library list with its buttons and filter, and the library search with its grouped results."""

    open_requested = Signal(str, int)
    add_requested = Signal(list)
    remove_requested = Signal(list, bool)
    search_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAcceptDrops(True)
        self.model = LibraryTableModel(self)
        self.proxy = _EntryFilter(self)
        self.proxy.setSourceModel(self.model)
        self.results = LibraryResultModel(self)
        self._build()
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(DEBOUNCE_MS)
        self._debounce.timeout.connect(self._emit_query)
        self._connect()

    def _build(self) -> None:
        self.filter_field = QLineEdit(placeholderText="Filter by title or show")
        self.filter_field.setClearButtonEnabled(True)
        self.add_files_button = QPushButton("Add Files…")
        self.add_folder_button = QPushButton("Add Folder…")
        self.remove_button = QPushButton("Remove")
        self.remove_button.setToolTip(
            "Remove from the library (the file stays; its highlights are kept unless you choose otherwise)"
        )
        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(3, Qt.SortOrder.DescendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)  # one line a document, as in Calibre or Zotero: long titles are elided
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 8)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents
        )  # short values: as wide as they are
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.search_field = QLineEdit(placeholderText="Search the whole library")
        self.search_field.setClearButtonEnabled(True)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.progress = QProgressBar()
        self.progress.setTextVisible(False)
        self.progress.setMaximumHeight(6)
        self.progress.hide()
        self.result_view = QTreeView()
        self.result_view.setModel(self.results)
        self.result_view.setHeaderHidden(True)
        self.result_view.setUniformRowHeights(True)
        self.result_view.setWordWrap(True)

        buttons = QHBoxLayout()
        for button in (self.add_files_button, self.add_folder_button, self.remove_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addLayout(buttons)
        top_layout.addWidget(self.filter_field)
        top_layout.addWidget(self.table)
        bottom = QWidget()
        bottom_layout = QVBoxLayout(bottom)
        bottom_layout.setContentsMargins(0, 0, 0, 0)
        bottom_layout.addWidget(self.search_field)
        bottom_layout.addWidget(self.progress)
        bottom_layout.addWidget(self.status)
        bottom_layout.addWidget(self.result_view)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(top)
        splitter.addWidget(bottom)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(splitter)

    def _connect(self) -> None:
        self._fit_timer = QTimer(self)
        self._fit_timer.setSingleShot(True)
        self._fit_timer.timeout.connect(self._fit_columns)
        for signal in (
            self.proxy.rowsInserted,
            self.proxy.modelReset,
            self.proxy.layoutChanged,
            self.proxy.dataChanged,  # a longer length or title: the columns' widths change
        ):
            signal.connect(self._fit_timer.start)
        self.filter_field.textChanged.connect(self.proxy.set_filter_text)
        self.add_files_button.clicked.connect(self._choose_files)
        self.add_folder_button.clicked.connect(self._choose_folder)
        self.remove_button.clicked.connect(self.remove_selected)
        self.table.activated.connect(self._open_entry)
        self.table.doubleClicked.connect(self._open_entry)
        self.search_field.textChanged.connect(lambda _text: self._debounce.start())
        self.search_field.returnPressed.connect(self._emit_query)
        self.result_view.activated.connect(self._open_hit)
        self.result_view.clicked.connect(self._open_hit)

    # -- facts shown ------------------------------------------------------------------------------
    def set_entries(self, entries: Sequence[Entry]) -> None:
        """Show the library's documents."""
        self.model.set_entries(entries)
        self._show_count()

    def set_adding(self, done: int, total: int) -> None:
        """Files read so far while adding (0, 0: done)."""
        self._show_progress(done, total)
        if total:
            self.status.setText(f"Adding files: {done:,} of {total:,} read…")
        else:  # done: the count, until indexing reports
            self._show_count()

    def set_indexing(self, done: int, total: int) -> None:
        """Episodes indexed so far."""
        self._show_progress(done, total if done < total else 0)
        if done < total:
            self.status.setText(
                f"Indexing for search: {done:,} of {total:,} documents… "
                "(searches look in what is indexed so far)"
            )
        else:
            self.status.setText(f"{total:,} documents indexed.")

    def set_result(self, result: LibraryResult) -> None:
        """Show a library search result, grouped by episode (a result of another query, asked for by the
        search panel's library scope, is not this panel's)."""
        if result.query.strip() != self.search_field.text().strip():
            return
        self.results.set_result(result)
        self.result_view.expandAll()
        if result.error:
            self.status.setText(result.error)
        elif result.query.strip():
            episodes = len({hit.document for hit in result.hits})
            more = f" (showing {len(result.hits):,})" if len(result.hits) < result.total else ""
            self.status.setText(
                f"{result.total:,} paragraphs in {episodes:,} documents{more}; "
                f"{result.episodes_indexed:,} documents searched."
            )
        else:
            self._show_count()

    def show_notice(self, text: str) -> None:
        """A passing message under the search field."""
        self.status.setText(text)

    def _show_count(self) -> None:
        if not self.search_field.text().strip() and not self.progress.isVisible():
            count = self.model.rowCount()
            self.status.setText(f"{count:,} document{'s' if count != 1 else ''} in the library.")

    def _show_progress(self, done: int, total: int) -> None:
        if total:
            self.progress.setRange(0, total)
            self.progress.setValue(done)
            self.progress.show()
        else:
            self.progress.hide()

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Keep the titles readable: a narrow dock leaves out the lesser columns (see :meth:`_fit_columns`)."""
        super().resizeEvent(event)
        self._fit_timer.start()

    def _fit_columns(self) -> None:
        """Show the columns that fit beside a title at least ``TITLE_MIN_WIDTH`` wide, leaving out the lesser
        ones first (``OPTIONAL_COLUMNS``); before, the six short columns took a dock's whole width and the
        titles were two letters and an ellipsis."""
        header = self.table.horizontalHeader()
        width = self.table.viewport().width()

        def needed(column: int) -> int:
            return max(header.sectionSizeHint(column), self.table.sizeHintForColumn(column))

        shown = list(range(1, len(COLUMNS)))
        for column in shown:
            header.setSectionHidden(
                column, False
            )  # a hidden section's size hint is 0: measure them all shown
        for column in OPTIONAL_COLUMNS:
            if width - sum(needed(c) for c in shown) >= TITLE_MIN_WIDTH:
                break
            shown.remove(column)
        for column in range(1, len(COLUMNS)):
            header.setSectionHidden(column, column not in shown)

    # -- intents --------------------------------------------------------------------------------
    def add_paths(self, paths: Sequence[str]) -> None:
        """Ask for files and folders to be added."""
        if paths:
            self.add_requested.emit([str(p) for p in paths])

    def selected_documents(self) -> list[str]:
        """The sha256 of the selected rows."""
        rows = self.table.selectionModel().selectedRows()
        return [str(self.proxy.data(row, ROLE_SHA)) for row in rows]

    def remove_selected(self) -> None:
        """Ask for the selected documents to be removed (first asking the user when some have highlights)."""
        chosen = self.selected_documents()
        if not chosen:
            return
        annotated = self.model.annotated(chosen)
        if not annotated:
            self.remove_requested.emit(chosen, False)
            return
        self.removal_question = dialogs.confirm_library_removal(
            self, len(chosen), annotated, lambda trash: self.remove_requested.emit(chosen, trash)
        )

    def _choose_files(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self, "Add Transcripts", "", FILE_DIALOG_FILTER)
        self.add_paths(paths)

    def _choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Add a Folder of Transcripts")
        if folder:
            self.add_paths([folder])

    def _open_entry(self, index: QModelIndex) -> None:
        path = self.proxy.data(index, ROLE_PATH)
        if path:
            self.open_requested.emit(str(path), -1)

    def _open_hit(self, index: QModelIndex) -> None:
        hit = self.results.hit(index)
        if hit is not None:
            self.open_requested.emit(hit.path, hit.start)

    def _emit_query(self) -> None:
        self._debounce.stop()
        self.search_requested.emit(self.search_field.text().strip())

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        """Accept files and folders."""
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        """Add the dropped files and folders."""
        paths = [url.toLocalFile() for url in event.mimeData().urls() if url.isLocalFile()]
        self.add_paths(paths)
        event.acceptProposedAction()


def connect_library_panel(
    panel: LibraryPanel,
    service: LibraryService,
    open_at: Callable[[str, int, str], None] | None = None,
    reading: Callable[[], str] = lambda: "",
) -> None:
    """Connect a panel and the library service both ways; ``open_at(path, offset, query)`` opens a chosen
    transcript at a hit (offset -1: at the last reading position), searching it for the library query;
    ``reading()`` names the document open in the reader (its highlights are in use: never trashed)."""
    if open_at is not None:
        panel.open_requested.connect(lambda path, at: open_at(path, at, panel.search_field.text()))
    panel.add_requested.connect(service.add_paths)
    panel.remove_requested.connect(lambda shas, trash: service.remove(shas, trash, keep={reading()}))
    panel.search_requested.connect(service.search)
    service.entries_changed.connect(panel.set_entries)
    service.adding.connect(panel.set_adding)
    service.indexing_progress.connect(panel.set_indexing)
    service.results_ready.connect(panel.set_result)
    service.notice.connect(panel.show_notice)
    panel.set_entries(service.entries())


__all__ = ["LibraryPanel", "LibraryResultModel", "LibraryTableModel", "connect_library_panel"]
