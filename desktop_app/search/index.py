"""Full-text search over one document: a Whoosh index of its paragraphs, plus its notes.

One Whoosh document per paragraph (cached on disk, see ``store.py``) and one per note (a small in-memory index
rebuilt by :meth:`SearchIndex.set_notes`). Hits are read from the postings' character offsets, so every hit's
``[start, end)`` is exactly the matched word(s) in the document text (a phrase hit covers the whole phrase).
This module is the search engine's whole interface: another engine (SQLite FTS5) could sit behind it.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from bisect import bisect_right
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from whoosh import query as wq

from desktop_app.search import _speedups, store
from desktop_app.search.query import (
    CONTENT,
    NOTE,
    Patterns,
    expand_query,
    loosen_phrases,
    make_schema,
    match_patterns,
    parse_query,
    query_words,
    speaker_matches,
    split_speaker_filter,
    walk,
)
from desktop_app.search.snippets import make_snippet
from desktop_app.search.vocabulary import Vocabulary

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from whoosh.index import Index
    from whoosh.matching import Matcher
    from whoosh.searching import Searcher

logger = logging.getLogger(__name__)
_speedups.install()

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
    approximate: bool = False  # `total` is an estimate (only with a limit, on very large indexes)


@dataclass(frozen=True)
class _Notes:
    """The notes as indexed: (annotation id, note text, start, end) by document number."""

    items: tuple[tuple[str, str, int, int], ...]
    index: Index
    vocabulary: Vocabulary


# A hit before its snippet is made: (start, end, note number or -1, score, paragraph or -1, matched spans in
# the note text). Tuples sort in document order (paragraph hits before a note on the same target).
_Found = tuple[int, int, int, float, int, tuple[Span, ...]]
LIMIT_MARGIN = 4  # hits located beyond the limit, so the last snippets emphasise their neighbours too
# Totals are exact up to EXACT_UP_TO paragraphs (a three-hour interview has ~350). On larger indexes (the
# benchmark's library scale: 33,600), a search with a limit extrapolates its total after these many documents:
EXACT_UP_TO = 5000
COUNT_BUDGET = 60  # documents counted after the first `limit` hits were located
SCAN_BUDGET = 600  # documents examined in all, once something was found
MAX_LIMIT = 1_000_000  # hits located per search at most (a larger limit is taken as this)


TIME_BUDGET_S = 3.0  # a query that runs longer stops and says so (the GUI's pool thread is not held for ever)
_CHECK_EVERY = 16  # documents between two looks at the clock


class SearchStopped(Exception):
    """A search ran out of time or was cancelled (``cancelled`` says which)."""

    def __init__(self, cancelled: bool) -> None:
        super().__init__("cancelled" if cancelled else "out of time")
        self.cancelled = cancelled


class _Clock:
    """A query's time budget and cancellation flag, looked at between documents."""

    def __init__(self, budget: float | None, should_stop: Callable[[], bool] | None) -> None:
        self.deadline = None if budget is None else time.monotonic() + max(0.0, budget)
        self.should_stop = should_stop
        self.ticks = 0

    def check(self) -> None:
        """Raise :class:`SearchStopped` when cancelled or past the deadline (looked at every few calls)."""
        self.ticks += 1
        if self.ticks % _CHECK_EVERY:
            return
        self.check_now()

    def check_now(self) -> None:
        if self.should_stop is not None and self.should_stop():
            raise SearchStopped(cancelled=True)
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise SearchStopped(cancelled=False)


