"""Automatic topic outline of a long interview transcript: chapters with short titles.

Pipeline (all deterministic, numpy only):
1. Words are grouped into *units* of about ``UNIT_WORDS`` words that start on sentence starts;
   section boundaries are only ever placed on unit starts, so every section starts on a sentence start.
2. Each unit becomes a TF-IDF vector over the document's content words, reduced by a truncated SVD
   (LSA), centred and normalised.
3. An optimal partition (dynamic programming) maximises within-section cohesion (mean pairwise cosine of
   the section's units) plus a bonus for sections that open with a host's topic-changing question
   ("let me ask you about ...", "speaking of ..."), minus a log-normal length prior around
   ``WORDS_PER_SECTION / granularity`` words. A spoken introduction ("... and now, dear friends, here's X")
   becomes its own short section.
4. Titles and keywords come from each section's most distinctive words and two-word phrases
   (class-based TF-IDF over the sections, with names and acronyms favoured): see ``outline_titles``.
"""

from __future__ import annotations

import bisect
import logging
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from desktop_app import outline_titles
from desktop_app.outline_titles import STOPWORDS, normalize

logger = logging.getLogger(__name__)

OUTLINE_VERSION = "1"

WORDS_PER_SECTION = 1200.0  # prior mean section length at granularity 1.0
UNIT_WORDS = 25  # minimum words per unit (units start on sentence starts)
MIN_SECTION_WORDS = 200
MAX_SECTION_FACTOR = 4.0  # longest section = factor * prior length
SHORT_TEXT_WORDS = 600  # texts shorter than this get a single section
LSA_DIMS = 96
PRIOR_WEIGHT = 1.0  # weight of the squared log-length deviation
SECTION_PENALTY = 0.0
CUE_WEIGHT = 2.0

_WORD_RE = re.compile(r"\S+")

# Host phrases that open a new topic, with their strength. Matched on normalised, lower-case words.
_CUES: tuple[tuple[str, float], ...] = (
    ("let me ask you", 1.0), ("let me ask", 0.8), ("i have to ask", 1.0), ("i gotta ask", 1.0),
    ("i got to ask", 1.0), ("i've got to ask", 1.0), ("i want to ask", 0.8), ("i wanted to ask", 0.8),
    ("i'd like to ask", 0.8), ("let's talk about", 1.0), ("let's talk", 0.7), ("can we talk about", 1.0),
    ("can you talk about", 0.7), ("i want to talk about", 0.9), ("speaking of", 1.0),
    ("switching gears", 1.0), ("switch gears", 1.0), ("change gears", 1.0), ("shifting gears", 1.0),
    ("moving on", 0.8), ("on the topic of", 1.0), ("on the question of", 0.7), ("the next question", 0.8),
    ("another question", 0.8), ("a question about", 0.7), ("tell me about", 0.7),
    ("take me through", 0.8), ("let's go to", 0.7), ("let's get into", 0.8), ("let's dive into", 0.8),
    ("let's move", 0.8), ("what do you think about", 0.6), ("what are your thoughts on", 0.6),
    ("you mentioned", 0.4), ("you've talked about", 0.5), ("you wrote", 0.4), ("what about", 0.3),
    ("big question", 0.6), ("ridiculous question", 0.8), ("let's go back", 0.5), ("back to", 0.2),
)
_CUE_WINDOW = 30  # cue must begin within this many words of the unit start

_INTRO_END = re.compile(
    r"\b(?:dear friends here's|and now here's|now dear friends here's)\b"
    r"|\b(?:how are you doing|thanks for joining|thank you for joining|welcome to the show"
    r"|welcome to the podcast|thanks for coming on|thank you for coming on)\b"
)
_INTRO_MAX_WORDS = 700


@dataclass(frozen=True)
class Section:
    """One chapter of the outline: ``[start, end)`` document offsets."""

    title: str
    start: int
    end: int
    keywords: tuple[str, ...]


# ----------------------------------------------------------------------------------------- public API

def build_outline(text: str, sentence_starts: Sequence[int], granularity: float = 1.0,
                  progress: Callable[[float], None] | None = None) -> list[Section]:
    """Split ``text`` into topical sections starting on ``sentence_starts`` (doc offsets)."""
    report = progress or (lambda _f: None)
    if not text:
        return []
    spans = [(m.start(), m.end()) for m in _WORD_RE.finditer(text)]
    if not spans:
        return [Section("Transcript", 0, len(text), ())]
    granularity = min(max(float(granularity), 0.1), 10.0)
    words = [normalize(text[a:b]) for a, b in spans]
    surface = [text[a:b] for a, b in spans]
    report(0.05)
    cand = _candidate_starts(spans, sentence_starts, len(text))
    unit_word_starts = _units(cand, len(spans))
    report(0.15)
    intro = _intro_end(words, unit_word_starts) if len(spans) >= SHORT_TEXT_WORDS else None
    word_bounds = _segment(words, unit_word_starts, intro, granularity, report)
    report(0.85)
    char_bounds = [0] + [cand[w] for w in word_bounds[1:]] + [len(text)]
    sections_words = [(word_bounds[i], word_bounds[i + 1] if i + 1 < len(word_bounds) else len(spans))
                      for i in range(len(word_bounds))]
    labels = outline_titles.label_sections(words, surface, sections_words,
                                           intro_section=intro is not None and intro in word_bounds)
    report(1.0)
    return [Section(title, char_bounds[i], char_bounds[i + 1], tuple(kws))
            for i, (title, kws) in enumerate(labels)]


