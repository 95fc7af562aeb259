"""Where every paragraph document of one searcher (one commit) sits, as arrays indexed by document number.

A hit needs its episode, offsets, chapter and speaker; reading them from Whoosh's stored fields costs an
unpickling per document (40 µs), and a phrase of common words checks hundreds of candidates. Each episode record
holds its paragraph documents' offsets, chapters and speakers (``doc_starts``…), and an episode's paragraph
documents are the ones just before its record: they are written together, deleted together, and a merge keeps
the order. So one pass over the episode records (a few hundred) gives the table; an episode whose layout does
not check out (its first paragraph document is not the one expected) is left out, and its documents are read
from the stored fields as before.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from numpy.typing import NDArray
    from whoosh.searching import Searcher


@dataclass(frozen=True)
class ParagraphLocation:
    """A paragraph document: its episode record, offsets, chapter number and speaker number (-1: none)."""

    info: dict[str, Any]
    start: int
    end: int
    section: int
    speaker: int


class DocTable:
    """Episode, offsets, chapter and speaker of each paragraph document of one searcher."""

    def __init__(self, searcher: Searcher, episode_kind: str) -> None:
        count = int(searcher.doc_count_all())
        self.records: list[
            dict[str, Any]
        ] = []  # every episode record (``LibraryIndex.indexed`` reads them here)
        self.infos: list[dict[str, Any]] = []  # the records of the episodes in the table
        self.episode: NDArray[np.int32] = np.full(count, -1, dtype=np.int32)
        self._columns: NDArray[np.int64] = np.zeros(
            (4, count), dtype=np.int64
        )  # start, end, section, speaker
        for docnum in searcher.document_numbers(kind=episode_kind):
            info = searcher.stored_fields(docnum).get("info") or {}
            self.records.append(info)
            self._add(searcher, int(docnum), info)

    def _add(self, searcher: Searcher, record: int, info: dict[str, Any]) -> None:
        starts = info.get("doc_starts") or []
        first = record - len(starts)
        if not starts or first < 0:
            return
        loc: tuple[Any, ...] = tuple(searcher.stored_fields(first).get("loc") or ())
        if len(loc) < 3 or loc[0] != info.get("key") or loc[2] != starts[0]:
            return  # not laid out as written: the stored fields answer for this episode
        self.episode[first:record] = len(self.infos)
        self.infos.append(info)
        for row, name in enumerate(("doc_starts", "doc_ends", "doc_sections", "doc_speakers")):
            self._columns[row, first:record] = info[name]

    def location(self, docnum: int) -> ParagraphLocation | None:
        """Where paragraph document ``docnum`` is (None: not a paragraph of this table)."""
        if not 0 <= docnum < len(self.episode):
            return None
        number = int(self.episode[docnum])
        if number < 0:
            return None
        start, end, section, speaker = (int(v) for v in self._columns[:, docnum])
        return ParagraphLocation(self.infos[number], start, end, section, speaker)


__all__ = ["DocTable", "ParagraphLocation"]
