"""Plain library queries answered from Whoosh's postings with numpy: every match counted, the best scored.

Whoosh's own collector walks a matcher tree in Python, one posting at a time, and counts the total by walking
the matches a second time: 40-300 ms for a common word over 150,000 paragraphs. Here a term's postings are read
block by block (each block is one zlib-compressed pickle of delta-coded ids and weights, decoded with
``numpy.cumsum``), ``And`` / ``Or`` / ``Not`` become sorted-array intersections, unions and differences, and every
matching paragraph gets Whoosh's own BM25F score (same idf, ``B``, ``K1``, byte-quantised field lengths), so the
hits and their order are those of ``searcher.search`` with the total counted exactly.

Queries of other shapes (wildcards, fuzzy terms, ranges) return None: the caller asks Whoosh.
The readers' private layout is Whoosh 2.7's (``whoosh-reloaded==2.7.5`` is pinned): a matcher of another kind
is read through the public matcher interface instead.
"""

from __future__ import annotations

import threading
import zlib
from collections import OrderedDict
from pickle import loads
from typing import TYPE_CHECKING, Any

import numpy as np
from whoosh import query as wq
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3LeafMatcher, _lenfield
from whoosh.reading import TermNotFound
from whoosh.util.numeric import byte_to_length

if TYPE_CHECKING:
    from numpy.typing import NDArray
    from whoosh.searching import Searcher

    Ids = NDArray[np.int64]
    Scores = NDArray[np.float64]

B = 0.75  # Whoosh's BM25F defaults
K1 = 1.2
CACHE_BYTES = 16_000_000
"""Decoded postings kept per searcher, at most this many bytes (typing a query re-reads the same terms)."""
_LENGTH_TABLE = np.array([byte_to_length(b) or 0 for b in range(256)], dtype=np.float64)
_EMPTY_IDS: Ids = np.zeros(0, dtype=np.int64)
_EMPTY_SCORES: Scores = np.zeros(0, dtype=np.float64)


