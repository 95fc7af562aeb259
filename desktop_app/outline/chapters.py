"""Automatic topic outline of a long interview transcript: chapters with short titles.

Pipeline (deterministic; numpy is the only dependency):
1. Words are grouped into *units* of at least ``UNIT_WORDS`` words that start on sentence starts;
   boundaries are only placed on unit starts, so every section starts on a sentence start.
2. Each unit gets two centred, normalised vectors: LSA of its TF-IDF counts (document-internal
   IDF, randomised truncated SVD), and the IDF-weighted mean of static word vectors distilled from the
   all-MiniLM-L6-v2 sentence-embedding model (``outline_vectors``; 2.6 MB, optional at run time).
3. The number of sections follows the episode's length: ``chapter_count`` =
   ``granularity * COUNT_SCALE * (words / 10,000) ** COUNT_POWER`` (about 14 chapters for 1.5 h, 18 for 3.5 h,
   as human outlines run). A dynamic programme finds the partition into that many sections maximising, per
   section, cohesion (the summed pairwise similarities of its ``m`` units divided by ``m ** COH_GAMMA``:
   ``(|sum|^2 - m) / m ** 0.7``), a bonus for opening on a likely boundary, minus a log-normal length prior.
   The bonus is the log-odds of a small logistic-regression boundary classifier over the novelty of the
   vocabulary before/after the unit start and how far it stands above its neighbours (LSA and word
   vectors, 150/300/600-word windows), learned lexical cues (naive-Bayes log-odds of the words just after
   and before a chapter start: "let's talk", "speaking of", "big question"; ``resources/models/
   outline_boundary.json``), a host's topic-changing question ("let me ask you about ...") and the first
   mentions of recurring names just after the start. A spoken introduction ("... and now, dear friends,
   here's X") becomes its own section, titled "Introduction".
4. Titles: a short phrase of the section chosen by a learned ranker, distinct within the outline;
   keywords: its most distinctive words and phrases (``outline_titles``).

Fitting and selection (``desktop_app/training/``, ``outline_split.txt``): every setting (windows, label
width, features, weights, count rule, the title ranker's form) is chosen on the 35 selection episodes with
models fitted on the 54 fitting episodes; the shipped classifier, cue table, count rule and title model are
then refitted on those 89 episodes together with the chosen settings. The 22 held-out episodes and the
development corpus are scored only, never fitted or chosen on. Figures: ``benchmarks/outline_quality.py``
and the README.
"""

from __future__ import annotations

import bisect
import hashlib
import json
import logging
import math
import re
import threading
from collections import Counter
from typing import TYPE_CHECKING

import numpy as np

from desktop_app.outline import titles as outline_titles
from desktop_app.outline import vectors as outline_vectors
from desktop_app.outline.section import Section as Section  # re-exported: the outline's sections
from desktop_app.outline.title_semantic import TitleSemantics
from desktop_app.outline.title_words import STOPWORDS, normalize
from desktop_app.paths import resource_path
from desktop_app.speakers.names import find_names

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence
    from pathlib import Path

    from desktop_app.readability.segmentation import Readable

logger = logging.getLogger(__name__)

OUTLINE_VERSION = "36"

WORDS_PER_SECTION = 1300.0  # nominal mean section length (the count itself follows chapter_count)
# Chapter count at granularity 1: COUNT_SCALE * (words / 10,000) ** COUNT_POWER, at most words / MIN_MEAN_WORDS
# (human outlines: 13-27 chapters for 1.5-3.5 h); fitted and chosen on the training corpus
# (desktop_app/training/outline_boundary.py).
COUNT_SCALE = 12.62
COUNT_POWER = 0.318
MIN_MEAN_WORDS = 500.0
UNIT_WORDS = 15  # minimum words per unit (units start on sentence starts)
MAX_UNITS = 2400  # longer texts get longer units (bounded time and memory)
MAX_TERMS = 6000  # most frequent content words used for LSA
MIN_SECTION_WORDS = 200
MAX_SECTION_FACTOR = 3.0  # longest section = factor * prior length
SHORT_TEXT_WORDS = 600  # texts shorter than this get a single section
LSA_DIMS = 64
PRIOR_WEIGHT = 1.0  # weight of the squared log-length deviation
CUE_WEIGHT = 0.5
EMBED_WEIGHT = 0.2  # share of distilled word vectors in unit similarity (cohesion; --cohesion grid)
NOVELTY_WEIGHT = 2.0
NOVELTY_WORDS = 300
COH_GAMMA = 0.7  # cohesion divides by m ** COH_GAMMA (chosen on selection: outline_boundary --cohesion)
BOUNDARY_WEIGHT = 12.0
BOUNDARY_WINDOWS: tuple[float, ...] = (100.0, 250.0, 700.0)
ONSET_WORDS = 150  # window after a unit start in which first mentions of names are counted
ONSET_MIN_COUNT = 3  # a name must recur this often in the text to count
ONSET_CAP = 5
CUE_FILE = (
    "models",
    "outline_boundary.json",
)  # learned lexical cues (desktop_app/training/outline_boundary.py)
CUE_AFTER = 15  # words after a unit start whose n-grams count as cues
CUE_BEFORE = 10  # words before it
# Logistic-regression weights of _boundary_features, fitted on the fitting and selection splits of the
# training corpus (both kinds of sentence starts) by desktop_app/training/outline_boundary.py --refit, with
# the settings it chose on the selection split; the DP adds BOUNDARY_WEIGHT * the log-odds.
BOUNDARY_COEF = np.array(
    [
        0.071,
        -0.012,
        0.099,
        0.233,
        0.181,
        0.222,
        0.083,
        -0.025,
        0.009,
        0.236,
        0.124,
        0.156,
        0.448,
        1.986,
        0.182,
    ]
)
# The same classifier's weights with the word-vector columns computed from contextual unit embeddings
# (``minilm``, ``build_outline(contextual=True)``), fitted the same way by
# desktop_app/training/outline_minilm.py --refit.
CONTEXTUAL_COEF = np.array(
    [
        0.016,
        0.010,
        -0.020,
        0.151,
        0.098,
        0.137,
        0.141,
        -0.030,
        0.157,
        0.415,
        0.177,
        0.275,
        0.412,
        1.872,
        0.161,
    ]
)