def to_json(sections: Sequence[Section]) -> dict:
    """``{"sections": [{"title", "start", "end", "keywords"}]}`` for the CLI and scorers."""
    return {"sections": sections_to_cache(sections)}


def sections_to_cache(sections: Sequence[Section]) -> list[dict]:
    """Plain JSON/YAML-able records."""
    return [{"title": s.title, "start": s.start, "end": s.end, "keywords": list(s.keywords)}
            for s in sections]


def sections_from_cache(records: list[dict]) -> list[Section]:
    """Inverse of :func:`sections_to_cache`; raises ``ValueError`` on malformed records."""
    out: list[Section] = []
    for i, rec in enumerate(records):
        try:
            title, start, end = rec["title"], rec["start"], rec["end"]
            keywords = rec.get("keywords", [])
        except (KeyError, TypeError, AttributeError) as exc:
            raise ValueError(f"outline cache record {i}: missing field ({exc})") from exc
        if not isinstance(title, str) or not isinstance(start, int) or not isinstance(end, int) \
                or isinstance(start, bool) or isinstance(end, bool) or not 0 <= start <= end:
            raise ValueError(f"outline cache record {i}: bad title/start/end")
        if not isinstance(keywords, list) or not all(isinstance(k, str) for k in keywords):
            raise ValueError(f"outline cache record {i}: keywords must be a list of strings")
        out.append(Section(title, start, end, tuple(keywords)))
    return out


# ---------------------------------------------------------------------------------------- candidates

def _candidate_starts(spans: list[tuple[int, int]], sentence_starts: Sequence[int],
                      n_chars: int) -> dict[int, int]:
    """Word index -> doc offset of a sentence start at (or just before) that word."""
    word_starts = [a for a, _ in spans]
    cand: dict[int, int] = {0: 0}
    for s in sentence_starts:
        if not 0 < s < n_chars:
            continue
        w = bisect.bisect_left(word_starts, s)
        if w >= len(spans) or w == 0:
            continue
        # an offset inside a word is not a usable start; one in the blank before a word is
        if s > word_starts[w - 1] and s < spans[w - 1][1]:
            continue
        cand.setdefault(w, s)
    return cand


def _units(cand: dict[int, int], n_words: int) -> list[int]:
    """Unit start word indices: candidate starts at least ``UNIT_WORDS`` words apart."""
    out = [0]
    for w in sorted(cand):
        if w - out[-1] >= UNIT_WORDS and n_words - w >= UNIT_WORDS // 2:
            out.append(w)
    return out


def _intro_end(words: list[str], units: list[int]) -> int | None:
    """Word index where a spoken introduction ends (a unit start), if one is found."""
    head = " ".join(words[:_INTRO_MAX_WORDS])
    m = _INTRO_END.search(head)
    if not m:
        return None
    w_end = head.count(" ", 0, m.end()) + 1
    if "here's" in m.group(0):
        w_end += 2  # the guest's name
    else:
        w_end += 8  # the guest's reply to the greeting
    later = [w for w in units if w >= w_end]
    return later[0] if later and later[0] < _INTRO_MAX_WORDS + 50 else None


# -------------------------------------------------------------------------------------- segmentation

def _segment(words: list[str], units: list[int], intro: int | None, granularity: float,
             report: Callable[[float], None]) -> list[int]:
    """Section start word indices (first is 0), chosen among unit starts."""
    n_words = len(words)
    if n_words < SHORT_TEXT_WORDS or len(units) < 3:
        return [0]
    first = 0
    if intro is not None and intro in units:
        first = units.index(intro)
    feats = _unit_features(words, units)
    report(0.4)
    cues = _cue_scores(words, units)
    unit_len = np.diff(np.array(units + [n_words], dtype=np.float64))
    starts = _partition(feats[first:], unit_len[first:], cues[first:], granularity)
    bounds = [units[first + i] for i in starts]
    if first:
        bounds = [0] + bounds
    return bounds


