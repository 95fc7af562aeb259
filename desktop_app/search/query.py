"""The query language: what the user typed → a Whoosh query, and which indexed words it highlights.

Plain typing finds paragraphs holding all the words, by stem ("fight" finds "fighting"); common words are
dropped from such a list when other words remain. Also: "quoted phrases" (``"a b"~3`` allows a gap), AND / OR /
NOT (upper case), wildcards ``censor*`` / ``c?t`` (matched against the words as written, so ``company*`` works
though the index holds the stem "compani"; a ``?`` that ends a word, "what is AGI?", is a question's, not a
wildcard), ``term~`` / ``term~2`` typo tolerance, ``note:`` to search notes only.
Nothing here raises on malformed input: :func:`parse_query` returns an error text instead.
"""

from __future__ import annotations

import copy
import functools
import logging
import math
import re
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

from whoosh import fields, qparser
from whoosh import query as wq
from whoosh.analysis import (
    Analyzer,
    CharsetFilter,
    LowercaseFilter,
    RegexTokenizer,
    StemFilter,
)
from whoosh.support.charset import accent_map

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence

    from whoosh.fields import Schema
    from whoosh.reading import IndexReader

    from desktop_app.search.vocabulary import Vocabulary

logger = logging.getLogger(__name__)

CONTENT = "content"  # paragraph text
NOTE = "note"  # note text
FIELDS = (CONTENT, NOTE)
MAX_QUERY_CHARS = 400
MAX_FUZZY_DISTANCE = 2
MAX_SLOP = 1000  # words between a phrase's words: more than any paragraph (one search document) holds
MAX_BOOST = 1000.0
MAX_TERMS = 1000  # expanded terms per wildcard / fuzzy term (Whoosh reads ahead in an OR of more than 1,024)

_NO_TERM = "\x00"
MIN_FUZZY_LENGTH = 3  # shorter words are matched exactly ("a~" would match every short word)
# Words dropped from a plain list of words when other words remain ("what is the metaverse" → metaverse);
# still found on their own and inside quoted phrases.
STOP_WORDS = frozenset(
    """a about all also am an and any are as at be been but by can could did do does doing done for from get got
    had has have having he her here him his how i if in into is it its just know like me mean my no not of oh
    on or our really right say said she so some than that the their them then there these they thing things
    think this those to too uh um us very was we well were what when where which who why will with would yeah
    you your""".split()
)
_STOP_STEMS: frozenset[str] | None = None


def make_analyzer() -> Analyzer:
    """Tokens with character offsets, lower-cased, accents folded, Porter-stemmed; no stop list, so every word
    (and every phrase) can be found."""
    return RegexTokenizer() | LowercaseFilter() | CharsetFilter(accent_map) | StemFilter(cachesize=100_000)


def make_schema() -> Schema:
    """Paragraph text and note text, stemmed, with positions and character offsets (nothing stored: a
    paragraph document's number is its paragraph index, a note's its position in the notes list)."""
    analyzer = make_analyzer()
    return fields.Schema(
        **{
            CONTENT: fields.TEXT(analyzer=analyzer, phrase=True, chars=True),
            NOTE: fields.TEXT(analyzer=analyzer, phrase=True, chars=True),
        }
    )


def stem_words(text: str) -> list[str]:
    """The index terms of ``text``."""
    return [token.text for token in _ANALYZER(text)]


@functools.lru_cache(maxsize=100_000)
def _word_stems(word: str) -> tuple[str, ...]:
    """The index terms of one vocabulary word (cached: wildcards expand to hundreds of words)."""
    return tuple(stem_words(word))


def stem_words_raw(text: str) -> list[str]:
    """The words of ``text`` as the index sees them before stemming (lower case, accents folded)."""
    return [token.text for token in _RAW_ANALYZER(text)]


_RAW_ANALYZER = RegexTokenizer() | LowercaseFilter() | CharsetFilter(accent_map)
_ANALYZER = make_analyzer()  # analysers are reentrant: each call makes its own token


def _stop_stems() -> frozenset[str]:
    global _STOP_STEMS
    if _STOP_STEMS is None:
        _STOP_STEMS = frozenset(stem for word in STOP_WORDS for stem in stem_words(word))
    return _STOP_STEMS