class PostingArrays:
    """Postings, field lengths and scores of one searcher (one commit) as arrays; thread-safe reads."""

    def __init__(self, searcher: Searcher) -> None:
        self._searcher = searcher
        self._leaves: list[tuple[Any, int]] = list(searcher.reader().leaf_readers())
        self._lengths: dict[str, NDArray[np.float64]] = {}
        self._terms: OrderedDict[tuple[str, str], tuple[Ids, NDArray[np.float64]]] = OrderedDict()
        self._cached_bytes = 0
        self._lock = threading.Lock()

    # -- evaluating a query ---------------------------------------------------------------------------
    def evaluate(self, query: wq.Query) -> tuple[Ids, Scores] | None:
        """The matching document numbers (sorted) with their BM25F scores, or None for an unsupported query."""
        if not supported(query):
            return None
        return self._evaluate(query)

    def _evaluate(self, node: wq.Query) -> tuple[Ids, Scores]:
        if isinstance(node, wq.Term):
            ids, scores = self.term_scores(node.fieldname, _text(node.text))
            return ids, scores * float(node.boost)
        if isinstance(node, wq.Or):
            return _union([self._evaluate(child) for child in node.subqueries], float(node.boost))
        if isinstance(node, wq.And):
            wanted = [c for c in node.subqueries if not isinstance(c, wq.Not)]
            unwanted = [c.query for c in node.subqueries if isinstance(c, wq.Not)]
            ids, scores = _intersection([self._evaluate(child) for child in wanted], float(node.boost))
            for child in unwanted:  # Whoosh scores a NOT as 1.0 in every document it keeps
                excluded, _ = self._evaluate(child)
                keep = ~np.isin(ids, excluded, assume_unique=True)
                ids, scores = ids[keep], scores[keep] + 1.0 * float(node.boost)
            return ids, scores
        return _EMPTY_IDS, _EMPTY_SCORES  # NullQuery

    # -- terms ----------------------------------------------------------------------------------------
    def term_scores(self, fieldname: str, text: str) -> tuple[Ids, Scores]:
        """The documents holding a term and their BM25F score for it (Whoosh's formula and idf)."""
        ids, weights = self.postings(fieldname, text)
        if not len(ids):
            return _EMPTY_IDS, _EMPTY_SCORES
        searcher = self._searcher
        idf = float(searcher.idf(fieldname, text))
        average = searcher.avg_field_length(fieldname) or 1.0
        lengths = self.field_lengths(fieldname)[ids]
        scores = idf * (weights * (K1 + 1)) / (weights + K1 * ((1 - B) + B * lengths / average))
        return ids, scores

    def postings(self, fieldname: str, text: str) -> tuple[Ids, NDArray[np.float64]]:
        """(document numbers, term frequencies) of a term in every segment, deleted documents left out."""
        key = (fieldname, text)
        with self._lock:
            cached = self._terms.get(key)
            if cached is not None:
                self._terms.move_to_end(key)
                return cached
        parts = [self._leaf_postings(reader, offset, fieldname, text) for reader, offset in self._leaves]
        parts = [part for part in parts if len(part[0])]
        if not parts:
            found: tuple[Ids, NDArray[np.float64]] = (_EMPTY_IDS, np.zeros(0))
        elif len(parts) == 1:
            found = parts[0]
        else:
            found = (np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts]))
        size = found[0].nbytes + found[1].nbytes
        with self._lock:
            if key not in self._terms and size <= CACHE_BYTES:
                self._terms[key] = found
                self._cached_bytes += size
            while self._cached_bytes > CACHE_BYTES:
                _key, (ids, weights) = self._terms.popitem(last=False)
                self._cached_bytes -= ids.nbytes + weights.nbytes
        return found

    @staticmethod
    def _leaf_postings(
        reader: Any, offset: int, fieldname: str, text: str
    ) -> tuple[Ids, NDArray[np.float64]]:
        if fieldname not in reader.schema:
            return _EMPTY_IDS, np.zeros(0)
        terms = getattr(reader, "_terms", None)
        try:
            if terms is None:  # not a segment (an empty index): its public matcher, deletions applied
                return _read_matcher(reader.postings(fieldname, text))
            btext = reader._text_to_bytes(fieldname, text)
            matcher = terms.matcher(fieldname, btext, reader.schema[fieldname].format)
        except TermNotFound:
            return _EMPTY_IDS, np.zeros(0)
        if isinstance(matcher, W3LeafMatcher):
            ids, weights = _read_blocks(matcher)
        else:
            ids, weights = _read_matcher(matcher)
        deleted = getattr(reader, "deleted_docs_set", None)
        if deleted:
            keep = ~np.isin(ids, np.fromiter(deleted, dtype=np.int64))
            ids, weights = ids[keep], weights[keep]
        return ids + offset, weights

    def field_lengths(self, fieldname: str) -> NDArray[np.float64]:
        """Every document's length in ``fieldname`` (Whoosh's byte-quantised value), by document number."""
        with self._lock:
            cached = self._lengths.get(fieldname)
        if cached is not None:
            return cached
        parts = [_leaf_lengths(reader, fieldname) for reader, _ in self._leaves]
        lengths = np.concatenate(parts) if parts else np.zeros(0)
        with self._lock:
            self._lengths[fieldname] = lengths
        return lengths


def supported(node: wq.Query) -> bool:
    """Whether a query is made only of terms, ANDs, ORs and NOTs inside an AND (what :meth:`evaluate` answers)."""
    if isinstance(node, wq.Term):
        return type(node) is wq.Term
    if type(node) is wq.Or or type(node) is wq.And:
        children = node.subqueries
        return bool(children) and all(
            supported(c.query if isinstance(c, wq.Not) and type(node) is wq.And else c) for c in children
        )
    return node is wq.NullQuery


def top(ids: Ids, scores: Scores, limit: int | None) -> NDArray[np.intp]:
    """Positions (in ``ids``) of the ``limit`` best documents, best first (ties: the lower document number
    first, as Whoosh orders them)."""
    if limit is None or limit >= len(ids):
        return np.lexsort((ids, -scores))
    best = np.argpartition(-scores, limit - 1)[:limit]
    # documents tied with the last one chosen may sit outside the partition: take them all, then sort
    chosen = np.flatnonzero(scores >= scores[best].min())
    order = np.lexsort((ids[chosen], -scores[chosen]))
    return chosen[order][:limit]


