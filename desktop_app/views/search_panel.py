"""The search panel: a query field with recent queries, a result count, and the hits grouped by chapter.

The panel runs no search itself: it announces what the user typed and what they want, and shows the
``SearchResult`` it is given (see ``search/service.py``). Hit numbers in its signals index ``result.hits``.

Signals (SearchPanel):
    query_changed(str): the query to search for (stripped), after a 150 ms pause in typing, or at once on Enter,
        clearing, choosing a recent query or a suggestion. Never emitted twice in a row for the same query.
    query_committed(str): the user acted on this query (Enter, F3, a hit, a suggestion): remember it as recent.
    hit_activated(int): the user chose hit *i* (click, or Enter on a result row): show it in the reader.
    next_requested(): go to the next hit (F3, or Enter in the query field once its results are shown).
    previous_requested(): go to the previous hit (Shift+F3, Shift+Enter).
    dismissed(): Escape: give the focus back to the reader.
    library_query_changed(str): in the "Whole library" scope, the query to search the library for (instead of
        ``query_changed``; the same pauses).
    library_hit_activated(str, int): in the "Whole library" scope, the user chose a hit: open this file at this
        document offset.
"""

from __future__ import annotations

import html
import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QEvent,
    QModelIndex,
    QPersistentModelIndex,
    QPointF,
    QRect,
    QSize,
    QStringListModel,
    Qt,
    QTimer,
    Signal,
    Slot,
)
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QKeyEvent,
    QPainter,
    QPalette,
    QTextCharFormat,
    QTextLayout,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QCompleter,
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

from desktop_app.views.item_painting import draw_item_background
from desktop_app.views.library_hits_model import ROLE_EPISODE, LibraryHitsModel
from desktop_app.views.search_results_model import (
    ROLE_COUNT,
    ROLE_KIND,
    ROLE_POSITION,
    ROLE_SNIPPET,
    ROLE_SPANS,
    SearchResultModel,
)
from desktop_app.views.theme import DARK, LIGHT, palette_is_dark

if TYPE_CHECKING:
    from collections.abc import Sequence

    from desktop_app.library.results import LibraryResult
    from desktop_app.search.index import SearchResult

logger = logging.getLogger(__name__)

DEBOUNCE_MS = 150
BUSY_DELAY_MS = 300  # "Searching…" appears only when a search takes this long (no flicker while typing)
CONTEXT_CHARS = 28  # characters kept before the first emphasised span when a snippet is shortened
ELLIPSIS = "…"
SCOPE_EPISODE = "episode"
SCOPE_LIBRARY = "library"
SYNTAX_HINT = (
    'Words find every form ("fight" finds "fighting"). Also "exact phrase", OR, NOT, censor*, '
    "zuckerburg~ (typos), note: (your notes only)."
)


def plural(count: int, word: str) -> str:
    """``count`` with thousands separators and ``word`` in the singular or plural."""
    return f"{count:,} {word}{'' if count == 1 else 'es' if word.endswith('ch') else 's'}"


def focus_snippet(
    snippet: str, spans: Sequence[Sequence[int]], before: int = CONTEXT_CHARS
) -> tuple[str, list[tuple[int, int]]]:
    """Cut the start of a snippet so that its first emphasised span comes after about ``before`` characters
    (a narrow panel shows two lines: the match must be on them); the cut is at a word boundary, marked "…"."""
    clean = [(int(s), int(e)) for s, e in spans if 0 <= int(s) < int(e) <= len(snippet)]
    if not clean or clean[0][0] <= before + len(ELLIPSIS):
        return snippet, clean
    first = clean[0][0]
    space = snippet.find(" ", first - before, first)
    cut = space + 1 if space != -1 else first
    shift = len(ELLIPSIS) - cut
    return ELLIPSIS + snippet[cut:], [(s + shift, e + shift) for s, e in clean if s >= cut]


