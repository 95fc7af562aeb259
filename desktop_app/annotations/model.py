"""Annotations: the model (highlight + note + tags) and anchoring to the document text.

An annotation points at the document text through a :class:`Target`: ``[start, end)`` offsets plus the quoted
text (``exact``) and up to 32 characters of context on each side. When the text changes (the transcript was
edited or replaced on disk), :func:`anchor` finds the quote again:

1. the old offsets, if ``exact`` is still there (status ``exact``);
2. otherwise every occurrence of the quote as the same normalised words (lowercase, punctuation and
   spacing ignored, via an inverted index of the text's words), scored by how well the prefix/suffix words
   match and by the distance from the old position (status ``moved``; score 1.0 if the characters are
   identical, 0.9 if only the words are);
3. if there is none, or only in a foreign context, an approximate word alignment that tolerates small
   edits: the quote's rarest words vote for a position, difflib aligns the best few (``moved``, score < 0.9);
4. otherwise the annotation is an **orphan**: kept, listed, never dropped.

No Qt here.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from bisect import bisect_left, bisect_right
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from enum import Enum
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from desktop_app.annotations.colors import COLOR_KEYS

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from difflib import Match

logger = logging.getLogger(__name__)


def new_id() -> str:
    """A fresh annotation id (a uuid4; :mod:`uuid` is imported on first use, it costs start-up time)."""
    import uuid

    return str(uuid.uuid4())


CONTEXT_CHARS = 32

# A word: word characters, possibly joined by punctuation without spaces ("it's", "GPT-4", "cursor.com",
# "$3,500" -> "3,500"); dashes, ellipses and slashes separate words. Compared without the punctuation.
_WORD_RE = re.compile(r"\w+(?:[^\w\s\u2014\u2013\u2026/]+\w+)*")
_NON_WORD_RE = re.compile(r"[\W_]+")
_SINGLE_CHAR_RE = re.compile(r"\w")
_FUZZY_MIN_WORD_RATIO = 0.5  # share of the quote's words found in order
_FUZZY_MIN_CHAR_RATIO = 0.7  # similarity of the normalised strings (unless nearly all words are found)
_FUZZY_SURE_WORD_RATIO = 0.8
_TRUSTED_CONTEXT = 1.5  # of 2: an exact occurrence with a context this good is taken without a fuzzy search
_COMMON_WORD_LIMIT = 300  # words more frequent than this do not vote in the fuzzy search
_MAX_VOTERS = 12  # the quote's rarest words vote for where it lies
_MAX_RAW_OCCURRENCES = 2000
_SHORTLIST = 100  # candidates scored in full for a very frequent quote


class AnchorStatus(str, Enum):
    """Where an annotation stands against the current text (runtime only, never saved)."""

    EXACT = "exact"  # the stored offsets still hold the quote
    MOVED = "moved"  # found elsewhere (exactly, as the same words, or approximately)
    ORPHAN = "orphan"  # not found: kept and listed, never dropped


# --------------------------------------------------------------------------------------------- time stamps


def utc_now() -> str:
    """The current UTC time as ISO 8601 with a ``Z`` (milliseconds when non-zero)."""
    return format_timestamp(datetime.now(timezone.utc))


def format_timestamp(moment: datetime) -> str:
    """``2026-11-29T10:15:00Z`` (``.123`` milliseconds added when non-zero); naive times are taken as UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    moment = moment.astimezone(timezone.utc)
    millis = moment.microsecond // 1000
    base = moment.strftime("%Y-%m-%dT%H:%M:%S")
    return f"{base}.{millis:03d}Z" if millis else f"{base}Z"


def parse_timestamp(value: str | datetime) -> datetime:
    """A timezone-aware UTC datetime from an ISO 8601 string (``Z`` or offset) or a datetime.

    Raises ValueError for anything else.
    """
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str):
        text = value.strip()
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        moment = datetime.fromisoformat(text)
    else:
        raise ValueError(f"not a timestamp: {value!r}")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


# --------------------------------------------------------------------------------------------- model