_UNLIMITED = _Clock(None, None)


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
        self._local = threading.local()
        self._closed = False
        self._speakers: tuple[str | None, ...] = ()
        # (starts, speakers) set together, read as one by searches on workers; starts None: by paragraph
        self._speaker_map: tuple[tuple[int, ...] | None, tuple[str | None, ...]] = (None, ())
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
        speakers: Sequence[str | None] = (),
    ) -> SearchIndex:
        """Reopen ``cache_root/<sha256>-v<schema>/`` when valid, else (re)build it silently. ``speakers``:
        each paragraph's speaker (``Paragraph.speaker``), for ``speaker:Name`` filters (see ``set_speakers``)."""
        clean = _clean_paragraphs(text, paragraphs)
        opened = store.open_or_build(Path(cache_root), doc_sha256, text, clean, progress)
        index = cls(opened.index, opened.vocabulary, text, clean, opened.built, opened.folder)
        index.set_speakers(speakers)
        return index

    def set_speakers(self, speakers: Sequence[str | None], starts: Sequence[int] | None = None) -> None:
        """Each indexed paragraph's speaker (``None``: unknown), in paragraph order; ``speaker:Name`` in a
        query keeps the hits in that speaker's paragraphs. Kept beside the index, not in it: speakers come
        from the file's structure, the index from the text alone (its cache is keyed by the text).
        ``starts``: the speakers are those of paragraphs starting at these offsets (the user split turns
        since the index was built), not of the indexed paragraphs."""
        if starts is not None and len(starts) == len(speakers):
            self._speaker_map = (tuple(starts), tuple(speakers))
        else:
            self._speaker_map = (None, tuple(speakers)[: len(self._paragraphs)])
        self._speakers = self._speaker_map[1]

    @property
    def speakers(self) -> tuple[str, ...]:
        """The distinct speakers known to the index, in order of first appearance."""
        return tuple(dict.fromkeys(s for s in self._speakers if s))

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
            index = storage.create_index(make_schema(), indexname=store.INDEX_NAME)
            writer = index.writer()
            for _, text, _, _ in items:
                writer.add_document(**{NOTE: text})
            writer.commit()
            vocabulary = Vocabulary.from_texts(text for _, text, _, _ in items)
            self._notes = _Notes(items, index, vocabulary)
            self._suggest_vocabulary = self._vocabulary.merged(vocabulary)

    def search(
        self,
        query: str,
        limit: int | None = None,
        join_adjacent: bool = False,
        should_stop: Callable[[], bool] | None = None,
        budget: float | None = TIME_BUDGET_S,
    ) -> SearchResult:
        """Every occurrence matching ``query`` in document order (at most ``limit``); never raises.

        With ``join_adjacent``, different matched words with only whitespace between them are one hit
        ("open source" typed without quotes is one place to go to, not two); ``total`` then counts those
        hits (exactly when every occurrence was located, else an estimate).

        The search stops (a result with no hits and an ``error`` saying why) when ``should_stop()`` returns
        True (looked at between documents: a superseded search in the GUI) or after ``budget`` seconds.
        """
        if self._closed:
            return SearchResult(query, (), 0, None, "The search index is closed.")
        limit = None if limit is None else max(0, min(int(limit), MAX_LIMIT))
        try:
            return self._search(query, limit, join_adjacent, _Clock(budget, should_stop))
        except SearchStopped as stopped:
            if stopped.cancelled:
                return SearchResult(query, (), 0, None, "The search was cancelled.")
            return SearchResult(
                query,
                (),
                0,
                None,
                f"This search took longer than {budget:g} s and was stopped; "
                "try fewer wildcards or more specific words.",
            )
        except Exception:
            logger.exception("search failed for %r", query)
            return SearchResult(query, (), 0, None, "This query could not be run; try plain words.")

    def _search(self, query: str, limit: int | None, join_adjacent: bool, clock: _Clock) -> SearchResult:
        words, wanted = split_speaker_filter(query)
        if wanted and not any(speaker_matches(s, wanted) for s in self._speakers):
            known = ", ".join(self.speakers)
            return SearchResult(
                query,
                (),
                0,
                None,
                f"No speaker called {' or '.join(wanted)} here"
                + (f" (speakers: {known})." if known else "; this transcript names no speakers."),
            )
        parsed = parse_query(words)
        if parsed.query is None:
            return SearchResult(query, (), 0, None, parsed.error)
        want = None if limit is None or wanted else max(0, limit) + LIMIT_MARGIN
        notes = self._notes  # one snapshot: set_notes may replace it meanwhile
        found, total, approximate, has_patterns = self._find(parsed.query, want, notes, join_adjacent, clock)
        if not has_patterns:
            return SearchResult(query, (), 0, None, "Add a word to look for (NOT only excludes).")
        if wanted:
            found = [f for f in found if speaker_matches(self._speaker_of(f), wanted)]
            total, approximate = len(found), False
        found.sort()
        shown = found if limit is None else found[: max(0, limit)]
        hits = tuple(self._make_hits(shown, found, notes))
        clock.check_now()
        suggestion = self._suggest(query, clock) if total == 0 else None
        return SearchResult(query, hits, total, suggestion, None, approximate)

    def _find(
        self,
        query: wq.Query,
        want: int | None,
        notes: _Notes | None,
        join_adjacent: bool = False,
        clock: _Clock = _UNLIMITED,
    ) -> tuple[list[_Found], int, bool, bool]:
        """Occurrences in paragraphs (located: at least the first ``want``) and notes (all), the total number,
        whether it is estimated, and whether the query has anything to highlight."""
        searcher = self._searcher(self._index)
        expanded = expand_query(query, searcher.reader(), self._vocabulary, clock.check_now)
        patterns = match_patterns(expanded)
        clock.check_now()
        matches, total, approximate = _matches(
            searcher, loosen_phrases(expanded, searcher.reader()), patterns, CONTENT, want, clock
        )
        paragraphs = self._paragraphs
        found: list[_Found] = []
        for docnum, score, spans in matches:
            offset = paragraphs[docnum][0]
            joined = _join_adjacent(self._text, offset, spans) if join_adjacent else spans
            total -= len(spans) - len(joined)
            found.extend((offset + s, offset + e, -1, score, docnum, ()) for s, e in joined)
        if notes is None:
            return found, total, approximate, bool(patterns)
        searcher = self._searcher(notes.index)
        expanded = expand_query(query, searcher.reader(), notes.vocabulary, clock.check_now)
        note_patterns = match_patterns(expanded)
        note_matches, _, _ = _matches(
            searcher, loosen_phrases(expanded, searcher.reader()), note_patterns, NOTE, None, clock
        )
        for docnum, score, spans in note_matches:
            _, _, start, end = notes.items[docnum]
            found.append((start, end, docnum, score, -1, tuple(spans)))
        return found, total + len(note_matches), approximate, bool(patterns or note_patterns)

    def _speaker_of(self, found: _Found) -> str | None:
        """The speaker of the paragraph a hit is in (a note's: that of its highlight's start)."""
        paragraph = found[4]
        starts, speakers = self._speaker_map
        if starts is not None:
            paragraph = bisect_right(starts, found[0]) - 1
        elif paragraph < 0:
            paragraph = bisect_right([p[0] for p in self._paragraphs], found[0]) - 1
        return speakers[paragraph] if 0 <= paragraph < len(speakers) else None

    def _searcher(self, index: Index) -> Searcher:
        """The calling thread's searcher of ``index``: indexes are immutable in memory once built, so a searcher is
        kept per thread instead of opened per call (a searcher is not safe to share between threads)."""
        cache: dict[int, tuple[Index, Searcher]] | None = getattr(self._local, "searchers", None)
        if cache is None:
            cache = self._local.searchers = {}
        entry = cache.get(id(index))
        if entry is None or entry[0] is not index:
            if len(cache) > 3:  # old notes indexes
                cache.clear()
            entry = cache[id(index)] = (index, index.searcher())
        return entry[1]

    def _make_hits(self, shown: list[_Found], located: list[_Found], notes: _Notes | None) -> list[Hit]:
        in_text = [f for f in located if f[2] < 0]
        starts = [f[0] for f in in_text]
        ends = [f[1] for f in in_text]
        hits = []
        for start, end, note, score, paragraph, matches in shown:
            if note < 0:
                snippet, spans = make_snippet(self._text, start, end, starts, ends)
                hits.append(Hit(start, end, score, snippet, spans, paragraph))
            else:
                assert notes is not None
                note_id, note_text, _, _ = notes.items[note]
                snippet, spans = make_snippet(
                    note_text, matches[0][0], matches[0][1], [s for s, _ in matches], [e for _, e in matches]
                )
                hits.append(Hit(start, end, score, snippet, spans, -1, note_id))
        return hits

    def _suggest(self, query: str, clock: _Clock = _UNLIMITED) -> str | None:
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
        parsed = parse_query(corrected)
        if parsed.query is None or not self._find(parsed.query, 1, self._notes, False, clock)[1]:
            return None
        return corrected