@dataclass(frozen=True)
class ParsedQuery:
    """A parsed query: ``query`` is None when there is nothing to search, and then ``error`` says why."""

    text: str
    query: wq.Query | None
    error: str | None = None


@dataclass(frozen=True)
class Patterns:
    """What to highlight: single terms, and phrases as (field, words, slop)."""

    terms: frozenset[tuple[str, bytes]]
    phrases: tuple[tuple[str, tuple[bytes, ...], int], ...]

    def __bool__(self) -> bool:
        return bool(self.terms or self.phrases)


_local = threading.local()  # a parser per thread (Whoosh's parser keeps state while parsing)


class _FuzzyWordNode(qparser.FuzzyTermPlugin.FuzzyTermNode):
    """``word~``: keeps the word as typed (lower case), not its stem: it is matched against the words as written
    (a typo distorts the stem: "fighitng" does not stem to "fight")."""

    def query(self, parser: qparser.QueryParser) -> wq.Query:
        text = "".join(stem_words_raw(self.text))
        return wq.FuzzyTerm(
            self.fieldname, text, boost=self.boost, maxdist=self.maxdist, prefixlength=self.prefixlength
        )


class _FuzzyWordPlugin(qparser.FuzzyTermPlugin):
    FuzzyTermNode = _FuzzyWordNode


def _parser() -> qparser.QueryParser:
    parser = getattr(_local, "parser", None)
    if parser is None:
        parser = qparser.MultifieldParser(list(FIELDS), make_schema(), group=qparser.AndGroup)
        for plugin in (qparser.RangePlugin, qparser.EveryPlugin, qparser.SingleQuotePlugin):
            parser.remove_plugin_class(plugin)
        parser.add_plugin(_FuzzyWordPlugin())
        _local.parser = parser
    return parser


_SPEAKER_FILTER_RE = re.compile(r'(?<!\S)speaker:(?:"([^"\n]{1,80})"|(\S{1,80}))', re.IGNORECASE)


def split_speaker_filter(text: str) -> tuple[str, tuple[str, ...]]:
    """``speaker:Sarah`` / ``speaker:"Sarah Chen"`` taken out of a query: the rest of the query and the
    speakers asked for (any of them; empty: no filter)."""
    if "speaker:" not in text.lower():
        return text, ()
    wanted = tuple(" ".join((m.group(1) or m.group(2)).split()) for m in _SPEAKER_FILTER_RE.finditer(text))
    return " ".join(_SPEAKER_FILTER_RE.sub(" ", text).split()), tuple(w for w in wanted if w)


def speaker_matches(speaker: str | None, wanted: Sequence[str]) -> bool:
    """Whether ``speaker`` is one of ``wanted``: the whole name, one of its words or its beginning, any case
    (``speaker:sarah`` finds "Sarah Chen")."""
    if not speaker:
        return False
    name = speaker.lower()
    words = name.split()
    return any(w.lower() == name or w.lower() in words or name.startswith(w.lower()) for w in wanted)


def parse_query(text: str) -> ParsedQuery:
    """Parse what the user typed (never raises)."""
    stripped = " ".join(text.split())
    if len(stripped) > MAX_QUERY_CHARS:
        logger.info("query truncated from %d characters", len(stripped))
        stripped = stripped[:MAX_QUERY_CHARS]
    parsed = _parse_normalised(_QUESTION_MARK_RE.sub("", stripped))
    return parsed if parsed.text == text else ParsedQuery(text, parsed.query, parsed.error)


_QUESTION_MARK_RE = re.compile(r"(?<=\w)\?+(?=\s|\)|$)")
"""A question mark that ends a word ("what is AGI?"): punctuation, not the one-letter wildcard (``c?t``)."""


