"""Fit the outline's boundary classifier on the fitting split and choose its settings on the selection split.

Training time only (not imported by the app); needs ``/work/shared`` (development machines only).

1. **Data** (``outline_data``): the training corpus split by fixed rules into 54 fitting, 35 selection (called
   "validation" in the code and the split file) and 22 held-out episodes; the held-out part and the
   development corpus (six episodes) are scored by ``benchmarks/outline_quality.py`` only, never here.
2. **Fitting**: for every unit start of every fitting episode (units built on the true sentence starts, when
   the episode's punctuation is usable, and on the app's own segmenter), ``chapters._boundary_features``
   gives z-scored novelty and local-peak heights (LSA and word vectors, three windows), the host-cue strength
   the onset of recurring names and the learned lexical cues (naive-Bayes log-odds of the words just after and
   before a chapter start, ``resources/models/outline_boundary.json``, learned out of fold); the label says whether a human chapter starts within ``label`` words.
   An L2-regularised logistic regression (numpy, Newton steps) gives the coefficients.
3. **Selection** on the validation split only (app pipeline: units on the app's sentence starts, section
   starts snapped to the displayed ones), by mean Pk - 0.5 F1@150 (Pk alone favours too few
   chapters): the feature windows, the label width and the feature
   set (stage 1), then the classifier's weight in the dynamic programme, the length-prior weight and the
   chapter-count rule (stage 2). The count rule ``COUNT_SCALE * (words / 10,000) ** COUNT_POWER`` has its
   power fitted on the fitting split's human counts (log-log least squares) and its scale chosen.
4. Prints selection figures (Pk, WD, F1@150) for the shipped settings and the chosen ones,
   and an even-split baseline with the same count; writes the chosen constants into ``chapters.py`` unless
   ``--dry-run``. Re-run whenever the readability segmenter changes:

    python -m desktop_app.training.outline_boundary [--dry-run] [--quick]

The shipped settings and models (session 8): the grid ``--l2 1,100,1000 --cue-min 4,8 --dry-run`` chose
windows (100, 250, 700), label ±40, all features, L2 1, cue minimum 4, weight 12, prior 1, scale x0.95; then

    python -m desktop_app.training.outline_boundary --quick --windows 100,250,700 --refit

Session 9 re-ran that refit on the current segmentation (``readability-13``, the wider sentence tagger;
``--weights 12 --priors 1 --scales 0.95`` keep the chosen settings): coefficients within 0.001 of the shipped
ones, the same cue n-grams with slightly different weights, the same count rule, so the shipped model was
kept. The "selection, shipped coef, fit cues" line puts the shipped coefficients with the fitting split's cue
table (as every other line uses), "selection, shipped (in-sample)" is the model as the app runs it.

``--l2`` and ``--cue-min`` add the classifier's L2 weight and the cue table's minimum count (how many chapter
starts an n-gram must begin to count; higher keeps fewer, less episode-specific cues) to stage 1. ``--refit``
then fits the final cue table, classifier and count rule on the fitting *and* selection splits together with
the settings chosen on selection (windows, label width, features, L2, cue minimum, DP weight, length prior,
count scale factor): more episodes to learn from, nothing chosen on the refitted data; the selection figures it
prints afterwards are in-sample.

``--fit-share 0.5`` fits on that share of the fitting episodes (a learning curve: would more episodes help?).

**Speaker turns** (session 9; tried, not shipped). ``--features`` names the feature sets stage 1 compares
(``--quick``: at the windows given), ``--stage1 W,P,F`` the DP weight, length prior and count-scale factor it
compares them at (default 1,1,1), ``--weights`` / ``--priors`` / ``--scales`` narrow the stage-2 grid. Besides
the app's 15 columns the trainer computes four speaker-turn columns from each episode's paragraphs and the
speakers the app infers for them (``outline_data.paragraphs``, cached; ``speaker_turns``, ``turn_features``):
how near a host turn starts (within ``TURN_NEAR`` words), that times the log length of the host turn and of
the guest's answer before it, and how near a guest turn starts. They are predictive on their own (52 % of
human chapter starts lie within 10 words of a host-turn start, against 10 % of random places), but with the
novelty and cue features the classifier gains nothing: on selection (fitting-split models, weight 12, prior 1,
scale x0.95; log ``s9-bound-stage1-final.log``) the app's columns give Pk 0.323, F1@150 0.558; with host
nearness Pk 0.321, F1 0.548 (objective Pk - 0.5 F1@150 +0.004 on average, 15 episodes better, 18 worse); with
host nearness and lengths 0.326 / 0.548 (+0.008, 14/21); with all four 0.332 / 0.535 (+0.021, 12/23). The app therefore has no turn columns; ``write_settings`` refuses a classifier that uses
them. Also tried on selection and dropped (scripts and logs in the session-9 notes): a fixed bonus for host
nearness in the DP (all weights worse), nearness x novelty / x lexical-cue interactions (worse), units that
also start on every speaker change (objective -0.0014 on average, but 14 better / 18 worse), moving each
section start to a host-turn start within 20 words (-0.0002, 22 better / 12 worse: within the noise, and
boundary F1 within 30 words unchanged), and a chapter count that also depends on the host-turn rate, the
host's share of words or the guest's words per turn (log-linear fits on the fitting split: none lowered the
selection split's count error; Vector Podcast episodes are undercounted by about 10 % in both splits
whatever the predictor).

**A count from the episode's own boundary evidence** (session 12; tried, not shipped; ``outline_count``, results
in its docstring): the penalised dynamic programme (best total for every count, minus a price per section),
the sum of the classifier's probabilities, the number of its peaks, and log-linear rules with those or the raw
novelty, all on this trainer's reference (objective 0.0435). None correlates with the human count beyond length
(partial correlations on the fitting split -0.30 to +0.06, mostly negative). On selection the DP and blended
counts are worse at their best constants (0.050-0.061, 9-11 better / 16-21 worse) and within the refit noise
over three fits; the log-linear rules give 0.041-0.057 (the best, raw novelty, -0.002 with 13 better / 10 worse
and a larger count error: noise); none lowers the count error (0.198). Even the human count itself gains only
0.009 on the full fit (18 better / 16 worse; 0.011-0.036 over three fits).

**Classifier family and context** (session 10; tried, not shipped). ``--classifiers`` compares classifiers on
the selection split at the ``--stage1`` settings and every ``--weights`` value, each against the first named
(per episode), and prints only: ``lr`` (the app's logistic regression), ``mlpH`` (one tanh hidden layer of H
units, standardised inputs, full-batch Adam, ``MLP_STEPS`` steps, L2 ``MLP_L2``; ``--seeds`` of them), with
``+shiftK`` (the 15 columns of the K neighbouring units on each side), ``+peakN`` (each column minus its
largest value at the other units within N words: "the strongest point around") and ``+l2=X``.
``--resamples R`` refits everything on R bootstrap resamples of the fitting episodes (by episode) and
summarises the paired objective changes. That matters: the reference model alone, refitted on resamples, moves
the selection objective from 0.0435 to 0.048-0.063, so one fitted model's difference of +-0.01 is mostly luck
(and the shipped DP weight, prior and scale were chosen for the shipped model on this split). Results (weight
12, prior 1, scale x0.95, label +-40; objective Pk - 0.5 F1@150, lower is better; reference ``lr`` 0.0435 =
Pk 0.323, F1@150 0.558; scratch scripts and logs ``s10-bound-*`` in the session-10 notes):

- neighbouring units, ``lr+shift1``: 0.0535 (13 better / 22 worse), L2 100 0.0526; ``+shift2`` 0.066-0.071;
  paired over six resamples +0.009 (``shift1``) and +0.006 (``shift2``, L2 100). Worse at weights 6, 8 and 16 too.
- local peaks, ``lr+peakN``: N 50 words +0.006 paired (worse), N 200 -0.003 (neutral); N 100 with L2 100 the
  best-looking: -0.007 paired over five fits (four better, but the full fit +0.002, 17/18), at its re-checked
  DP weight 8 objective 0.0387 against 0.0435 but 16 better / 19 worse, median +0.0017 (a few episodes carry
  the mean), and its neighbours in the grid (L2 10: +0.006, L2 1000: -0.002, weight 10: 0.0485) disagree: noise,
  not shipped. The peak of the reference model's own log-odds as one extra column (100 or 200 words): +0.003 and
  +0.009 paired.
- labels on the single unit nearest each chapter start (so that context could learn "the peak"): 0.060-0.080 with
  or without context columns; a listwise loss (softmax over the units within 300 words of each chapter start):
  0.064-0.077 at weights 6-16.
- one hidden layer (8, 16 or 32 tanh units, L2 1e-3, three seeds each): held-out log loss on selection 0.1823
  against 0.1830 (the partial dependences are the logistic regression's lines, except the host-cue column,
  which saturates), but objective 0.070-0.074 at weight 12 (7-8 better / 19-21 worse), 0.057-0.058 at weights
  4-8; paired over six resamples +0.014 (weight 12), +0.008 (weight 8, with or without ``shift1``). With L2 1e-2
  (``mlp16+l2=0.01``, two seeds, identical): 0.0603 (11 better / 16 worse; log ``s10-bound-trainer.log``).
  Blends with the logistic regression (a quarter, a half) are worse too (0.050, 0.056).

So the boundary classifier is not where the outline loses: the DP calibration (item 3 of the session-10 brief)
was therefore not re-tuned, since it was to be re-tuned only for a new classifier.

**A supervised representation for the novelty** (session 10; tried, not shipped). ``--metric`` learns, on
the fitting split, a projection ``W`` (128 x k) of the word-vector block so that the cosine of the summed,
projected unit vectors of the ``METRIC_PAIR_WINDOWS`` (100 and 250 words) before and after a unit start is high
when the whole span lies in one human chapter and low when a chapter starts within 40 words of it
(``metric_pairs``; logistic link ``a + b cos`` on the cosine centred per episode and window, classes weighted
equally, ``METRIC_NEGATIVES`` same-chapter pairs per chapter start, L2 on ``W - I``, full-batch Adam;
``fit_projection``), recomputes the six word-vector novelty / peak columns on ``block @ W`` (replacing them, or
as six extra columns with ``+extra``), refits the logistic regression and compares on selection against the
app's columns at the same DP weight (``metric_grid``; ``--seeds``, ``--resamples`` as for ``--classifiers``).
The fitting rows' projected columns come from projections fitted on the other ``METRIC_FOLDS`` folds (as the
cue table): with in-sample projections (and the pooled loss) the classifier over-trusts the new columns (k128,
L2 0.01: objective 0.078-0.101 against 0.0435, 8-13 better / 22-27 worse). Results (weight 12, prior 1, scale
x0.95, label +-40; logs ``s10-metric-*`` in the session-10 notes): the projection separates the pairs better
on selection (mean per-episode pair AUC 0.668 raw, 0.683 with L2 0.03, 0.694 with L2 0.01, 0.674 with L2 0.1),
but the outline does not improve:

- replacing the columns: L2 0.1 objective 0.0496 (3 better / 5 worse), L2 0.03 0.0482 (weight 12) and
  0.0467 (weight 16; the reference at 16: 0.0589), L2 0.01 0.0537 (12 better / 18 worse); a loss pooled over
  episodes (``+pooled``, cosines not centred) 0.0602 (13 / 18);
- as extra columns (``+extra``, L2 0.01): 0.0534 (11 better / 20 worse);
- over two fits (the full fitting split and one bootstrap resample, ``W`` refitted), L2 0.03 against the
  reference at the same weight: +0.009 at weight 8, -0.001 at weight 12 (+0.005, -0.006), -0.008 at weight 16
  (-0.012, -0.005); each side at its best weight: +0.003 (full fit: 0.0467 against 0.0435) and -0.003
  (resample: 0.0613 against 0.0642): within the refit noise;
- the trainer run ``--quick --windows 100,250,700 --stage1 12,1,0.95 --metric k128+l2=0.01+steps=150,
  k128+l2=0.03+steps=150 --seeds 2 --weights 12,16`` (log ``s10-metric-trainer.log``; the seeds agree within
  0.001): L2 0.01 0.0537 / 0.0549 at weight 12 (12 better / 18 worse), 0.0499 / 0.0509 at weight 16; L2 0.03
  0.0482 at weight 12 (8 / 8, the rest unchanged), 0.0466-0.0467 at weight 16 (14-15 better / 4-5 worse against
  the reference at weight 16, 0.0589). The projected columns make the outline less sensitive to the DP weight,
  but each one's best weight still favours the reference (0.0435 at weight 12 against 0.0466-0.0499).

So a chapter-aware metric on the word vectors moves the pair separation by a few AUC points and the outline
not at all (a better ranking of window pairs within an episode does not place the DP's starts better; the
host and lexical cues carry more of the classifier's weight than each novelty column). Nothing shipped.

``--cohesion`` only grid-searches the two constants of the DP's section cohesion (the word vectors' share of
the unit similarity, ``EMBED_WEIGHT``, and the exponent of the section size it is divided by,
``COH_GAMMA``) on the selection split with the shipped classifier, cue table and settings (nothing refitted),
by the same objective; it prints the grid and the best pair and writes nothing.
"""

