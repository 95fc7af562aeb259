"""Can an episode's own boundary evidence choose its chapter count? Session 12, issue 14; prints only.

Training time only (not imported by the app); needs ``/work/shared``. The app's count follows the text length
alone (``chapters.chapter_count``); session 9 found no count predictor in the speaker turns. This script
compares count rules that look at the episode's boundary evidence, with the boundary classifier and count
rule fitted on the fitting split exactly as ``outline_boundary``'s reference line (``lr``, windows 100/250/700,
label +-40, L2 1, DP weight 12, prior 1, scale x0.95), and every constant chosen on the selection split:

- ``dp``: the dynamic programme's best total for every count ``k`` from 0.6 to 1.8 times the length rule's
  ``k_len`` (one run to the largest k yields every smaller one), ``k = argmax total(k) - lam * k -
  mu * log(k / k_len) ** 2`` (``lam`` a price per section, ``mu`` a pull towards the length rule), the sections
  of that run; ``dp+rc``: that k, sections placed with the length prior re-centred on ``words / k`` (as the app
  would place k sections); ``dpc``: totals and sections with the re-centred prior for every k;
- ``psum``: ``log k = log k_len + beta * (log(sum p / window) + offset - log k_len)`` with ``p`` the classifier's
  probabilities, ``window`` the expected number of positive units per chapter start and ``offset`` the fitting
  split's mean log(human / estimate) (the sum of probabilities blended with the length rule in log space);
- ``peaksT``: the same with the number of local maxima of ``p`` (within ``PEAK_WORDS`` words) at or above ``T``;
- ``--loglinear``: ``log k = a + b log words + g log x`` fitted on the fitting split (x: the counts above, the
  classifier's mean probability ``pmean``, the mean raw novelty of the word-vector block ``novelty250/700``,
  the host-cue rate; or ``words^2`` instead), times a factor chosen on selection as the trainer chooses the
  length rule's (count ratio within 0.9-1.1);
- ``--oracle``: a ceiling for any count rule: sections at the human count, or a quarter / half of the way to it
  in log space.

The signal check runs on the fitting split's 54 episodes (app sentence starts; classifier out of fold, by the
cue table's folds): the partial correlation of each candidate's log count with the log human count given log
words. Then the selection figures against the reference for the constants that minimise the objective
``Pk - 0.5 F1@150``; ``--resamples`` refits the classifier on bootstrap resamples of the fitting episodes and
reports each family at those constants. Episodes are prepared once and pickled (``$OUTLINE_COUNT_CACHE``,
default ``/tmp/outline_count_eps.pkl``; delete it after changing the outline code).

    python -m desktop_app.training.outline_count [--resamples 2] [--signal-only | --loglinear | --oracle]

**Results (session 12; logs ``s12-count-*.log`` in the session-12 notes): no evidence-based count helps.**

- Signal (fitting split): log words explains little of the human count (correlation 0.46; the length rule is
  off by a mean |log ratio| of 0.27), but no candidate adds to it positively. Partial correlations given log
  words: ``psum`` -0.30, peaks at p >= 0.1 / 0.2 / 0.3 / 0.4 / 0.5 -0.14 / -0.24 / -0.11 / -0.05 / -0.01, the
  penalised DP's count at lam 0 / 10 / 20 / 30 / 40 / 60 -0.16 / -0.27 / -0.27 / -0.03 / +0.06 / -0.16 (at the
  band's edge for 98 / 85 / 31 / 11 / 39 / 98 % of the episodes), raw evidence that the z-scoring does not
  remove: mean probability -0.32, word-vector novelty (250 / 700 words) -0.22 / -0.23, host-cue rate -0.18.
  More boundary evidence goes with *fewer* human chapters for the length, if anything: the boundary columns
  are z-scored per episode, so the probability mass per unit is nearly constant and the sums mostly count
  units (whose length grows above ``MAX_UNITS`` units, i.e. with the text: unit length's own partial
  correlation is +0.33).
- Selection (35 episodes), reference: objective 0.0435, Pk 0.323, WD 0.356, F1@150 0.558, count error (mean
  |log(sections / human)|) 0.198, count ratio 1.07 (0.64-2.71), Lex 1.09 / Vector 0.90. Each family at its best
  constants (chosen on selection): ``dp`` (lam 28, mu 100) 0.0555 (11 better / 20 worse; error 0.209, ratio
  0.58-2.86, Vector 0.71), ``dp+rc`` 0.0591 (10 / 21), ``dpc`` 0.0606 (11 / 21), ``psum`` (beta 0.25) 0.0523
  (10 / 16; error 0.191, Vector 0.81), ``peaks0.1`` .. ``peaks0.5`` (beta 0.25) 0.0500-0.0518 (9-11 better,
  16-19 worse; error 0.188-0.229). The chosen constants sit at the grid's edge towards the length rule (mu
  largest, beta smallest). Over the full fit and two bootstrap refits of the classifier (the reference itself:
  0.0435, 0.0724, 0.0542) the mean paired change is +0.003 (``dp``), +0.005 (``dp+rc``), +0.007 (``dpc``),
  +0.001 (``psum``), -0.001 to +0.001 (peaks): noise at best, and Vector Podcast episodes get fewer chapters,
  not more.
- Log-linear rules (``--loglinear``; words alone reproduces the reference, 0.0432): every evidence coefficient
  comes out negative; on selection + ``psum`` 0.0458 (13 / 13; count error 0.201, Vector 1.00), + ``pmean``
  0.0511 (10 / 14), + ``novelty700`` 0.0412 (13 / 10, -0.002, but count error 0.217), + ``novelty250`` 0.0556,
  + cue rate 0.0524, + peaks 0.0432-0.0565; ``words^2`` 0.0547 (8 / 14). None lowers the count error below
  0.19 (reference 0.198).
- Ceiling (``--oracle``): even the human count gives 0.0345 on the full fit (-0.009, 18 better / 16 worse,
  median -0.001); over three fits -0.011 / -0.036 / -0.011 (re-centred prior). Halfway to it in log space
  (count error 0.10): -0.007 / -0.027 / -0.014. So a perfect count would be worth about 0.01-0.03 of the
  objective, but nothing the episode's boundary evidence says predicts it. The length rule stays.
"""