def _unit_features(words: list[str], units: list[int]) -> np.ndarray:
    """Centred, normalised LSA vectors of the units (n_units x d)."""
    vocab: dict[str, int] = {}
    rows: list[int] = []
    cols: list[int] = []
    bounds = units + [len(words)]
    for u in range(len(units)):
        for w in words[bounds[u]:bounds[u + 1]]:
            if len(w) < 2 or w in STOPWORDS or not w[0].isalpha():
                continue
            j = vocab.setdefault(w, len(vocab))
            rows.append(u)
            cols.append(j)
    n = len(units)
    if not vocab:
        return np.zeros((n, 1))
    counts = np.zeros((n, len(vocab)), dtype=np.float32)
    np.add.at(counts, (np.array(rows), np.array(cols)), 1.0)
    df = (counts > 0).sum(axis=0)
    keep = df >= 2
    counts = counts[:, keep]
    df = df[keep]
    if counts.shape[1] == 0:
        return np.zeros((n, 1))
    idf = np.log(n / df).astype(np.float32)
    x = np.log1p(counts) * idf
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    x /= np.maximum(norms, 1e-9)
    k = min(LSA_DIMS, min(x.shape) - 1)
    if k >= 2:
        x = _truncated_svd(x, k)
    x = x - x.mean(axis=0, keepdims=True)
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return (x / np.maximum(norms, 1e-9)).astype(np.float64)


def _truncated_svd(x: np.ndarray, k: int) -> np.ndarray:
    """Rows of ``x`` projected on its top-k right singular vectors (randomised, fixed seed)."""
    rng = np.random.default_rng(12345)
    omega = rng.standard_normal((x.shape[1], min(k + 10, x.shape[1]))).astype(np.float32)
    y = x @ omega
    for _ in range(2):
        y, _r = np.linalg.qr(y)
        y = x @ (x.T @ y)
    q, _r = np.linalg.qr(y)
    b = q.T @ x
    ub, s, _vt = np.linalg.svd(b, full_matrices=False)
    return (q @ ub[:, :k]) * s[:k]


def _cue_scores(words: list[str], units: list[int]) -> np.ndarray:
    """Strength (0..1) of a topic-changing host question near each unit start."""
    out = np.zeros(len(units))
    for u, w0 in enumerate(units):
        if u == 0:
            continue
        window = " " + " ".join(words[w0:w0 + _CUE_WINDOW + 5]) + " "
        best = 0.0
        for phrase, weight in _CUES:
            pos = window.find(" " + phrase + " ")
            if pos < 0:
                continue
            at_word = window.count(" ", 0, pos)
            if at_word <= _CUE_WINDOW:
                best = max(best, weight * (1.0 - 0.5 * at_word / _CUE_WINDOW))
        out[u] = best
    return out


def _partition(feats: np.ndarray, unit_len: np.ndarray, cues: np.ndarray,
               granularity: float) -> list[int]:
    """Optimal partition of units: returns section start unit indices (first is 0)."""
    n = len(feats)
    total_words = float(unit_len.sum())
    target = WORDS_PER_SECTION / granularity
    if total_words < 1.5 * target and total_words < 2 * SHORT_TEXT_WORDS:
        return [0]
    target = min(target, total_words)
    min_words = min(MIN_SECTION_WORDS, target / 3)
    max_words = MAX_SECTION_FACTOR * target
    prefix = np.vstack([np.zeros((1, feats.shape[1])), np.cumsum(feats, axis=0)])
    cum_words = np.concatenate([[0.0], np.cumsum(unit_len)])
    best = np.full(n + 1, -np.inf)
    best[0] = 0.0
    back = np.zeros(n + 1, dtype=np.int64)
    lo = 0
    for j in range(1, n + 1):
        while cum_words[j] - cum_words[lo] > max_words and lo < j - 1:
            lo += 1
        i = np.arange(lo, j)
        seg_words = cum_words[j] - cum_words[i]
        ok = (seg_words >= min_words) | (i == 0) & (j == n)
        if j < n:
            ok &= True
        m = (j - i).astype(np.float64)
        diff = prefix[j] - prefix[i]
        sq = np.einsum("ij,ij->i", diff, diff)
        cohesion = (sq - m) / np.maximum(m, 1.0)  # = (m - 1) * mean pairwise cosine
        prior = PRIOR_WEIGHT * np.log(np.maximum(seg_words, 1.0) / target) ** 2
        score = best[i] + cohesion - prior - SECTION_PENALTY + CUE_WEIGHT * cues[i]
        score = np.where(ok, score, -np.inf)
        k = int(np.argmax(score))
        best[j] = score[k]
        back[j] = i[k]
    if not np.isfinite(best[n]):
        return [0]
    starts = []
    j = n
    while j > 0:
        starts.append(int(back[j]))
        j = int(back[j])
    return sorted(starts)
