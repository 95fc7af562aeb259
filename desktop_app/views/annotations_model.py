"""The annotations list as a Qt model: chapters → highlights, a filter proxy, and the shared swatch helpers."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)

from desktop_app.annotations.colors import DEFAULT_COLOR_MEANINGS
from desktop_app.annotations.model import Annotation, parse_timestamp
from desktop_app.timeline import ChapterRow, chapter_at
from desktop_app.views.grouped_model import HEADER, GroupedItemModel
from desktop_app.views.theme import plain_tooltip, swatch_color, swatch_icon

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping, Sequence

    from PySide6.QtGui import QColor, QIcon

logger = logging.getLogger(__name__)

# Roles. KIND: "chapter" | "annotation"; TAGS: list[str]; QUOTE: the whole quote; POSITION: a label ("12:34");
# MEANING: the colour's meaning; SWATCH: QColor in the current theme. Chapter rows answer KIND, START (-1 for the
# orphans group), IS_ORPHAN and UPDATED (their newest annotation's).
(
    ROLE_KIND,
    ROLE_ID,
    ROLE_START,
    ROLE_COLOR,
    ROLE_CREATED,
    ROLE_UPDATED,
    ROLE_TAGS,
    ROLE_NOTE,
    ROLE_QUOTE,
    ROLE_IS_ORPHAN,
    ROLE_POSITION,
    ROLE_MEANING,
    ROLE_SWATCH,
) = range(int(Qt.ItemDataRole.UserRole) + 1, int(Qt.ItemDataRole.UserRole) + 14)

QUOTE_CHARS = 140
ORPHANS_TITLE = "Unplaced (orphaned)"


def short_quote(text: str, limit: int = QUOTE_CHARS) -> str:
    """Text on one line (whitespace collapsed), cut to ``limit`` characters with "…"."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def _epoch(stamp: str) -> float:
    try:
        return parse_timestamp(stamp).timestamp()
    except ValueError:
        return 0.0


@dataclass
class _Group:
    """A chapter row and its annotations."""

    title: str
    start: int
    orphans: bool = False
    items: list[Annotation] = field(default_factory=list)

    @property
    def key(self) -> tuple[bool, str, int]:
        return self.orphans, self.title, self.start


def _group(
    annotations: Iterable[Annotation],
    sections: Sequence[ChapterRow],
    mode: str,
    time: Callable[[Annotation], float],
) -> list[_Group]:
    """Annotations by chapter (only chapters that have some), orphans last; by position or newest first."""
    chapters = [_Group(s.title, s.start) for s in sections]
    elsewhere = _Group("Highlights" if not sections else "Other highlights", 0)
    orphans = _Group(ORPHANS_TITLE, -1, orphans=True)
    for annotation in sorted(annotations, key=lambda a: (a.start, a.end, a.created)):
        number = chapter_at(sections, annotation.start)
        group = orphans if annotation.is_orphan else chapters[number] if number >= 0 else elsewhere
        group.items.append(annotation)
    groups = [g for g in (elsewhere, *chapters) if g.items]
    if mode == "date":
        for group in (*groups, orphans):
            group.items.sort(key=time, reverse=True)  # stable: equal times stay in document order
        groups.sort(key=lambda g: time(g.items[0]), reverse=True)
    return groups + ([orphans] if orphans.items else [])