from __future__ import annotations

import argparse
import math
import os
import pickle
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from desktop_app.outline import chapters as outline
from desktop_app.training import outline_boundary as ob
from desktop_app.training import outline_data

if TYPE_CHECKING:
    from types import ModuleType

WINDOWS = (100.0, 250.0, 700.0)
WEIGHT, PRIOR, FACTOR, WIDTH = 12.0, 1.0, 0.95, 40
BAND = (0.6, 1.8)
PEAK_WORDS = 300.0
PICKLE = Path(os.environ.get("OUTLINE_COUNT_CACHE", "/tmp/outline_count_eps.pkl"))


def prepare() -> tuple[list[ob.Episode], list[ob.Episode], list[ob.Episode]]:
    """(fitting episodes both modes, light; fitting app-mode episodes with blocks; selection episodes)."""
    if PICKLE.is_file():
        with PICKLE.open("rb") as fh:
            eps: tuple[list[ob.Episode], list[ob.Episode], list[ob.Episode]] = pickle.load(fh)
            return eps
    outline_data.paragraphs = lambda ep: []  # no speaker turns needed (their columns are unused)
    fitting, selection = outline_data.split()
    samples = [ob.cue_sample(outline_data.load(s)) for s in fitting]
    table = ob.learn_cues(samples)
    folds = [
        ob.learn_cues([x for j, x in enumerate(samples) if j % ob.CUE_FOLDS != k])
        for k in range(ob.CUE_FOLDS)
    ]
    fit_eps: list[ob.Episode] = []
    fit_app: list[ob.Episode] = []
    for i, slug in enumerate(fitting):
        raw = outline_data.load(slug)
        for mode in ("truth", "app") if raw["truth"].get("sentence_truth", True) else ("app",):
            ep = ob.Episode(raw, mode, folds[i % ob.CUE_FOLDS])
            ep.features(WINDOWS)
            if mode == "app":
                fit_app.append(ep)
            else:
                ep.light()
            fit_eps.append(ep)
        print(f"fitting {i + 1}/{len(fitting)} {slug}", file=sys.stderr, flush=True)
    val_eps = []
    for i, slug in enumerate(selection):
        ep = ob.Episode(outline_data.load(slug), "app", table)
        ep.features(WINDOWS)
        val_eps.append(ep)
        print(f"selection {i + 1}/{len(selection)} {slug}", file=sys.stderr, flush=True)
    with PICKLE.open("wb") as fh:
        pickle.dump((fit_eps, fit_app, val_eps), fh)
    return fit_eps, fit_app, val_eps