_WORD_RE = re.compile(r"\S+")

# Host phrases that open a new topic, with their strength. Matched on normalised, lower-case words.
_CUES: tuple[tuple[str, float], ...] = (
    ("let me ask you", 1.0),
    ("let me ask", 0.8),
    ("i have to ask", 1.0),
    ("i gotta ask", 1.0),
    ("i got to ask", 1.0),
    ("i've got to ask", 1.0),
    ("i want to ask", 0.8),
    ("i wanted to ask", 0.8),
    ("i'd like to ask", 0.8),
    ("let's talk about", 1.0),
    ("let's talk", 0.7),
    ("can we talk about", 1.0),
    ("can you talk about", 0.7),
    ("i want to talk about", 0.9),
    ("speaking of", 1.0),
    ("switching gears", 1.0),
    ("switch gears", 1.0),
    ("change gears", 1.0),
    ("shifting gears", 1.0),
    ("moving on", 0.8),
    ("on the topic of", 1.0),
    ("on the question of", 0.7),
    ("the next question", 0.8),
    ("another question", 0.8),
    ("a question about", 0.7),
    ("tell me about", 0.7),
    ("take me through", 0.8),
    ("let's go to", 0.7),
    ("let's get into", 0.8),
    ("let's dive into", 0.8),
    ("let's move", 0.8),
    ("what do you think about", 0.6),
    ("what are your thoughts on", 0.6),
    ("you mentioned", 0.4),
    ("you've talked about", 0.5),
    ("you wrote", 0.4),
    ("what about", 0.3),
    ("big question", 0.6),
    ("ridiculous question", 0.8),
    ("let's go back", 0.5),
    ("back to", 0.2),
)
_CUE_WINDOW = 30  # cue must begin within this many words of the unit start
_CUE_WEIGHTS = dict(_CUES)
_CUE_RE = re.compile(
    r"(?<= )(" + "|".join(re.escape(p) for p, _w in sorted(_CUES, key=lambda c: -len(c[0]))) + r")(?= )"
)

_INTRO_END = re.compile(  # the host hands over to the guest, or greets the guest after the introduction
    r"\b(?P<handover>dear friends here's|and now here's|now dear friends here's|here is my conversation with)\b"
    r"|\b(?:how are you doing|thanks for joining|thank you for joining|welcome to the show"
    r"|welcome to the podcast|thanks for coming on|thank you for coming on)\b"
)
_INTRO_MAX_WORDS = 700
_HANDOVER_MAX_WORDS = 1500  # 30 of 486 Lex openings hand over after 700 words (sponsors), 2 after 1500
# An opening that greets or names the show: a short first section there is the introduction
_GREETING = re.compile(
    r"\b(?:podcast|welcome|hello|conversation with|my guest|joining us|joining me|with me today)\b"
)
_GREETING_WORDS = 150  # the greeting lies within this many words of the start
GREETING_SECTION_WORDS = 600  # a first section this short after a greeting is titled "Introduction"


# ----------------------------------------------------------------------------------------- public API