class AnnotationsModel(GroupedItemModel):
    """Chapters (parents; unplaced annotations last) → annotations (children); one column.

    The model orders its rows itself (``set_sort_mode``): one Python sort instead of a proxy calling ``data()``
    for every comparison.
    """

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._groups: list[_Group] = []
        self._input: tuple[list[Annotation], list[ChapterRow]] = ([], [])
        self._mode = "position"
        self._colors: dict[str, str] = dict(DEFAULT_COLOR_MEANINGS)
        self._places: dict[str, str] = {}
        self._quotes: dict[str, str] = {}  # as the reader shows them, by id (else the anchored words)
        self._dark = False
        self._icons: dict[tuple[str, bool], QIcon] = {}
        self._times: dict[str, float] = {}

    # -- content ------------------------------------------------------------------------------
    def set_annotations(
        self,
        annotations: Iterable[Annotation],
        sections: Sequence[ChapterRow] = (),
        colors: dict[str, str] | None = None,
        places: Mapping[str, str] | None = None,
        quotes: Mapping[str, str] | None = None,
    ) -> bool:
        """Replace the content (``quotes``: each highlight's words as the reader shows them, by id); returns True if the model was reset (annotations added, removed, regrouped).

        Otherwise rows that moved are moved with ``layoutChanged`` and edited rows get ``dataChanged``, so
        selection and scrolling are kept.
        """
        new_colors = {**DEFAULT_COLOR_MEANINGS, **(colors or {})}
        everything = (
            new_colors != self._colors
            or (places is not None and places != self._places)
            or (quotes is not None and quotes != self._quotes)
        )
        self._colors = new_colors
        if places is not None:
            self._places = dict(places)
        if quotes is not None:
            self._quotes = dict(quotes)
        self._input = (list(annotations), list(sections))
        return self._apply(everything)

    def set_sort_mode(self, mode: str) -> None:
        """``"position"`` (document order) or ``"date"`` (last update, newest first); orphans stay last."""
        if mode not in ("position", "date"):
            raise ValueError(f"unknown sort mode {mode!r}")
        if mode != self._mode:
            self._mode = mode
            self._apply(False)

    def sort_mode(self) -> str:
        """The row order: ``"position"`` or ``"date"``."""
        return self._mode

    def _apply(self, everything: bool) -> bool:
        groups = _group(*self._input, self._mode, self._time)
        if {g.key: {a.id for a in g.items} for g in groups} != {
            g.key: {a.id for a in g.items} for g in self._groups
        }:
            self.beginResetModel()
            self._groups = groups
            self.endResetModel()
            return True
        before = {a.id: a for g in self._groups for a in g.items}
        if [(g.key, [a.id for a in g.items]) for g in groups] != [
            (g.key, [a.id for a in g.items]) for g in self._groups
        ]:
            self._relayout(groups)
        self._groups = groups
        for row, group in enumerate(groups):
            changed = [i for i, a in enumerate(group.items) if everything or before[a.id] != a]
            if changed:
                parent = self.index(row, 0)
                self.dataChanged.emit(self.index(changed[0], 0, parent), self.index(changed[-1], 0, parent))
                self.dataChanged.emit(parent, parent)  # its newest update may have changed
        return False

    def _relayout(self, groups: list[_Group]) -> None:
        """Move rows (same chapters, same annotations, another order), keeping persistent indexes."""
        self.layoutAboutToBeChanged.emit()
        old = self.persistentIndexList()
        keys = [
            ("chapter", self._groups[i.row()].key)
            if i.internalId() == HEADER
            else ("annotation", self._groups[i.internalId() - 1].items[i.row()].id)
            for i in old
        ]
        self._groups = groups
        rows: dict[tuple[str, tuple[bool, str, int] | str], tuple[int, int, int]] = {
            ("chapter", g.key): (row, 0, HEADER) for row, g in enumerate(groups)
        }
        rows.update(
            {
                ("annotation", a.id): (child, 0, row + 1)
                for row, g in enumerate(groups)
                for child, a in enumerate(g.items)
            }
        )
        self.changePersistentIndexList(old, [self.createIndex(*rows[key]) for key in keys])
        self.layoutChanged.emit()

    def set_dark(self, dark: bool) -> None:
        """Swatches in the dark or light highlight colours."""
        if dark != self._dark:
            self._dark = dark
            for row, group in enumerate(self._groups):
                parent = self.index(row, 0)
                self.dataChanged.emit(
                    self.index(0, 0, parent),
                    self.index(len(group.items) - 1, 0, parent),
                    [Qt.ItemDataRole.DecorationRole, ROLE_SWATCH],
                )

    def colors(self) -> dict[str, str]:
        """The colour meanings in force (colour key → meaning, defaults filled in)."""
        return dict(self._colors)

    def annotations(self) -> list[Annotation]:
        """All annotations, in row order."""
        return [a for g in self._groups for a in g.items]

    def annotation(self, index: QModelIndex | QPersistentModelIndex) -> Annotation | None:
        """The annotation of a row of this model (None for chapter rows)."""
        position = self.item_position(index)
        return None if position is None else self.annotation_at(*position)

    def annotation_at(self, chapter_row: int, row: int) -> Annotation | None:
        """The annotation at ``row`` under chapter ``chapter_row`` (None when out of range)."""
        group = self._groups[chapter_row] if 0 <= chapter_row < len(self._groups) else None
        return group.items[row] if group is not None and 0 <= row < len(group.items) else None

    def find(self, annotation_id: str) -> QModelIndex:
        """The index of an annotation by id (invalid when it is not listed)."""
        for row, group in enumerate(self._groups):
            for child, annotation in enumerate(group.items):
                if annotation.id == annotation_id:
                    return self.item_index(row, child)
        return QModelIndex()

    def swatch_color(self, key: str) -> QColor:
        """The swatch colour of a colour key in the current (dark or light) theme."""
        return swatch_color(key, self._dark)

    def _icon(self, key: str) -> QIcon:
        cached = self._icons.get((key, self._dark))
        if cached is None:
            cached = self._icons[(key, self._dark)] = swatch_icon(self.swatch_color(key))
        return cached

    # -- GroupedItemModel ----------------------------------------------------------------------
    def group_count(self) -> int:
        """Chapters that hold highlights (and the unplaced ones)."""
        return len(self._groups)

    def item_count(self, group: int) -> int:
        """Highlights under chapter row ``group``."""
        return len(self._groups[group].items)

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        """Chapters: title, start, newest update; annotations: quote, swatch, tooltip and the custom roles."""
        if not index.isValid():
            return None
        if index.internalId() == HEADER:
            return (
                self._chapter_data(self._groups[index.row()], role)
                if index.row() < len(self._groups)
                else None
            )
        annotation = self.annotation(index)
        if annotation is None:
            return None
        getter = self._FIELDS.get(role)
        return None if getter is None else getter(self, annotation)

    def _chapter_data(self, group: _Group, role: int) -> Any:
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return group.title
        if role == ROLE_UPDATED:  # the newest annotation's
            return max(group.items, key=self._time).updated
        return {ROLE_KIND: "chapter", ROLE_START: group.start, ROLE_IS_ORPHAN: group.orphans}.get(role)

    _FIELDS: dict[int, Callable[[AnnotationsModel, Annotation], Any]] = {
        Qt.ItemDataRole.DisplayRole: lambda m, a: short_quote(m.quote(a)),
        Qt.ItemDataRole.DecorationRole: lambda m, a: m._icon(a.color),
        Qt.ItemDataRole.ToolTipRole: lambda m, a: plain_tooltip(m._tooltip(a)),
        ROLE_KIND: lambda m, a: "annotation",
        ROLE_ID: lambda m, a: a.id,
        ROLE_COLOR: lambda m, a: a.color,
        ROLE_START: lambda m, a: a.start,
        ROLE_CREATED: lambda m, a: a.created,
        ROLE_UPDATED: lambda m, a: a.updated,
        ROLE_TAGS: lambda m, a: list(a.tags),
        ROLE_NOTE: lambda m, a: a.note,
        ROLE_QUOTE: lambda m, a: m.quote(a),
        ROLE_IS_ORPHAN: lambda m, a: a.is_orphan,
        ROLE_MEANING: lambda m, a: m._colors.get(a.color, a.color),
        ROLE_POSITION: lambda m, a: "not found in the text" if a.is_orphan else m._places.get(a.id, ""),
        ROLE_SWATCH: lambda m, a: m.swatch_color(a.color),
    }

    def _time(self, annotation: Annotation) -> float:
        value = self._times.get(annotation.updated)
        if value is None:
            value = self._times[annotation.updated] = _epoch(annotation.updated)
        return value

    def quote(self, annotation: Annotation) -> str:
        """A highlight's words as the reader shows them (the anchored words until they are known)."""
        return self._quotes.get(annotation.id) or annotation.target.exact

    def _tooltip(self, a: Annotation) -> str:
        parts = [f"“{short_quote(self.quote(a), 600)}”", f"{self._colors.get(a.color, a.color)} ({a.color})"]
        if a.note.strip():
            parts.append(short_quote(a.note, 600))
        if a.tags:
            parts.append("Tags: " + ", ".join(a.tags))
        return "\n\n".join(parts)


