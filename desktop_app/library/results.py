"""What a library search gives: hits in paragraphs (or notes) of episodes, grouped by episode and chapter.

Plain data, apart from the index (``library/index.py``, which imports Whoosh and numpy), so that the window
can hold and show results without loading the search engine on its thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class LibraryHit:
    """One paragraph that matched, with its first match in document offsets of its episode."""

    document: str  # the episode's sha256
    title: str
    path: str
    start: int
    end: int
    snippet: str
    snippet_spans: tuple[tuple[int, int], ...]
    section: str | None
    section_number: int
    score: float
    speaker: str | None = None  # who speaks the paragraph (the file's name or the inferred host / guest)
    note_id: str | None = None  # a hit in a note (or a highlight's tags or quote): its annotation
    paragraph: tuple[int, int] = (0, 0)  # the paragraph holding the hit (start, end)

    def to_json(self) -> dict[str, Any]:
        """The CLI's hit: document, title, start, end, snippet, section, speaker."""
        return {
            "document": self.document,
            "title": self.title,
            "start": self.start,
            "end": self.end,
            "snippet": self.snippet,
            "section": self.section,
            "speaker": self.speaker,
        }


@dataclass(frozen=True)
class EpisodeGroup:
    """The hits of one episode, by chapter: ``chapters`` is [(chapter title or None, hits in text order)]."""

    document: str
    title: str
    path: str
    chapters: tuple[tuple[str | None, tuple[LibraryHit, ...]], ...]


@dataclass(frozen=True)
class LibraryResult:
    """The hits of a query, episodes by relevance and, inside one, in text order."""

    query: str
    hits: tuple[LibraryHit, ...] = ()
    total: int = 0  # matching paragraphs
    episodes_indexed: int = 0
    error: str | None = None
    approximate: bool = False  # ``total`` is extrapolated (a phrase of common words)

    def groups(self) -> list[EpisodeGroup]:
        """The hits grouped by episode, then chapter."""
        out: list[EpisodeGroup] = []
        by_doc: dict[str, list[LibraryHit]] = {}
        for hit in self.hits:
            by_doc.setdefault(hit.document, []).append(hit)
        for hits in by_doc.values():
            chapters: list[tuple[str | None, list[LibraryHit]]] = []
            for hit in hits:
                if chapters and chapters[-1][1][0].section_number == hit.section_number:
                    chapters[-1][1].append(hit)
                else:
                    chapters.append((hit.section, [hit]))
            first = hits[0]
            out.append(
                EpisodeGroup(
                    first.document, first.title, first.path, tuple((title, tuple(h)) for title, h in chapters)
                )
            )
        return out