def build_outline(
    text: str,
    sentence_starts: Sequence[int],
    granularity: float = 1.0,
    progress: Callable[[float], None] | None = None,
    snap_to: Sequence[int] = (),
    exclude_names: Sequence[str] = (),
    contextual: bool = False,
) -> list[Section]:
    """Split ``text`` into topical sections starting on ``sentence_starts`` (doc offsets); with ``snap_to``
    (the displayed sentence starts, when the units were built on other ones) each section start moves to the
    nearest of those. Words of ``exclude_names`` (the transcript's speaker names) and of the names the opening
    introduces (the host's and the guest's, ``speakers.names``: captions without speaker labels) are never
    titles or keywords. With ``contextual`` (and the bundled encoder, ``minilm``), the boundary classifier
    reads contextual unit embeddings: better chapters, about 0.25 ms per word piece (8 s for a 3-hour
    episode on one core) instead of 0.3 s in all."""
    report = progress or (lambda _f: None)
    if not text:
        return []
    spans = [(m.start(), m.end()) for m in _WORD_RE.finditer(text)]
    if not spans:
        return [Section("Transcript", 0, len(text), ())]
    granularity = min(max(float(granularity), 0.1), 10.0)
    surface = [text[a:b] for a, b in spans]
    memo: dict[str, str] = {}
    words = [memo.get(t) or memo.setdefault(t, normalize(t)) for t in surface]
    report(0.05)
    cand = _candidate_starts(spans, sentence_starts, len(text))
    unit_word_starts = _units(cand, len(spans))
    report(0.15)
    intro = _intro_end(words, unit_word_starts) if len(spans) >= SHORT_TEXT_WORDS else None
    embedded = None
    if contextual and len(spans) >= SHORT_TEXT_WORDS and len(unit_word_starts) >= 3:
        embedded = unit_embeddings(text, spans, unit_word_starts, lambda f: report(0.15 + 0.65 * f))
    word_bounds = _segment(
        words, _capitalised(surface, words), unit_word_starts, intro, granularity, report, embedded
    )
    report(0.85)
    intro_section = (intro is not None and intro in word_bounds) or _greeting_opening(words, word_bounds)
    char_bounds = [0] + [cand[w] for w in word_bounds[1:]] + [len(text)]
    if snap_to:
        char_bounds = _snap(char_bounds, sorted(snap_to))
        word_starts = [a for a, _ in spans]
        word_bounds = [bisect.bisect_left(word_starts, c) for c in char_bounds[:-1]]
    sections_words = [
        (word_bounds[i], word_bounds[i + 1] if i + 1 < len(word_bounds) else len(spans))
        for i in range(len(word_bounds))
    ]
    labels = outline_titles.label_sections(
        words,
        surface,
        sections_words,
        intro_section=intro_section,
        exclude_names=[*exclude_names, *opening_names(text)],
        semantic=_title_semantics(unit_word_starts, embedded),
    )
    report(1.0)
    return [
        Section(title, char_bounds[i], char_bounds[i + 1], tuple(kws))
        for i, (title, kws) in enumerate(labels)
    ]


def outline_of(
    text: str,
    readable: Readable,
    granularity: float = 1.0,
    progress: Callable[[float], None] | None = None,
    exclude_names: Sequence[str] = (),
    contextual: bool = False,
) -> list[Section]:
    """The outline of a segmented text, as the app shows it: units on ``readable.unit_starts()``, sections
    starting on its displayed sentences; ``exclude_names``: speaker names, never used as titles;
    ``contextual``: boundaries read contextual unit embeddings (``build_outline``)."""
    return build_outline(
        text,
        readable.unit_starts(),
        granularity,
        progress,
        snap_to=readable.sentence_starts(),
        exclude_names=exclude_names,
        contextual=contextual,
    )


def opening_names(text: str) -> list[str]:
    """The host's and the guest's names as the opening says them ("I'm Dmitry Kan", "talking to Max Irwin"):
    the people speaking, never a chapter's topic."""
    found = find_names(text)
    return [name for name in (found.host, found.guest) if name]


def to_json(sections: Sequence[Section]) -> dict:
    """``{"sections": [{"title", "start", "end", "keywords"}]}`` for the CLI and scorers."""
    return {"sections": sections_to_cache(sections)}


def sections_to_cache(sections: Sequence[Section]) -> list[dict]:
    """Plain JSON/YAML-able records."""
    return [
        {"title": s.title, "start": s.start, "end": s.end, "keywords": list(s.keywords)} for s in sections
    ]


def sections_from_cache(records: list[dict]) -> list[Section]:
    """Inverse of :func:`sections_to_cache`; raises ``ValueError`` on malformed records."""
    out: list[Section] = []
    for i, rec in enumerate(records):
        try:
            title, start, end = rec["title"], rec["start"], rec["end"]
            keywords = rec.get("keywords", [])
        except (KeyError, TypeError, AttributeError) as exc:
            raise ValueError(f"outline cache record {i}: missing field ({exc})") from exc
        if (
            not isinstance(title, str)
            or not isinstance(start, int)
            or not isinstance(end, int)
            or isinstance(start, bool)
            or isinstance(end, bool)
            or not 0 <= start <= end
        ):
            raise ValueError(f"outline cache record {i}: bad title/start/end")
        if not isinstance(keywords, list) or not all(isinstance(k, str) for k in keywords):
            raise ValueError(f"outline cache record {i}: keywords must be a list of strings")
        out.append(Section(title, start, end, tuple(keywords)))
    return out