def _matches(
    searcher: Searcher,
    query: wq.Query,
    patterns: Patterns,
    field: str,
    want: int | None,
    clock: _Clock = _UNLIMITED,
) -> tuple[list[tuple[int, float, list[Span]]], int, bool]:
    """(document number, score, matched spans in the field text) for the matching documents in order, until
    ``want`` spans are located (all when None); then the number of occurrences and whether it is estimated.

    Past ``want``: a query made only of terms joined by OR (a word, a wildcard, a fuzzy term) is counted from
    the terms' total frequencies; otherwise documents are counted from the postings (distinct terms never share
    a position) -- on an index of more than EXACT_UP_TO documents, at most COUNT_BUDGET of them (SCAN_BUDGET in
    all), the rest being extrapolated over the document numbers left."""
    terms = {text for term_field, text in patterns.terms if term_field == field}
    phrases = [(words, slop) for phrase_field, words, slop in patterns.phrases if phrase_field == field]
    matcher = query.matcher(searcher, searcher.context(needs_current=True))
    postings = _Postings(searcher, field, terms.union(*(words for words, _ in phrases)), matcher)
    if not postings.texts:
        return [], 0, False
    reader = searcher.reader()
    disjunction = not phrases and all(type(node) in (wq.Or, wq.DefaultOr, wq.Term) for node in walk(query))
    found: list[tuple[int, float, list[Span]]] = []
    located = counted = counted_docs = scanned = 0
    budgeted = want is not None and reader.doc_count_all() > EXACT_UP_TO
    while matcher.is_active():
        clock.check()
        docnum = matcher.id()
        scanned += 1
        if budgeted and scanned > SCAN_BUDGET and found:  # a rare match among very many candidates
            return found, round((located + counted) * reader.doc_count_all() / max(1, docnum)), True
        if want is None or located < want:
            spans = _locate(postings.at(docnum), terms, phrases)
            if spans:
                found.append((docnum, matcher.score(), spans))
                located += len(spans)
        elif disjunction:
            break
        elif budgeted and counted_docs >= COUNT_BUDGET:  # extrapolate what was seen over the documents left
            return found, round((located + counted) * reader.doc_count_all() / max(1, docnum)), True
        else:
            here = postings.at(docnum)
            if phrases:
                counted += len(_locate(here, terms, phrases))
            else:
                counted += sum(round(leaf.weight()) for text, leaf in here.items() if text in terms)
            counted_docs += 1
        matcher.next()
    if disjunction and want is not None and located >= want:
        return found, sum(reader.frequency(field, text) for text in terms if text in postings.texts), False
    return found, located + counted, False