class AnnotationsFilterProxy(QSortFilterProxyModel):
    """Filters annotations by colour keys, tag and free text; chapters without a match are hidden.

    Sorting (by position, or by date: last update, newest first) is delegated to the AnnotationsModel, which
    orders its own rows; the proxy keeps the source order.
    """

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._colors: frozenset[str] = frozenset()
        self._tag = ""
        self._terms: tuple[str, ...] = ()
        self.setRecursiveFilteringEnabled(True)

    def set_color_filter(self, keys: Iterable[str]) -> None:
        """Only these colour keys (empty: every colour)."""
        self._refilter(lambda: setattr(self, "_colors", frozenset(keys)))

    def set_tag_filter(self, tag: str) -> None:
        """Only annotations carrying this tag ("" for any)."""
        self._refilter(lambda: setattr(self, "_tag", tag))

    def set_text_filter(self, text: str) -> None:
        """Only annotations whose quote, note or tags contain every word of ``text`` (case-insensitive)."""
        self._refilter(lambda: setattr(self, "_terms", tuple(text.casefold().split())))

    def _refilter(self, change: Callable[[], None]) -> None:
        self.beginFilterChange()
        change()
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def is_filtering(self) -> bool:
        """Whether a colour, tag or text filter is set."""
        return bool(self._colors or self._tag or self._terms)

    def set_sort_mode(self, mode: str) -> None:
        """``"position"`` (document order) or ``"date"`` (updated, newest first); orphans stay last."""
        self._source().set_sort_mode(mode)

    def sort_mode(self) -> str:
        """The source model's row order (``"position"`` or ``"date"``)."""
        return self._source().sort_mode()

    def _source(self) -> AnnotationsModel:
        source = self.sourceModel()
        assert isinstance(source, AnnotationsModel)
        return source

    def accepts(self, annotation: Annotation) -> bool:
        """Whether an annotation passes the filters."""
        if (
            self._colors
            and annotation.color not in self._colors
            or self._tag
            and self._tag not in annotation.tags
        ):
            return False
        if self._terms:
            words = self._source().quote(annotation)
            haystack = "\n".join((words, annotation.note, *annotation.tags)).casefold()
            return all(term in haystack for term in self._terms)
        return True

    def filterAcceptsRow(self, source_row: int, source_parent: QModelIndex | QPersistentModelIndex) -> bool:
        """Annotations that pass the filters; chapters only through recursive filtering."""
        if not source_parent.isValid():
            return False  # a chapter is shown when one of its annotations is (recursive filtering)
        annotation = self._source().annotation_at(source_parent.row(), source_row)
        return annotation is not None and self.accepts(annotation)