def fit_lr(eps: list[ob.Episode]) -> np.ndarray:
    """The reference classifier (15 app columns, label +-40, L2 1): weights with the bias last."""
    x = np.vstack([ep.features(WINDOWS)[:, : ob.N_APP_FEATURES] for ep in eps])
    y = np.concatenate([ep.labels(WIDTH) for ep in eps])
    return ob.fit(x, y, ob.L2)


def logodds(ep: ob.Episode, w: np.ndarray) -> np.ndarray:
    """Per unit start: the classifier's boundary log-odds (bias included)."""
    return np.asarray(ep.features(WINDOWS)[:, : ob.N_APP_FEATURES] @ w[:-1] + w[-1])


class Dp:
    """One episode's DP pieces as ``chapters._partition`` builds them (after the intro), for any count."""

    def __init__(self, ep: ob.Episode, boost: np.ndarray):
        self.ep = ep
        self.first = ep.units.index(ep.intro) if ep.intro is not None and ep.intro in ep.units else 0
        self.blocks = [b[self.first :] for b in ep.blocks]
        self.unit_len = ep.unit_len[self.first :]
        self.boost = boost[self.first :]
        self.total = float(self.unit_len.sum())
        self.k_len = outline.chapter_count(self.total)
        self.k_lo = max(2, int(math.floor(BAND[0] * self.k_len)))
        self.k_hi = max(self.k_lo, int(math.ceil(BAND[1] * self.k_len)))
        self._fixed: tuple[np.ndarray, list[np.ndarray]] | None = None
        self._wide: tuple | None = None
        self._rc: dict[int, tuple[float, list[int]]] = {}

    def _score(self, target: float, parts: tuple | None = None) -> tuple[np.ndarray, np.ndarray]:
        sqs, m, seg_words, src = parts or outline._band_parts(self.blocks, self.unit_len, target)
        if parts is not None:  # re-mask the widest band for this target
            min_words = min(outline.MIN_SECTION_WORDS, target / 3)
            ok = (src >= 0) & (seg_words >= min_words) & (seg_words <= outline.MAX_SECTION_FACTOR * target)
            src = np.where(ok, src, -1)
        prior = PRIOR * np.log(np.maximum(seg_words, 1.0) / target) ** 2
        base = np.where(src >= 0, self.boost[np.maximum(src, 0)], 0.0) - prior
        a = outline.EMBED_WEIGHT if len(sqs) > 1 else 0.0
        sq = (1.0 - a) * sqs[0] + (a * sqs[1] if len(sqs) > 1 else 0.0)
        coh = (sq - m) / np.maximum(m, 1.0) ** outline.COH_GAMMA
        return coh + base, src

    def fixed(self) -> tuple[np.ndarray, list[np.ndarray]]:
        """Totals for k = 1..k_hi with the length rule's prior, and the back pointers."""
        if self._fixed is None:
            score, src = self._score(self.total / self.k_len)
            self._fixed = dp_all(score, src, self.k_hi)
        return self._fixed

    def recentred_total(self, k: int) -> tuple[float, list[int]]:
        """Best total for exactly k sections with the prior centred on ``words / k`` (and its starts)."""
        if k in self._rc:
            return self._rc[k]
        if self._wide is None:
            self._wide = outline._band_parts(self.blocks, self.unit_len, self.total / self.k_lo)
        score, src = self._score(self.total / k, self._wide)
        totals, backs = dp_all(score, src, k)
        if len(totals) < k or not np.isfinite(totals[k - 1]):
            self._rc[k] = (-np.inf, [])
        else:
            self._rc[k] = (float(totals[k - 1]), backtrack(backs, k))
        return self._rc[k]

    def starts(self, k: int, recentred: bool = False) -> list[int]:
        """Section start word indices (snapped as the app does) for exactly k sections (nearest feasible)."""
        if recentred:
            k = min(max(k, self.k_lo), self.k_hi)
            _t, idx = self.recentred_total(k)
            if not idx:
                return self.starts(k)
        else:
            totals, backs = self.fixed()
            feasible = [s + 1 for s in range(len(totals)) if np.isfinite(totals[s])]
            kk = min(feasible, key=lambda s: (abs(s - k), s))
            idx = backtrack(backs, kk)
        ep = self.ep
        bounds = [ep.units[self.first + i] for i in idx]
        if self.first:
            bounds = [0, *bounds]
        return ep._snapped(bounds)