def chapter_count(n_words: float, granularity: float = 1.0) -> int:
    """How many chapters an outline of ``n_words`` words has (before the section-length limits)."""
    if n_words < 2 * SHORT_TEXT_WORDS:
        return 1
    want = granularity * COUNT_SCALE * (n_words / 10000.0) ** COUNT_POWER
    return max(1, int(round(min(want, granularity * n_words / MIN_MEAN_WORDS))))


def _snap(bounds: list[int], targets: list[int]) -> list[int]:
    """Move each inner bound to the nearest target that lies strictly between its neighbours (a bound with
    no such target is dropped: its section joins the previous one)."""
    out = [bounds[0]]
    for k in range(1, len(bounds) - 1):
        b, lo, hi = bounds[k], out[-1], bounds[k + 1]
        i = bisect.bisect_left(targets, b)
        near = [t for t in targets[max(i - 1, 0) : i + 1] if lo < t < hi]
        if near:
            out.append(min(near, key=lambda t: abs(t - b)))
    out.append(bounds[-1])
    return out


# ---------------------------------------------------------------------------------------- candidates


def _candidate_starts(
    spans: list[tuple[int, int]], sentence_starts: Sequence[int], n_chars: int
) -> dict[int, int]:
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
    """Unit start word indices: candidate starts at least ``UNIT_WORDS`` words apart (more for very
    long texts, so that there are at most about ``MAX_UNITS`` units)."""
    size = max(UNIT_WORDS, math.ceil(n_words / MAX_UNITS))
    out = [0]
    for w in sorted(cand):
        if w - out[-1] >= size and n_words - w >= size // 2:
            out.append(w)
    return out


def _intro_end(words: list[str], units: list[int]) -> int | None:
    """Word index where a spoken introduction ends (a unit start), if one is found: a greeting within
    ``_INTRO_MAX_WORDS`` words, or the host's handover ("and now, dear friends, here's …") within
    ``_HANDOVER_MAX_WORDS`` (an introduction with sponsors' messages runs longer)."""
    head = " ".join(words[:_HANDOVER_MAX_WORDS])
    m = _INTRO_END.search(head)
    if not m:
        return None
    w_end = head.count(" ", 0, m.end()) + 1
    handover = m.group("handover") is not None
    w_end += 2 if handover else 8  # the guest's name; the guest's reply to the greeting
    limit = _HANDOVER_MAX_WORDS if handover else _INTRO_MAX_WORDS
    later = [w for w in units if w >= w_end]
    return later[0] if later and later[0] < limit + 50 else None


def _greeting_opening(words: list[str], word_bounds: list[int]) -> bool:
    """Whether the first section is a short opening that greets the listener or names the show ("hello
    there Vector Podcast is here", "welcome to our fireside chat"): an introduction, whatever it mentions."""
    first_end = word_bounds[1] if len(word_bounds) > 1 else len(words)
    if len(word_bounds) < 3 or first_end > GREETING_SECTION_WORDS:
        return False
    return _GREETING.search(" ".join(words[:_GREETING_WORDS])) is not None


# -------------------------------------------------------------------------------------- segmentation


def _capitalised(surface: list[str], words: list[str]) -> list[bool]:
    """Whether each word is a capitalised content word (a name, product or acronym in caption text)."""
    return [s[:1].isupper() and w not in STOPWORDS for s, w in zip(surface, words, strict=True)]


def _segment(
    words: list[str],
    caps: list[bool],
    units: list[int],
    intro: int | None,
    granularity: float,
    report: Callable[[float], None],
    embedded: np.ndarray | None = None,
) -> list[int]:
    """Section start word indices (first is 0), chosen among unit starts; ``embedded``: the units' contextual
    embeddings (``unit_embeddings``), read by the boundary classifier when given."""
    n_words = len(words)
    if n_words < SHORT_TEXT_WORDS or len(units) < 3:
        return [0]
    first = 0
    if intro is not None and intro in units:
        first = units.index(intro)
    blocks = _unit_features(words, units)
    report(0.82 if embedded is not None else 0.4)
    unit_len = np.diff(np.array(units + [n_words], dtype=np.float64))
    contextual = None if embedded is None else _centre_normalise(embedded.astype(np.float64))
    boost = _boundary_boost(words, caps, units, blocks, unit_len, contextual)
    starts = _partition([b[first:] for b in blocks], unit_len[first:], boost[first:], granularity)
    bounds = [units[first + i] for i in starts]
    if first:
        bounds = [0] + bounds
    return bounds