@dataclass(frozen=True)
class Target:
    """What an annotation points at: ``[start, end)`` in the document text, the quote and its context."""

    start: int
    end: int
    exact: str
    prefix: str = ""
    suffix: str = ""
    extra: dict[str, Any] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class Annotation:
    """One highlight with an optional note and tags.

    ``extra`` holds fields this version does not know (kept on rewrite); ``status`` is the runtime anchoring
    state and is never saved. Instances are immutable: use :meth:`edited` or ``dataclasses.replace``.
    """

    id: str
    color: str
    created: str
    updated: str
    target: Target
    note: str = ""
    tags: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict, compare=False)
    status: AnchorStatus = field(default=AnchorStatus.EXACT, compare=False)

    @classmethod
    def create(
        cls,
        text: str,
        start: int,
        end: int,
        color: str = COLOR_KEYS[0],
        note: str = "",
        tags: Iterable[str] = (),
        now: str | None = None,
    ) -> Annotation:
        """A new annotation (fresh uuid4) on ``text[start:end]``."""
        stamp = now or utc_now()
        return cls(
            id=new_id(),
            color=color,
            created=stamp,
            updated=stamp,
            target=make_target(text, start, end),
            note=note,
            tags=normalize_tags(tags),
        )

    def edited(self, now: str | None = None, **changes: Any) -> Annotation:
        """A copy with ``changes`` applied (e.g. ``note=``, ``tags=``, ``color=``) and ``updated`` bumped."""
        if "tags" in changes:
            changes["tags"] = normalize_tags(changes["tags"])
        return dataclasses.replace(self, updated=now or utc_now(), **changes)

    @property
    def start(self) -> int:
        """Document offset where the highlighted words start."""
        return self.target.start

    @property
    def end(self) -> int:
        """Document offset just past the highlighted words."""
        return self.target.end

    @property
    def is_orphan(self) -> bool:
        """Whether the quote is no longer found in the text."""
        return self.status is AnchorStatus.ORPHAN


@dataclass(frozen=True)
class Tombstone:
    """A deleted annotation's id and when it was deleted; kept so that a merge does not resurrect it."""

    id: str
    deleted: str


def normalize_tags(tags: Iterable[str]) -> tuple[str, ...]:
    """Stripped, non-empty, de-duplicated tags in their first order."""
    seen: dict[str, None] = {}
    for tag in tags:
        clean = str(tag).strip()
        if clean and clean not in seen:
            seen[clean] = None
    return tuple(seen)


def make_target(text: str, start: int, end: int) -> Target:
    """The target for ``text[start:end]`` with 32 characters of context each side.

    Raises ValueError for an empty or out-of-range span.
    """
    if not 0 <= start < end <= len(text):
        raise ValueError(f"bad span [{start}, {end}) for a text of {len(text)} characters")
    return Target(
        start=start,
        end=end,
        exact=text[start:end],
        prefix=text[max(0, start - CONTEXT_CHARS) : start],
        suffix=text[end : end + CONTEXT_CHARS],
    )


# --------------------------------------------------------------------------------------------- anchoring


@dataclass(frozen=True)
class AnchorResult:
    """Where a target lies in the current text. Orphans get an empty span at the clamped old start."""

    start: int
    end: int
    status: AnchorStatus
    score: float = 1.0  # 1.0 for the exact quote; lower for approximate matches; 0.0 for orphans


@dataclass(frozen=True)
class _WordIndex:
    """The text's normalised words with their character spans and an inverted index."""

    words: list[str]
    starts: list[int]
    ends: list[int]
    positions: dict[str, list[int]]


@lru_cache(maxsize=4)
def _word_index(text: str) -> _WordIndex:
    words: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    positions: dict[str, list[int]] = {}
    for number, match in enumerate(_WORD_RE.finditer(text)):
        word = _normal(match.group())
        words.append(word)
        starts.append(match.start())
        ends.append(match.end())
        positions.setdefault(word, []).append(number)
    return _WordIndex(words, starts, ends, positions)