def dp_all(score: np.ndarray, src: np.ndarray, k_max: int) -> tuple[np.ndarray, list[np.ndarray]]:
    """``chapters._dp_fixed``'s recursion (``chapters.dp_rounds``) run to ``k_max`` sections: best totals for
    k = 1..k_max (``-inf`` where infeasible) and the back pointers."""
    backs, totals = [], []
    for total, back, alive in outline.dp_rounds(score, src):
        backs.append(back)
        totals.append(total)
        if len(totals) >= k_max or not alive:
            break
    return np.array(totals), backs


backtrack = outline.dp_starts
"""The start units of the best k-section partition, from :func:`dp_all`'s back pointers."""


def pick_dp(d: Dp, lam: float, mu: float, recentred: bool = False) -> int:
    """The count maximising total(k) - lam * k - mu * log(k / k_len)^2 within the band."""
    best, best_k = -np.inf, d.k_len
    for k in range(d.k_lo, d.k_hi + 1):
        t = (
            d.recentred_total(k)[0]
            if recentred
            else float(d.fixed()[0][k - 1])
            if k <= len(d.fixed()[0])
            else -np.inf
        )
        v = t - lam * k - mu * math.log(k / d.k_len) ** 2
        if v > best:
            best, best_k = v, k
    return best_k


def evidence(ep: ob.Episode, lo: np.ndarray) -> dict[str, float]:
    """Count estimates from the classifier's log-odds ``lo`` (per unit): the sum of probabilities divided by
    the expected positives per chapter start, and the number of local peaks above thresholds."""
    p = 1.0 / (1.0 + np.exp(-lo))
    mean_len = max(float(ep.unit_len.mean()), 1.0)
    window = 2 * WIDTH / mean_len + 1.0
    out = {"psum": float(p[1:].sum() / window) + 1.0}
    r = max(1, int(PEAK_WORDS / mean_len))
    peak = outline._peak_height(p, r) > 0
    peak[0] = False
    for thr in (0.1, 0.2, 0.3, 0.4, 0.5):
        out[f"peaks{thr:g}"] = float((peak & (p >= thr)).sum()) + 1.0
    return out


def partial_corr(y: np.ndarray, x: np.ndarray, z: np.ndarray) -> float:
    """Correlation of ``y`` and ``x`` after regressing each on ``[1, z]``."""
    a = np.stack([np.ones_like(z), z], axis=1)
    ry = y - a @ np.linalg.lstsq(a, y, rcond=None)[0]
    rx = x - a @ np.linalg.lstsq(a, x, rcond=None)[0]
    return float(np.corrcoef(ry, rx)[0, 1])