from __future__ import annotations

import argparse
import bisect
import contextlib
import importlib.util
import io
import itertools
import json
import logging
import math
import os
import re
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from typing import TYPE_CHECKING, Any

from desktop_app.outline import chapters as outline
from desktop_app.outline.title_words import normalize
from desktop_app.paths import resource_path
from desktop_app.training import outline_data

if TYPE_CHECKING:
    from collections.abc import Sequence
    from types import ModuleType

logger = logging.getLogger(__name__)

OUTLINE_PY = Path(outline.__file__)
L2 = 1.0
WINDOW_SETS = ((150.0, 300.0, 600.0), (100.0, 250.0, 700.0))
LABEL_WIDTHS = (40, 80)
# feature subsets (columns of _boundary_features: 12 novelty/peak columns, learned lexical cues, host cue, onsets;
# then this trainer's speaker-turn columns (turn_features, not in the app: compared on selection, never chosen):
# host turn near, x its log length, x the log length of the guest's turn before it, guest turn near)
FEATURE_SETS = {
    "all": list(range(15)),
    "no-lexical": list(range(12)) + [13, 14],
    "no-onsets": list(range(14)),
    "host-near": list(range(16)),
    "host-turns": list(range(18)),
    "turns": list(range(19)),
}
STAGE1_SETS = ("all", "no-lexical", "no-onsets")  # stage 1 without --quick (or --features)
N_APP_FEATURES = 15  # the columns the app computes (BOUNDARY_COEF)
N_FEATURES = 19
TURN_NEAR = (
    20  # words: a speaker turn starting this close to a unit start counts (turn features fade linearly)
)
N_TURN_FEATURES = N_FEATURES - N_APP_FEATURES
LEXICAL_COL = 12
CUE_FOLDS = 4
CUE_MIN_COUNT = 4  # the shipped cue table's minimum count (``--cue-min`` compares others on selection)
CUE_SMOOTH = 0.5
WEIGHTS = (3.0, 4.0, 6.0, 8.0, 12.0)
PRIOR_WEIGHTS = (1.0, 2.0, 4.0)
SCALE_FACTORS = (0.85, 0.9, 0.95, 1.0)
COUNT_TOLERANCE = 0.1  # the chosen count rule gives 0.9-1.1 times the human chapter count on validation
# ``--cohesion``: the DP's section cohesion, word-vector share (``EMBED_WEIGHT``) x size exponent (``COH_GAMMA``)
COH_EMBED_SHARES = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6)
COH_GAMMAS = (0.5, 0.6, 0.7, 0.8, 0.9)


def load_scorer() -> ModuleType:
    spec = importlib.util.spec_from_file_location("outline_eval", outline_data.SCORER)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