class _Postings:
    """The postings of the highlighted terms of one field, read at the query matcher's current document.

    The query's own term matchers are used where the query has them: in Whoosh's union and intersection
    matchers a term matcher sits on the current document when its term is there, and past it (or exhausted)
    when not (``expand_query`` keeps every OR under Whoosh's 1,024 clauses, beyond which it would read ahead).
    A term the query has no matcher for (a phrase's words) or whose matcher lags behind (under ANDMAYBE) is
    read with a matcher of our own, moved forward only."""

    def __init__(self, searcher: Searcher, field: str, texts: set[bytes], matcher: Matcher) -> None:
        reader = searcher.reader()
        self.reader = reader
        self.field = field
        self.texts = {text for text in texts if (field, text) in reader}
        self._own: dict[bytes, Matcher] = {}
        self._leaves: dict[bytes, list[Matcher]] = {}  # the tree is not replaced while we walk it
        for leaf in matcher.term_matchers():
            term = leaf.term()
            if term and term[0] == field and term[1] in self.texts:
                self._leaves.setdefault(term[1], []).append(leaf)
        self._unmatched = [text for text in self.texts if text not in self._leaves]

    def at(self, docnum: int) -> dict[bytes, Matcher]:
        """Term → a matcher positioned on ``docnum``, for the terms in that document."""
        here: dict[bytes, Matcher] = {}
        lagging = []
        for text, leaves in self._leaves.items():
            for leaf in leaves:
                if not leaf.is_active():
                    continue
                current = leaf.id()
                if current == docnum:
                    here[text] = leaf
                    break
                if current < docnum:
                    lagging.append(text)
                    break
        for text in (*self._unmatched, *lagging):
            if text in here:
                continue
            own = self._own.get(text)
            if own is None:
                own = self._own[text] = self.reader.postings(self.field, text)
            if own.is_active() and own.id() < docnum:
                own.skip_to(docnum)
            if own.is_active() and own.id() == docnum:
                here[text] = own
        return here