def _unit_features(words: list[str], units: list[int]) -> list[np.ndarray]:
    """Unit vectors (n_units x d), centred and normalised: LSA vectors, and distilled word-vector
    averages when the bundled vectors are available."""
    n = len(units)
    unit_of = np.repeat(np.arange(n), np.diff(np.array(units + [len(words)])))
    freq: dict[str, int] = {}
    for w in words:
        if len(w) >= 2 and w[0].isalpha() and w not in STOPWORDS:
            freq[w] = freq.get(w, 0) + 1
    terms = sorted((w for w, c in freq.items() if c >= 2), key=lambda w: (-freq[w], w))[:MAX_TERMS]
    if not terms:
        return [np.zeros((n, 1))]
    col = {w: j for j, w in enumerate(terms)}
    pos = [(i, col[w]) for i, w in enumerate(words) if w in col]
    idx = np.array(pos, dtype=np.int64)
    counts = np.zeros((n, len(terms)), dtype=np.float32)
    np.add.at(counts, (unit_of[idx[:, 0]], idx[:, 1]), 1.0)
    df = np.maximum((counts > 0).sum(axis=0), 1)
    idf = np.log(n / df).astype(np.float32)
    weights = np.log1p(counts, out=counts)
    weights *= idf
    x = weights / np.maximum(np.linalg.norm(weights, axis=1, keepdims=True), 1e-9)
    k = min(LSA_DIMS, min(x.shape) - 1)
    lsa = _truncated_svd(x, k) if k >= 2 else x
    vectors = outline_vectors.get_vectors() if EMBED_WEIGHT > 0 else None
    if vectors is None:
        return [_centre_normalise(lsa).astype(np.float64)]
    # every content word counts here (rare words carry topic too), weighted by its unit-level idf
    all_terms = sorted(freq)
    tcol = {w: j for j, w in enumerate(all_terms)}
    tok = np.array([(i, tcol[w]) for i, w in enumerate(words) if w in tcol], dtype=np.int64)
    t_unit = unit_of[tok[:, 0]]
    pairs, pair_counts = np.unique(t_unit * len(all_terms) + tok[:, 1], return_counts=True)
    p_unit, p_term = pairs // len(all_terms), pairs % len(all_terms)
    t_df = np.bincount(p_term, minlength=len(all_terms))
    t_idf = np.log(n / np.maximum(t_df, 1)).astype(np.float32)
    p_weight = np.log1p(pair_counts).astype(np.float32) * t_idf[p_term]
    tvec = vectors.matrix(all_terms)
    emb = np.zeros((n, vectors.dims), dtype=np.float32)
    np.add.at(emb, p_unit, tvec[p_term] * p_weight[:, None])
    return [_centre_normalise(lsa).astype(np.float64), _centre_normalise(emb).astype(np.float64)]


_EMBEDDED_MEMO: dict[str, np.ndarray] = {}
_EMBEDDED_LOCK = threading.Lock()
_EMBEDDED_KEEP = 2  # texts whose unit embeddings stay in memory (another granularity costs nothing then)


def unit_texts(text: str, spans: Sequence[tuple[int, int]], units: Sequence[int]) -> list[str]:
    """The text of each unit, from its first word to the next unit's first word."""
    bounds = [spans[u][0] for u in units] + [len(text)]
    return [text[bounds[i] : bounds[i + 1]] for i in range(len(units))]


def _title_semantics(unit_starts: Sequence[int], embedded: np.ndarray | None) -> TitleSemantics | None:
    """The refined titles' view of the episode: its units and their contextual embeddings, and the encoder
    for the candidate phrases; None for the first outline (no embeddings)."""
    from desktop_app.outline import minilm

    encoder = minilm.get_encoder() if embedded is not None else None
    if embedded is None or encoder is None:
        return None
    return TitleSemantics(list(unit_starts), embedded, lambda texts: encoder.embed(texts))


def unit_embeddings(
    text: str, spans: Sequence[tuple[int, int]], units: Sequence[int], report: Callable[[float], None]
) -> np.ndarray | None:
    """Contextual embeddings of the units (n_units x 384, ``minilm``), or None without the bundled encoder;
    the last texts' embeddings are kept in memory."""
    from desktop_app.outline import minilm

    key = hashlib.sha256(text.encode("utf-8", "surrogatepass") + repr(list(units)).encode()).hexdigest()
    with _EMBEDDED_LOCK:
        hit = _EMBEDDED_MEMO.get(key)
    if hit is not None:
        return hit
    encoder = minilm.get_encoder()
    if encoder is None:
        return None
    embedded = encoder.embed(unit_texts(text, spans, units), report)
    with _EMBEDDED_LOCK:
        _EMBEDDED_MEMO[key] = embedded
        while len(_EMBEDDED_MEMO) > _EMBEDDED_KEEP:
            del _EMBEDDED_MEMO[next(iter(_EMBEDDED_MEMO))]
    return embedded


def _centre_normalise(x: np.ndarray) -> np.ndarray:
    x = x - x.mean(axis=0, keepdims=True)
    return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-9)


