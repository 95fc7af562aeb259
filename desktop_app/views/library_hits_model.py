"""Library hits for the search panel's "Whole library" scope: a group per chapter of an episode, its hits below.

The rows answer the roles of ``search_results_model`` (kind, snippet, spans, place, count), so the search panel's
delegate paints them as it paints a single transcript's hits; the first chapter of each episode also carries
the episode's title (``ROLE_EPISODE``), painted above the chapter. The episodes come by relevance, chapters and
hits inside one in text order (``LibraryResult.groups``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt

from desktop_app.views.grouped_model import HEADER, GroupedItemModel
from desktop_app.views.search_results_model import (
    ROLE_COUNT,
    ROLE_END,
    ROLE_KIND,
    ROLE_POSITION,
    ROLE_SNIPPET,
    ROLE_SPANS,
    ROLE_START,
)

if TYPE_CHECKING:
    from desktop_app.library.results import LibraryHit, LibraryResult

ROLE_EPISODE = int(Qt.ItemDataRole.UserRole) + 20
"""The episode's title, on the first chapter group of each episode ("" on the others)."""
ROLE_PATH = int(Qt.ItemDataRole.UserRole) + 21
"""The episode's file, on every row."""
_DISPLAY, _TOOLTIP = Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole


@dataclass(frozen=True)
class _ChapterGroup:
    """The hits of one chapter of one episode; ``episode`` is set on the episode's first chapter only."""

    episode: str
    chapter: str
    path: str
    hits: tuple[LibraryHit, ...]


class LibraryHitsModel(GroupedItemModel):
    """Chapter groups of episodes → their hits; one column."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._result: LibraryResult | None = None
        self._groups: list[_ChapterGroup] = []

    def set_result(self, result: LibraryResult | None) -> None:
        """Show a library result (None: nothing)."""
        groups: list[_ChapterGroup] = []
        for episode in result.groups() if result is not None else []:
            for number, (chapter, hits) in enumerate(episode.chapters):
                title = episode.title if number == 0 else ""
                groups.append(_ChapterGroup(title, chapter or "Matches", episode.path, hits))
        self.beginResetModel()
        self._result, self._groups = result, groups
        self.endResetModel()

    def result(self) -> LibraryResult | None:
        """The result shown."""
        return self._result

    def shown_count(self) -> int:
        """Hits listed."""
        return sum(len(group.hits) for group in self._groups)

    def episode_count(self) -> int:
        """Episodes listed."""
        return sum(1 for group in self._groups if group.episode)

    def hit(self, index: QModelIndex | QPersistentModelIndex) -> LibraryHit | None:
        """The hit of a hit row (None for groups and invalid indexes)."""
        position = self.item_position(index)
        if position is None or position[0] >= len(self._groups):
            return None
        hits = self._groups[position[0]].hits
        return hits[position[1]] if position[1] < len(hits) else None

    def group_count(self) -> int:
        """Chapter groups."""
        return len(self._groups)

    def item_count(self, group: int) -> int:
        """Hits of a chapter group."""
        return len(self._groups[group].hits)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = _DISPLAY) -> Any:
        """Groups: chapter, episode title (first chapter), count; hits: snippet, spans, speaker, offsets."""
        if not index.isValid():
            return None
        if index.internalId() == HEADER:
            return self._group_data(index.row(), role) if index.row() < len(self._groups) else None
        hit = self.hit(index)
        return None if hit is None else _hit_data(hit, role)

    def _group_data(self, row: int, role: int) -> Any:
        group = self._groups[row]
        if role == _DISPLAY:
            return group.chapter
        if role == _TOOLTIP:
            return f"{group.episode}\n{group.chapter}" if group.episode else group.chapter
        return {
            ROLE_KIND: "group",
            ROLE_COUNT: len(group.hits),
            ROLE_EPISODE: group.episode,
            ROLE_PATH: group.path,
            ROLE_START: group.hits[0].start,
        }.get(role)


def _hit_data(hit: LibraryHit, role: int) -> Any:
    if role in (_DISPLAY, ROLE_SNIPPET):
        return hit.snippet
    if role == _TOOLTIP:
        return f"{hit.title} — {hit.section or ''}\n{hit.snippet}"
    if role == ROLE_SPANS:
        return [list(span) for span in hit.snippet_spans]
    return {
        ROLE_KIND: "hit",
        ROLE_POSITION: ("note" if hit.note_id else hit.speaker) or "",
        ROLE_START: hit.start,
        ROLE_END: hit.end,
        ROLE_PATH: hit.path,
    }.get(role)


__all__ = ["ROLE_EPISODE", "ROLE_PATH", "LibraryHitsModel"]