def _text(text: str | bytes) -> str:
    return text.decode("utf-8") if isinstance(text, bytes) else text


def _union(parts: list[tuple[Ids, Scores]], boost: float) -> tuple[Ids, Scores]:
    parts = [p for p in parts if len(p[0])]
    if not parts:
        return _EMPTY_IDS, _EMPTY_SCORES
    if len(parts) == 1:
        return parts[0][0], parts[0][1] * boost
    all_ids = np.concatenate([p[0] for p in parts])
    all_scores = np.concatenate([p[1] for p in parts])
    ids, inverse = np.unique(all_ids, return_inverse=True)
    scores = np.zeros(len(ids))
    np.add.at(scores, inverse, all_scores)
    return ids, scores * boost


def _intersection(parts: list[tuple[Ids, Scores]], boost: float) -> tuple[Ids, Scores]:
    if not parts:
        return _EMPTY_IDS, _EMPTY_SCORES
    parts = sorted(parts, key=lambda p: len(p[0]))  # the rarest first: every step is at most that long
    ids, scores = parts[0]
    for other_ids, other_scores in parts[1:]:
        if not len(ids):
            break
        at = np.searchsorted(other_ids, ids)
        at[at == len(other_ids)] = 0
        found = other_ids[at] == ids if len(other_ids) else np.zeros(len(ids), dtype=bool)
        ids, scores = ids[found], scores[found] + other_scores[at[found]]
    return ids, scores * boost


def _read_blocks(matcher: W3LeafMatcher) -> tuple[Ids, NDArray[np.float64]]:
    """Every block of a Whoosh 3 postings list, decoded with numpy: the blocks' values are gathered into one
    list each, then converted once; ids are delta-coded within a block (a cumulative sum over all blocks, minus
    the sum before each block)."""
    deltas: list[int] = []
    weights: list[float] = []
    lengths: list[int] = []
    postfile = matcher._postfile
    while matcher.is_active():
        start, end = matcher._dataoffset, matcher._nextoffset
        data = postfile.get(start, end - start)
        raw_ids, raw_weights, _values = loads(zlib.decompress(data) if matcher._compression else data)
        count = matcher._blocklength
        deltas.extend(raw_ids)
        lengths.append(count)
        if raw_weights is None:
            weights.extend([1.0] * count)
        elif isinstance(raw_weights, float):
            weights.extend([raw_weights] * count)
        else:
            weights.extend(raw_weights)
        matcher._next_block()
    if not deltas:
        return _EMPTY_IDS, np.zeros(0)
    ids = np.array(deltas, dtype=np.int64)
    if not matcher._byteids:
        summed = np.cumsum(ids)
        ends = np.cumsum(lengths)
        before = np.concatenate(([0], summed[ends[:-1] - 1]))  # the running sum before each block
        ids = summed - np.repeat(before, lengths)
    return ids, np.array(weights, dtype=np.float64)


def _read_matcher(matcher: Any) -> tuple[Ids, NDArray[np.float64]]:
    """Any other matcher (postings inlined in the term dictionary: a few documents), one posting at a time."""
    ids: list[int] = []
    weights: list[float] = []
    while matcher.is_active():
        ids.append(matcher.id())
        weights.append(matcher.weight())
        matcher.next()
    return np.asarray(ids, dtype=np.int64), np.asarray(weights, dtype=np.float64)


def _leaf_lengths(reader: Any, fieldname: str) -> NDArray[np.float64]:
    """A segment's field lengths: its one-byte-per-document length column, decoded through Whoosh's table."""
    count = int(reader.doc_count_all())
    perdoc = getattr(reader, "_perdoc", None)
    column = perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN) if perdoc is not None else None
    if column is None:
        return np.zeros(count)
    try:
        raw = column._dbfile.get(column._basepos, min(count, column._count))
        codes = np.frombuffer(bytes(raw), dtype=np.uint8)
    except AttributeError:
        codes = np.fromiter((column[n] for n in range(count)), dtype=np.uint8, count=count)
    if len(codes) < count:
        codes = np.concatenate([codes, np.zeros(count - len(codes), dtype=np.uint8)])
    return _LENGTH_TABLE[codes]


__all__ = ["PostingArrays", "supported", "top"]