def _truncated_svd(x: np.ndarray, k: int) -> np.ndarray:
    """Rows of ``x`` projected on its top-k right singular vectors (randomised, fixed seed).

    Orthonormalisation uses small symmetric eigenproblems instead of QR (much faster under load)."""
    rng = np.random.default_rng(12345)
    omega = rng.standard_normal((x.shape[1], min(k + 10, x.shape[1]))).astype(np.float32)
    y = _orthonormal(x @ omega)
    for _ in range(2):
        y = _orthonormal(x @ (x.T @ y))
    b = y.T @ x  # (k + 10) x V
    evals, evecs = np.linalg.eigh((b @ b.T).astype(np.float64))
    order = np.argsort(evals)[::-1][:k]
    # x ~ y b, and b's left singular vectors are evecs: x v_i = y u_i s_i
    return (y @ evecs[:, order].astype(np.float32)) * np.sqrt(np.maximum(evals[order], 0.0)).astype(
        np.float32
    )


def _orthonormal(y: np.ndarray) -> np.ndarray:
    """Columns spanning the same space as ``y``, orthonormal (via the eigenvectors of y'y)."""
    if y.size == 0:  # tiny texts: nothing to project
        return y
    evals, evecs = np.linalg.eigh((y.T @ y).astype(np.float64))
    keep = evals > evals.max() * 1e-10
    scale = evecs[:, keep] / np.sqrt(evals[keep])
    return y @ scale.astype(np.float32)


def _cue_scores(words: list[str], units: list[int]) -> np.ndarray:
    """Strength (0..1) of a topic-changing host question near each unit start."""
    out = np.zeros(len(units))
    joined = " " + " ".join(words) + " "
    word_at = np.cumsum([len(w) + 1 for w in words])  # end offset (exclusive) of each word + space
    for m in _CUE_RE.finditer(joined):
        w = int(np.searchsorted(word_at, m.start(1), side="right"))
        weight = _CUE_WEIGHTS[m.group(1)]
        lo = bisect.bisect_left(units, w - _CUE_WINDOW)
        hi = bisect.bisect_right(units, w)
        for u in range(max(lo, 1), hi):
            out[u] = max(out[u], weight * (1.0 - 0.5 * (w - units[u]) / _CUE_WINDOW))
    return out


def _boundary_boost(
    words: list[str],
    caps: list[bool],
    units: list[int],
    blocks: list[np.ndarray],
    unit_len: np.ndarray,
    contextual: np.ndarray | None = None,
) -> np.ndarray:
    """Per unit start: the DP's bonus for opening a section there (classifier log-odds; with ``contextual``
    unit embeddings, the contextual classifier's)."""
    cues = _cue_scores(words, units)
    if BOUNDARY_WEIGHT > 0:
        feats = _boundary_features(
            blocks,
            unit_len,
            cues,
            _name_onsets(words, caps, units),
            _lexical_cues(words, units, get_cue_table()),
            contextual,
        )
        coef = BOUNDARY_COEF if contextual is None else CONTEXTUAL_COEF
        return BOUNDARY_WEIGHT * (feats @ coef)
    alpha = EMBED_WEIGHT if len(blocks) > 1 else 0.0
    mixed = np.hstack([np.sqrt(1.0 - alpha) * blocks[0]] + ([np.sqrt(alpha) * blocks[1]] if alpha else []))
    return CUE_WEIGHT * cues + NOVELTY_WEIGHT * _novelty(mixed, unit_len)


def _partition(
    blocks: list[np.ndarray], unit_len: np.ndarray, boost: np.ndarray, granularity: float
) -> list[int]:
    """Optimal partition of units into ``words / target`` sections: section start unit indices.

    A section scores its cohesion (``(m - 1)`` times the mean pairwise similarity of its ``m`` units,
    mixing LSA and word-vector similarity), a bonus for opening on a host cue or a local change of
    vocabulary (novelty), and a log-normal length prior.
    """
    total_words = float(unit_len.sum())
    want = chapter_count(total_words, granularity)
    if want == 1:
        return [0]
    target = total_words / want
    alpha = EMBED_WEIGHT if len(blocks) > 1 else 0.0
    sqs, m, seg_words, src = _band_parts(blocks, unit_len, target)
    prior = PRIOR_WEIGHT * np.log(np.maximum(seg_words, 1.0) / target) ** 2
    base = np.where(src >= 0, boost[np.maximum(src, 0)], 0.0) - prior

    def cohesion(a: float, gamma: float) -> np.ndarray:
        sq = (1.0 - a) * sqs[0] + (a * sqs[1] if len(sqs) > 1 else 0.0)
        return (sq - m) / np.maximum(m, 1.0) ** gamma

    return _dp_fixed(cohesion(alpha, COH_GAMMA) + base, src, want)