class Episode:
    """One episode prepared as ``build_outline`` would, up to the boundary features (one kind of starts)."""

    def __init__(self, ep: dict, mode: str, table: outline.CueTable | None):
        text = ep["text"]
        self.slug, self.mode, self.text = ep["slug"], mode, text
        self.spans = [(m.start(), m.end()) for m in re.finditer(r"\S+", text)]
        surface = [text[a:b] for a, b in self.spans]
        self.words = [normalize(t) for t in surface]
        starts = ep["truth_starts"] if mode == "truth" else ep["units"]
        self.snap_to = sorted(ep["display"]) if mode == "app" else []
        self.cand = outline._candidate_starts(self.spans, starts, len(text))
        self.units = outline._units(self.cand, len(self.words))
        self.intro = outline._intro_end(self.words, self.units)
        self.blocks = outline._unit_features(self.words, self.units)
        # the word-vector block (``--metric`` learns a projection of it); None without the bundled vectors
        self.embed: np.ndarray | None = self.blocks[-1] if len(self.blocks) > 1 else None
        self.unit_len = np.diff(np.array(self.units + [len(self.words)], dtype=np.float64))
        self.cues = outline._cue_scores(self.words, self.units)
        self.onsets = outline._name_onsets(self.words, outline._capitalised(surface, self.words), self.units)
        self.lexical = outline._lexical_cues(self.words, self.units, table)
        self.turn_words = turn_words(speaker_turns(outline_data.paragraphs(ep)), self.spans)
        self.turns = turn_features(self.turn_words, self.units)
        self.chapters, self.titles = outline_data.chapters(ep)
        self._feats: dict[tuple[float, ...], np.ndarray] = {}

    def features(self, windows: tuple[float, ...]) -> np.ndarray:
        """The app's boundary features for ``windows`` followed by the speaker-turn columns (``N_FEATURES``)."""
        if windows not in self._feats:
            saved = outline.BOUNDARY_WINDOWS
            outline.BOUNDARY_WINDOWS = windows
            try:
                app = outline._boundary_features(
                    self.blocks, self.unit_len, self.cues, self.onsets, self.lexical
                )
                self._feats[windows] = np.hstack([app, self.turns])
            finally:
                outline.BOUNDARY_WINDOWS = saved
        return self._feats[windows]

    def labels(self, width: int) -> np.ndarray:
        u = np.array(self.units)
        y = np.zeros(len(u))
        for c in self.chapters[1:]:
            y[np.abs(u - c) <= width] = 1.0
        return y

    def set_cues(self, table: outline.CueTable | None) -> None:
        """Swap the learned lexical cues (feature column ``LEXICAL_COL``) for those of ``table``."""
        self.lexical = outline._lexical_cues(self.words, self.units, table)
        for feats in self._feats.values():
            feats[:, LEXICAL_COL] = self.lexical

    def light(self) -> None:
        """Drop what only the dynamic programme needs (fitting episodes; the word-vector block is kept in
        single precision for ``--metric``)."""
        self.blocks = []
        if self.embed is not None:
            self.embed = self.embed.astype(np.float32)

    def word_starts(self, boost: np.ndarray, granularity: float = 1.0) -> list[int]:
        """Section start word indices, as ``build_outline`` places them for this boost."""
        first = self.units.index(self.intro) if self.intro is not None and self.intro in self.units else 0
        idx = outline._partition(
            [b[first:] for b in self.blocks], self.unit_len[first:], boost[first:], granularity
        )
        bounds = [self.units[first + i] for i in idx]
        if first:
            bounds = [0] + bounds
        return self._snapped(bounds)

    def even_starts(self, granularity: float = 1.0) -> list[int]:
        """Baseline: the same chapter count, sections of equal length (on unit starts)."""
        k = outline.chapter_count(float(len(self.words)), granularity)
        u = np.array(self.units)
        picks = sorted({int(u[np.abs(u - i * len(self.words) / k).argmin()]) for i in range(k)} | {0})
        return self._snapped(picks)

    def _snapped(self, bounds: list[int]) -> list[int]:
        chars = [0] + [self.cand[w] for w in bounds[1:]] + [len(self.text)]
        if self.snap_to:
            chars = outline._snap(chars, self.snap_to)
        starts = [a for a, _ in self.spans]
        return [bisect.bisect_left(starts, c) for c in chars[:-1]]


def speaker_turns(paragraphs: Sequence[tuple[int, int, str | None]]) -> list[tuple[int, int, bool]]:
    """The speaker turns ``(start, end, is_host)`` of paragraphs ``(start, end, speaker)`` in text order:
    consecutive paragraphs of one speaker form one turn. The host is whichever of the two speakers with the
    most turns says fewer words (the interviewer asks, the guest answers). Empty when fewer than two
    speakers are known; unlabelled paragraphs join the turn before them."""
    runs: list[list] = []
    for start, end, speaker in paragraphs:
        if speaker is None and runs:
            runs[-1][1] = end
        elif speaker is not None and runs and runs[-1][2] == speaker:
            runs[-1][1] = end
        elif speaker is not None:
            runs.append([start, end, speaker])
    count = Counter(r[2] for r in runs)
    if len(count) < 2:
        return []
    chars: Counter[str] = Counter()
    for start, end, speaker in runs:
        chars[speaker] += end - start
    top = sorted(count, key=lambda sp: (-count[sp], sp))[:2]
    host = min(top, key=lambda sp: (chars[sp], sp))
    return [(start, end, speaker == host) for start, end, speaker in runs]


def turn_words(
    turns: Sequence[tuple[int, int, bool]], spans: list[tuple[int, int]]
) -> list[tuple[int, int, bool]]:
    """``turns`` in word indices ``(first word, end word, is_host)``, empty turns dropped."""
    word_starts = [a for a, _ in spans]
    out = []
    for start, end, host in turns:
        a, b = bisect.bisect_left(word_starts, start), bisect.bisect_left(word_starts, end)
        if b > a:
            out.append((a, b, host))
    return out


def turn_features(turns: Sequence[tuple[int, int, bool]], units: list[int]) -> np.ndarray:
    """Per unit start (word indices): how near a host turn starts (``1 - d / TURN_NEAR``, 0 beyond), that
    nearness times the log length of that host turn and times the log length of the guest's turn before it,
    and how near any guest turn starts. All zeros without turns (files whose speakers are unknown)."""
    out = np.zeros((len(units), N_TURN_FEATURES))
    if not turns or not units:
        return out
    u = np.array(units, dtype=np.float64)
    for host in (True, False):
        idx = [i for i, t in enumerate(turns) if t[2] == host]
        if not idx:
            continue
        starts = np.array([turns[i][0] for i in idx], dtype=np.float64)
        pos = (
            np.clip(np.searchsorted(starts, u), 1, len(starts)) if len(starts) > 1 else np.zeros(len(u), int)
        )
        left = np.maximum(pos - 1, 0)
        right = np.minimum(pos, len(starts) - 1)
        nearest = np.where(np.abs(starts[left] - u) <= np.abs(starts[right] - u), left, right)
        near = np.maximum(0.0, 1.0 - np.abs(starts[nearest] - u) / TURN_NEAR)
        if not host:
            out[:, 3] = near
            continue
        own = np.array([math.log1p(turns[i][1] - turns[i][0]) for i in idx])
        before = np.array(
            [
                math.log1p(turns[i - 1][1] - turns[i - 1][0]) if i > 0 and not turns[i - 1][2] else 0.0
                for i in idx
            ]
        )
        out[:, 0] = near
        out[:, 1] = near * own[nearest]
        out[:, 2] = near * before[nearest]
    out[0] = 0.0
    return out


def cue_sample(raw: dict) -> tuple[list[set[str]], list[set[str]], int]:
    """The (after, before) n-gram sets of each unit start of an episode (app's starts), and its label:
    1 for the unit start nearest each human chapter start, 0 for those farther than 40 words from all,
    -1 (unused) between."""
    words = [normalize(t) for t in raw["text"].split()]
    spans = [(m.start(), m.end()) for m in re.finditer(r"\S+", raw["text"])]
    units = outline._units(outline._candidate_starts(spans, raw["units"], len(raw["text"])), len(words))
    u = np.array(units)
    lab = np.zeros(len(units), dtype=int)
    chapters, _t = outline_data.chapters(raw)
    for c in chapters[1:]:
        lab[np.abs(u - c) <= 40] = -1
    for c in chapters[1:]:
        lab[int(np.abs(u - c).argmin())] = 1
    lab[0] = -1
    after = [outline.cue_grams(words[x : x + outline.CUE_AFTER]) for x in units]
    before = [outline.cue_grams(words[max(x - outline.CUE_BEFORE, 0) : x]) for x in units]
    return after, before, lab  # type: ignore[return-value]


def learn_cues(samples: list[tuple], min_count: int = CUE_MIN_COUNT) -> outline.CueTable:
    """Naive-Bayes log-odds of each n-gram at chapter starts against other unit starts (smoothed, n-grams
    seen at ``min_count`` chapter starts or more)."""
    tables = []
    for side in (0, 1):
        pos: dict[str, int] = {}
        neg: dict[str, int] = {}
        n_pos = n_neg = 0
        for sample in samples:
            for grams, lab in zip(sample[side], sample[2], strict=True):
                if lab < 0:
                    continue
                target = pos if lab == 1 else neg
                if lab == 1:
                    n_pos += 1
                else:
                    n_neg += 1
                for g in grams:
                    target[g] = target.get(g, 0) + 1
        table = {}
        for g, c in pos.items():
            if c >= min_count:
                lo = np.log((c + CUE_SMOOTH) / (n_pos + 1)) - np.log(
                    (neg.get(g, 0) + CUE_SMOOTH) / (n_neg + 1)
                )
                table[g] = round(float(np.clip(lo, -3, 3)), 3)
        tables.append(table)
    return outline.CueTable(tables[0], tables[1])