def score_rows(eps: list[ob.Episode], starts: list[list[int]], scorer: ModuleType) -> list[dict]:
    """The scorer's figures per episode for these section starts, with the human count and the objective."""
    rows = []
    for ep, st in zip(eps, starts, strict=True):
        r = ob.score(ep, st, scorer)
        rows.append(r | {"human": len(ep.chapters), "obj": ob.objective(r), "slug": ep.slug})
    return rows


def summary(name: str, rows: list[dict], ref: list[dict] | None = None) -> str:
    """One line of means (objective, Pk, WD, F1@150, count error and ratios, Lex / Vector), and a per-episode
    comparison with ``ref``."""
    ratio = np.array([r["pred_sections"] / r["human"] for r in rows])
    err = np.abs(np.log(ratio))
    obj = np.array([r["obj"] for r in rows])
    lex = np.array([r["slug"].startswith("lex-") for r in rows])
    s = (
        f"{name:44} obj {obj.mean():.4f} Pk {np.mean([r['pk'] for r in rows]):.3f} "
        f"WD {np.mean([r['windowdiff'] for r in rows]):.3f} F1@150 {np.mean([r['f1@150'] for r in rows]):.3f} "
        f"|log ratio| {err.mean():.3f} ratio {ratio.mean():.2f} ({ratio.min():.2f}-{ratio.max():.2f}) "
        f"lex {ratio[lex].mean():.2f} / vector {ratio[~lex].mean():.2f} obj lex {obj[lex].mean():.4f} "
        f"vector {obj[~lex].mean():.4f}"
    )
    if ref is not None:
        d = obj - np.array([r["obj"] for r in ref])
        s += f"\n    vs ref: {int((d < -1e-9).sum())} better, {int((d > 1e-9).sum())} worse, median {np.median(d):+.4f}, mean {d.mean():+.4f}"
    return s


def fold_of(slug: str) -> int:
    """The cue table's fold of a fitting episode (``outline_boundary.fitting_episodes``)."""
    return outline_data.split()[0].index(slug) % ob.CUE_FOLDS


def oof_classifiers(fit_eps: list[ob.Episode]) -> dict[str, np.ndarray]:
    """Per fitting episode (slug): the reference classifier fitted on the other folds."""
    ws = [fit_lr([ep for ep in fit_eps if fold_of(ep.slug) != f]) for f in range(ob.CUE_FOLDS)]
    return {ep.slug: ws[fold_of(ep.slug)] for ep in fit_eps}


def signal_check(fit_eps: list[ob.Episode], fit_app: list[ob.Episode]) -> None:
    """Partial correlations on the fitting split (out-of-fold classifier)."""
    ws = oof_classifiers(fit_eps)
    human = np.array([math.log(len(ep.chapters)) for ep in fit_app])
    words = np.array([math.log(len(ep.words)) for ep in fit_app])
    klen = np.array([math.log(outline.chapter_count(float(len(ep.words)))) for ep in fit_app])
    print(
        f"fitting split, {len(fit_app)} episodes (app starts); corr(log human, log words) "
        f"{np.corrcoef(human, words)[0, 1]:.3f}; mean |log(k_len / human)| {np.abs(klen - human).mean():.3f}"
    )
    cands: dict[str, list[float]] = {}
    dps = []
    for ep in fit_app:
        w = ws[ep.slug]
        lo = logodds(ep, w)
        dps.append(Dp(ep, WEIGHT * (lo - w[-1])))
        for k, v in raw_evidence(ep, lo, dps[-1].total).items():
            cands.setdefault(k, []).append(math.log(v))
    for lam in (0, 10, 20, 30, 40, 60):
        cands[f"dp lam {lam}"] = [math.log(pick_dp(d, lam, 0.0)) for d in dps]
    for name, vals in cands.items():
        x = np.array(vals)
        frac = (
            np.mean([v in (math.log(d.k_lo), math.log(d.k_hi)) for v, d in zip(vals, dps, strict=True)])
            if name.startswith("dp")
            else 0.0
        )
        b = np.linalg.lstsq(np.stack([np.ones_like(words), words, x], axis=1), human, rcond=None)[0]
        print(
            f"  {name:14} partial corr {partial_corr(human, x, words):+.3f}  corr {np.corrcoef(human, x)[0, 1]:+.3f}"
            f"  log-coef {b[2]:+.3f}  at band edge {frac:.2f}",
            flush=True,
        )


