"""The search results as a tree: groups (a chapter, or a span of minutes) holding the hits, in document order."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt

from desktop_app.views.grouped_model import HEADER, GroupedItemModel

if TYPE_CHECKING:
    from collections.abc import Sequence

    from desktop_app.search.index import Hit, SearchResult

# Roles. KIND: "group" | "hit"; HIT: the hit's number in result.hits (-1 for groups); START / END: document
# offsets (a group's START is its first hit's); SNIPPET: str; SPANS: list of (start, end) in SNIPPET to emphasise;
# POSITION: a label such as "12:34" or "min 12"; NOTE_ID: the annotation of a hit in a note (None otherwise);
# COUNT: hits in a group.
(
    ROLE_KIND,
    ROLE_HIT,
    ROLE_START,
    ROLE_END,
    ROLE_SNIPPET,
    ROLE_SPANS,
    ROLE_POSITION,
    ROLE_NOTE_ID,
    ROLE_COUNT,
) = range(int(Qt.ItemDataRole.UserRole) + 1, int(Qt.ItemDataRole.UserRole) + 10)

MAX_SHOWN = 1000  # hits listed (a model reset with this many stays well under a frame)
_DISPLAY, _TOOLTIP = Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole
_ROLES = frozenset(
    {
        _DISPLAY,
        _TOOLTIP,
        ROLE_KIND,
        ROLE_HIT,
        ROLE_START,
        ROLE_END,
        ROLE_SNIPPET,
        ROLE_SPANS,
        ROLE_POSITION,
        ROLE_NOTE_ID,
        ROLE_COUNT,
    }
)  # the roles answered (the view asks for many more)


@dataclass
class _Group:
    """A group row (a chapter, or a span of minutes) and the numbers of its hits."""

    title: str
    hits: list[int] = field(default_factory=list)


def group_hits(headings: Sequence[str]) -> list[_Group]:
    """Consecutive hits under the same heading (their chapter, or a span of minutes) form a group."""
    groups: list[_Group] = []
    for number, title in enumerate(headings):
        title = title or "Matches"
        if not groups or groups[-1].title != title:
            groups.append(_Group(title))
        groups[-1].hits.append(number)
    return groups


class SearchResultModel(GroupedItemModel):
    """Groups (parents, not selectable) → hits (children) in document order; one column.

    Only the first ``MAX_SHOWN`` hits are listed; a hit row's ``ROLE_HIT`` is its number in ``result.hits``.
    """

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._result: SearchResult | None = None
        self._hits: Sequence[Hit] = ()
        self._groups: list[_Group] = []
        self._rows: list[tuple[int, int]] = []  # hit number → (group row, child row)
        self._places: list[str] = []

    # -- content --------------------------------------------------------------------------------
    def set_result(self, result: SearchResult | None, labels: Sequence[tuple[str, str]] = ()) -> None:
        """Show a result (None: nothing); ``labels[i]`` is (group heading, place) of hit *i*."""
        hits = result.hits[:MAX_SHOWN] if result is not None else ()
        labels = list(labels[: len(hits)]) + [("", "")] * (len(hits) - len(labels))
        groups = group_hits([heading for heading, _place in labels])
        self.beginResetModel()
        self._result, self._hits, self._groups = result, hits, groups
        self._rows = [(row, child) for row, group in enumerate(groups) for child in range(len(group.hits))]
        self._places = [place for _heading, place in labels]
        self.endResetModel()

    def result(self) -> SearchResult | None:
        """The result shown (None when none)."""
        return self._result

    def shown_count(self) -> int:
        """Hits listed (at most ``MAX_SHOWN``)."""
        return len(self._hits)

    def hit_index(self, number: int) -> QModelIndex:
        """The row of hit ``number`` (invalid when it is not listed)."""
        if not 0 <= number < len(self._rows):
            return QModelIndex()
        row, child = self._rows[number]
        return self.item_index(row, child)

    def hit_at(self, index: QModelIndex | QPersistentModelIndex) -> int:
        """The hit number of a row of this model (-1 for group rows and invalid indexes)."""
        position = self.item_position(index)
        if position is None or position[0] >= len(self._groups):
            return -1
        hits = self._groups[position[0]].hits
        return hits[position[1]] if position[1] < len(hits) else -1

    def find(self, start: int, end: int, note_id: str | None) -> int:
        """The number of a listed hit at these offsets (-1 if none)."""
        for number, hit in enumerate(self._hits):
            if hit.start == start and hit.end == end and hit.note_id == note_id:
                return number
        return -1

    def position_label(self, number: int) -> str:
        """Where hit ``number`` is (``note · 12:34`` for a hit in a note)."""
        return self._places[number] if 0 <= number < len(self._places) else ""

    # -- GroupedItemModel ----------------------------------------------------------------------
    def group_count(self) -> int:
        """Groups of hits."""
        return len(self._groups)

    def item_count(self, group: int) -> int:
        """Hits in group ``group``."""
        return len(self._groups[group].hits)

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        """Groups: heading, start, hit count; hits: snippet, its spans, place, offsets and note id."""
        if role not in _ROLES or not index.isValid():
            return None
        if index.internalId() == HEADER:
            return self._group_data(index.row(), role)
        number = self.hit_at(index)
        return None if number < 0 else self._hit_data(number, role)

    def _group_data(self, row: int, role: int) -> Any:
        if not 0 <= row < len(self._groups):
            return None
        group = self._groups[row]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return group.title
        if role == ROLE_START:
            return self._hits[group.hits[0]].start
        return {ROLE_KIND: "group", ROLE_HIT: -1, ROLE_COUNT: len(group.hits)}.get(role)

    def _hit_data(self, number: int, role: int) -> Any:
        hit = self._hits[number]
        if role in (Qt.ItemDataRole.DisplayRole, ROLE_SNIPPET):
            return hit.snippet
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{self.position_label(number)}\n{hit.snippet}"
        if role == ROLE_SPANS:
            return [list(span) for span in hit.snippet_spans]
        if role == ROLE_POSITION:
            return self.position_label(number)
        return {
            ROLE_KIND: "hit",
            ROLE_HIT: number,
            ROLE_START: hit.start,
            ROLE_END: hit.end,
            ROLE_NOTE_ID: hit.note_id,
        }.get(role)