class _SnippetDelegate(QStyledItemDelegate):
    """Every row is two lines high (uniform heights keep laying out a thousand rows cheap). Group rows: the
    title in bold on the lower line (space above each chapter) and a count. Hit rows: the snippet on two lines
    with the matched words in bold on the reader's search colour (light or dark theme), the position at the top
    right."""

    PAD = 4
    LINES = 2

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        """The same for every row; no ``data()``."""
        return QSize(120, option.fontMetrics.lineSpacing() * self.LINES + 2 * self.PAD)

    def paint(
        self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        opt = option  # no initStyleOption: it asks the model for a dozen roles this delegate does not use
        text_color, muted = draw_item_background(painter, opt)
        painter.save()
        if index.data(ROLE_KIND) == "group":
            self._paint_group(painter, opt, index, text_color, muted)
        else:
            self._paint_hit(painter, opt, index, text_color, muted)
        painter.restore()

    def _paint_group(
        self,
        painter: QPainter,
        opt: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
        text_color: QColor,
        muted: QColor,
    ) -> None:
        spacing = opt.fontMetrics.lineSpacing()
        rect = QRect(
            opt.rect.left() + self.PAD,
            opt.rect.bottom() - spacing - self.PAD + 1,
            opt.rect.width() - 2 * self.PAD,
            spacing + self.PAD,
        )
        count = str(index.data(ROLE_COUNT) or 0)
        painter.setFont(opt.font)
        painter.setPen(muted)
        count_width = opt.fontMetrics.horizontalAdvance(count) + 2 * self.PAD
        painter.drawText(rect, int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter), count)
        font = QFont(opt.font)
        font.setBold(True)
        painter.setFont(font)
        painter.setPen(text_color)
        metrics = QFontMetrics(font)
        title = metrics.elidedText(
            index.data(Qt.ItemDataRole.DisplayRole) or "",
            Qt.TextElideMode.ElideRight,
            max(0, rect.width() - count_width),
        )
        episode = index.data(ROLE_EPISODE)
        if episode:  # a library result: the episode above its first chapter
            painter.setFont(opt.font)
            painter.setPen(muted)
        painter.drawText(rect, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), title)
        if episode:
            painter.setFont(font)
            painter.setPen(text_color)
            above = rect.translated(0, -spacing)
            painter.drawText(
                above,
                int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                metrics.elidedText(episode, Qt.TextElideMode.ElideRight, rect.width()),
            )

    def _paint_hit(
        self,
        painter: QPainter,
        opt: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
        text_color: QColor,
        muted: QColor,
    ) -> None:
        rect = opt.rect.adjusted(self.PAD, self.PAD, -self.PAD, -self.PAD)
        metrics = opt.fontMetrics
        label = index.data(ROLE_POSITION) or ""
        label_width = metrics.horizontalAdvance(label) + 2 * self.PAD if label else 0
        painter.setFont(opt.font)
        painter.setPen(muted)
        painter.drawText(
            QRect(rect.left(), rect.top(), rect.width(), metrics.lineSpacing()),
            int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
            label,
        )
        text, spans = focus_snippet(index.data(ROLE_SNIPPET) or "", index.data(ROLE_SPANS) or ())
        painter.setPen(text_color)
        painter.setClipRect(rect)
        ellipsis = metrics.horizontalAdvance(ELLIPSIS)
        layout = _wrapped(text, spans, opt, rect.width(), label_width, self.LINES, ellipsis)
        layout.draw(painter, QPointF(rect.left(), rect.top()))
        last = layout.lineAt(layout.lineCount() - 1)
        if last.isValid() and last.textStart() + last.textLength() < len(
            text
        ):  # cut: end the last line with "…"
            painter.drawText(
                QPointF(rect.left() + last.naturalTextWidth(), rect.top() + last.y() + last.ascent()),
                ELLIPSIS,
            )


def _span_format(palette: QPalette) -> QTextCharFormat:
    """Matched words: bold, on the reader's search-hit colour, in the reader's text colour (readable on it in
    both themes, on selected rows too)."""
    colors = DARK if palette_is_dark(palette) else LIGHT
    span_format = QTextCharFormat()
    span_format.setFontWeight(QFont.Weight.Bold)
    span_format.setBackground(QColor(colors.search_hit))
    span_format.setForeground(QColor(colors.text))
    return span_format