def main(argv: list[str] | None = None) -> int:
    """Command line: see the module docstring."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--resamples", type=int, default=0)
    ap.add_argument("--signal-only", action="store_true")
    ap.add_argument("--oracle", action="store_true", help="ceiling: the human count (and halfway to it)")
    ap.add_argument(
        "--loglinear", action="store_true", help="only the log-linear count rules (fitted on fitting)"
    )
    args = ap.parse_args(argv)
    scorer = ob.load_scorer()
    fit_eps, fit_app, val_eps = prepare()
    fitting, _sel = outline_data.split()
    power, scale = ob.count_power(fitting)
    ob.apply(ob.Settings(windows=WINDOWS, weight=WEIGHT, prior=PRIOR, scale=scale * FACTOR, power=power))
    print(f"count rule {scale * FACTOR:.2f} * (words/10k) ** {power:.3f}", flush=True)
    if args.oracle:
        return oracle(fit_eps, val_eps, scorer, args.resamples)
    if args.loglinear:
        return loglinear(fit_eps, fit_app, val_eps, scorer)
    signal_check(fit_eps, fit_app)
    if args.signal_only:
        return 0
    offsets = evidence_offsets(fit_eps, fit_app)
    ref, best = selection(fit_eps, val_eps, scorer, offsets, "all fitting", None)
    for r in range(1, args.resamples + 1):
        selection(resampled(fit_eps, r), val_eps, scorer, offsets, f"resample {r}", best)
    return 0


def evidence_offsets(fit_eps: list[ob.Episode], fit_app: list[ob.Episode]) -> dict[str, float]:
    """Per evidence count: the mean log(human / estimate) on the fitting split (out-of-fold classifier)."""
    ws = oof_classifiers(fit_eps)
    logs: dict[str, list[float]] = {}
    for ep in fit_app:
        for k, v in evidence(ep, logodds(ep, ws[ep.slug])).items():
            logs.setdefault(k, []).append(math.log(len(ep.chapters) / v))
    return {k: float(np.mean(v)) for k, v in logs.items()}


LAMS = tuple(range(0, 101, 4))
MUS = (0.0, 10.0, 30.0, 100.0)
BETAS = (0.25, 0.5, 0.75, 1.0)


def selection(
    fit_eps: list[ob.Episode],
    val_eps: list[ob.Episode],
    scorer: ModuleType,
    offsets: dict[str, float],
    tag: str,
    fixed: dict[str, tuple] | None,
) -> tuple[list[dict], dict[str, tuple]]:
    """Selection figures of the reference and of every candidate family's best constants (or, with
    ``fixed``, of those constants only). Returns the reference rows and each family's chosen constants."""
    w = fit_lr(fit_eps)
    dps = [Dp(ep, WEIGHT * (logodds(ep, w) - w[-1])) for ep in val_eps]
    ev = [evidence(ep, logodds(ep, w)) for ep in val_eps]
    ref = score_rows(val_eps, [d.starts(d.k_len) for d in dps], scorer)
    print(f"[{tag}] " + summary("reference (length rule)", ref), flush=True)
    gains = np.concatenate([np.diff(d.fixed()[0][d.k_lo - 1 : d.k_hi]) for d in dps])
    print(
        f"[{tag}] DP marginal gains in the band: median {np.median(gains):.1f}, "
        f"quartiles {np.percentile(gains, 25):.1f} {np.percentile(gains, 75):.1f}",
        flush=True,
    )
    families: dict[str, list[tuple]] = {
        "dp": [(lam, mu) for lam in LAMS for mu in MUS],
        "dp+rc": [(lam, mu) for lam in LAMS for mu in MUS],
        "dpc": [(lam, mu) for lam in LAMS for mu in MUS],
    }
    for name in offsets:
        families[name] = [(b,) for b in BETAS]
    chosen: dict[str, tuple] = {}
    cache: dict[tuple, list[dict]] = {}
    for fam, grid in families.items():
        if fixed is not None:
            grid = [fixed[fam]]
        results = []
        for const in grid:
            counts = []
            for d, e in zip(dps, ev, strict=True):
                if fam in ("dp", "dp+rc"):
                    counts.append(pick_dp(d, const[0], const[1]))
                elif fam == "dpc":
                    counts.append(pick_dp(d, const[0], const[1], recentred=True))
                else:
                    lk = math.log(d.k_len)
                    k = round(math.exp(lk + const[0] * (math.log(e[fam]) + offsets[fam] - lk)))
                    counts.append(min(max(k, d.k_lo), d.k_hi))
            key = (fam == "dp", tuple(counts))
            if key not in cache:
                cache[key] = score_rows(
                    val_eps,
                    [d.starts(k, recentred=fam != "dp") for d, k in zip(dps, counts, strict=True)],
                    scorer,
                )
            rows = cache[key]
            results.append((float(np.mean([r["obj"] for r in rows])), const, rows))
        results.sort(key=lambda t: t[0])
        obj, const, rows = results[0]
        chosen[fam] = const
        print(f"[{tag}] " + summary(f"{fam} {const}", rows, ref), flush=True)
        if fixed is None and len(results) > 1:
            print("    next best: " + "; ".join(f"{c} {o:.4f}" for o, c, _r in results[1:6]), flush=True)
    return ref, chosen