def fit(x: np.ndarray, y: np.ndarray, l2: float = L2, steps: int = 30) -> np.ndarray:
    """Logistic regression by Newton steps; returns weights with the bias last."""
    xb = np.hstack([x, np.ones((len(x), 1))])
    w = np.zeros(xb.shape[1])
    reg = l2 * np.r_[np.ones(len(w) - 1), 0.0]
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-xb @ w))
        grad = xb.T @ (p - y) + reg * w
        hess = (xb * (p * (1 - p))[:, None]).T @ xb + np.diag(reg)
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return w


def score(ep: Episode, starts: list[int], scorer: ModuleType) -> dict:
    ref = {"chapters": [{"title": t, "word_index": w} for t, w in zip(ep.titles, ep.chapters, strict=True)]}
    pred = {"sections": [{"title": "x", "start": ep.spans[w][0], "end": 0} for w in starts]}
    for i, sec in enumerate(pred["sections"]):
        sec["end"] = pred["sections"][i + 1]["start"] if i + 1 < len(starts) else len(ep.text)
    with contextlib.redirect_stderr(io.StringIO()):
        return scorer.evaluate(ref, pred, scorer.WordIndex(ep.text))


def mean_scores(
    eps: list[Episode], coef: np.ndarray, scorer: ModuleType, weight: float, windows: tuple[float, ...]
) -> dict:
    return boost_scores(eps, [weight * (ep.features(windows) @ coef) for ep in eps], scorer)


def boost_scores(eps: list[Episode], boosts: list[np.ndarray], scorer: ModuleType) -> dict:
    """Mean Pk, WindowDiff, F1@150 and count ratio of the sections the DP places for these per-unit boosts,
    with the per-episode objectives."""
    rows = []
    for ep, boost in zip(eps, boosts, strict=True):
        rows.append(score(ep, ep.word_starts(boost), scorer) | {"human": len(ep.chapters)})
    out: dict[str, Any] = {k: float(np.mean([r[k] for r in rows])) for k in ("pk", "windowdiff", "f1@150")}
    out["count_ratio"] = float(np.mean([r["pred_sections"] / r["human"] for r in rows]))
    out["objectives"] = [objective(r) for r in rows]  # per episode, for robustness checks
    return out


def compare(rows: list[float], reference: list[float], name: str) -> str:
    """Per-episode comparison of two lists of objectives (lower is better)."""
    delta = np.array(rows) - np.array(reference)
    return (
        f"per episode vs {name} (objective Pk - 0.5 F1@150): {int((delta < -1e-9).sum())} better, "
        f"{int((delta > 1e-9).sum())} worse, median {float(np.median(delta)):+.4f}, mean {float(delta.mean()):+.4f}"
    )


def objective(r: dict) -> float:
    """What selection minimises: Pk alone rewards too few chapters, so boundary F1@150 counts too."""
    return r["pk"] - 0.5 * r["f1@150"]


def baseline(eps: list[Episode], scorer: ModuleType) -> dict:
    rows = [score(ep, ep.even_starts(), scorer) for ep in eps]
    return {k: float(np.mean([r[k] for r in rows])) for k in ("pk", "windowdiff", "f1@150")}


def fmt(name: str, r: dict) -> str:
    extra = f" count/human {r['count_ratio']:.2f}" if "count_ratio" in r else ""
    return f"{name:34} Pk {r['pk']:.3f} WD {r['windowdiff']:.3f} F1@150 {r['f1@150']:.3f}{extra}"


def count_power(slugs: list[str]) -> tuple[float, float]:
    """Least-squares fit of log(human chapters) on log(words / 10,000) over the fitting episodes."""
    n, c = [], []
    for s in slugs:
        ep = outline_data.load(s)
        n.append(len(ep["offsets"]) / 10000.0)
        c.append(len(ep["truth"]["chapter_starts"]))
    b, a = np.polyfit(np.log(n), np.log(c), 1)
    return float(b), float(np.exp(a))


@dataclass
class Settings:
    windows: tuple[float, ...]
    weight: float
    prior: float
    scale: float
    power: float


def apply(s: Settings) -> None:
    outline.BOUNDARY_WINDOWS = s.windows
    outline.BOUNDARY_WEIGHT = s.weight
    outline.PRIOR_WEIGHT = s.prior
    outline.COUNT_SCALE = s.scale
    outline.COUNT_POWER = s.power