def _wrapped(
    text: str,
    spans: list[tuple[int, int]],
    opt: QStyleOptionViewItem,
    width: int,
    first_line_indent: int,
    max_lines: int,
    last_line_reserve: int,
) -> QTextLayout:
    """``text`` wrapped on at most ``max_lines`` lines, the first one ``first_line_indent`` shorter, the last one
    ``last_line_reserve`` shorter (room for "…")."""
    layout = QTextLayout(text, opt.font)
    span_format = _span_format(opt.palette)
    ranges = []
    for start, end in spans:
        emphasis = QTextLayout.FormatRange()
        emphasis.start, emphasis.length, emphasis.format = start, end - start, span_format
        ranges.append(emphasis)
    layout.setFormats(ranges)
    spacing = opt.fontMetrics.lineSpacing()
    layout.beginLayout()
    for number in range(max_lines):
        line = layout.createLine()
        if not line.isValid():
            break
        shorter = (first_line_indent if number == 0 else 0) + (
            last_line_reserve if number == max_lines - 1 else 0
        )
        line.setLineWidth(max(10, width - shorter))
        line.setPosition(QPointF(0, number * spacing))
    layout.endLayout()
    return layout


class _QueryEdit(QLineEdit):
    """The query field; reports the keys the panel acts on (unless the recent-queries popup takes them).

    Signals:
        enter_pressed(bool): Enter (True with Shift).
        find_pressed(bool): F3 (True with Shift).
        down_pressed(): Down arrow.
        escape_pressed(): Escape.
    """

    enter_pressed = Signal(bool)
    find_pressed = Signal(bool)
    down_pressed = Signal()
    escape_pressed = Signal()

    def event(self, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.ShortcutOverride
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_F3, Qt.Key.Key_Escape)
        ):
            event.accept()  # ours, before any window shortcut
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key, shift = event.key(), bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
        popup = self.completer().popup() if self.completer() is not None else None
        if (
            popup is not None
            and popup.isVisible()
            and key
            in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Escape, Qt.Key.Key_Up, Qt.Key.Key_Down)
        ):
            event.ignore()  # the completer handles it
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.enter_pressed.emit(shift)
        elif key == Qt.Key.Key_F3:
            self.find_pressed.emit(shift)
        elif key == Qt.Key.Key_Down and not event.modifiers():
            self.down_pressed.emit()
        elif key == Qt.Key.Key_Escape:
            self.escape_pressed.emit()
        else:
            super().keyPressEvent(event)


class _ResultTree(QTreeView):
    """The result list; reports Enter, F3, Escape, Up from the first row and typing.

    Signals:
        enter_pressed(): Enter on the current row.
        find_pressed(bool): F3 (True with Shift).
        escape_pressed(): Escape.
        up_from_top(): Up on the first hit.
        typed(object): a printable key (a ``QKeyEvent``): the panel sends it to the query field.
    """

    enter_pressed = Signal()
    find_pressed = Signal(bool)
    escape_pressed = Signal()
    up_from_top = Signal()
    typed = Signal(object)

    def event(self, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.ShortcutOverride
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_F3, Qt.Key.Key_Escape)
        ):
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key, mods = event.key(), event.modifiers()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.enter_pressed.emit()
        elif key == Qt.Key.Key_F3:
            self.find_pressed.emit(bool(mods & Qt.KeyboardModifier.ShiftModifier))
        elif key == Qt.Key.Key_Escape:
            self.escape_pressed.emit()
        elif key == Qt.Key.Key_Up and not mods and self._is_first_hit(self.currentIndex()):
            self.up_from_top.emit()
        elif (
            event.text().isprintable()
            and event.text().strip()
            and not mods & (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier)
        ):
            self.typed.emit(event)
        else:
            super().keyPressEvent(event)

    def _is_first_hit(self, index: QModelIndex) -> bool:
        model = self.model()
        return not index.isValid() or model is not None and index == model.index(0, 0, model.index(0, 0))


