"""The All Annotations panel: every highlight and note of every episode of the library, filterable.

The panel runs nothing itself: it shows the highlights it is given (``set_annotations``) filtered by the
domain's :class:`~desktop_app.library.all_annotations.AnnotationFilter`, and announces what the user wants.

Signals (AllAnnotationsPanel):
    highlight_activated(object): open this :class:`LibraryHighlight`'s episode at it (double-click, Enter).
    quote_copy_requested(object): copy this highlight as a Markdown quote (context menu).
    refresh_requested(): read the library's highlights again.
    export_requested(): export every episode's highlights to a folder.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QMenu,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.annotations.colors import COLOR_KEYS, DEFAULT_COLOR_MEANINGS
from desktop_app.library.all_annotations import AnnotationFilter, facets_of, filter_highlights, newest_first
from desktop_app.views.annotations_model import short_quote
from desktop_app.views.theme import plain_tooltip, swatch_color, swatch_icon

if TYPE_CHECKING:
    from PySide6.QtCore import QPoint
    from PySide6.QtGui import QIcon

    from desktop_app.library.all_annotations import LibraryAnnotations, LibraryHighlight

DEBOUNCE_MS = 150
BATCH_ROWS = 100
ROLE_HIGHLIGHT = int(Qt.ItemDataRole.UserRole) + 1
Index = QModelIndex | QPersistentModelIndex
_ANY = ""


class AllAnnotationsModel(QAbstractListModel):
    """The highlights shown, one row each: the quote, then episode · speaker · chapter · time, then the note."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._items: list[LibraryHighlight] = []
        self._icons: dict[tuple[str, bool], QIcon] = {}
        self.dark = False

    def set_items(self, items: list[LibraryHighlight]) -> None:
        """Show these highlights (in their order)."""
        self.beginResetModel()
        self._items = list(items)
        self.endResetModel()

    def item(self, row: int) -> LibraryHighlight | None:
        """The highlight at ``row`` (None outside the list)."""
        return self._items[row] if 0 <= row < len(self._items) else None

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        """One row per highlight shown."""
        return 0 if parent.isValid() else len(self._items)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """The row's text, swatch, tooltip and the highlight itself (``ROLE_HIGHLIGHT``)."""
        item = self.item(index.row()) if index.isValid() else None
        if item is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return row_text(item)
        if role == Qt.ItemDataRole.DecorationRole:
            key = (item.color, self.dark)
            if key not in self._icons:
                self._icons[key] = swatch_icon(swatch_color(item.color, self.dark))
            return self._icons[key]
        if role == Qt.ItemDataRole.ToolTipRole:
            return plain_tooltip(f"“{short_quote(item.quote, 800)}”\n\n{item.meaning}\n\n{item.note}".strip())
        if role == ROLE_HIGHLIGHT:
            return item
        return None


def row_text(item: LibraryHighlight) -> str:
    """How a highlight reads in the list: its quote, where it is, its note and tags."""
    where = " · ".join(part for part in (item.episode_title, item.speaker, item.chapter, item.place) if part)
    lines = [f"“{short_quote(item.quote)}”", where or "not found in the current text"]
    if item.note.strip():
        lines.append(short_quote(item.note, 200))
    if item.tags:
        lines.append("Tags: " + ", ".join(item.tags))
    return "\n".join(lines)