def fitting_episodes(
    slugs: list[str], samples: list[tuple], min_count: int, windows: list[tuple[float, ...]]
) -> list[Episode]:
    """The fitting episodes of ``slugs`` (both kinds of sentence starts where the punctuation is usable),
    each with lexical cues from a table learned on the other folds (out of fold), features computed for
    every window set of ``windows``."""
    fold_tables = [
        learn_cues([x for j, x in enumerate(samples) if j % CUE_FOLDS != k], min_count)
        for k in range(CUE_FOLDS)
    ]
    eps: list[Episode] = []
    for i, slug in enumerate(slugs):
        raw = outline_data.load(slug)
        for mode in ("truth", "app") if raw["truth"].get("sentence_truth", True) else ("app",):
            ep = Episode(raw, mode, fold_tables[i % CUE_FOLDS])
            for w in windows:
                ep.features(w)
            ep.light()
            eps.append(ep)
    return eps


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dry-run", action="store_true", help="print the settings, do not write chapters.py")
    ap.add_argument("--quick", action="store_true", help="stage 2 only (shipped windows/labels/features)")
    ap.add_argument(
        "--cohesion",
        action="store_true",
        help="grid-search the cohesion constants (EMBED_WEIGHT, COH_GAMMA) on selection; prints only",
    )
    ap.add_argument(
        "--l2", default=f"{L2:g}", help="classifier L2 weights to compare on selection, e.g. 1,100"
    )
    ap.add_argument(
        "--cue-min",
        default=str(CUE_MIN_COUNT),
        help="cue-table minimum counts to compare on selection, e.g. 4,8",
    )
    ap.add_argument(
        "--features",
        help=f"feature sets compared in stage 1, comma-separated, of {', '.join(FEATURE_SETS)} (default: all "
        f"with --quick, else {', '.join(STAGE1_SETS)})",
    )
    for name, default in (("weights", WEIGHTS), ("priors", PRIOR_WEIGHTS), ("scales", SCALE_FACTORS)):
        ap.add_argument(
            f"--{name}", help=f"stage 2: these values only (default {','.join(f'{v:g}' for v in default)})"
        )
    ap.add_argument(
        "--stage1",
        default="1,1,1",
        help="DP weight, length-prior weight and count-scale factor while stage 1 compares, e.g. 12,1,0.95",
    )
    ap.add_argument(
        "--windows", help="only this window set in stage 1 (words, comma-separated), e.g. 100,250,700"
    )
    ap.add_argument(
        "--refit",
        action="store_true",
        help="fit the final cue table, classifier and count rule on fitting + selection with the chosen settings",
    )
    ap.add_argument(
        "--fit-share",
        type=float,
        default=1.0,
        help="fit on this share of the fitting episodes (learning curve)",
    )
    ap.add_argument(
        "--classifiers",
        help="compare these classifiers on selection at the --stage1 settings and --weights, e.g. "
        "lr,lr+shift1,lr+peak100,mlp16 (the first is the reference); prints only",
    )
    ap.add_argument(
        "--metric",
        help="compare learned projections of the word-vector block for the novelty columns on selection, e.g. "
        "k128+l2=0.01,k64+l2=0.01+extra (against the app's columns); prints only",
    )
    ap.add_argument("--seeds", type=int, default=3, help="--classifiers: seeds per hidden-layer classifier")
    ap.add_argument(
        "--resamples", type=int, default=0, help="--classifiers: also fit on this many bootstrap resamples"
    )
    args = ap.parse_args(argv)
    if not outline_data.TRAIN_CORPUS.is_dir() or not outline_data.SCORER.is_file():
        print("the training corpus or the scorer is missing (development machines only)")
        return 0
    scorer = load_scorer()
    fitting, validation = outline_data.split()
    if args.fit_share < 1.0:  # every k-th episode, a fixed subset
        step = 1.0 / args.fit_share
        fitting = [fitting[int(i * step)] for i in range(int(len(fitting) * args.fit_share))]
    if args.cohesion:
        return cohesion_grid(validation, scorer)
    print(f"split: {len(fitting)} fitting, {len(validation)} validation episodes", flush=True)
    l2s = [float(v) for v in args.l2.split(",")]
    cue_mins = [int(v) for v in args.cue_min.split(",")]
    window_sets: list[tuple[float, ...]] = list(WINDOW_SETS[:1] if args.quick else WINDOW_SETS)
    if args.windows:
        window_sets = [tuple(float(v) for v in args.windows.split(","))]
    samples = [cue_sample(outline_data.load(s)) for s in fitting]
    table = learn_cues(samples, cue_mins[0])
    print(
        f"cue table: {len(table.after)} n-grams after, {len(table.before)} before; strongest after: "
        + ", ".join(sorted(table.after, key=lambda g: -table.after[g])[:12]),
        flush=True,
    )
    fit_eps = fitting_episodes(fitting, samples, cue_mins[0], window_sets)
    val_eps = [Episode(outline_data.load(s), "app", table) for s in validation]
    print("features ready", flush=True)
    power, scale = count_power(fitting)
    print(f"count rule fitted on the fitting split: {scale:.2f} * (words / 10,000) ** {power:.3f}")

    shipped = Settings(
        windows=outline.BOUNDARY_WINDOWS,
        weight=outline.BOUNDARY_WEIGHT,
        prior=outline.PRIOR_WEIGHT,
        scale=outline.COUNT_SCALE,
        power=outline.COUNT_POWER,
    )
    shipped_coef = np.zeros(N_FEATURES)
    shipped_coef[: len(outline.BOUNDARY_COEF)] = outline.BOUNDARY_COEF

    def coef_for(
        eps: list[Episode], windows: tuple[float, ...], width: int, feats: str, l2: float
    ) -> np.ndarray:
        cols = FEATURE_SETS[feats]
        x = np.vstack([ep.features(windows)[:, cols] for ep in eps])
        y = np.concatenate([ep.labels(width) for ep in eps])
        w = fit(x, y, l2)
        full = np.zeros(N_FEATURES)
        full[cols] = w[:-1]
        return full

    apply(shipped)
    shipped_rows: list[float] = []
    if len(shipped_coef) == N_FEATURES:
        r = mean_scores(val_eps, shipped_coef, scorer, shipped.weight, shipped.windows)
        shipped_rows = r["objectives"]
        # the shipped coefficients with the fitting split's cue table (the comparisons below use that table)
        print(fmt("selection, shipped coef, fit cues", r), flush=True)
        for ep in val_eps:  # the shipped model as the app runs it (refitted on selection: in-sample)
            ep.set_cues(outline.get_cue_table())
        r_app = mean_scores(val_eps, shipped_coef, scorer, shipped.weight, shipped.windows)
        print(fmt("selection, shipped (in-sample)", r_app), flush=True)
        for ep in val_eps:
            ep.set_cues(table)
    w1, p1, f1 = (float(v) for v in args.stage1.split(","))
    base = Settings(windows=WINDOW_SETS[0], weight=w1, prior=p1, scale=scale * f1, power=power)
    apply(base)
    if args.metric or args.classifiers:  # comparisons on selection only: print, write nothing
        weights = [float(v) for v in args.weights.split(",")] if args.weights else [w1]
        shared = (args.seeds, args.resamples, weights, fit_eps, val_eps, window_sets[0], scorer)
        if args.metric:
            return metric_grid([parse_metric(v) for v in args.metric.split(",")], *shared)
        return classifier_grid([parse_classifier(v) for v in args.classifiers.split(",")], *shared)
    best: tuple[float, tuple, np.ndarray] | None = None
    feature_sets = args.features.split(",") if args.features else ["all"] if args.quick else list(STAGE1_SETS)
    stage1 = (
        [(window_sets[0], 40, f) for f in feature_sets]
        if args.quick
        else list(itertools.product(window_sets, LABEL_WIDTHS, feature_sets))
    )
    first_rows: list[float] = []
    for cue_min in cue_mins:
        if cue_min != cue_mins[0]:  # the lexical cues of every episode from a table with this minimum count
            fit_eps = fitting_episodes(fitting, samples, cue_min, window_sets)
            for ep in val_eps:
                ep.set_cues(learn_cues(samples, cue_min))
        for (windows, width, feats), l2 in itertools.product(stage1, l2s):
            coef = coef_for(fit_eps, windows, width, feats, l2)
            r = mean_scores(val_eps, coef, scorer, w1, windows)
            print(fmt(f"val {windows} ±{width} {feats} L2 {l2:g} cue-min {cue_min}", r), flush=True)
            if first_rows:
                print("  " + compare(r["objectives"], first_rows, "the first setting"), flush=True)
            else:
                first_rows = r["objectives"]
            if best is None or objective(r) < best[0]:
                best = (objective(r), (windows, width, feats, l2, cue_min), coef)
    assert best is not None
    (windows, width, feats, l2, cue_min), coef = best[1], best[2]
    if cue_min != cue_mins[-1]:
        table = learn_cues(samples, cue_min)
        for ep in val_eps:
            ep.set_cues(table)
        if len(cue_mins) > 1:
            fit_eps = fitting_episodes(fitting, samples, cue_min, [windows])
    chosen = base
    best2 = None
    factor_of = 1.0
    grid = [
        tuple(float(v) for v in arg.split(",")) if arg else default
        for arg, default in (
            (args.weights, WEIGHTS),
            (args.priors, PRIOR_WEIGHTS),
            (args.scales, SCALE_FACTORS),
        )
    ]
    for weight, prior, factor in itertools.product(*grid):
        s = Settings(windows=windows, weight=weight, prior=prior, scale=scale * factor, power=power)
        apply(s)
        r = mean_scores(val_eps, coef, scorer, weight, windows)
        print(fmt(f"val weight {weight} prior {prior} scale x{factor}", r), flush=True)
        if abs(r["count_ratio"] - 1.0) > COUNT_TOLERANCE:
            continue
        if best2 is None or objective(r) < best2[0]:
            best2, chosen, factor_of = (objective(r), r), s, factor
    apply(chosen)
    print(
        f"chosen: windows {windows} label ±{width} features {feats} L2 {l2:g} cue-min {cue_min} "
        f"weight {chosen.weight} prior {chosen.prior} scale {chosen.scale:.2f} (x{factor_of}) power {chosen.power:.3f}"
    )
    r = mean_scores(val_eps, coef, scorer, chosen.weight, windows)
    print(fmt("validation, chosen", r))
    if shipped_rows:
        print(compare(r["objectives"], shipped_rows, "the shipped coef with fit cues"))
    print(fmt("validation, even split (same count)", baseline(val_eps, scorer)))
    if args.refit:
        both = fitting + validation
        samples += [cue_sample(outline_data.load(s)) for s in validation]
        table = learn_cues(samples, cue_min)
        all_eps = fitting_episodes(both, samples, cue_min, [windows])
        coef = coef_for(all_eps, windows, width, feats, l2)
        power, scale = count_power(both)
        chosen = Settings(
            windows=windows, weight=chosen.weight, prior=chosen.prior, scale=scale * factor_of, power=power
        )
        apply(chosen)
        print(
            f"refitted on fitting + selection ({len(both)} episodes): cue table {len(table.after)} after, "
            f"{len(table.before)} before; count rule {scale:.2f} x{factor_of} * (words / 10,000) ** {power:.3f}"
        )
        for ep in val_eps:
            ep.set_cues(table)
        print(
            fmt("selection, refitted (in-sample)", mean_scores(val_eps, coef, scorer, chosen.weight, windows))
        )
    print(format_coef(coef))
    if args.dry_run:
        print("--dry-run: chapters.py left unchanged")
        return 0
    if np.any(coef[N_APP_FEATURES:]):
        print(
            "the chosen features include speaker-turn columns, which the app does not compute: nothing written"
        )
        return 1
    write_settings(coef, windows, chosen)
    write_cues(table, "fitting and selection splits" if args.refit else "fitting split")
    print(f"wrote the settings to {OUTLINE_PY}: bump OUTLINE_VERSION and run the outline tests")
    return 0


# ``--classifiers``: the classifier's family and context (session 10), compared on selection; never written.
CLASSIFIER_RE = re.compile(r"^(lr|mlp(\d+))((?:\+(?:shift\d|peak\d+|l2=[0-9.e-]+))*)$")
MLP_L2 = 1e-3
MLP_STEPS = 1500
MLP_RATE = 0.01


@dataclass(frozen=True)
class ClassifierSpec:
    """A boundary classifier: logistic regression (``lr``) or one tanh hidden layer (``mlpH``), on the app's
    columns of the unit, plus those of ``shifts`` neighbouring units on each side and, per word radius in
    ``peaks``, each column minus its largest value at the other units starting within that radius; ``l2``:
    the L2 weight (``fit``'s for ``lr``, ``fit_mlp``'s per-row weight for ``mlpH``)."""

    name: str
    hidden: int = 0
    shifts: int = 0
    peaks: tuple[int, ...] = ()
    l2: float | None = None