FACTORS = (0.85, 0.9, 0.95, 1.0, 1.05)


def raw_evidence(ep: ob.Episode, lo: np.ndarray, total: float) -> dict[str, float]:
    """Per-episode evidence that is not z-scored away: the classifier's mean probability, the sum of
    probabilities, the mean raw novelty of the word-vector block (250 and 700 words), the host-cue rate, plus
    ``evidence``'s counts."""
    p = 1.0 / (1.0 + np.exp(-lo))
    out = evidence(ep, lo)
    out["pmean"] = float(p.mean())
    for win in (250.0, 700.0):
        out[f"novelty{int(win)}"] = float(outline._novelty(ep.blocks[-1], ep.unit_len, win)[1:].mean())
    out["cue_rate"] = float(ep.cues.sum() / total * 1e4) + 0.1
    return out


def loglinear(
    fit_eps: list[ob.Episode], fit_app: list[ob.Episode], val_eps: list[ob.Episode], scorer: ModuleType
) -> int:
    """Count rules ``log k = a + b log words (+ c log words^2) (+ g log x)`` fitted on the fitting split
    (classifier evidence out of fold), times a factor chosen on selection (count ratio within 0.9-1.1, as
    the trainer chooses the length rule's), each compared with the reference on selection."""
    ws = oof_classifiers(fit_eps)
    w_all = fit_lr(fit_eps)

    def table(eps: list[ob.Episode], w_of: Any) -> tuple[np.ndarray, dict[str, np.ndarray], list[Dp]]:
        dps = [Dp(ep, WEIGHT * (logodds(ep, w_of(ep)) - w_of(ep)[-1])) for ep in eps]
        ev = [raw_evidence(ep, logodds(ep, w_of(ep)), d.total) for ep, d in zip(eps, dps, strict=True)]
        lw = np.log([d.total / 10000.0 for d in dps])
        cols = {"words": lw, "words^2": lw**2} | {k: np.log([e[k] for e in ev]) for k in ev[0]}
        return lw, cols, dps

    _lw, fcols, _fd = table(fit_app, lambda ep: ws[ep.slug])
    _lw, vcols, vdps = table(val_eps, lambda ep: w_all)
    human_fit = np.log([len(ep.chapters) for ep in fit_app])
    human_val = np.log([len(ep.chapters) for ep in val_eps])
    ref = score_rows(val_eps, [d.starts(d.k_len) for d in vdps], scorer)
    print(summary("reference (length rule)", ref), flush=True)
    rules = [["words"], ["words", "words^2"]] + [["words", k] for k in fcols if k not in ("words", "words^2")]
    for rule in rules:
        a = np.column_stack([np.ones(len(human_fit))] + [fcols[c] for c in rule])
        coef = np.linalg.lstsq(a, human_fit, rcond=None)[0]
        pred_fit = a @ coef
        av = np.column_stack([np.ones(len(human_val))] + [vcols[c] for c in rule])
        pred_val = av @ coef
        fit_err = np.abs(pred_fit - human_fit).mean()
        best = None
        for factor in FACTORS:
            ks = [max(2, round(factor * math.exp(v))) for v in pred_val]
            rows = score_rows(
                val_eps, [d.starts(k, recentred=True) for d, k in zip(vdps, ks, strict=True)], scorer
            )
            ratio = np.mean([r["pred_sections"] / r["human"] for r in rows])
            o = float(np.mean([r["obj"] for r in rows]))
            ok = abs(ratio - 1.0) <= ob.COUNT_TOLERANCE
            if best is None or (ok, -o) > (best[0], -best[1]):
                best = (ok, o, factor, rows, ks)
        assert best is not None
        _ok, o, factor, rows, ks = best
        err = np.abs(np.log(ks) - human_val).mean()
        print(
            f"rule {'+'.join(rule):16} coef {' '.join(f'{c:+.3f}' for c in coef)} fitting |log err| {fit_err:.3f} "
            f"selection |log(k/human)| {err:.3f} (x{factor:g})",
            flush=True,
        )
        print("  " + summary(f"{'+'.join(rule)} x{factor:g}", rows, ref), flush=True)
    return 0


