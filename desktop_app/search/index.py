"""Full-text search over one document: a Whoosh index of its paragraphs, plus its notes.

One Whoosh document per paragraph (cached on disk, see ``store.py``) and one per note (a small in-memory index
rebuilt by :meth:`SearchIndex.set_notes`). Hits are read from the postings' character offsets, so every hit's
``[start, end)`` is exactly the matched word(s) in the document text (a phrase hit covers the whole phrase).
This module is the search engine's whole interface: another engine (SQLite FTS5) could sit behind it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from whoosh import query as wq
from whoosh.index import Index
from whoosh.searching import Searcher

from desktop_app.search import store
from desktop_app.search.query import (
    CONTENT,
    NOTE,
    Patterns,
    expand_query,
    match_patterns,
    parse_query,
    query_words,
)
from desktop_app.search.snippets import make_snippet
from desktop_app.search.vocabulary import Vocabulary

logger = logging.getLogger(__name__)

INDEX_SCHEMA_VERSION = store.INDEX_SCHEMA_VERSION

Span = tuple[int, int]


@dataclass(frozen=True)
class Hit:
    """One matched occurrence, in document offsets."""

    start: int  # exact document offsets of the matched word(s); a phrase hit covers the whole phrase
    end: int
    score: float  # score of the paragraph / note it is in
    snippet: str  # plain text around the hit, cut at word boundaries, "…" at cuts
    snippet_spans: tuple[Span, ...]  # spans inside `snippet` to emphasise (all matched terms)
    paragraph: int  # index of the paragraph in the list given at build time (-1 for notes)
    note_id: str | None = None  # for hits in notes (then start/end are the annotation's target)


@dataclass(frozen=True)
class SearchResult:
    """Every hit of a query in document order, or why there is none."""

    query: str
    hits: tuple[Hit, ...]  # in document order (at most `limit`)
    total: int  # number of hits (occurrences), whatever the limit
    suggestion: str | None = None  # "Did you mean …" when nothing matched
    error: str | None = None  # a human message for a malformed query


@dataclass(frozen=True)
class _Notes:
    """The notes as indexed: (annotation id, note text, start, end) by document number."""

    items: tuple[tuple[str, str, int, int], ...]
    index: Index
    vocabulary: Vocabulary


@dataclass
class _Found:
    """A hit before its snippet is made."""

    start: int
    end: int
    score: float
    paragraph: int
    note: int = -1  # position in the notes list
    matches: tuple[Span, ...] = ()  # for notes: matched spans in the note text


class SearchIndex:
    """The search index of one document. ``search`` is thread-safe; ``set_notes`` calls are serialised."""

    def __init__(
        self,
        index: Index,
        vocabulary: Vocabulary,
        text: str,
        paragraphs: Sequence[tuple[int, int]],
        built: bool,
        folder: Path | None,
    ) -> None:
        self._index = index
        self._vocabulary = vocabulary
        self._suggest_vocabulary = vocabulary
        self._text = text
        self._paragraphs = tuple((int(s), int(e)) for s, e in paragraphs)
        self._notes: _Notes | None = None
        self._write_lock = threading.Lock()
        self._closed = False
        self.built = built  # True when this open had to build the index (False: loaded from the cache)
        self.folder = folder  # the cache folder (None when the cache was unusable and the index is in memory)

    @classmethod
    def open_or_build(
        cls,
        cache_root: Path,
        doc_sha256: str,
        text: str,
        paragraphs: Sequence[tuple[int, int]],
        progress: Callable[[float], None] | None = None,
    ) -> SearchIndex:
        """Reopen ``cache_root/<sha256>-v<schema>/`` when valid, else (re)build it silently."""
        clean = _clean_paragraphs(text, paragraphs)
        opened = store.open_or_build(Path(cache_root), doc_sha256, text, clean, progress)
        return cls(opened.index, opened.vocabulary, text, clean, opened.built, opened.folder)

    @property
    def paragraphs(self) -> tuple[tuple[int, int], ...]:
        """The paragraphs indexed (``Hit.paragraph`` indexes this)."""
        return self._paragraphs

    def close(self) -> None:
        """Release the index (searches after this return an error)."""
        self._closed = True
        self._notes = None

    def set_notes(self, notes: Sequence[tuple[str, str, int, int]]) -> None:
        """Replace all note documents: (annotation id, note text, target start, target end)."""
        items = tuple((str(i), str(t), int(s), int(e)) for i, t, s, e in notes if t and t.strip())
        with self._write_lock:
            if not items:
                self._notes = None
                self._suggest_vocabulary = self._vocabulary
                return
            storage = store.MemoryStorage()
            index = storage.create_index(store.make_schema(), indexname=store.INDEX_NAME)
            writer = index.writer()
            for _, text, _, _ in items:
                writer.add_document(**{NOTE: text})
            writer.commit()
            vocabulary = Vocabulary.from_texts(text for _, text, _, _ in items)
            self._notes = _Notes(items, index, vocabulary)
            self._suggest_vocabulary = self._vocabulary.merged(vocabulary)

    def search(self, query: str, limit: int | None = None) -> SearchResult:
        """Every occurrence matching ``query`` in document order (at most ``limit``); never raises."""
        if self._closed:
            return SearchResult(query, (), 0, None, "The search index is closed.")
        try:
            return self._search(query, limit)
        except Exception:  # noqa: BLE001 - a search must never take the application down
            logger.exception("search failed for %r", query)
            return SearchResult(query, (), 0, None, "This query could not be run; try plain words.")

    def _search(self, query: str, limit: int | None) -> SearchResult:
        parsed = parse_query(query, self._index.schema)
        if parsed.query is None:
            return SearchResult(query, (), 0, None, parsed.error)
        found, has_patterns = self._find(parsed.query)
        if not has_patterns:
            return SearchResult(query, (), 0, None, "Add a word to look for (NOT only excludes).")
        found.sort(key=lambda f: (f.start, f.end, f.note))
        total = len(found)
        shown = found if limit is None else found[: max(0, limit)]
        hits = tuple(self._make_hits(shown, found))
        suggestion = self._suggest(query) if total == 0 else None
        return SearchResult(query, hits, total, suggestion, None)

    def _find(self, query: wq.Query) -> tuple[list[_Found], bool]:
        found: list[_Found] = []
        has_patterns = False
        with self._index.searcher() as searcher:
            expanded = expand_query(query, searcher.reader(), self._vocabulary)
            patterns = match_patterns(expanded)
            has_patterns |= bool(patterns)
            for docnum, score, spans in _matches(searcher, expanded, patterns, CONTENT):
                offset = self._paragraphs[docnum][0]
                found.extend(_Found(offset + s, offset + e, score, docnum) for s, e in spans)
        notes = self._notes
        if notes is not None:
            with notes.index.searcher() as searcher:
                expanded = expand_query(query, searcher.reader(), notes.vocabulary)
                patterns = match_patterns(expanded)
                has_patterns |= bool(patterns)
                for docnum, score, spans in _matches(searcher, expanded, patterns, NOTE):
                    _, _, start, end = notes.items[docnum]
                    found.append(_Found(start, end, score, -1, docnum, tuple(spans)))
        return found, has_patterns

    def _make_hits(self, shown: list[_Found], everything: list[_Found]) -> list[Hit]:
        in_text = [f for f in everything if f.note < 0]
        starts = [f.start for f in in_text]
        ends = [f.end for f in in_text]
        notes = self._notes
        hits = []
        for f in shown:
            if f.note < 0:
                snippet, spans = make_snippet(self._text, f.start, f.end, starts, ends)
                hits.append(Hit(f.start, f.end, f.score, snippet, spans, f.paragraph))
            else:
                assert notes is not None
                note_id, note_text, _, _ = notes.items[f.note]
                first_start, first_end = f.matches[0]
                snippet, spans = make_snippet(
                    note_text, first_start, first_end, [s for s, _ in f.matches], [e for _, e in f.matches]
                )
                hits.append(Hit(f.start, f.end, f.score, snippet, spans, -1, note_id))
        return hits

    def _suggest(self, query: str) -> str | None:
        """The query with unknown words replaced by the closest known ones, if that finds something."""
        vocabulary = self._suggest_vocabulary
        corrected = query
        changed = False
        for word in query_words(query):
            if word in vocabulary:
                continue
            replacement = vocabulary.suggest(word)
            if replacement:
                corrected = _replace_word(corrected, word, replacement)
                changed = True
        if not changed or corrected.lower() == query.lower():
            return None
        parsed = parse_query(corrected, self._index.schema)
        if parsed.query is None or not self._find(parsed.query)[0]:
            return None
        return corrected


def _matches(
    searcher: Searcher, query: wq.Query, patterns: Patterns, field: str
) -> list[tuple[int, float, list[Span]]]:
    """(document number, score, matched spans relative to the field text) for each matching document."""
    results = searcher.search(query, limit=None)
    docs = sorted(results.items())
    if not docs or not patterns:
        return []
    docnums = [d for d, _ in docs]
    postings: dict[bytes, dict[int, list[tuple[int, int, int]]]] = {}

    def positions(text: bytes) -> dict[int, list[tuple[int, int, int]]]:
        if text not in postings:
            postings[text] = _postings(searcher, field, text, docnums)
        return postings[text]

    per_doc: dict[int, list[Span]] = {}
    for term_field, text in patterns.terms:
        if term_field == field:
            for docnum, chars in positions(text).items():
                per_doc.setdefault(docnum, []).extend((s, e) for _, s, e in chars)
    for phrase_field, words, slop in patterns.phrases:
        if phrase_field == field:
            for docnum, spans in _phrase_spans([positions(w) for w in words], slop).items():
                per_doc.setdefault(docnum, []).extend(spans)
    return [(d, score, _disjoint(per_doc[d])) for d, score in docs if d in per_doc]


def _postings(
    searcher: Searcher, field: str, text: bytes, docnums: list[int]
) -> dict[int, list[tuple[int, int, int]]]:
    """(position, start char, end char) of a term in each of the given documents that holds it."""
    if (field, text) not in searcher.reader():
        return {}
    matcher = searcher.postings(field, text)
    found = {}
    for docnum in docnums:
        if not matcher.is_active():
            break
        if matcher.id() < docnum:
            matcher.skip_to(docnum)
            if not matcher.is_active():
                break
        if matcher.id() == docnum:
            found[docnum] = matcher.value_as("characters")
    return found


def _phrase_spans(words: list[dict[int, list[tuple[int, int, int]]]], slop: int) -> dict[int, list[Span]]:
    """Spans of the phrase in each document: each word within ``slop`` positions after the previous one."""
    if not words or not all(words):
        return {}
    common = set(words[0]).intersection(*words[1:])
    found: dict[int, list[Span]] = {}
    for docnum in common:
        tables = [{pos: (s, e) for pos, s, e in w[docnum]} for w in words[1:]]
        for pos, start, end in words[0][docnum]:
            current, last_end = pos, end
            for table in tables:
                nxt = next((p for p in range(current + 1, current + slop + 1) if p in table), None)
                if nxt is None:
                    break
                current, last_end = nxt, table[nxt][1]
            else:
                found.setdefault(docnum, []).append((start, last_end))
    return found


def _disjoint(spans: list[Span]) -> list[Span]:
    """Sorted spans with those overlapping an earlier (or longer, same-start) span dropped."""
    spans.sort(key=lambda s: (s[0], -s[1]))
    kept: list[Span] = []
    for start, end in spans:
        if not kept or start >= kept[-1][1]:
            kept.append((start, end))
    return kept


def _clean_paragraphs(text: str, paragraphs: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Paragraph ranges clipped to the text (a bad range becomes empty, keeping the numbering)."""
    size = len(text)
    clean = []
    for start, end in paragraphs:
        start = min(max(0, int(start)), size)
        clean.append((start, min(max(start, int(end)), size)))
    return clean


def _replace_word(text: str, word: str, replacement: str) -> str:
    import re

    return re.sub(rf"(?<!\w){re.escape(word)}(?!\w)", replacement, text, flags=re.IGNORECASE)