class AllAnnotationsPanel(QWidget):
    """Filters (text, colour, tag, speaker, episode) above the list of every highlight of the library."""

    highlight_activated = Signal(object)
    quote_copy_requested = Signal(object)
    refresh_requested = Signal()
    export_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("all_annotations_panel")
        self._all: list[LibraryHighlight] = []
        self._debounce = QTimer(self, singleShot=True, interval=DEBOUNCE_MS)
        self._debounce.timeout.connect(self._apply_filter)
        self.text_filter = QLineEdit(self)
        self.text_filter.setPlaceholderText("Filter quotes, notes, tags, episodes")
        self.text_filter.setClearButtonEnabled(True)
        self.text_filter.textChanged.connect(self._debounce.start)
        self.order = QComboBox(self)
        self.order.addItems(["Episode order", "Newest first"])
        self.order.setToolTip("List the highlights episode by episode, or by their last change")
        self.order.currentIndexChanged.connect(self._apply_filter)
        self.color_filter = self._combo("Any colour")
        self.tag_filter = self._combo("Any tag")
        self.speaker_filter = self._combo("Any speaker")
        self.episode_filter = self._combo("Any episode")
        self.model = AllAnnotationsModel(self)
        self.list = QListView(self)
        self.list.setObjectName("all_annotations_list")
        self.list.setModel(self.model)
        self.list.setWordWrap(True)
        self.list.setSpacing(2)
        self.list.setAlternatingRowColors(True)
        self.list.setLayoutMode(QListView.LayoutMode.Batched)  # thousands of rows: laid out a batch at a time
        self.list.setBatchSize(BATCH_ROWS)
        self.list.setIconSize(QSize(12, 12))
        self.list.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.list.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.list.customContextMenuRequested.connect(self._context_menu)
        self.list.activated.connect(self._activate)
        self.list.doubleClicked.connect(self._activate)
        self.copy_action = QAction("Copy as &Quote", self)  # Ctrl+Shift+C is the window's (Edit menu)
        self.copy_action.triggered.connect(self.copy_current)
        self.status = QLabel("Open this view to read every highlight of the library.", self)
        self.status.setWordWrap(True)
        self.progress = QProgressBar(self)
        self.progress.setMaximumHeight(10)
        self.progress.setTextVisible(False)
        self.progress.hide()
        self.refresh_button = QPushButton("Refresh", self)
        self.refresh_button.clicked.connect(self.refresh_requested)
        self.export_button = QPushButton("Export All…", self)
        self.export_button.setToolTip(
            "One Markdown file per episode, with front matter for Obsidian or Logseq"
        )
        self.export_button.clicked.connect(self.export_requested)
        self._layout()

    def _combo(self, anything: str) -> QComboBox:
        combo = QComboBox(self)
        combo.addItem(anything, _ANY)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(8)
        combo.currentIndexChanged.connect(self._apply_filter)
        return combo

    def _layout(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        top = QHBoxLayout()
        top.addWidget(self.text_filter, 1)
        top.addWidget(self.order)
        layout.addLayout(top)
        for pair in ((self.color_filter, self.tag_filter), (self.speaker_filter, self.episode_filter)):
            row = QHBoxLayout()
            for combo in pair:
                row.addWidget(combo, 1)
            layout.addLayout(row)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.progress)
        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        buttons.addWidget(self.refresh_button)
        buttons.addWidget(self.export_button)
        layout.addLayout(buttons)

    # -- content ------------------------------------------------------------------------------
    def set_annotations(self, result: LibraryAnnotations) -> None:
        """Show every highlight of the library (the filters keep their choices where they still apply)."""
        self._all = result.highlights
        facets = facets_of(self._all)
        meanings = {**DEFAULT_COLOR_MEANINGS}
        for episode in result.episodes:
            meanings.update(episode.colors)
        colors = [(f"{meanings.get(k, k)} ({k})", k) for k in COLOR_KEYS if k in facets.colors]
        colors += [(k, k) for k in facets.colors if k not in COLOR_KEYS]
        self._fill(self.color_filter, colors)
        self._fill(self.tag_filter, [(t, t) for t in facets.tags])
        self._fill(self.speaker_filter, [(s, s) for s in facets.speakers])
        self._fill(self.episode_filter, [(title, sha) for sha, title in facets.episodes])
        self._apply_filter()
        self.status.setToolTip(plain_tooltip("\n\n".join(result.problems)) if result.problems else "")
        self.show_problems(result.problems)

    def _fill(self, combo: QComboBox, choices: list[tuple[str, str]]) -> None:
        """Replace a filter's choices, keeping the chosen one when it is still there."""
        chosen = combo.currentData()
        combo.blockSignals(True)
        try:
            while combo.count() > 1:
                combo.removeItem(1)
            for label, value in choices:
                combo.addItem(label, value)
            combo.setCurrentIndex(max(0, combo.findData(chosen)))
        finally:
            combo.blockSignals(False)

    def current_filter(self) -> AnnotationFilter:
        """The filter the controls say."""
        color = self.color_filter.currentData() or _ANY
        return AnnotationFilter(
            colors=frozenset({color}) if color else frozenset(),
            tag=self.tag_filter.currentData() or _ANY,
            speaker=self.speaker_filter.currentData() or _ANY,
            episode=self.episode_filter.currentData() or _ANY,
            text=self.text_filter.text(),
        )

    def _apply_filter(self) -> None:
        shown = filter_highlights(self._all, self.current_filter())
        if self.order.currentIndex() == 1:
            shown = newest_first(shown)
        self.model.set_items(shown)
        episodes = len({h.episode for h in self._all})
        if not self._all:
            self.status.setText("No highlights in the library yet.")
        elif len(shown) == len(self._all):
            highlights = "highlight" if len(self._all) == 1 else "highlights"
            self.status.setText(
                f"{len(self._all)} {highlights} in {episodes} episode{'s' if episodes != 1 else ''}"
            )
        else:
            self.status.setText(f"{len(shown)} of {len(self._all)} highlights")

    def set_loading(self, done: int, total: int) -> None:
        """Reading the library: ``done`` of ``total`` episodes (0, 0 when finished)."""
        self.progress.setVisible(total > 0)
        if total > 0:
            self.progress.setRange(0, total)
            self.progress.setValue(done)
            self.status.setText(f"Reading highlights… {done} of {total} episodes")

    def show_problems(self, problems: list[str]) -> None:
        """Say that some episodes could not be read completely (the others are listed)."""
        if problems:
            self.status.setText(f"{self.status.text()} · {len(problems)} episode(s) with problems (hover)")

    def set_dark(self, dark: bool) -> None:
        """Swatches in the dark or light highlight colours."""
        self.model.dark = dark

    # -- the user's choices -------------------------------------------------------------------
    def current_highlight(self) -> LibraryHighlight | None:
        """The highlight under the list's cursor."""
        return self.model.item(self.list.currentIndex().row())

    def _activate(self, index: QModelIndex) -> None:
        item = self.model.item(index.row())
        if item is not None:
            self.highlight_activated.emit(item)

    def copy_current(self) -> None:
        """Ask to copy the highlight under the cursor as a Markdown quote."""
        item = self.current_highlight()
        if item is not None:
            self.quote_copy_requested.emit(item)

    def _context_menu(self, point: QPoint) -> None:
        index = self.list.indexAt(point)
        item = self.model.item(index.row())
        if item is None:
            return
        menu = QMenu(self)
        menu.addAction("Open at This Highlight", lambda: self.highlight_activated.emit(item))
        menu.addAction(self.copy_action)
        menu.popup(self.list.viewport().mapToGlobal(point))