def resampled(fit_eps: list[ob.Episode], r: int) -> list[ob.Episode]:
    """Bootstrap resample ``r`` of the fitting episodes (by episode, as ``outline_boundary --resamples``)."""
    slugs = sorted({ep.slug for ep in fit_eps})
    pick = np.random.default_rng(r).choice(len(slugs), len(slugs), replace=True)
    by_slug = {s: [ep for ep in fit_eps if ep.slug == s] for s in slugs}
    return [ep for i in pick for ep in by_slug[slugs[i]]]


def oracle(fit_eps: list[ob.Episode], val_eps: list[ob.Episode], scorer: ModuleType, resamples: int) -> int:
    """A ceiling for any count rule: the DP at the human count (sections after a spoken introduction), and at
    counts a quarter or half of the way (in log space) from the length rule's to the human one, on selection
    (also with classifiers fitted on bootstrap resamples)."""
    for r in range(resamples + 1):
        print(f"[{'all fitting' if r == 0 else f'resample {r}'}]", flush=True)
        oracle_fit(fit_lr(fit_eps if r == 0 else resampled(fit_eps, r)), val_eps, scorer)
    return 0


def oracle_fit(w: np.ndarray, val_eps: list[ob.Episode], scorer: ModuleType) -> None:
    """:func:`oracle` for one fitted classifier ``w``."""
    dps = [Dp(ep, WEIGHT * (logodds(ep, w) - w[-1])) for ep in val_eps]
    ref = score_rows(val_eps, [d.starts(d.k_len) for d in dps], scorer)
    print(summary("reference (length rule)", ref), flush=True)
    for share in (0.25, 0.5, 1.0):
        ks = []
        for d in dps:
            human = len(d.ep.chapters) - (1 if d.first else 0)
            ks.append(max(2, round(math.exp((1 - share) * math.log(d.k_len) + share * math.log(human)))))
        for rc in (False, True):
            rows = score_rows(
                val_eps, [d.starts(k, recentred=rc) for d, k in zip(dps, ks, strict=True)], scorer
            )
            print(summary(f"oracle share {share:g}{' recentred' if rc else ''}", rows, ref), flush=True)


if __name__ == "__main__":
    sys.exit(main())