@functools.lru_cache(maxsize=512)
def _parse_normalised(stripped: str) -> ParsedQuery:
    """Parse a whitespace-normalised query (cached: typing re-runs the same prefixes; queries are not mutated)."""
    text = stripped
    if not stripped:
        return ParsedQuery(text, None, None)
    try:
        parsed = _parser().parse(stripped)
    except Exception as exc:
        logger.info("query %r did not parse: %s", stripped, exc)
        return ParsedQuery(text, None, "This query could not be understood; try plain words.")
    if parsed is wq.NullQuery or isinstance(parsed, type(wq.NullQuery)):
        return ParsedQuery(text, None, "Type some words to search for.")
    nodes = list(walk(parsed))
    if any(isinstance(node, wq.Every) for node in nodes):
        return ParsedQuery(text, None, "Add some letters before or after the *.")
    if any(isinstance(node, wq.FuzzyTerm) and not node.text for node in nodes):
        return ParsedQuery(text, None, "Put ~ right after a word, e.g. zuckerburg~")
    return ParsedQuery(text, _bound_parameters(_drop_stop_words(parsed)))


def _bound_parameters(node: wq.Query) -> wq.Query:
    """Every number the user can type held to what makes sense: a phrase's slop to :data:`MAX_SLOP` (a paragraph
    never holds more words; ``"a b"~100000000`` would otherwise scan that many positions), a boost finite and
    within ``[0, MAX_BOOST]``, a fuzzy term's distance and prefix to the word."""

    def bound(q: wq.Query) -> wq.Query:
        changes: dict[str, object] = {}
        boost = getattr(q, "boost", 1.0)
        if not isinstance(boost, (int, float)) or not math.isfinite(boost) or not 0 <= boost <= MAX_BOOST:
            good = isinstance(boost, (int, float)) and not math.isnan(boost)
            changes["boost"] = min(max(float(boost), 0.0), MAX_BOOST) if good else 1.0
        if isinstance(q, wq.Phrase) and not 0 < q.slop <= MAX_SLOP:
            changes["slop"] = min(max(int(q.slop), 1), MAX_SLOP)
        if isinstance(q, wq.FuzzyTerm):
            if not 0 <= q.maxdist <= MAX_FUZZY_DISTANCE:
                changes["maxdist"] = min(max(int(q.maxdist), 0), MAX_FUZZY_DISTANCE)
            if not 0 <= q.prefixlength <= len(q.text):
                changes["prefixlength"] = min(max(int(q.prefixlength), 0), len(q.text))
        if not changes:
            return q
        q = copy.copy(q)
        for name, value in changes.items():
            setattr(q, name, value)
        return q

    return node.accept(bound)


def walk(node: wq.Query) -> Iterator[wq.Query]:
    """The node and all its descendants."""
    yield node
    for child in node.children():
        yield from walk(child)


def _is_stop_group(node: wq.Query) -> bool:
    """A plain word that is a common word ("the", "is"), for either field."""
    leaves = [node] if type(node) is wq.Term else list(node.children()) if type(node) is wq.Or else []
    return bool(leaves) and all(type(leaf) is wq.Term and leaf.text in _stop_stems() for leaf in leaves)


def _drop_stop_words(node: wq.Query) -> wq.Query:
    """In an AND of plain words, drop the common words when other words remain."""

    def rewrite(q: wq.Query) -> wq.Query:
        if type(q) is wq.And:
            kept = [child for child in q.subqueries if not _is_stop_group(child)]
            if kept and len(kept) < len(q.subqueries):
                return kept[0] if len(kept) == 1 else wq.And(kept, boost=q.boost)
        return q

    return node.accept(rewrite)


def expand_query(
    query: wq.Query, reader: IndexReader, vocabulary: Vocabulary, check: Callable[[], None] | None = None
) -> wq.Query:
    """Replace wildcard and fuzzy terms by the indexed terms they stand for (an Or of Terms, or a NullQuery).

    ``check`` is called before each expansion (it may raise to stop a search that ran out of time)."""

    def rewrite(q: wq.Query) -> wq.Query:
        if isinstance(q, (wq.Prefix, wq.Wildcard, wq.FuzzyTerm)) and q.fieldname in FIELDS:
            if check is not None:
                check()
            terms = _expansions(q, reader, vocabulary)
            if not terms:  # keep the AND semantics: a term that matches nothing (Whoosh drops a NullQuery)
                return wq.Term(q.fieldname, _NO_TERM, boost=q.boost)
            return wq.Or([wq.Term(q.fieldname, term) for term in sorted(terms)], boost=q.boost)
        return q

    return query.accept(rewrite)