def parse_classifier(text: str) -> ClassifierSpec:
    """``lr``, ``mlp16``, ``lr+shift1``, ``mlp16+shift2+peak100``, ``lr+peak100+l2=100`` ... as a
    :class:`ClassifierSpec`."""
    m = CLASSIFIER_RE.match(text)
    if m is None:
        raise ValueError(f"bad classifier {text!r} (e.g. lr, lr+shift1, lr+peak100, mlp16+shift1)")
    shifts, peaks, l2 = 0, [], None
    for part in filter(None, m.group(3).split("+")):
        if part.startswith("shift"):
            shifts = int(part[5:])
        elif part.startswith("l2="):
            l2 = float(part[3:])
        else:
            peaks.append(int(part[4:]))
    return ClassifierSpec(text, int(m.group(2) or 0), shifts, tuple(peaks), l2)


def local_max(x: np.ndarray, units: Sequence[int], words: float) -> np.ndarray:
    """Per unit: the largest ``x`` at the other units starting within ``words`` words (``x`` itself if none)."""
    n = len(x)
    u = np.asarray(units, dtype=np.float64)
    best = np.full(n, -np.inf)
    i = np.arange(n)
    for d in range(1, n):
        found = False
        for j in (i + d, i - d):
            ok = (j >= 0) & (j < n)
            jj = np.clip(j, 0, n - 1)
            ok &= np.abs(u[jj] - u) <= words
            if ok.any():
                found = True
                best = np.where(ok, np.maximum(best, x[jj]), best)
        if not found:
            break
    return np.where(np.isfinite(best), best, x)


def context_columns(x: np.ndarray, units: Sequence[int], spec: ClassifierSpec) -> np.ndarray:
    """``x`` (units x columns) followed by the context columns of ``spec``: the rows of the neighbouring units
    (offsets -shifts..-1, 1..shifts; zeros beyond the ends, the mean of z-scored columns), then per peak radius
    each column minus its local maximum over the other units within that many words."""
    cols = [x]
    n = len(x)
    for d in [*range(-spec.shifts, 0), *range(1, spec.shifts + 1)]:
        shifted = np.zeros_like(x)
        if d > 0:
            shifted[: max(n - d, 0)] = x[d:]
        else:
            shifted[-d:] = x[: max(n + d, 0)]
        cols.append(shifted)
    for words in spec.peaks:
        cols.append(np.stack([x[:, c] - local_max(x[:, c], units, words) for c in range(x.shape[1])], axis=1))
    return np.hstack(cols)


def fit_mlp(
    x: np.ndarray, y: np.ndarray, hidden: int, l2: float = MLP_L2, steps: int = MLP_STEPS, seed: int = 0
) -> dict[str, np.ndarray]:
    """One tanh hidden layer on standardised inputs, fitted by full-batch Adam on the mean log loss plus
    ``l2`` times the squared weights; returns the parameters (``mlp_logodds`` applies them)."""
    rng = np.random.default_rng(seed)
    mu, sd = x.mean(axis=0), x.std(axis=0) + 1e-9
    xs = (x - mu) / sd
    n, p = xs.shape
    rate = float(np.clip(y.mean(), 1e-6, 1 - 1e-6))
    params = {
        "w1": rng.normal(0.0, 1.0 / math.sqrt(p), (p, hidden)),
        "b1": np.zeros(hidden),
        "w2": rng.normal(0.0, 1.0 / math.sqrt(hidden), hidden),
        "b2": np.array([math.log(rate / (1 - rate))]),
    }
    m1 = {k: np.zeros_like(v) for k, v in params.items()}
    m2 = {k: np.zeros_like(v) for k, v in params.items()}
    for t in range(1, steps + 1):
        h = np.tanh(xs @ params["w1"] + params["b1"])
        g = (1.0 / (1.0 + np.exp(-(h @ params["w2"] + params["b2"][0]))) - y) / n
        dh = np.outer(g, params["w2"]) * (1.0 - h**2)
        grads = {
            "w1": xs.T @ dh + 2 * l2 * params["w1"],
            "b1": dh.sum(axis=0),
            "w2": h.T @ g + 2 * l2 * params["w2"],
            "b2": np.array([g.sum()]),
        }
        for k, grad in grads.items():
            m1[k] = 0.9 * m1[k] + 0.1 * grad
            m2[k] = 0.999 * m2[k] + 0.001 * grad**2
            step = (m1[k] / (1 - 0.9**t)) / (np.sqrt(m2[k] / (1 - 0.999**t)) + 1e-8)
            params[k] = params[k] - MLP_RATE * step
    return params | {"mu": mu, "sd": sd}


def mlp_logodds(params: dict[str, np.ndarray], x: np.ndarray) -> np.ndarray:
    """Boundary log-odds of the rows of ``x`` under :func:`fit_mlp`'s parameters."""
    h = np.tanh(((x - params["mu"]) / params["sd"]) @ params["w1"] + params["b1"])
    return np.asarray(h @ params["w2"] + params["b2"][0])


def fit_classifier(
    spec: ClassifierSpec, eps: list[Episode], windows: tuple[float, ...], width: int, l2: float, seed: int
) -> Any:
    """Fit ``spec`` on ``eps`` (the app's columns, label ``width``): returns a function Episode -> log-odds."""
    x = np.vstack([context_columns(ep.features(windows)[:, :N_APP_FEATURES], ep.units, spec) for ep in eps])
    y = np.concatenate([ep.labels(width) for ep in eps])
    if spec.hidden:
        params = fit_mlp(x, y, spec.hidden, MLP_L2 if spec.l2 is None else spec.l2, seed=seed)
        return lambda ep: mlp_logodds(
            params, context_columns(ep.features(windows)[:, :N_APP_FEATURES], ep.units, spec)
        )
    w = fit(x, y, l2 if spec.l2 is None else spec.l2)
    return lambda ep: context_columns(ep.features(windows)[:, :N_APP_FEATURES], ep.units, spec) @ w[:-1]


def classifier_grid(
    specs: list[ClassifierSpec],
    seeds: int,
    resamples: int,
    weights: Sequence[float],
    fit_eps: list[Episode],
    val_eps: list[Episode],
    windows: tuple[float, ...],
    scorer: ModuleType,
) -> int:
    """Print selection figures of every classifier (and seed, for ``mlpH``) at every DP weight, each with a
    per-episode comparison against the first classifier at the first weight fitted on the same episodes;
    with ``resamples`` > 0, repeat on bootstrap resamples of the fitting episodes (by episode) and summarise
    the paired objective changes (how much of a difference is the luck of one fitted model). Writes nothing."""
    slugs = sorted({ep.slug for ep in fit_eps})
    paired: dict[str, list[np.ndarray]] = {}
    for r in range(max(resamples, 0) + 1):
        if r == 0:
            eps, tag = fit_eps, "all fitting"
        else:
            pick = np.random.default_rng(r).choice(len(slugs), len(slugs), replace=True)
            by_slug = {s: [ep for ep in fit_eps if ep.slug == s] for s in slugs}
            eps, tag = [ep for i in pick for ep in by_slug[slugs[i]]], f"resample {r}"
        reference: list[float] = []
        for spec in specs:
            for seed in range(seeds if spec.hidden else 1):
                model = fit_classifier(spec, eps, windows, 40, L2, seed)
                for weight in weights:
                    boosts = [weight * model(ep) for ep in val_eps]
                    rows = boost_scores(val_eps, boosts, scorer)
                    name = f"{spec.name}{f' seed {seed}' if spec.hidden else ''} weight {weight:g}"
                    print(
                        fmt(f"[{tag}] {name}", rows) + f" obj {np.mean(rows['objectives']):.4f}", flush=True
                    )
                    if not reference:
                        reference = rows["objectives"]
                        continue
                    print("  " + compare(rows["objectives"], reference, specs[0].name), flush=True)
                    paired.setdefault(name, []).append(np.array(rows["objectives"]) - np.array(reference))
    if resamples > 0:
        print_paired(paired, f"{specs[0].name} over {resamples + 1} fits")
    return 0


def print_paired(paired: dict[str, list[np.ndarray]], against: str) -> None:
    """Each variant's objective changes against the reference (``against`` names it and the fits): the mean over
    fits, each fit's mean, and how many episode pairs got better or worse."""
    print(f"paired objective changes vs {against} (negative: better):")
    for name, deltas in paired.items():
        means = np.array([d.mean() for d in deltas])
        both = np.concatenate(deltas)
        print(
            f"  {name:36} mean {means.mean():+.4f} (fits {' '.join(f'{v:+.4f}' for v in means)}); "
            f"episode pairs {int((both < -1e-9).sum())} better, {int((both > 1e-9).sum())} worse"
        )