def _band_parts(
    blocks: list[np.ndarray], unit_len: np.ndarray, target: float
) -> tuple[list[np.ndarray], np.ndarray, np.ndarray, np.ndarray]:
    """For sections ``[j - l, j)`` (rows j = 0..n, columns l = 1..width): squared norm of each
    block's vector sum, unit count, word count and start unit (``-1`` where not allowed)."""
    n = len(unit_len)
    min_words = min(MIN_SECTION_WORDS, target / 3)
    max_words = MAX_SECTION_FACTOR * target
    cum_words = np.concatenate([[0.0], np.cumsum(unit_len)])
    far = np.searchsorted(cum_words, cum_words - max_words, side="left")
    width = int(max(1, (np.arange(n + 1) - far).max()))
    j = np.arange(n + 1)[:, None]
    ell = np.arange(1, width + 1)[None, :]
    src = j - ell
    seg_words = np.where(src >= 0, cum_words[j] - cum_words[np.maximum(src, 0)], 0.0)
    allowed = (src >= 0) & (seg_words >= min_words) & (seg_words <= max_words)
    src = np.where(allowed, src, -1)
    sqs = []
    for feats in blocks:
        prefix = np.vstack([np.zeros((1, feats.shape[1])), np.cumsum(feats, axis=0)])
        sq = np.zeros((n + 1, width))
        for col in range(min(width, n)):
            l_ = col + 1
            diff = prefix[l_:] - prefix[:-l_]
            sq[l_:, col] = np.einsum("ij,ij->i", diff, diff)
        sqs.append(sq)
    m = np.broadcast_to(ell.astype(np.float64), src.shape)
    return sqs, m, seg_words, src


def _dp_fixed(score: np.ndarray, src: np.ndarray, k: int) -> list[int]:
    """Best partition into exactly ``k`` sections (the nearest feasible count otherwise): start units.

    ``score[j, c]`` scores the section from unit ``src[j, c]`` to ``j`` (``src < 0``: not allowed).
    """
    backs = []
    totals: dict[int, float] = {}
    for step, (total, back, alive) in enumerate(dp_rounds(score, src), start=1):
        backs.append(back)
        totals[step] = total
        if (step >= k and np.isfinite(total)) or not alive or step >= max(k, 1) + 64:
            break
    feasible = [s for s, v in totals.items() if np.isfinite(v)]
    if not feasible:
        return [0]
    return dp_starts(backs, min(feasible, key=lambda s: (abs(s - k), s)))


def dp_rounds(score: np.ndarray, src: np.ndarray) -> Iterator[tuple[float, np.ndarray, bool]]:
    """The partition recursion of ``_dp_fixed``, one round per section count k = 1, 2, …: the best total of
    k sections ending at the last unit (``-inf``: none), the back pointers of that round, and whether any
    partition into k sections is still possible (the caller stops)."""
    n = score.shape[0] - 1
    ok = src >= 0
    srcc = np.where(ok, src, 0)
    sc = np.where(ok, score, -np.inf)
    rows = np.arange(n + 1)
    prev = np.full(n + 1, -np.inf)
    prev[0] = 0.0
    while True:
        cand = prev[srcc] + sc
        arg = cand.argmax(axis=1)
        prev = cand[rows, arg]
        yield float(prev[n]), srcc[rows, arg], bool(np.isfinite(prev).any())


def dp_starts(backs: Sequence[np.ndarray], k: int) -> list[int]:
    """The start units of the best k-section partition, from the back pointers of ``dp_rounds``."""
    starts = []
    j = len(backs[0]) - 1
    for s in range(k, 0, -1):
        i = int(backs[s - 1][j])
        starts.append(i)
        j = i
    return sorted(starts)


def _name_onsets(words: list[str], caps: list[bool], units: list[int]) -> np.ndarray:
    """Per unit start: how many recurring names (words capitalised ``ONSET_MIN_COUNT`` times or more, and in
    at least half of their occurrences, so that sentence-initial capitals of cased text do not count) are
    first mentioned within the next ``ONSET_WORDS`` words, each weighted by its count (at most
    ``ONSET_CAP``); log1p, z-scored. A new topic tends to bring new people, products and places."""
    first: dict[str, int] = {}
    count: dict[str, int] = {}
    for i, (w, c) in enumerate(zip(words, caps, strict=True)):
        if c:
            first.setdefault(w, i)
            count[w] = count.get(w, 0) + 1
    total = Counter(w for w in words if w in count)
    n = len(words)
    onset = np.zeros(n + 1)
    for w, i in first.items():
        if count[w] >= ONSET_MIN_COUNT and 2 * count[w] >= total[w]:
            onset[i + 1] += min(count[w], ONSET_CAP)
    cum = np.cumsum(onset)
    u = np.array(units)
    return _zscore(np.log1p(cum[np.minimum(u + ONSET_WORDS, n)] - cum[u]))


def _boundary_features(
    blocks: list[np.ndarray],
    unit_len: np.ndarray,
    cues: np.ndarray,
    onsets: np.ndarray,
    lexical: np.ndarray | None = None,
    contextual: np.ndarray | None = None,
) -> np.ndarray:
    """Per unit start: z-scored novelty and local-peak height of novelty (LSA, then word vectors or, when
    given, the ``contextual`` unit embeddings; windows of ``BOUNDARY_WINDOWS`` words), the learned lexical
    cues (``_lexical_cues``), the host-cue strength and the name onsets; columns match ``BOUNDARY_COEF``
    (``CONTEXTUAL_COEF`` with ``contextual``)."""
    second = blocks[-1] if contextual is None else contextual
    cols = novelty_columns(blocks[0], unit_len) + novelty_columns(second, unit_len)
    cols.append(lexical if lexical is not None else np.zeros(len(unit_len)))
    cols.append(cues)
    cols.append(onsets)
    return np.stack(cols, axis=1)