def _expansions(q: wq.Query, reader: IndexReader, vocabulary: Vocabulary) -> set[str]:
    field = q.fieldname
    if isinstance(q, wq.FuzzyTerm):
        # the word as typed (not stemmed) against the words as written, then their stems
        maxdist = max(0, min(q.maxdist, MAX_FUZZY_DISTANCE)) if len(q.text) >= MIN_FUZZY_LENGTH else 0
        words = [q.text, *vocabulary.near(q.text, maxdist)] if maxdist else [q.text]
        prefix = q.text[: q.prefixlength]
        stems = {stem for word in words if word.startswith(prefix) for stem in _word_stems(word)}
        return {stem for stem in stems if (field, stem) in reader}
    terms: set[str] = set()
    for _, text in q.existing_terms(reader, expand=True):
        terms.add(text.decode("utf-8") if isinstance(text, bytes) else text)
        if len(terms) >= MAX_TERMS:
            return terms
    pattern = q.text + "*" if isinstance(q, wq.Prefix) else q.text
    stems = {stem for word in vocabulary.expand(pattern) for stem in _word_stems(word)}
    terms.update(stem for stem in stems - terms if (field, stem) in reader)
    return terms if len(terms) <= MAX_TERMS else set(sorted(terms)[:MAX_TERMS])


def loosen_phrases(node: wq.Query, reader: IndexReader) -> wq.Query:
    """The query with each phrase reached from the top through ORs only turned into an AND of its words.

    Whoosh's phrase matcher checks positions in every document holding all the words, which is slow for
    common words; the caller locates phrases itself and drops documents where none is found, which is exact
    for these phrases (a document matching only through such a phrase has no phrase → no hit). A phrase under
    AND or NOT keeps Whoosh's check, since there a document's match depends on it. The AND intersects the
    rarest words first (Whoosh's own order would be arbitrary)."""
    if isinstance(node, wq.Phrase):
        words = sorted(set(node.words), key=lambda word: reader.doc_frequency(node.fieldname, word))
        query: wq.Query = wq.Term(node.fieldname, words[0])
        for word in words[1:]:
            query = wq.And([query, wq.Term(node.fieldname, word)])
        return query if node.boost == 1 else wq.And([query], boost=node.boost)
    if type(node) is wq.Or:
        return wq.Or([loosen_phrases(child, reader) for child in node.subqueries], boost=node.boost)
    return node


def match_patterns(query: wq.Query) -> Patterns:
    """The terms and phrases whose occurrences are hits: everything not under a NOT."""
    terms: set[tuple[str, bytes]] = set()
    phrases: list[tuple[str, tuple[bytes, ...], int]] = []

    def collect(node: wq.Query) -> None:
        if isinstance(node, wq.Not):
            return
        if isinstance(node, wq.AndNot):
            collect(node.a)
            return
        if isinstance(node, wq.Phrase):
            words = tuple(w.encode("utf-8") if isinstance(w, str) else w for w in node.words)
            if len(words) == 1:
                terms.add((node.fieldname, words[0]))
            elif words:
                phrases.append((node.fieldname, words, max(1, node.slop)))
            return
        if type(node) is wq.Term:
            text = node.text
            terms.add((node.fieldname, text.encode("utf-8") if isinstance(text, str) else text))
            return
        for child in node.children():
            collect(child)

    collect(query)
    return Patterns(frozenset(terms), tuple(phrases))


def query_words(text: str) -> list[str]:
    """The plain words typed (no operators, fields or syntax), for suggestions."""
    words: list[str] = []
    for raw in text[:MAX_QUERY_CHARS].split():
        token = raw.strip('"()').split(":")[-1]
        if token in ("AND", "OR", "NOT", "ANDNOT", "ANDMAYBE") or any(c in token for c in "*?~^"):
            continue
        words.extend(w for w in token.lower().replace("'", " ").split() if w.isalnum())
    return words