# ``--metric``: a supervised projection of the word-vector block for the novelty columns (session 10).
METRIC_RE = re.compile(r"^k(\d+)((?:\+(?:l2=[0-9.e-]+|extra|pooled|steps=\d+))*)$")
METRIC_FOLDS = 4  # the fitting episodes' projected columns come from projections fitted on the other folds
METRIC_PAIR_WINDOWS = (100.0, 250.0)  # words on each side of a unit start in the training pairs
METRIC_NEGATIVES = 4  # same-chapter pairs kept per cross-chapter pair (a fixed random subsample)
METRIC_STEPS = 300
METRIC_RATE = 0.01
METRIC_L2 = 0.01
WORD_COLS = list(range(6, 12))  # the word-vector novelty / peak columns of _boundary_features


@dataclass(frozen=True)
class MetricSpec:
    """A projection ``W`` (d x ``dims``) of the word-vector block, fitted with L2 ``l2`` on ``W - W0`` (``W0``:
    the identity, or the top principal directions when ``dims`` < d); its novelty / peak columns replace the
    word-vector ones (or are added to all 15 with ``extra``). The loss compares cosines within an episode
    (each centred on its episode and window's mean) unless ``pooled``."""

    name: str
    dims: int
    l2: float = METRIC_L2
    extra: bool = False
    steps: int = METRIC_STEPS
    pooled: bool = False


def parse_metric(text: str) -> MetricSpec:
    """``k128``, ``k64+l2=0.1``, ``k128+extra`` ... as a :class:`MetricSpec`."""
    m = METRIC_RE.match(text)
    if m is None:
        raise ValueError(f"bad metric {text!r} (e.g. k128, k64+l2=0.1, k128+extra)")
    l2, extra, steps, pooled = METRIC_L2, False, METRIC_STEPS, False
    for part in filter(None, m.group(2).split("+")):
        if part == "extra":
            extra = True
        elif part == "pooled":
            pooled = True
        elif part.startswith("steps="):
            steps = int(part[6:])
        else:
            l2 = float(part[3:])
    return MetricSpec(text, int(m.group(1)), l2, extra, steps, pooled)


