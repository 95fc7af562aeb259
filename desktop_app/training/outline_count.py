"""Can an episode's own boundary evidence choose its chapter count? Session 12, issue 14; prints only.

Training time only (not imported by the app); needs ``/work/shared``. The app's count follows the text length
alone (``chapters.chapter_count``); session 9 found no count predictor in the speaker turns. This script
compares count rules that look at the episode's boundary evidence, with the boundary classifier and count
rule fitted on the fitting split exactly as ``outline_boundary``'s reference line (``lr``, windows 100/250/700,
label +-40, L2 1, DP weight 12, prior 1, scale x0.95), and every constant chosen on the selection split:

- ``dp``: the dynamic programme's best total for every count ``k`` from 0.6 to 1.8 times the length rule's
  (one fixed-k run yields every smaller k), and ``k = argmax total(k) - lam * k - mu * log(k / k_len) ** 2``;
- ``dpc``: the same with the length prior re-centred on ``words / k`` for each ``k``;
- ``psum``: ``log k = log k_len + beta * (log(sum p / window) - log k_len)`` with ``p`` the classifier's
  probabilities and ``window`` the expected number of positive units per chapter start (count from the sum of
  probabilities, blended with the length rule in log space; ``beta`` chosen);
- ``peaks``: the same with the number of local maxima of ``p`` (within ``PEAK_WORDS`` words) above ``thr``.

First a signal check on the fitting split (classifier out of fold, by the cue table's folds): the partial
correlation of each candidate's log count with the log human count given log words. Then the selection
figures, against the reference, for the constants that minimise the objective; ``--resamples`` re-fits the
classifier on bootstrap resamples of the fitting episodes and reports the paired changes at those constants.

    python -m desktop_app.training.outline_count [--resamples 3]
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
    """``chapters._dp_fixed``'s recursion run to ``k_max`` sections: best totals for k = 1..k_max (``-inf``
    where infeasible) and the back pointers."""
    n = score.shape[0] - 1
    ok = src >= 0
    srcc = np.where(ok, src, 0)
    sc = np.where(ok, score, -np.inf)
    rows = np.arange(n + 1)
    prev = np.full(n + 1, -np.inf)
    prev[0] = 0.0
    backs, totals = [], []
    for _ in range(k_max):
        cand = prev[srcc] + sc
        arg = cand.argmax(axis=1)
        prev = cand[rows, arg]
        backs.append(srcc[rows, arg])
        totals.append(float(prev[n]))
        if not np.isfinite(prev).any():
            break
    return np.array(totals), backs


def backtrack(backs: list[np.ndarray], k: int) -> list[int]:
    j = len(backs[0]) - 1
    out = []
    for s in range(k, 0, -1):
        i = int(backs[s - 1][j])
        out.append(i)
        j = i
    return sorted(out)


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
    rows = []
    for ep, st in zip(eps, starts, strict=True):
        r = ob.score(ep, st, scorer)
        rows.append(r | {"human": len(ep.chapters), "obj": ob.objective(r), "slug": ep.slug})
    return rows


def summary(name: str, rows: list[dict], ref: list[dict] | None = None) -> str:
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
        for k, v in evidence(ep, lo).items():
            cands.setdefault(k, []).append(math.log(v))
        dps.append(Dp(ep, WEIGHT * (lo - w[-1])))
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