def normalized_words(text: str) -> list[str]:
    """Lowercase word tokens: what the fuzzy anchoring (and the re-anchoring benchmark) compares."""
    return [_normal(match.group()) for match in _WORD_RE.finditer(text)]


def _normal(word: str) -> str:
    return _NON_WORD_RE.sub("", word).lower()


@dataclass(frozen=True)
class _Quote:
    """The target's quote as normalised tokens, with flags for a first/last word cut mid-word."""

    tokens: list[str]
    partial_first: bool
    partial_last: bool
    lead: str  # non-word characters before the first token
    trail: str  # non-word characters after the last token
    before: list[str]  # context words (prefix), nearest last
    after: list[str]  # context words (suffix), nearest first

    def matches(self, j: int, word: str) -> bool:
        token = self.tokens[j]
        first = j == 0 and self.partial_first
        last = j == len(self.tokens) - 1 and self.partial_last
        if first and last:
            return token in word
        if first:
            return word.endswith(token)
        if last:
            return word.startswith(token)
        return word == token


def _is_word_char(char: str) -> bool:
    return bool(_SINGLE_CHAR_RE.match(char))


def _quote(target: Target) -> _Quote:
    exact = target.exact
    matches = list(_WORD_RE.finditer(exact))
    tokens = [_normal(m.group()) for m in matches]
    lead = exact[: matches[0].start()] if matches else exact
    trail = exact[matches[-1].end() :] if matches else ""
    partial_first = bool(matches) and matches[0].start() == 0 and _is_word_char(target.prefix[-1:])
    partial_last = bool(matches) and matches[-1].end() == len(exact) and _is_word_char(target.suffix[:1])
    before = normalized_words(target.prefix)
    after = normalized_words(target.suffix)
    # The context is cut at 32 characters: its outermost word is probably partial.
    if len(target.prefix) >= CONTEXT_CHARS and before and _is_word_char(target.prefix[0]):
        before = before[1:]
    if len(target.suffix) >= CONTEXT_CHARS and after and _is_word_char(target.suffix[-1]):
        after = after[:-1]
    if partial_first and before:
        before = before[:-1]
    if partial_last and after:
        after = after[1:]
    return _Quote(tokens, partial_first, partial_last, lead, trail, before, after)


def anchor(text: str, target: Target, expected: int | None = None) -> AnchorResult:
    """Find ``target`` in ``text`` (see the module docstring for the order of attempts).

    ``expected``: where the quote probably starts now (e.g. the old start plus the shift of its neighbours);
    defaults to the old start. Ties go to the candidate nearest to it; the fuzzy search always looks there.
    """
    if 0 <= target.start < target.end <= len(text) and text[target.start : target.end] == target.exact:
        return AnchorResult(target.start, target.end, AnchorStatus.EXACT)
    if not target.exact:
        return _orphan(text, target)
    index = _word_index(text)
    quote = _quote(target)
    near = target.start if expected is None else expected
    candidates = _exact_candidates(text, target, index, quote, near)
    if candidates:
        best = _best(text, target, index, quote, candidates, near)
        if _context_score(index, best, quote) >= _TRUSTED_CONTEXT:
            return _result(best)
    # No exact occurrence, or only ones in a foreign context (the quote's own place may have been edited).
    candidates += _fuzzy_candidates(text, index, quote, near)
    if candidates:
        return _result(_best(text, target, index, quote, candidates, near))
    return _orphan(text, target)