def metric_pairs(
    eps: Sequence[Episode], width: int = 40
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Training pairs for the projection: per unit start and window of ``METRIC_PAIR_WINDOWS``, the summed
    word-vector rows of the window before and after it (``left``, ``right``), labelled 1 when the whole span
    lies in one human chapter, 0 when a chapter starts within ``width`` words of the unit start (others
    dropped), and the pair's group (one per episode and window)."""
    lefts: list[np.ndarray] = []
    rights: list[np.ndarray] = []
    labels: list[np.ndarray] = []
    groups: list[np.ndarray] = []
    for ep in eps:
        if ep.embed is None:
            continue
        e = ep.embed.astype(np.float32)
        n = len(e)
        mean_len = max(float(ep.unit_len.mean()), 1.0)
        prefix = np.vstack([np.zeros((1, e.shape[1]), np.float32), np.cumsum(e, axis=0)])
        u = np.array([*ep.units, len(ep.words)])
        starts = np.array(ep.chapters[1:], dtype=np.int64)
        i = np.arange(1, n)
        for words in METRIC_PAIR_WINDOWS:
            w = max(1, int(round(words / mean_len)))
            lo, hi = np.maximum(i - w, 0), np.minimum(i + w, n)
            near = np.zeros(len(i), bool)
            inside = np.zeros(len(i), bool)
            for c in starts:
                near |= np.abs(u[i] - c) <= width
                inside |= (u[lo] < c) & (c < u[hi])
            keep = near | ~inside
            lefts.append((prefix[i] - prefix[lo])[keep])
            rights.append((prefix[hi] - prefix[i])[keep])
            labels.append((~near)[keep].astype(np.float32))
            groups.append(np.full(int(keep.sum()), len(groups)))
    return np.vstack(lefts), np.vstack(rights), np.concatenate(labels), np.concatenate(groups)


def fit_projection(
    left: np.ndarray, right: np.ndarray, same: np.ndarray, group: np.ndarray, spec: MetricSpec, seed: int = 0
) -> np.ndarray:
    """``W`` (d x ``spec.dims``) such that the cosine of ``left @ W`` and ``right @ W``, through a logistic
    link ``a + b cos``, predicts ``same`` (classes weighted equally; same-chapter pairs subsampled to
    ``METRIC_NEGATIVES`` per cross-chapter pair), plus ``spec.l2 * |W - W0|^2``; full-batch Adam."""
    rng = np.random.default_rng(seed)
    cross = np.flatnonzero(same == 0)
    within = np.flatnonzero(same == 1)
    within = rng.choice(within, min(len(within), METRIC_NEGATIVES * len(cross)), replace=False)
    idx = np.concatenate([cross, within])
    _u, grp = np.unique(group[idx], return_inverse=True)
    size = np.bincount(grp).astype(np.float64)

    def centred(v: np.ndarray) -> np.ndarray:
        return v if spec.pooled else v - (np.bincount(grp, weights=v) / size)[grp]

    lf, rt, y = left[idx].astype(np.float32), right[idx].astype(np.float32), same[idx].astype(np.float64)
    d = lf.shape[1]
    if spec.dims >= d:
        w0 = np.eye(d)
    else:
        evals, evecs = np.linalg.eigh(lf.T @ lf + rt.T @ rt)
        w0 = evecs[:, np.argsort(evals)[::-1][: spec.dims]]
    w0 = w0.astype(np.float32)
    wt = np.where(y == 1, 0.5 / y.mean(), 0.5 / (1 - y.mean())) / len(y)
    params = {"w": w0.astype(np.float32), "ab": np.array([-2.0, 5.0])}
    m1 = {k: np.zeros_like(v) for k, v in params.items()}
    m2 = {k: np.zeros_like(v) for k, v in params.items()}
    for t in range(1, spec.steps + 1):
        w = params["w"]
        a, b = params["ab"]
        pu, pv = lf @ w, rt @ w
        nu = np.linalg.norm(pu, axis=1) + 1e-9
        nv = np.linalg.norm(pv, axis=1) + 1e-9
        cos = np.einsum("ij,ij->i", pu, pv) / (nu * nv)
        cc = centred(cos.astype(np.float64))
        p = 1.0 / (1.0 + np.exp(-(a + b * cc)))
        g = wt * (p - y)  # d loss / d logit
        gc = centred(g * b).astype(np.float32)[:, None]
        gu = gc * (pv / (nu * nv)[:, None] - cos[:, None] * pu / (nu**2)[:, None])
        gv = gc * (pu / (nu * nv)[:, None] - cos[:, None] * pv / (nv**2)[:, None])
        grads = {
            "w": lf.T @ gu + rt.T @ gv + np.float32(2 * spec.l2) * (w - w0),
            "ab": np.array([g.sum(), (g * cc).sum()]),
        }
        for k, grad in grads.items():
            m1[k] = 0.9 * m1[k] + 0.1 * grad
            m2[k] = 0.999 * m2[k] + 0.001 * grad**2
            params[k] = params[k] - METRIC_RATE * (m1[k] / (1 - 0.9**t)) / (
                np.sqrt(m2[k] / (1 - 0.999**t)) + 1e-8
            )
    return params["w"].astype(np.float64)


def pair_auc(
    left: np.ndarray, right: np.ndarray, same: np.ndarray, group: np.ndarray, w: np.ndarray | None
) -> float:
    """How well the cosine (under ``w``, or none) ranks same-chapter pairs above cross-chapter ones: the mean
    AUC over the groups (episode and window) that have both."""
    pu, pv = (left, right) if w is None else (left @ w, right @ w)
    cos = np.einsum("ij,ij->i", pu, pv) / (np.linalg.norm(pu, axis=1) * np.linalg.norm(pv, axis=1) + 1e-9)
    aucs = []
    for g in np.unique(group):
        sel = group == g
        c, s = cos[sel], same[sel]
        n1 = s.sum()
        n0 = len(s) - n1
        if n1 == 0 or n0 == 0:
            continue
        ranks = np.empty(len(c))
        ranks[np.argsort(c, kind="stable")] = np.arange(1, len(c) + 1)
        aucs.append((ranks[s == 1].sum() - n1 * (n1 + 1) / 2) / (n1 * n0))
    return float(np.mean(aucs))


def projected_columns(ep: Episode, w: np.ndarray, windows: tuple[float, ...]) -> np.ndarray:
    """The six word-vector novelty / peak columns of ``_boundary_features`` on the projected block."""
    assert ep.embed is not None
    block = ep.embed.astype(np.float64) @ w
    return np.stack(outline.novelty_columns(block, ep.unit_len, windows), axis=1)


def metric_columns(
    ep: Episode, spec: MetricSpec | None, w: np.ndarray | None, windows: tuple[float, ...]
) -> np.ndarray:
    """The classifier's columns: the app's 15, with the word-vector ones replaced by (or followed by, with
    ``extra``) those of the projected block."""
    x = ep.features(windows)[:, :N_APP_FEATURES]
    if spec is None or w is None:
        return x
    proj = projected_columns(ep, w, windows)
    if spec.extra:
        return np.hstack([x, proj])
    x = x.copy()
    x[:, WORD_COLS] = proj
    return x


def metric_grid(
    specs: list[MetricSpec],
    seeds: int,
    resamples: int,
    weights: Sequence[float],
    fit_eps: list[Episode],
    val_eps: list[Episode],
    windows: tuple[float, ...],
    scorer: ModuleType,
) -> int:
    """Print selection figures of the app's columns (``lr``) and of each projection (``seeds`` fits of ``W``
    each) at every DP weight, with per-episode comparisons against ``lr`` at the same weight fitted on the
    same episodes, and the pair AUC (cosine, same chapter vs chapter start) on selection; with ``resamples``
    > 0, repeat on bootstrap resamples of the fitting episodes (``W`` refitted too). Writes nothing."""
    slugs = sorted({ep.slug for ep in fit_eps})
    val_pairs = metric_pairs(val_eps)
    print(f"selection pair AUC (per episode), raw word vectors: {pair_auc(*val_pairs, None):.4f}", flush=True)
    paired: dict[str, list[np.ndarray]] = {}
    for r in range(max(resamples, 0) + 1):
        if r == 0:
            eps, tag = fit_eps, "all fitting"
        else:
            pick = np.random.default_rng(r).choice(len(slugs), len(slugs), replace=True)
            by_slug = {s: [ep for ep in fit_eps if ep.slug == s] for s in slugs}
            eps, tag = [ep for i in pick for ep in by_slug[slugs[i]]], f"resample {r}"
        pairs = metric_pairs(eps)
        fold_of = {s: k % METRIC_FOLDS for k, s in enumerate(sorted({ep.slug for ep in eps}))}
        fold_pairs = [metric_pairs([ep for ep in eps if fold_of[ep.slug] != f]) for f in range(METRIC_FOLDS)]
        y = np.concatenate([ep.labels(40) for ep in eps])
        reference: dict[float, list[float]] = {}  # lr at each DP weight
        runs: list[tuple[str, MetricSpec | None, int]] = [("lr", None, 0)]
        runs += [(f"{s.name} seed {k}", s, k) for s in specs for k in range(seeds)]
        for name, spec, seed in runs:
            w_proj = None
            folds: list[np.ndarray | None] = [None] * METRIC_FOLDS
            if spec is not None:  # out of fold for the classifier's fitting rows, as the cue table
                folds = [fit_projection(*fp, spec, seed=seed) for fp in fold_pairs]
                w_proj = fit_projection(*pairs, spec, seed=seed)
                name += f" (pair AUC {pair_auc(*val_pairs, w_proj):.4f})"
            x = np.vstack([metric_columns(ep, spec, folds[fold_of[ep.slug]], windows) for ep in eps])
            coef = fit(x, y, L2)[:-1]
            for weight in weights:
                boosts = [weight * (metric_columns(ep, spec, w_proj, windows) @ coef) for ep in val_eps]
                rows = boost_scores(val_eps, boosts, scorer)
                label = f"{name} weight {weight:g}"
                print(fmt(f"[{tag}] {label}", rows) + f" obj {np.mean(rows['objectives']):.4f}", flush=True)
                if spec is None:
                    reference[weight] = rows["objectives"]
                    continue
                print(
                    "  " + compare(rows["objectives"], reference[weight], f"lr weight {weight:g}"), flush=True
                )
                key = f"{spec.name} seed {seed} weight {weight:g}"
                paired.setdefault(key, []).append(np.array(rows["objectives"]) - np.array(reference[weight]))
    if resamples > 0:
        print_paired(paired, f"lr (same weight) over {resamples + 1} fits")
    return 0


def cohesion_grid(validation: list[str], scorer: ModuleType) -> int:
    """Print selection-split figures for every (``EMBED_WEIGHT``, ``COH_GAMMA``) of the grid, with the shipped
    classifier, cue table and settings, and the pair that minimises :func:`objective`; writes nothing."""
    table = outline.get_cue_table()
    eps = [Episode(outline_data.load(s), "app", table) for s in validation]
    print(f"features ready ({len(eps)} selection episodes)", flush=True)
    shipped = (outline.EMBED_WEIGHT, outline.COH_GAMMA)
    coef, weight, windows = outline.BOUNDARY_COEF, outline.BOUNDARY_WEIGHT, outline.BOUNDARY_WINDOWS
    results: dict[tuple[float, float], dict] = {}
    try:
        for share, gamma in itertools.product(COH_EMBED_SHARES, COH_GAMMAS):
            outline.EMBED_WEIGHT, outline.COH_GAMMA = share, gamma
            results[(share, gamma)] = r = mean_scores(eps, coef, scorer, weight, windows)
            print(
                fmt(f"selection, vectors {share} gamma {gamma}", r) + f" obj {objective(r):.4f}", flush=True
            )
    finally:
        outline.EMBED_WEIGHT, outline.COH_GAMMA = shipped
    best = min(results, key=lambda k: (objective(results[k]), k))
    if shipped in results:
        print(fmt(f"shipped: vectors {shipped[0]} gamma {shipped[1]}", results[shipped]))
    print(fmt(f"best: vectors {best[0]} gamma {best[1]}", results[best]))
    print("nothing written: set EMBED_WEIGHT and COH_GAMMA in chapters.py by hand (and bump OUTLINE_VERSION)")
    return 0


def write_cues(table: outline.CueTable, trained_on: str = "fitting split") -> None:
    """Save the learned lexical cue table (``resources/models/outline_boundary.json``)."""
    path = resource_path(*outline.CUE_FILE)
    path.write_text(
        json.dumps(
            {
                "after": table.after,
                "before": table.before,
                "trained_on": f"{trained_on} (desktop_app/training/outline_split.txt)",
            },
            sort_keys=True,
            separators=(",", ":"),
        ),
        encoding="utf-8",
    )
    print(f"wrote {path}")


def format_coef(coef: np.ndarray) -> str:
    """The ``BOUNDARY_COEF = ...`` source lines for ``coef`` (wrapped for the house line length)."""
    values = [f"{v:.3f}" for v in coef[:N_APP_FEATURES]]
    lines, line = [], "BOUNDARY_COEF = np.array(["
    for i, v in enumerate(values):
        piece = v + ("," if i + 1 < len(values) else "])")
        if len(line) + len(piece) + 1 > 110:
            lines.append(line.rstrip())
            line = " " * 26
        line += piece + " "
    lines.append(line.rstrip())
    return "\n".join(lines)


def _sub(source: str, pattern: str, repl: str) -> str:
    new, count = re.subn(pattern, lambda _m: repl, source, count=1, flags=re.MULTILINE)
    if count != 1:
        raise RuntimeError(f"{pattern!r} not found in {OUTLINE_PY}")
    return new


def write_settings(coef: np.ndarray, windows: tuple[float, ...], s: Settings) -> None:
    src = OUTLINE_PY.read_text(encoding="utf-8")
    src = _sub(src, r"^BOUNDARY_COEF = np\.array\(\s*\[[^\]]*\]\s*\)", format_coef(coef))
    src = _sub(
        src,
        r"^BOUNDARY_WINDOWS: tuple\[float, \.\.\.\] = \([^)]*\)",
        f"BOUNDARY_WINDOWS: tuple[float, ...] = {tuple(windows)!r}",
    )
    src = _sub(src, r"^BOUNDARY_WEIGHT = [0-9.]+", f"BOUNDARY_WEIGHT = {s.weight!r}")
    src = _sub(src, r"^PRIOR_WEIGHT = [0-9.]+", f"PRIOR_WEIGHT = {s.prior!r}")
    src = _sub(src, r"^COUNT_SCALE = [0-9.]+", f"COUNT_SCALE = {s.scale:.2f}")
    src = _sub(src, r"^COUNT_POWER = [0-9.]+", f"COUNT_POWER = {s.power:.3f}")
    OUTLINE_PY.write_text(src, encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