class SearchPanel(QWidget):
    """Query field with recent queries, a status line (count, suggestion, error) and the grouped hits."""

    query_changed = Signal(str)
    query_committed = Signal(str)
    hit_activated = Signal(int)
    next_requested = Signal()
    previous_requested = Signal()
    dismissed = Signal()
    library_query_changed = Signal(str)
    library_hit_activated = Signal(str, int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("search_panel")
        self.model = SearchResultModel(self)
        self.library_model = LibraryHitsModel(self)
        self._library_progress = (0, 0)  # episodes indexed, episodes in the library
        self._emitted = ""  # the last query announced
        self._committed = ""
        self._advance = 0  # +1 / -1: Enter was pressed before the results of the query arrived
        self._busy = False
        self._build_query_row()
        self.status = QLabel(SYNTAX_HINT, self)
        self.status.setObjectName("search_status")
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.TextFormat.RichText)
        self.status.setTextInteractionFlags(
            Qt.TextInteractionFlag.LinksAccessibleByMouse | Qt.TextInteractionFlag.LinksAccessibleByKeyboard
        )
        self.status.linkActivated.connect(self._on_link)
        self.view = _ResultTree(self)
        self.view.setObjectName("search_results")
        self.view.setModel(self.model)
        self.view.setItemDelegate(_SnippetDelegate(self.view))
        self.view.setHeaderHidden(True)
        self.view.setIndentation(8)
        self.view.setRootIsDecorated(False)
        self.view.setItemsExpandable(False)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setUniformRowHeights(True)
        self.view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(self._query_row)
        layout.addLayout(self._options_row)
        layout.addWidget(self.status)
        layout.addWidget(self.view, 1)
        self._debounce = QTimer(self, singleShot=True, interval=DEBOUNCE_MS)
        self._debounce.timeout.connect(self._announce)
        self._busy_timer = QTimer(self, singleShot=True, interval=BUSY_DELAY_MS)
        self._busy_timer.timeout.connect(self._refresh_status)
        self._advance_timer = QTimer(self, singleShot=True, interval=0)
        self._advance_timer.timeout.connect(self._advance_now)
        self._connect_keys()

    def _build_query_row(self) -> None:
        self.query_edit = _QueryEdit(self)
        self.query_edit.setObjectName("search_query")
        self.query_edit.setPlaceholderText("Search the transcript")
        self.query_edit.setClearButtonEnabled(True)
        self.query_edit.setToolTip(
            SYNTAX_HINT + "\nEnter / F3: next match · Shift+Enter / Shift+F3: previous · "
            "Down: the list · Escape: back to the text"
        )
        self.recent_model = QStringListModel(self)
        self.completer = QCompleter(self.recent_model, self)
        self.completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.query_edit.setCompleter(self.completer)
        self.completer.activated[str].connect(self._run_now)  # type: ignore[index]
        self.recent_button = QToolButton(self)
        self.recent_button.setObjectName("search_recent")
        self.recent_button.setArrowType(Qt.ArrowType.DownArrow)
        self.recent_button.setAutoRaise(True)
        self.recent_button.setToolTip("Recent searches")
        self.recent_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.recent_menu = QMenu(self)
        self.recent_button.setMenu(self.recent_menu)
        self.recent_button.setEnabled(False)
        self._query_row = QHBoxLayout()
        self._query_row.setContentsMargins(0, 0, 0, 0)
        self._query_row.setSpacing(2)
        self._query_row.addWidget(self.query_edit, 1)
        self._query_row.addWidget(self.recent_button)
        self.speaker_combo = QComboBox(self)
        self.speaker_combo.setObjectName("search_speaker")
        self.speaker_combo.setToolTip("Only what this speaker says (or type speaker:Name)")
        self.speaker_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.speaker_combo.currentIndexChanged.connect(lambda _index: self._announce())
        self.speaker_combo.hide()
        self._options_row = QHBoxLayout()  # below the query: a narrow dock keeps the field wide
        self._options_row.setContentsMargins(0, 0, 0, 0)
        self._options_row.setSpacing(4)
        self._options_row.addWidget(self.speaker_combo)
        self.scope_combo = QComboBox(self)
        self.scope_combo.setObjectName("search_scope")
        self.scope_combo.addItem("This episode", SCOPE_EPISODE)
        self.scope_combo.addItem("Whole library", SCOPE_LIBRARY)
        self.scope_combo.setToolTip("Search the open transcript, or every transcript of the library")
        self.scope_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.scope_combo.currentIndexChanged.connect(self._on_scope_changed)
        self.scope_combo.hide()
        self._options_row.addWidget(self.scope_combo)
        self._options_row.addStretch(1)

    def _connect_keys(self) -> None:
        edit, view = self.query_edit, self.view
        edit.textEdited.connect(self._on_text_edited)
        edit.enter_pressed.connect(self._on_enter)
        edit.find_pressed.connect(self._on_find)
        edit.down_pressed.connect(self._enter_results)
        edit.escape_pressed.connect(self.dismissed)
        view.enter_pressed.connect(self._activate_current)
        view.find_pressed.connect(self._on_find)
        view.escape_pressed.connect(self.dismissed)
        view.up_from_top.connect(self._back_to_query)
        view.typed.connect(self._type_into_query)
        view.clicked.connect(self._on_clicked)

    # -- content --------------------------------------------------------------------------------
    def set_result(self, result: SearchResult, labels: Sequence[tuple[str, str]]) -> None:
        """Show a result: ``labels[i]`` is (group heading, place) of hit *i*; consecutive hits under one heading
        form a group. The selected hit stays selected when a new result of the same query still has it."""
        previous = self.model.result()
        kept = self.model.hit_at(self.view.currentIndex())
        kept_hit = (
            previous.hits[kept]
            if previous is not None and kept >= 0 and previous.query == result.query
            else None
        )
        self.model.set_result(result, labels)
        self.view.expandAll()
        if kept_hit is not None:
            self.select_hit(self.model.find(kept_hit.start, kept_hit.end, kept_hit.note_id))
        self._refresh_status()
        if self._advance and result.query == self._emitted:
            self._advance_timer.start()  # after the caller is done with this result (no re-entrant requests)

    def result(self) -> SearchResult | None:
        """The result shown (None when none)."""
        return self.model.result()

    def select_hit(self, number: int) -> None:
        """Select and reveal hit ``number`` (clear the selection when it is not listed); emits nothing."""
        if self.library_scope():
            return
        index = self.model.hit_index(number)
        if not index.isValid():
            self.view.selectionModel().clear()
            return
        self.view.setCurrentIndex(index)
        self.view.scrollTo(index, QAbstractItemView.ScrollHint.EnsureVisible)

    def current_hit(self) -> int:
        """The selected hit's number (-1 for none, and in the library scope)."""
        return -1 if self.library_scope() else self.model.hit_at(self.view.currentIndex())

    def focus_query(self, select_all: bool = True) -> None:
        """Put the cursor in the query field (Ctrl+F)."""
        self.query_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        if select_all:
            self.query_edit.selectAll()

    def set_recent(self, queries: Sequence[str]) -> None:
        """The recent queries, newest first (completer, the ▾ menu, Down in an empty field)."""
        queries = [q for q in queries if q.strip()]
        self.recent_model.setStringList(queries)
        self.recent_menu.clear()
        for query in queries:
            action = self.recent_menu.addAction(query.replace("&", "&&"))
            action.triggered.connect(lambda _checked=False, q=query: self._run_now(q))
        self.recent_button.setEnabled(bool(queries))

    def recent(self) -> list[str]:
        """The recent queries, newest first."""
        return list(self.recent_model.stringList())

    def set_busy(self, busy: bool) -> None:
        """A search is running: "Searching…" shows if it takes more than ``BUSY_DELAY_MS``."""
        self._busy = busy
        if busy:
            if not self._busy_timer.isActive():
                self._busy_timer.start()
        else:
            self._busy_timer.stop()
            self._refresh_status()

    def show_message(self, message: str) -> None:
        """A status message (e.g. the index could not be built); the list is emptied."""
        self.model.set_result(None)
        if not self.library_scope():
            self.status.setText(html.escape(message))

    def clear(self) -> None:
        """Empty the field, the list and the status (another document); emits nothing."""
        self._debounce.stop()
        self.query_edit.clear()
        self._emitted = self._committed = ""
        self._advance = 0
        self._advance_timer.stop()
        self.model.set_result(None)
        self._refresh_status()

    def current_query(self) -> str:
        """The query in the field, stripped, with the chosen speaker as a ``speaker:`` filter."""
        words = self.query_edit.text().strip()
        speaker = self.speaker_combo.currentData()
        if words and speaker and not self.library_scope():
            return f'{words} speaker:"{speaker}"'
        return words

    def set_speakers(self, speakers: Sequence[str]) -> None:
        """Offer a speaker filter when the transcript names its speakers (hidden otherwise)."""
        self.speaker_combo.blockSignals(True)
        self.speaker_combo.clear()
        self.speaker_combo.addItem("Everyone", "")
        for name in speakers:
            self.speaker_combo.addItem(name, name)
        self.speaker_combo.blockSignals(False)
        self.speaker_combo.setVisible(bool(speakers) and not self.library_scope())

    # -- the library scope ---------------------------------------------------------------------------
    def set_library_available(self, available: bool) -> None:
        """Offer the "This episode / Whole library" switch (the app has a library)."""
        self.scope_combo.setVisible(available)
        if not available:
            self.set_scope(SCOPE_EPISODE)

    def set_scope(self, scope: str) -> None:
        """Search this episode (``SCOPE_EPISODE``) or the whole library (``SCOPE_LIBRARY``)."""
        row = self.scope_combo.findData(scope)
        if row >= 0:
            self.scope_combo.setCurrentIndex(row)

    def library_scope(self) -> bool:
        """The query runs across the library."""
        return bool(self.scope_combo.currentData() == SCOPE_LIBRARY)

    def set_library_result(self, result: LibraryResult) -> None:
        """Show a library result, grouped by episode then chapter (a result of another query is ignored)."""
        if not self.library_scope() or result.query.strip() != self.current_query():
            return
        self.library_model.set_result(result)
        self.view.expandAll()
        self._refresh_status()

    def set_library_progress(self, done: int, total: int) -> None:
        """Episodes indexed so far (the library scope says when it searched only part of the library)."""
        self._library_progress = (done, total)
        if self.library_scope():
            self._refresh_status()

    @Slot(int)
    def _on_scope_changed(self, _row: int) -> None:
        library = self.library_scope()
        # the speaker filter is this episode's
        self.speaker_combo.setVisible(not library and self.speaker_combo.count() > 1)
        self.view.setModel(self.library_model if library else self.model)
        self.view.expandAll()
        self.query_edit.setPlaceholderText("Search the whole library" if library else "Search the transcript")
        self._emitted = ""  # the query runs again, in the new scope
        self._refresh_status()
        if self.current_query():
            self._announce()

    def _library_status(self) -> str:
        result = self.library_model.result()
        if not self.current_query() or result is None:
            return html.escape(SYNTAX_HINT)
        if result.error:
            return f"<span style='color:#c0392b'>{html.escape(result.error)}</span>"
        done, total = self._library_progress
        searched = f"{result.episodes_indexed:,} episodes searched"
        if done < total:
            searched += f" ({total - done:,} still being indexed)"
        if not result.hits:
            return html.escape(f"No matches · {searched}")
        about = "about " if result.approximate else ""
        episodes = self.library_model.episode_count()
        text = f"{about}{plural(result.total, 'paragraph')} in {plural(episodes, 'episode')}"
        if self.library_model.shown_count() < result.total:
            text += f", showing {self.library_model.shown_count():,}"
        return html.escape(f"{text} · {searched}")

    # -- status -----------------------------------------------------------------------------------
    def _refresh_status(self) -> None:
        self.status.setText(self._library_status() if self.library_scope() else self._status_html())

    def _status_html(self) -> str:
        result = self.model.result()
        searching = self._busy and not self._busy_timer.isActive()
        if not self.current_query() or result is None or not result.query.strip():
            return "Searching…" if searching and self.current_query() else html.escape(SYNTAX_HINT)
        if searching:
            return "Searching…"
        if result.error:
            return f"<span style='color:#c0392b'>{html.escape(result.error)}</span>"
        if not result.hits:
            if result.suggestion:
                link = f"<a href='suggest'>{html.escape(result.suggestion)}</a>"
                return f"No matches — did you mean {link}?"
            return "No matches"
        return html.escape(self._count_text(result))

    def _count_text(self, result: SearchResult) -> str:
        total = max(int(result.total), len(result.hits))
        text = ("about " if result.approximate else "") + plural(total, "match")
        in_notes = sum(1 for hit in result.hits if hit.note_id is not None)
        if in_notes:
            text += f" ({in_notes:,} in notes)"
        shown = self.model.shown_count()
        if shown < total:
            text += f" · showing the first {shown:,}"
        return text

    # -- user actions -------------------------------------------------------------------------------
    @Slot(str)
    def _on_text_edited(self, text: str) -> None:
        self._advance = 0
        if text.strip():
            self._debounce.start()
        else:  # cleared: no need to wait
            self._debounce.stop()
            self._announce()

    @Slot()
    def _announce(self) -> None:
        query = self.current_query()
        if query != self._emitted:
            self._emitted = query
            (self.library_query_changed if self.library_scope() else self.query_changed).emit(query)

    @Slot(str)
    def _run_now(self, query: str) -> None:
        """Search for ``query`` at once (a recent query, a suggestion)."""
        self.query_edit.setText(query)
        self._debounce.stop()
        self._commit(query.strip())
        self._announce()

    def _commit(self, query: str) -> None:
        if query and query != self._committed:
            self._committed = query
            self.query_committed.emit(query)

    def _results_shown(self) -> bool:
        result = self.model.result()
        return result is not None and result.query == self.current_query() and not self._debounce.isActive()

    @Slot(bool)
    def _on_enter(self, backwards: bool) -> None:
        query = self.current_query()
        if not query:
            return
        self._commit(query)
        if self.library_scope():
            self._debounce.stop()
            self._announce()
            return
        if self._results_shown():
            self._step(backwards)
            return
        self._advance = -1 if backwards else 1  # go to the first hit when the results arrive
        self._debounce.stop()
        self._announce()

    @Slot(bool)
    def _on_find(self, backwards: bool) -> None:
        if self._results_shown():
            self._commit(self.current_query())
            self._step(backwards)

    @Slot()
    def _advance_now(self) -> None:
        """Enter was pressed before the results came: go to the first (or last) hit now that they are shown."""
        direction, self._advance = self._advance, 0
        if direction and self._results_shown():
            self._step(direction < 0)

    def _step(self, backwards: bool) -> None:
        if self.model.shown_count():
            (self.previous_requested if backwards else self.next_requested).emit()

    @Slot()
    def _enter_results(self) -> None:
        """Down in the query field: into the list (on the selected hit, else the first); with no list, the
        recent queries."""
        if self.library_scope():
            first = self.library_model.index(0, 0, self.library_model.index(0, 0))
            if first.isValid():
                self.view.setCurrentIndex(first)
                self.view.setFocus(Qt.FocusReason.TabFocusReason)
        elif self.model.shown_count():
            current = self.current_hit()
            self.select_hit(current if current >= 0 else 0)
            self.view.setFocus(Qt.FocusReason.TabFocusReason)
        elif self.recent_model.rowCount():
            self.completer.setCompletionPrefix(self.query_edit.text())
            self.completer.complete()

    @Slot()
    def _activate_current(self) -> None:
        self._activate(self.view.currentIndex())

    @Slot(QModelIndex)
    def _on_clicked(self, index: QModelIndex) -> None:
        self._activate(index)

    def _activate(self, index: QModelIndex) -> None:
        if self.library_scope():
            hit = self.library_model.hit(index)
            if hit is not None:
                self._commit(self.current_query())
                self.library_hit_activated.emit(hit.path, hit.start)
            return
        number = self.model.hit_at(index)
        if number >= 0:
            self._commit(self.current_query())
            self.hit_activated.emit(number)

    @Slot()
    def _back_to_query(self) -> None:
        self.focus_query(select_all=False)

    @Slot(object)
    def _type_into_query(self, event: QKeyEvent) -> None:
        self.focus_query(select_all=False)
        self.query_edit.end(False)
        self.query_edit.insert(event.text())
        self._on_text_edited(self.query_edit.text())

    @Slot(str)
    def _on_link(self, href: str) -> None:
        result = self.model.result()
        if href == "suggest" and result is not None and result.suggestion:
            self._run_now(result.suggestion)
