"""The reading pane: a centred column of paragraphs, themes, zoom, and marks beside the scrollbar.

The reader is given the display text with its ``DisplayMap`` and is the one view that knows display
positions: its whole API and its signals speak document offsets (:data:`DocOffset`).

Signals:
    position_changed(int): document offset at the top of the viewport, after scrolling or resizing.
    selection_changed(int, int): document range of the selection (equal when nothing is selected).
    context_menu_requested(object, int, int): (QMenu being shown, selection start, end) so others add actions.
    highlight_clicked(str): the user clicked inside a highlight without selecting text ("" outside any).
    document_painted(): a newly set display text has been painted for the first time.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QPoint, QRect, Qt, QTimer, Signal, Slot
from PySide6.QtGui import (
    QColor,
    QContextMenuEvent,
    QFont,
    QFontDatabase,
    QHelpEvent,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QResizeEvent,
    QTextBlockFormat,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
    QTextFrameFormat,
)
from PySide6.QtWidgets import QMenu, QScrollBar, QTextEdit, QToolTip, QWidget

from desktop_app.display_text import LABEL_GAP, DisplayMap, DisplayText, DocOffset
from desktop_app.views.theme import DARK, LIGHT, ReaderColors, highlight_color, plain_tooltip

if TYPE_CHECKING:
    from collections.abc import Collection
    from pathlib import Path

FONT_FAMILIES = [
    "Charis SIL",
    "Charter",
    "Georgia",
    "Iowan Old Style",
    "Cambria",
    "Source Serif 4",
    "Noto Serif",
    "DejaVu Serif",
    "serif",
]
BASE_POINT_SIZE = 13
MEASURE_CHARS = 64
LINE_HEIGHT_PERCENT = 122


@dataclass(frozen=True)
class HighlightSpan:
    """One annotation as the reader paints it (document offsets)."""

    id: str
    start: int
    end: int
    color: str
    note: str = ""


def load_bundled_fonts(folder: Path, styles: Collection[str] | None = None) -> list[str]:
    """Register the reading fonts shipped in resources/fonts (Charis SIL, OFL); returns their families.

    ``styles`` (``"Regular"``, ``"Bold"``, ``"Italic"``: the end of a file's name) registers only those.
    """
    families: list[str] = []
    for path in sorted(folder.glob("*.ttf")):
        if styles is not None and path.stem.rsplit("-", 1)[-1] not in styles:
            continue
        font_id = QFontDatabase.addApplicationFont(str(path))
        if font_id >= 0:
            families.extend(QFontDatabase.applicationFontFamilies(font_id))
    return sorted(set(families))


class MarkerScrollBar(QScrollBar):
    """A vertical scrollbar that paints ticks (search hits, highlights) at fractions of the document."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Vertical, parent)
        self._markers: dict[str, tuple[list[float], QColor]] = {}

    def set_markers(self, kind: str, fractions: list[float], color: QColor) -> None:
        """Set the ticks of one kind (fractions of the document, one colour) and repaint."""
        self._markers[kind] = (fractions, color)
        self.update()

    def markers(self, kind: str) -> list[float]:
        """The tick fractions of one kind."""
        return list(self._markers.get(kind, ([], QColor()))[0])

    def paintEvent(self, event: QPaintEvent) -> None:
        """The scrollbar, then a tick at each marker."""
        super().paintEvent(event)
        if not self._markers:
            return
        painter = QPainter(self)
        painter.setPen(Qt.PenStyle.NoPen)
        for fractions, color in self._markers.values():
            painter.setBrush(color)
            for fraction in fractions:
                y = int(fraction * (self.height() - 3))
                painter.drawRect(QRect(2, y, self.width() - 4, 3))
        painter.end()


class ReaderView(QTextEdit):
    """Read-only rich text view of the display text (one block per paragraph)."""

    position_changed = Signal(int)
    selection_changed = Signal(int, int)
    context_menu_requested = Signal(object, int, int)
    highlight_clicked = Signal(str)
    document_painted = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reader")
        self.setReadOnly(True)
        self.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.setFrameShape(QTextEdit.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)  # no relayout when it appears
        self.markers = MarkerScrollBar(self)
        self.setVerticalScrollBar(self.markers)
        self._document = QTextDocument()
        self.setDocument(self._document)
        self._zoom = 0
        self._colors = LIGHT
        self._dark = False
        self._map = DisplayMap.identity(0)
        self._labels: tuple[tuple[int, int], ...] = ()  # display ranges of speaker labels
        self.context_offset = DocOffset(0)  # the document offset where the last context menu was asked for
        self._search_ranges: list[tuple[int, int]] = []  # display ranges
        self._current_hit: tuple[int, int] | None = None
        self._search_offsets: list[tuple[DocOffset, DocOffset]] = []
        self._current_offsets: tuple[DocOffset, DocOffset] | None = None
        self._first_paint_pending = False
        self._highlights: list[HighlightSpan] = []  # document offsets
        self._shown: list[HighlightSpan] = []  # the same in display positions
        self._painted: dict[str, tuple[int, int, str, bool, bool]] = {}
        self._formats: dict[tuple[str, bool, bool, bool], QTextCharFormat] = {}
        self._spare_document = QTextDocument()
        self._selected_highlight = ""
        self._position_timer = QTimer(self, singleShot=True, interval=120)
        self._position_timer.timeout.connect(self._emit_position)
        self.verticalScrollBar().valueChanged.connect(self._schedule_position)
        self.selectionChanged.connect(self._on_selection_changed)
        self.set_placeholder("")
        self._apply_font()

    # -- content ------------------------------------------------------------------------------
    def set_placeholder(self, message: str) -> None:
        """Show a short centred message instead of a document (loading, errors)."""
        self._clear(DisplayMap.identity(len(message)))
        self._install(self._new_document(message, Qt.AlignmentFlag.AlignHCenter))

    def set_display(self, display: DisplayText) -> None:
        """Replace the content with a document's display text (paragraphs separated by newlines) and its map."""
        self._clear(display.map)
        self._labels = display.labels
        self._install(self._new_document(display.text, Qt.AlignmentFlag.AlignLeft))
        self._first_paint_pending = True

    def replace_display(self, display: DisplayText) -> None:
        """The same document shown another way (clean verbatim, corrected speakers): keep the reading place and
        the text cursor; no ``document_painted`` (the document is not new). Highlights and hits are set again
        by the caller."""
        top, cursor = self.top_offset(), self.cursor_offset()
        self.set_display(display)
        self._first_paint_pending = False
        self.select_range(cursor, cursor)
        self.scroll_to_offset(top)

    def _clear(self, mapping: DisplayMap) -> None:
        self._map = mapping
        self._search_ranges, self._current_hit = [], None
        self._search_offsets, self._current_offsets = [], None
        self._highlights, self._shown, self._painted, self._selected_highlight = [], [], {}, ""
        self._labels = ()
        self.setExtraSelections([])

    # -- the one place display positions and document offsets meet ----------------------------
    def _display(self, offset: int) -> int:
        return self._map.to_display(offset)

    def _display_range(self, start: int, end: int) -> tuple[int, int]:
        return self._map.range_to_display(start, end)

    def _offset(self, position: int) -> DocOffset:
        return self._map.to_doc(position)

    def _new_document(self, text: str, align: Qt.AlignmentFlag) -> QTextDocument:
        """A detached document, formatted before any layout exists (reformatting an attached one is slow)."""
        document = QTextDocument()  # no Qt parent: replacing it never deletes it behind Python's back
        document.setUndoRedoEnabled(False)
        document.setDefaultFont(self.font())
        cursor = QTextCursor(document)
        cursor.setBlockFormat(self._block_format(align))
        cursor.insertText(text)
        if self._labels:
            label_format = self._label_format()
            for start, end in self._labels:
                self._merge(cursor, start, end, label_format)
        return document

    def _label_format(self) -> QTextCharFormat:
        """Speaker labels: a run-in head in small capitals, bold, in the muted colour."""
        label = QTextCharFormat()
        label.setFontCapitalization(QFont.Capitalization.SmallCaps)
        label.setFontWeight(QFont.Weight.DemiBold)
        label.setForeground(QColor(self._colors.muted))
        return label

    def speaker_labels(self) -> list[str]:
        """The speaker labels shown, in order (for tests and accessibility)."""
        text = self.document().toPlainText()
        return [text[start:end] for start, end in self._labels]

    def _block_format(self, align: Qt.AlignmentFlag) -> QTextBlockFormat:
        block_format = QTextBlockFormat()
        block_format.setLineHeight(
            LINE_HEIGHT_PERCENT, QTextBlockFormat.LineHeightTypes.ProportionalHeight.value
        )
        block_format.setBottomMargin(self._paragraph_gap())
        block_format.setAlignment(align)
        return block_format

    def _install(self, document: QTextDocument) -> None:
        self._set_column(document)
        self._document = document
        self.setDocument(document)
        self.moveCursor(QTextCursor.MoveOperation.Start)

    def _paragraph_gap(self) -> float:
        return self.fontMetrics().height() * 0.75

    # -- appearance ---------------------------------------------------------------------------
    @property
    def zoom(self) -> int:
        """Font size steps relative to the default."""
        return self._zoom

    def set_zoom(self, steps: int) -> None:
        """Font size steps relative to the default; keeps the reading position."""
        steps = max(-6, min(12, steps))
        if steps == self._zoom:
            return
        anchor = self._top_position()
        self._zoom = steps
        self._apply_font()
        self._scroll_to_position(anchor)

    def point_size(self) -> float:
        """The reading font's point size."""
        return self.font().pointSizeF()

    def _apply_font(self) -> None:
        font = QFont()
        font.setFamilies(FONT_FAMILIES)
        font.setPointSizeF(BASE_POINT_SIZE + self._zoom)
        font.setStyleHint(QFont.StyleHint.Serif)
        self.setFont(font)
        # A fresh document is laid out once; reformatting every block of the attached one is ~15x slower.
        old = self.document()
        align = old.begin().blockFormat().alignment() if old.begin().isValid() else Qt.AlignmentFlag.AlignLeft
        self._install(self._new_document(old.toPlainText(), align))
        self._painted = {}
        self._paint_highlights()
        self._repaint_search()

    def set_colors(self, colors: ReaderColors) -> None:
        """Switch colour scheme: background, text, selection, and repaint highlights and search hits."""
        self._colors = colors
        self._dark = colors is DARK
        self._formats = {}
        self._painted = {k: (*v[:4], not v[4]) for k, v in self._painted.items()}  # force a full repaint
        self.setStyleSheet(
            f"QTextEdit#reader {{ background: {colors.background}; color: {colors.text};"
            f" selection-background-color: {colors.selection}; selection-color: {colors.text}; }}"
        )
        if self._labels:  # the labels' colour is in the text: lay the text out again, where it was
            anchor = self._top_position()
            self._apply_font()
            self._scroll_to_position(anchor)
        self._repaint_search()
        self._paint_highlights()

    @property
    def colors(self) -> ReaderColors:
        """The colour scheme in use."""
        return self._colors

    def _update_column(self) -> None:
        self._set_column(self.document())

    def _set_column(self, document: QTextDocument) -> None:
        """Centre a column of about MEASURE_CHARS characters in the viewport."""
        width = self.viewport().width()
        measure = int(self.fontMetrics().averageCharWidth() * MEASURE_CHARS * 1.05)
        side = max(24, (width - measure) // 2)
        frame = document.rootFrame()
        frame_format: QTextFrameFormat = frame.frameFormat()
        if frame_format.leftMargin() == side and frame_format.rightMargin() == side:
            return
        frame_format.setLeftMargin(side)
        frame_format.setRightMargin(side)
        frame_format.setTopMargin(32)
        frame_format.setBottomMargin(64)
        frame.setFrameFormat(frame_format)

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Re-centre the text column, keeping the reading position."""
        anchor = self._top_position()
        super().resizeEvent(event)
        self._update_column()
        self._scroll_to_position(anchor)

    # -- position -----------------------------------------------------------------------------
    def top_offset(self) -> DocOffset:
        """Document offset of the first character visible at the top of the viewport."""
        return self._offset(self._top_position())

    def reading_offset(self) -> DocOffset:
        """Document offset at the end of the top line: what the reader is reading (chapter following)."""
        side = int(self.document().rootFrame().frameFormat().rightMargin())
        cursor = self.cursorForPosition(
            QPoint(max(0, self.viewport().width() - side - 2), self._first_text_y())
        )
        return self._offset(cursor.position())

    def scroll_to_offset(self, offset: int, margin_lines: float = 0.0) -> None:
        """Scroll so that a document offset is at the top of the viewport (``margin_lines`` below it)."""
        self._scroll_to_position(self._display(offset), margin_lines)

    def _top_position(self) -> int:
        """Display position of the first character visible at the top of the viewport."""
        side = int(self.document().rootFrame().frameFormat().leftMargin())
        return self.cursorForPosition(QPoint(side + 2, self._first_text_y())).position()

    def _first_text_y(self) -> int:
        """A viewport y inside the first visible line (below the document's top margin when scrolled to 0)."""
        margin = int(self.document().rootFrame().frameFormat().topMargin())
        return max(4, margin - self.verticalScrollBar().value() + 4)

    def _scroll_to_position(self, position: int, margin_lines: float = 0.0) -> None:
        """Scroll so that a display position is at the top of the viewport."""
        document = self.document()
        position = max(0, min(position, document.characterCount() - 1))
        block = document.findBlock(position)
        layout = document.documentLayout()
        block_top = layout.blockBoundingRect(block).top()
        line_y = 0.0
        text_layout = block.layout()
        if text_layout is not None and text_layout.lineCount():
            line = text_layout.lineForTextPosition(position - block.position())
            if line.isValid():
                line_y = line.y()
        target = block_top + line_y - margin_lines * self.fontMetrics().lineSpacing()
        if block.blockNumber() == 0 and line_y == 0:
            target = 0  # the first line: show the top margin too
        bar = self.verticalScrollBar()
        if target > bar.maximum():  # a new text is laid out lazily: the range may not reach there yet
            reach = int(layout.documentSize().height()) - self.viewport().height()
            bar.setRange(bar.minimum(), max(bar.maximum(), reach))
        bar.setValue(int(target))
        self._position_timer.start()

    def reveal_range(self, start: int, end: int) -> None:
        """Scroll a document range into view (a few lines from the top) and put the text cursor at its start."""
        position, _end = self._display_range(start, end)
        self._scroll_to_position(position, margin_lines=6)
        cursor = self.textCursor()
        cursor.setPosition(position)
        self.setTextCursor(cursor)

    @Slot(int)
    def _schedule_position(self, _value: int) -> None:
        self._position_timer.start()

    @Slot()
    def _emit_position(self) -> None:
        self.position_changed.emit(self.top_offset())

    # -- selection ----------------------------------------------------------------------------
    def selection_range(self) -> tuple[DocOffset, DocOffset]:
        """The document range of the selection (start == end when nothing is selected)."""
        cursor = self.textCursor()
        return self._map.range_to_doc(cursor.selectionStart(), cursor.selectionEnd())

    def select_range(self, start: int, end: int) -> None:
        """Select a document range (start == end: put the cursor there)."""
        first, last = self._display_range(start, end)
        cursor = self.textCursor()
        cursor.setPosition(first)
        cursor.setPosition(last, QTextCursor.MoveMode.KeepAnchor)
        self.setTextCursor(cursor)

    def clear_selection(self) -> None:
        """Drop the selection, leaving the cursor at its end."""
        cursor = self.textCursor()
        cursor.setPosition(cursor.selectionEnd())
        self.setTextCursor(cursor)

    def selected_text(self) -> str:
        """The selected words as shown (with the display's capitals and marks)."""
        return self.textCursor().selectedText()

    @Slot()
    def _on_selection_changed(self) -> None:
        self.selection_changed.emit(*self.selection_range())

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        """The standard menu, offered to others (``context_menu_requested``) before it is shown."""
        menu = self.context_menu_at(event.pos())
        menu.exec(event.globalPos())
        menu.deleteLater()

    def context_menu_at(self, point: QPoint) -> QMenu:
        """The context menu for a point of the viewport (not shown): ``context_offset`` is the document
        offset there (a speaker label counts as its paragraph's first word) while others add their actions."""
        menu = self.createStandardContextMenu(point)
        self.context_offset = self.offset_at(point)
        self.context_menu_requested.emit(menu, *self.selection_range())
        return menu

    def offset_at(self, point: QPoint) -> DocOffset:
        """The document offset under a point of the viewport (on a speaker label: its paragraph's start)."""
        position = self.cursorForPosition(point).position()
        number = bisect_right(self._labels, (position, 1 << 62)) - 1
        if number >= 0 and self._labels[number][0] <= position <= self._labels[number][1]:
            position = self._labels[number][1] + len(LABEL_GAP)  # the paragraph's first character
        return self._offset(position)

    def cursor_offset(self) -> DocOffset:
        """The document offset of the text cursor (the start of the selection, if any)."""
        return self.selection_range()[0]

    # -- search hits ---------------------------------------------------------------------------
    def set_search_hits(
        self, ranges: list[tuple[DocOffset, DocOffset]], current: tuple[DocOffset, DocOffset] | None = None
    ) -> None:
        """Paint every hit of the current query (document ranges), the current one stronger; tick the scrollbar."""
        self._search_offsets, self._current_offsets = list(ranges), current
        self._search_ranges = [self._display_range(start, end) for start, end in ranges]
        self._current_hit = self._display_range(*current) if current is not None else None
        self._repaint_search()

    def search_hits(self) -> list[tuple[DocOffset, DocOffset]]:
        """The document ranges of the painted hits."""
        return list(self._search_offsets)

    def current_hit(self) -> tuple[DocOffset, DocOffset] | None:
        """The document range of the current hit, if any."""
        return self._current_offsets

    def _repaint_search(self) -> None:
        selections = []
        hit_format = QTextCharFormat()
        hit_format.setBackground(QColor(self._colors.search_hit))
        current_format = QTextCharFormat()
        current_format.setBackground(QColor(self._colors.current_hit))
        for start, end in self._search_ranges:
            selections.append(self._extra_selection(start, end, hit_format))
        if self._current_hit is not None:
            selections.append(self._extra_selection(*self._current_hit, current_format))
        self.setExtraSelections(selections)
        total = max(1, self.document().characterCount())
        self.markers.set_markers(
            "search", [s / total for s, _ in self._search_ranges], QColor(self._colors.current_hit)
        )

    def _extra_selection(
        self, start: int, end: int, char_format: QTextCharFormat
    ) -> QTextEdit.ExtraSelection:
        selection = QTextEdit.ExtraSelection()
        cursor = QTextCursor(self.document())
        cursor.setPosition(start)
        cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
        selection.cursor = cursor
        selection.format = char_format
        return selection

    # -- highlights ---------------------------------------------------------------------------
    def set_highlights(self, spans: list[HighlightSpan]) -> None:
        """Paint annotations (document offsets) as character backgrounds, in one edit block (fast on long text)."""
        self._highlights = sorted(spans, key=lambda h: (h.start, h.end))
        self._shown = [
            HighlightSpan(h.id, *self._display_range(h.start, h.end), h.color, h.note)
            for h in self._highlights
        ]
        self._paint_highlights()

    def highlights(self) -> list[HighlightSpan]:
        """The painted highlights, in document offsets."""
        return list(self._highlights)

    def set_selected_highlight(self, annotation_id: str) -> None:
        """Mark the selected annotation's highlight ("": none) and repaint the highlights."""
        if annotation_id != self._selected_highlight:
            self._selected_highlight = annotation_id
            self._paint_highlights()

    def highlight_at(self, offset: int) -> HighlightSpan | None:
        """The shortest highlight covering a document offset."""
        covering = [h for h in self._highlights if h.start <= offset < h.end]
        return min(covering, key=lambda h: h.end - h.start) if covering else None

    def _highlight_at_point(self, point: QPoint) -> HighlightSpan | None:
        return self.highlight_at(self._offset(self.cursorForPosition(point).position()))

    def _paint_highlights(self) -> None:
        """Bring the character formats in line with ``_highlights``, touching only what changed.

        ``_painted`` maps what is on screen: (start, end, colour, has note, selected) per annotation id.
        Removed or changed ranges are cleared, then every span that is new, changed, or overlaps a cleared
        range is painted. A big change is applied with the document detached from the view, so the text is
        laid out once instead of after every range.
        """
        document = self.document()
        limit = document.characterCount() - 1
        wanted = {}
        for span in self._shown:
            start, end = max(0, span.start), min(limit, span.end)
            if end > start:
                wanted[span.id] = (
                    start,
                    end,
                    span.color,
                    bool(span.note),
                    span.id == self._selected_highlight,
                )
        cleared = [v[:2] for k, v in self._painted.items() if wanted.get(k) != v]
        repaint = {
            k: v
            for k, v in wanted.items()
            if self._painted.get(k) != v or any(v[0] < e and s < v[1] for s, e in cleared)
        }
        if not cleared and not repaint:
            return
        big = len(cleared) + len(repaint) > 200
        if big:
            self.setDocument(self._spare_document)  # detached: no layout per range
        cursor = QTextCursor(document)
        cursor.beginEditBlock()
        for start, end in cleared:
            self._merge(cursor, start, end, self._plain_format())
        for start, end, color, noted, selected in sorted(repaint.values()):
            self._merge(cursor, start, end, self._highlight_format(color, noted, selected))
        cursor.endEditBlock()
        if big:
            position = self.verticalScrollBar().value()
            self.setDocument(document)
            self.verticalScrollBar().setValue(position)
            self._repaint_search()
        self._painted = wanted
        total = max(1, document.characterCount())
        self.markers.set_markers(
            "highlights",
            [h.start / total for h in self._shown],
            highlight_color("yellow", self._dark).darker(150),
        )
        self.viewport().update()

    @staticmethod
    def _merge(cursor: QTextCursor, start: int, end: int, char_format: QTextCharFormat) -> None:
        cursor.setPosition(start)
        cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
        cursor.mergeCharFormat(char_format)

    def _plain_format(self) -> QTextCharFormat:
        plain = QTextCharFormat()
        plain.setBackground(Qt.BrushStyle.NoBrush)
        plain.setUnderlineStyle(QTextCharFormat.UnderlineStyle.NoUnderline)
        return plain

    def _highlight_format(self, color_key: str, noted: bool, selected: bool) -> QTextCharFormat:
        key = (color_key, noted, selected, self._dark)
        cached = self._formats.get(key)
        if cached is not None:
            return cached
        char_format = QTextCharFormat()
        color = highlight_color(color_key, self._dark)
        if selected:
            color = color.lighter(140) if self._dark else color.darker(125)
        char_format.setBackground(color)
        if noted:
            char_format.setUnderlineStyle(QTextCharFormat.UnderlineStyle.DotLine)
            char_format.setUnderlineColor(QColor(self._colors.muted))
        else:
            char_format.setUnderlineStyle(QTextCharFormat.UnderlineStyle.NoUnderline)
        self._formats[key] = char_format
        return char_format

    def paintEvent(self, event: QPaintEvent) -> None:
        """The text, then a note mark in the left margin beside each visible highlight that has a note."""
        super().paintEvent(event)
        if self._first_paint_pending:
            self._first_paint_pending = False
            QTimer.singleShot(0, self.document_painted.emit)  # after this paint has reached the screen
        noted = [h for h in self._shown if h.note]
        if not noted:
            return
        top = self.cursorForPosition(QPoint(0, 0)).position()
        bottom = self.cursorForPosition(QPoint(self.viewport().width(), self.viewport().height())).position()
        painter = QPainter(self.viewport())
        side = int(self.document().rootFrame().frameFormat().leftMargin())
        size = max(8, self.fontMetrics().height() // 2)
        for span in noted:
            if span.start > bottom or span.end < top:
                continue
            rect = self.cursorRect(self._cursor_at(span.start))
            color = highlight_color(span.color, self._dark).darker(160 if not self._dark else 60)
            if self._dark:
                color = highlight_color(span.color, True).lighter(180)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(color)
            y = rect.top() + (rect.height() - size) // 2
            painter.drawRoundedRect(QRect(side - size - 14, y, size, size), 2, 2)
        painter.end()

    def _cursor_at(self, position: int) -> QTextCursor:
        cursor = QTextCursor(self.document())
        cursor.setPosition(max(0, min(position, self.document().characterCount() - 1)))
        return cursor

    def event(self, event: QEvent) -> bool:
        """Hovering over a highlight with a note shows the note."""
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            span = self._highlight_at_point(self.viewport().mapFromGlobal(event.globalPos()))
            if span is not None and span.note:
                QToolTip.showText(event.globalPos(), plain_tooltip(span.note[:1200]), self)
            else:
                QToolTip.hideText()
            return True
        return super().event(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        """A click without a selection emits ``highlight_clicked`` with the highlight there ("" if none)."""
        super().mouseReleaseEvent(event)
        if event.button() == Qt.MouseButton.LeftButton and not self.textCursor().hasSelection():
            span = self._highlight_at_point(event.position().toPoint())
            self.highlight_clicked.emit(span.id if span else "")

    # -- keyboard -----------------------------------------------------------------------------
    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Reading keys: Space / Shift+Space page, Home / End jump, arrows scroll by lines."""
        bar = self.verticalScrollBar()
        key, mods = event.key(), event.modifiers()
        if key == Qt.Key.Key_Space:
            step = bar.pageStep() - self.fontMetrics().lineSpacing() * 2
            bar.setValue(
                bar.value() - step if mods & Qt.KeyboardModifier.ShiftModifier else bar.value() + step
            )
        elif (
            key in (Qt.Key.Key_Down, Qt.Key.Key_Up)
            and not self.textCursor().hasSelection()
            and not mods & Qt.KeyboardModifier.ShiftModifier
        ):
            delta = self.fontMetrics().lineSpacing() * (1 if key == Qt.Key.Key_Down else -1)
            bar.setValue(bar.value() + delta)
        elif key in (Qt.Key.Key_PageDown, Qt.Key.Key_PageUp) and not mods & Qt.KeyboardModifier.ShiftModifier:
            step = bar.pageStep() - self.fontMetrics().lineSpacing() * 2
            bar.setValue(bar.value() + (step if key == Qt.Key.Key_PageDown else -step))
        elif (
            key == Qt.Key.Key_Home
            and mods & Qt.KeyboardModifier.ControlModifier
            or key == Qt.Key.Key_Home
            and not mods
        ):
            bar.setValue(bar.minimum())
        elif (
            key == Qt.Key.Key_End
            and mods & Qt.KeyboardModifier.ControlModifier
            or key == Qt.Key.Key_End
            and not mods
        ):
            bar.setValue(bar.maximum())
        else:
            super().keyPressEvent(event)