def _locate(
    here: dict[bytes, Matcher], terms: set[bytes], phrases: list[tuple[tuple[bytes, ...], int]]
) -> list[Span]:
    """The matched spans in one document, sorted and disjoint (postings decoded only as needed)."""
    decoded: dict[bytes, list[tuple[int, int, int]]] = {}

    def chars(text: bytes) -> list[tuple[int, int, int]]:
        if text not in decoded:
            decoded[text] = here[text].value_as("characters")
        return decoded[text]

    spans = [(s, e) for text in terms if text in here for _, s, e in chars(text)]
    for words, slop in phrases:
        if all(word in here for word in words):
            if slop <= 1:
                spans.extend(_exact_phrase_spans(words, here, chars))
            else:
                spans.extend(_phrase_spans([chars(word) for word in words], slop))
    if phrases or len(here) > 1:
        return _disjoint(spans)
    return spans


def _exact_phrase_spans(
    words: tuple[bytes, ...],
    here: dict[bytes, Matcher],
    chars: Callable[[bytes], list[tuple[int, int, int]]],
) -> list[Span]:
    """Spans of a phrase of adjacent words in one document: the word least frequent there is decoded first,
    and most candidate documents are rejected before the common words are decoded at all."""
    starts: set[int] | None = None
    for i in sorted(range(len(words)), key=lambda i: here[words[i]].weight()):
        positions = {pos - i for pos, _, _ in chars(words[i])}
        starts = positions if starts is None else starts & positions
        if not starts:
            return []
    assert starts is not None
    first = {pos: start for pos, start, _ in chars(words[0])}
    last = {pos: end for pos, _, end in chars(words[-1])}
    return [(first[p], last[p + len(words) - 1]) for p in sorted(starts)]


def _phrase_spans(words: list[list[tuple[int, int, int]]], slop: int) -> list[Span]:
    """Spans of a phrase in one document, from each word's (position, start, end): each word within ``slop``
    positions after the previous one (the nearest such), found by bisection: the cost does not grow with
    ``slop``."""
    if not words or not all(words):
        return []
    tables = [sorted((pos, end) for pos, _, end in word) for word in words[1:]]
    positions = [[pos for pos, _ in table] for table in tables]
    found = []
    for pos, start, end in words[0]:
        current, last_end = pos, end
        for table, keys in zip(tables, positions, strict=True):
            i = bisect_right(keys, current)
            if i == len(keys) or keys[i] > current + slop:
                break
            current, last_end = table[i]
        else:
            found.append((start, last_end))
    return found


def _join_adjacent(text: str, offset: int, spans: Sequence[Span]) -> list[Span]:
    """Matched words with only whitespace between them become one hit ("open source" typed without quotes
    is one place in the text, not two)."""
    joined: list[Span] = []
    last_word = ""
    for start, end in sorted(spans):
        word = text[offset + start : offset + end].lower()
        if (
            joined
            and start >= joined[-1][1]
            and word != last_word
            and not text[offset + joined[-1][1] : offset + start].strip()
        ):
            joined[-1] = (joined[-1][0], end)
        else:
            joined.append((start, end))
        last_word = word
    return joined


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
    """``text`` with the whole word ``word`` (any case) replaced."""
    return re.sub(rf"(?<!\w){re.escape(word)}(?!\w)", replacement, text, flags=re.IGNORECASE)