def novelty_columns(
    block: np.ndarray, unit_len: np.ndarray, windows: Sequence[float] | None = None
) -> list[np.ndarray]:
    """Per window (default ``BOUNDARY_WINDOWS``, read at the call: the trainer sets it), two columns of one unit
    representation (a block): its z-scored novelty at each unit start and how far that novelty stands above
    the rest within the window (``_peak_height``)."""
    mean_len = max(float(unit_len.mean()), 1.0)
    cols = []
    for words in BOUNDARY_WINDOWS if windows is None else windows:
        nov = _novelty(block, unit_len, words)
        cols.append(_zscore(nov))
        cols.append(_zscore(_peak_height(nov, max(1, int(words / mean_len)))))
    return cols


class CueTable:
    """Learned log-odds of the words and word pairs just after (and just before) a chapter start."""

    def __init__(self, after: dict[str, float], before: dict[str, float]):
        self.after, self.before = after, before

    @classmethod
    def load(cls, path: Path) -> CueTable:
        """The cue table saved by the boundary trainer (JSON)."""
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(
            {str(k): float(v) for k, v in data["after"].items()},
            {str(k): float(v) for k, v in data["before"].items()},
        )


_cue_table: CueTable | None = None
_cue_table_failed = False
_cue_lock = threading.Lock()


def get_cue_table() -> CueTable | None:
    """The bundled cue table (loaded once), or None when it is missing or unreadable."""
    global _cue_table, _cue_table_failed
    with _cue_lock:
        if _cue_table is None and not _cue_table_failed:
            try:
                _cue_table = CueTable.load(resource_path(*CUE_FILE))
            except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
                logger.warning("outline cue table unavailable (%s)", exc)
                _cue_table_failed = True
        return _cue_table


def cue_grams(words: Sequence[str]) -> set[str]:
    """The words and adjacent word pairs of a window (the keys of a ``CueTable``)."""
    return set(words) | {a + " " + b for a, b in zip(words, words[1:], strict=False)}


def _lexical_cues(words: list[str], units: list[int], table: CueTable | None) -> np.ndarray:
    """Per unit start: summed log-odds of the n-grams in the ``CUE_AFTER`` words after it and the
    ``CUE_BEFORE`` words before it (each n-gram once per window), z-scored; zeros without a table."""
    if table is None or len(units) < 2:
        return np.zeros(len(units))
    out = np.zeros(len(units))
    for i, u in enumerate(units):
        after = cue_grams(words[u : u + CUE_AFTER])
        before = cue_grams(words[max(u - CUE_BEFORE, 0) : u])
        # fsum: exact, so the result does not depend on the (hash-seeded) order of the sets
        out[i] = math.fsum(
            [table.after.get(g, 0.0) for g in after] + [table.before.get(g, 0.0) for g in before]
        )
    out[0] = out.mean()
    return _zscore(out)


def _zscore(x: np.ndarray) -> np.ndarray:
    return (x - x.mean()) / max(float(x.std()), 1e-9)


def _peak_height(x: np.ndarray, r: int) -> np.ndarray:
    """``x`` minus the largest other value within ``r`` positions (positive at strict local peaks)."""
    n = len(x)
    pad = np.concatenate([np.full(r, -np.inf), x, np.full(r, -np.inf)])
    win = np.lib.stride_tricks.sliding_window_view(pad, 2 * r + 1)
    left = win[:, :r].max(axis=1) if r else np.full(n, -np.inf)
    right = win[:, r + 1 :].max(axis=1) if r else np.full(n, -np.inf)
    nb = np.maximum(left, right)
    return x - np.where(np.isfinite(nb), nb, x)


def _novelty(feats: np.ndarray, unit_len: np.ndarray, words: float = 0.0) -> np.ndarray:
    """1 - cosine between the ``words`` (default ``NOVELTY_WORDS``) words before and after each unit start."""
    n = len(feats)
    w = max(1, int(round((words or NOVELTY_WORDS) / max(float(unit_len.mean()), 1.0))))
    prefix = np.vstack([np.zeros((1, feats.shape[1])), np.cumsum(feats, axis=0)])
    i = np.arange(n)
    left = prefix[i] - prefix[np.maximum(i - w, 0)]
    right = prefix[np.minimum(i + w, n)] - prefix[i]
    num = np.einsum("ij,ij->i", left, right)
    den = np.linalg.norm(left, axis=1) * np.linalg.norm(right, axis=1)
    out = 1.0 - num / np.maximum(den, 1e-9)
    out[0] = 0.0
    return out