def _shortlist(index: _WordIndex, near: int, quote: _Quote, starts: list[int]) -> list[int]:
    """For a quote found hundreds of times ("the", "you know"): the occurrences (word indices) whose
    neighbouring word matches the context, plus the nearest to the old position."""
    if len(starts) <= _SHORTLIST:
        return starts
    n = len(quote.tokens)
    before = quote.before[-1] if quote.before else None
    after = quote.after[0] if quote.after else None
    words = index.words
    keep = [
        s
        for s in starts
        if (before is not None and s > 0 and words[s - 1] == before)
        or (after is not None and s + n < len(words) and words[s + n] == after)
    ]
    nearest = sorted(starts, key=lambda s: abs(index.starts[s] - near))[: _SHORTLIST // 2]
    return sorted(set(keep[:_SHORTLIST] + nearest))


def _result(cand: _Candidate) -> AnchorResult:
    return AnchorResult(cand.start, cand.end, AnchorStatus.MOVED, cand.quality)


def anchor_annotations(text: str, annotations: Sequence[Annotation]) -> list[Annotation]:
    """Anchor every annotation on ``text``: moved ones get a fresh target, orphans keep theirs.

    ``updated`` is not bumped (re-anchoring is not a user edit). Returns new objects with ``status`` set,
    in the given order. Taken in text order, each annotation first tries the shift of the previous one
    (text inserted or removed earlier in the document moves everything after it by the same amount).
    """
    result: list[Annotation] = list(annotations)
    shift = 0
    for number in sorted(range(len(result)), key=lambda k: result[k].target.start):
        item = result[number]
        found = (_shifted(text, item.target, shift) if shift else None) or anchor(
            text, item.target, item.target.start + shift
        )
        if found.status is AnchorStatus.MOVED:
            shift = found.start - item.target.start
            target = dataclasses.replace(make_target(text, found.start, found.end), extra=item.target.extra)
            result[number] = dataclasses.replace(item, target=target, status=found.status)
        else:
            result[number] = dataclasses.replace(item, status=found.status)
    moved = sum(1 for a in result if a.status is AnchorStatus.MOVED)
    orphans = sum(1 for a in result if a.status is AnchorStatus.ORPHAN)
    if moved or orphans:
        logger.info("anchored %d annotations: %d moved, %d orphans", len(result), moved, orphans)
    return result


def _shifted(text: str, target: Target, shift: int) -> AnchorResult | None:
    """The target moved by ``shift`` characters, if quote and full context are all still there."""
    start, end = target.start + shift, target.end + shift
    if start < len(target.prefix) or end + len(target.suffix) > len(text):
        return None
    if (
        text[start:end] == target.exact
        and text[start - len(target.prefix) : start] == target.prefix
        and text[end : end + len(target.suffix)] == target.suffix
    ):
        return AnchorResult(start, end, AnchorStatus.MOVED)
    return None


def _orphan(text: str, target: Target) -> AnchorResult:
    spot = min(max(target.start, 0), len(text))
    return AnchorResult(spot, spot, AnchorStatus.ORPHAN, 0.0)


@dataclass(frozen=True)
class _Candidate:
    start: int
    end: int
    first_word: int  # word index of the first covered word (for context scoring)
    last_word: int  # word index after the last covered word
    quality: float  # 1.0 raw exact, 0.9 same words, lower for approximate


def _exact_candidates(
    text: str, target: Target, index: _WordIndex, quote: _Quote, near: int
) -> list[_Candidate]:
    """Occurrences of the quote as the same normalised words (quality 1.0 where the characters are
    identical too, else 0.9); a raw substring search only for quotes without words."""
    found: dict[int, _Candidate] = {}
    if quote.tokens:
        n = len(quote.tokens)
        for first in _shortlist(index, near, quote, _word_sequence_starts(index, quote)):
            cand = _word_span(text, index, quote, first, first + n, 0.9)
            if text[cand.start : cand.end] == target.exact:
                cand = dataclasses.replace(cand, quality=1.0)
            found.setdefault(cand.start, cand)
        return list(found.values())
    pos = text.find(target.exact)
    while pos != -1 and len(found) < _MAX_RAW_OCCURRENCES:
        end = pos + len(target.exact)
        found[pos] = _Candidate(pos, end, bisect_right(index.ends, pos), bisect_left(index.starts, end), 1.0)
        pos = text.find(target.exact, pos + 1)
    return list(found.values())


def _word_sequence_starts(index: _WordIndex, quote: _Quote) -> list[int]:
    """Word indices where the quote's normalised tokens occur in sequence."""
    tokens = quote.tokens
    n = len(tokens)
    full = [
        j
        for j in range(n)
        if not (j == 0 and quote.partial_first) and not (j == n - 1 and quote.partial_last)
    ]
    if full:
        pivot = min(full, key=lambda j: len(index.positions.get(tokens[j], ())))
        starts: Iterable[int] = (p - pivot for p in index.positions.get(tokens[pivot], ()))
    else:
        starts = range(len(index.words) - n + 1)
    words = index.words
    result = []
    for s in starts:
        if s < 0 or s + n > len(words):
            continue
        if all(quote.matches(j, words[s + j]) for j in range(n)):
            result.append(s)
    return result


def _word_span(
    text: str, index: _WordIndex, quote: _Quote, first: int, stop: int, quality: float
) -> _Candidate:
    """The character span of words ``[first, stop)``, trimmed for partial words, widened for edge punctuation."""
    start = index.starts[first]
    end = index.ends[stop - 1]
    if quote.partial_first and index.words[first].endswith(quote.tokens[0]):
        start = max(
            start, _last_chars_start(text, index.starts[first], index.ends[first], len(quote.tokens[0]))
        )
    if quote.partial_last and index.words[stop - 1].startswith(quote.tokens[-1]):
        end = min(
            end, _first_chars_end(text, index.starts[stop - 1], index.ends[stop - 1], len(quote.tokens[-1]))
        )
    if quote.lead and text[max(0, start - len(quote.lead)) : start] == quote.lead:
        start -= len(quote.lead)
    if quote.trail and text[end : end + len(quote.trail)] == quote.trail:
        end += len(quote.trail)
    if start >= end:  # partial-word arithmetic went wrong (case mapping changed lengths): whole words
        start, end = index.starts[first], index.ends[stop - 1]
    return _Candidate(start, end, first, stop, quality)


def _last_chars_start(text: str, start: int, end: int, count: int) -> int:
    """Where the last ``count`` letters/digits of ``text[start:end]`` begin (punctuation not counted)."""
    pos = end
    while pos > start and count > 0:
        pos -= 1
        if text[pos].isalnum():
            count -= 1
    return pos


def _first_chars_end(text: str, start: int, end: int, count: int) -> int:
    """Where the first ``count`` letters/digits of ``text[start:end]`` end."""
    pos = start
    while pos < end and count > 0:
        if text[pos].isalnum():
            count -= 1
        pos += 1
    return pos


def _fuzzy_candidates(text: str, index: _WordIndex, quote: _Quote, near: int) -> list[_Candidate]:
    """Approximate matches: rare quote words vote for alignments, difflib checks the best few."""
    tokens = quote.tokens
    n = len(tokens)
    if n < 2:
        return []
    frequency = {j: len(index.positions.get(tokens[j], ())) for j in range(n)}
    ranked = sorted((j for j in range(n) if frequency[j]), key=frequency.__getitem__)
    voters = [j for j in ranked if frequency[j] <= _COMMON_WORD_LIMIT] or ranked[:3]
    votes: Counter[int] = Counter()
    for j in voters[:_MAX_VOTERS]:
        for p in index.positions[tokens[j]]:
            votes[p - j] += 1
    tolerance = max(5, n // 3)
    keys = sorted(votes)
    totals: list[tuple[int, int]] = []
    for key, _ in votes.most_common(20):
        lo, hi = bisect_left(keys, key - tolerance), bisect_right(keys, key + tolerance)
        totals.append((sum(votes[k] for k in keys[lo:hi]), key))
    totals.sort(reverse=True)
    expected_word = min(bisect_left(index.starts, near), max(len(index.words) - 1, 0))
    result: dict[tuple[int, int], _Candidate] = {}
    for key in [*(key for _total, key in totals[:5]), expected_word]:  # always look where it is expected
        cand = _align(text, index, quote, key, tolerance)
        if cand is not None:
            result.setdefault((cand.start, cand.end), cand)
    return list(result.values())


def _align(text: str, index: _WordIndex, quote: _Quote, key: int, tolerance: int) -> _Candidate | None:
    lo = max(0, key - tolerance)
    hi = min(len(index.words), key + len(quote.tokens) + tolerance)
    window = index.words[lo:hi]
    from difflib import SequenceMatcher  # imported on first use: it costs start-up time

    matcher = SequenceMatcher(None, quote.tokens, window, autojunk=False)
    blocks = _trim_stray_blocks([b for b in matcher.get_matching_blocks() if b.size])
    matched = sum(b.size for b in blocks)
    if not blocks or matched / len(quote.tokens) < _FUZZY_MIN_WORD_RATIO:
        return None
    first, stop = _extend_edges(
        index,
        quote,
        lo + blocks[0].b,
        lo + blocks[-1].b + blocks[-1].size,
        blocks[0].a,
        len(quote.tokens) - blocks[-1].a - blocks[-1].size,
    )
    found = index.words[first:stop]
    similarity = 2 * matched / (len(quote.tokens) + len(found))  # word level
    if matched / len(quote.tokens) < _FUZZY_SURE_WORD_RATIO:
        similarity = SequenceMatcher(None, " ".join(quote.tokens), " ".join(found)).ratio()  # character level
        if similarity < _FUZZY_MIN_CHAR_RATIO:
            return None
    start, end = index.starts[first], index.ends[stop - 1]
    return _Candidate(start, end, first, stop, 0.8 * similarity)


def _trim_stray_blocks(blocks: list[Match]) -> list[Match]:
    """Drop a short matching run at either edge that sits further from the rest in the text than in the
    quote (a common word matched a few words past the real end)."""
    while len(blocks) > 1:
        last, prev = blocks[-1], blocks[-2]
        gap = (last.b - prev.b - prev.size) - (last.a - prev.a - prev.size)
        if last.size > 1 or gap < 3:
            break
        blocks.pop()
    while len(blocks) > 1:
        first, nxt = blocks[0], blocks[1]
        gap = (nxt.b - first.b - first.size) - (nxt.a - first.a - first.size)
        if first.size > 1 or gap < 3:
            break
        blocks.pop(0)
    return blocks


def _extend_edges(
    index: _WordIndex, quote: _Quote, first: int, stop: int, head: int, tail: int
) -> tuple[int, int]:
    """Widen a fuzzy match over quote words replaced at its edges (``head``/``tail`` unmatched words),
    unless the context shows they were deleted (the context word sits right next to the match)."""
    words = index.words
    if head and first - head >= 0:
        deleted = bool(quote.before) and first > 0 and words[first - 1] == quote.before[-1]
        if not deleted:
            first -= head
    if tail and stop + tail <= len(words):
        deleted = bool(quote.after) and stop < len(words) and words[stop] == quote.after[0]
        if not deleted:
            stop += tail
    return first, stop


def _context_score(index: _WordIndex, cand: _Candidate, quote: _Quote) -> float:
    """0..2: the share of prefix words found just before and of suffix words found just after."""
    score = 0.0
    if quote.before:
        near = index.words[max(0, cand.first_word - len(quote.before) - 2) : cand.first_word]
        score += _overlap(quote.before, near)
    else:
        score += 1.0 if cand.first_word == 0 else 0.5
    if quote.after:
        near = index.words[cand.last_word : cand.last_word + len(quote.after) + 2]
        score += _overlap(quote.after, near)
    else:
        score += 1.0 if cand.last_word >= len(index.words) else 0.5
    return score


def _overlap(expected: list[str], found: list[str]) -> float:
    pool = set(found)
    return sum(1 for word in expected if word in pool) / len(expected)


def _best(
    text: str, target: Target, index: _WordIndex, quote: _Quote, cands: list[_Candidate], near: int
) -> _Candidate:
    size = max(len(text), 1)

    def score(cand: _Candidate) -> float:
        value = _context_score(index, cand, quote) + cand.quality
        if target.prefix and text[max(0, cand.start - len(target.prefix)) : cand.start] == target.prefix:
            value += 0.25
        if target.suffix and text[cand.end : cand.end + len(target.suffix)] == target.suffix:
            value += 0.25
        return value - 0.5 * min(1.0, abs(cand.start - near) / size)

    return max(cands, key=score)
