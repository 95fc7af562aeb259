"""Session-12 experiments on the outline's title ranker (issue 14): other learners, host-question columns.

Training time only (never imported by the app; LightGBM comes from a separate environment, never from
pyproject). Everything is fitted on the fitting split with the trainer's machinery (``outline_titles``: the
out-of-fold candidate rows of the human and the app's sections, ``--sections both`` as shipped; the word
tables of the whole fitting split) and scored on the selection split with the trainer's ``end_to_end`` (app's
sections) and its human-section titling, one episode at a time for per-episode better / worse. The reference
is the shipped form (conditional logit + 16 relu units, L2 1 / 150) refitted on fitting, the line the
trainer prints (app's sections titles 0.341 / titleF1 0.244 at pair margin 1; human sections 0.510 / 0.356).

    python -m desktop_app.training.outline_title_rank --experiment noise       # reference: seeds, bootstraps
    python -m desktop_app.training.outline_title_rank --experiment trees --grid "lambdarank:7:300:0.05:50"
    python -m desktop_app.training.outline_title_rank --experiment host         # host columns, shipped form
    python -m desktop_app.training.outline_title_rank --experiment hostnoise --sets early100+any+share
    python -m desktop_app.training.outline_title_rank --experiment treenoise --grid "..."
    python -m desktop_app.training.outline_title_rank --experiment timing --export trees.json.gz

(LightGBM on the path: e.g. ``/work/venv-rank`` appended to ``sys.path``.)

Results (selection split, 35 episodes, 630 chapters; titles / titleF1; "b/w": episodes better / worse in
titleF1 than the reference; 95 % intervals of the titleF1 difference by resampling the selection episodes):

Noise of the reference. Hidden-layer seeds 1, 2: app 0.343 / 0.244, 0.338 / 0.241 (human F1 0.356, 0.355).
Bootstrap resamples of the fitting episodes (3): app titles 0.330-0.351, titleF1 0.239-0.246; human titleF1
0.349-0.358. So about +-0.005 in app titleF1 and +-0.01 in titles.

1. Gradient-boosted trees on the same 31 columns (LightGBM, one query per section, relevance = round(4 F1)
   grades; pair margin chosen on selection, 1 as shipped). At margin 1: lambdarank 15 leaves / 300 trees
   0.348 / 0.246 (17/17), rank_xendcg 0.360 / 0.246 (17/16), regression on the soft label 0.354 / 0.226 (12/23);
   lambdarank 7 leaves 0.354 / 0.252 (21/11; interval -0.007..+0.023), 31 leaves 0.346 / 0.247, 600 trees at
   rate 0.03 0.341 / 0.245, 150 trees 0.344 / 0.246. Lambdarank 7 leaves with bagging seeds 1, 2: 0.343 / 0.246,
   0.344 / 0.245: on the app's sections the trees are within noise of the reference (mean of 3 seeds 0.248).
   On the human sections they are clearly better, every setting and seed: titleF1 0.379-0.385 against 0.356
   (lambdarank 7: 0.383, 21/12, interval +0.007..+0.048), titles 0.541-0.552 against 0.510. The gap between
   the two section sets widens: the trees rank a chapter's own phrases better but do not transfer to the app's
   uneven sections, where titleF1 is scored.
   Export: the ensemble as plain arrays (``TreeEnsemble``: per tree node feature, threshold, children; leaf
   values), evaluated in numpy with no LightGBM: max |score difference| 1e-14 in memory, 1.2e-9 after a JSON
   round trip with exact thresholds and 9-digit leaves (thresholds rounded to 7 digits moved scores by up to
   0.05: a few rows sit on a threshold). Lambdarank 7 leaves x 300 trees: 79 KiB JSON, 24 KiB gzip (the
   shipped model file is 156 KiB, nearly all word tables). Seed outline (benchmarks/outline.py's call, loaded
   machine, best of 5): shipped 0.455-0.505 s, trees 0.550-0.559 s.

2. Host columns (``host_columns``: the phrase said by the inferred host within 100 / 300 / 600 words of the
   section start, by the host anywhere in the section, the host's share of its uses there; the host is the
   speaker inference's first speaker, paragraphs from ``outline_data.paragraphs``), shipped form, margin 1:
   early300+any+share 0.354 / 0.248 (16/15), early100+any+share 0.362 / 0.257 (21/12, +0.001..+0.024),
   early600+any+share 0.354 / 0.251, any+share 0.354 / 0.255 (21/9), early300 alone 0.352 / 0.245, all five
   0.365 / 0.257 (20/11, +0.002..+0.025). Human sections: 0.364-0.378 against 0.356 (early100+any+share 0.378,
   22/9). Refitted on the same 3 bootstrap resamples as the reference, early100+any+share against the
   resample's reference: app titleF1 0.244 vs 0.246, 0.255 vs 0.239, 0.255 vs 0.246 (differences -0.002,
   +0.016, +0.009; +0.013 on the full fitting split), human 0.373 vs 0.358, 0.370 vs 0.349, 0.379 vs 0.354.
   Best of six column sets chosen on selection, so the +0.013 is partly the pick; the resamples say about
   +0.009 on the app's sections (one of three resamples no gain) and +0.02 on the human sections.

   Trees on the host columns (lambdarank 7 leaves): all five 0.354 / 0.259 (24/11), early100+any+share
   0.349 / 0.252; human 0.384 / 0.391.

Trees refitted on the same 3 bootstrap resamples (``treenoise``), against the resample's reference (app
titleF1 0.246 / 0.239 / 0.246, human 0.358 / 0.349 / 0.354): lambdarank 7 leaves app 0.241 / 0.242 / 0.239
(-0.005, +0.003, -0.007), human 0.374 / 0.377 / 0.380 (+0.016, +0.028, +0.026); with all five host columns app
0.245 / 0.244 / 0.245 (-0.001, +0.005, -0.001), human 0.370 / 0.377 / 0.389. The trees' 0.252 and 0.259 on the
full fitting split were lucky fits: on the app's sections the trees are no better than the reference; on the
human sections they are better on every resample.

None comes near the issue's targets on the app's sections (titleF1 0.32, titles 0.55): the best, 0.259 /
0.365, closes about 3 % of the gap between the reference (0.244) and the best of the ranker's own candidates
(about 0.70). Both changes help clearly on the human sections (+0.02 to +0.03 titleF1, beyond every noise
measure) and far less on the app's sections, where the scorer's match pairs one section with several chapters.
"""

from __future__ import annotations

import argparse
import bisect
import gzip
import json
import math
import os
import sys
import time
from typing import TYPE_CHECKING, Any

import numpy as np

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from desktop_app.outline import title_candidates as C
from desktop_app.outline import title_model as M
from desktop_app.outline import title_words as W
from desktop_app.training import outline_data
from desktop_app.training import outline_titles as OT

if TYPE_CHECKING:
    from collections.abc import Sequence

# the shipped form (resources/models/outline_titles.json.gz): L2, hidden units, their L2, activation
REF_L2, REF_UNITS, REF_HIDDEN_L2, REF_ACTIVATION = 1.0, 16, 150.0, "relu"
BIG = 1e300  # the threshold of padding nodes and single-leaf trees (plain JSON has no infinity)
EARLY = (100, 300, 600)
HOST_COLUMNS = tuple(f"host_early{n}" for n in EARLY) + ("host_any", "host_share")
HOST_SETS = {
    "early300+any+share": ("host_early300", "host_any", "host_share"),
    "early100+any+share": ("host_early100", "host_any", "host_share"),
    "early600+any+share": ("host_early600", "host_any", "host_share"),
    "any+share": ("host_any", "host_share"),
    "early300": ("host_early300",),
    "all five": HOST_COLUMNS,
}

# --- host columns ---------------------------------------------------------------------------------------

_HOST_MASKS: dict[int, np.ndarray] = {}  # id(words) -> per word: said by the host
_FEATURE_CACHE: dict[tuple, list] = {}
_STATE: dict[str, Any] = {"host": False}
_ORIGINAL = C.candidate_features


def host_name(ep: dict) -> str | None:
    """The name the speaker inference gives the host of the episode (its first speaker), cached."""
    import hashlib

    from desktop_app.library.derived import SPEAKERS_VERSION
    from desktop_app.readability import segmentation as readability
    from desktop_app.speakers import infer_speakers

    text = ep["text"]
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
    path = (
        outline_data.TURNS_CACHE
        / f"{ep['slug']}-{digest}-{readability.ALGORITHM_VERSION}-{SPEAKERS_VERSION}-host.json"
    )

    def compute() -> list:
        result = infer_speakers(text, readability.segment(text))
        return [result.speakers[0] if result.speakers else None]

    return outline_data._cached_json(path, compute)[0]


def host_mask(slug: str) -> np.ndarray:
    """Per word of the episode (``text.split()`` order): whether the inferred host says it."""
    ep = outline_data.load(slug)
    host = host_name(ep)
    offs = ep["offsets"]
    mask = np.zeros(len(offs), dtype=bool)
    for a, b, speaker in outline_data.paragraphs(ep):
        if speaker == host and host is not None:
            i, j = bisect.bisect_left(offs, a), bisect.bisect_left(offs, b)
            mask[i:j] = True
    return mask


def host_columns(words: Sequence[str], a: int, b: int, key: tuple[str, ...], host: np.ndarray) -> list[float]:
    """``HOST_COLUMNS`` of one candidate of the section ``[a, b)``: said by the host within ``EARLY`` words of
    the section's start, by the host anywhere in it, and the host's share of its uses in the section (a
    template not said word for word: the uses of its words)."""
    k = len(key)
    occ = [
        i
        for i in range(a, min(b, len(words)) - k + 1)
        if words[i] == key[0] and tuple(words[i : i + k]) == key
    ]
    if not occ:
        content = {w for w in key if w not in W._CONNECTORS}
        occ = [i for i in range(a, min(b, len(words))) if words[i] in content]
    if not occ:
        return [0.0] * len(HOST_COLUMNS)
    by_host = [i for i in occ if i < len(host) and host[i]]
    return [float(any(i - a < n for i in by_host)) for n in EARLY] + [
        float(bool(by_host)),
        len(by_host) / len(occ),
    ]


def patched_features(
    words: Sequence[str],
    forms: dict[str, str],
    sections: Sequence[tuple[int, int]],
    model: M.TitleModel | None,
    prior: dict[str, float] | None = None,
    common: dict[str, float] | None = None,
    banned: frozenset[str] = frozenset(),
    noun: dict[str, float] | None = None,
    templates: dict[str, tuple[float, float]] | None = None,
) -> list[list[tuple[tuple[str, ...], list[float]]]]:
    """``title_candidates.candidate_features``, memoised for the experiment's episodes (the tables are the same
    for every model compared), with the host columns appended when ``_STATE["host"]`` is on."""
    host = _HOST_MASKS.get(id(words))
    if host is None:  # not an episode of the experiment (the app's own outline while drawing sections)
        return _ORIGINAL(words, forms, sections, model, prior, common, banned, noun, templates)
    tables = prior if prior is not None else (model.prior if model is not None else None)
    key = (id(words), tuple(sections), banned, id(tables), _STATE["host"])
    hit = _FEATURE_CACHE.get(key)
    if hit is not None:
        return hit
    out = _ORIGINAL(words, forms, sections, model, prior, common, banned, noun, templates)
    if _STATE["host"]:
        out = [
            [(k, f + host_columns(words, a, b, k, host)) for k, f in rows]
            for (a, b), rows in zip(sections, out, strict=True)
        ]
    _FEATURE_CACHE[key] = out
    return out


def install() -> None:
    """Route the candidate features of the trainer and of the app's title model through ``patched_features``
    (for the experiments only: importing this module changes nothing)."""
    setattr(C, "candidate_features", patched_features)  # noqa: B010
    setattr(M, "candidate_features", patched_features)  # noqa: B010


# --- data ------------------------------------------------------------------------------------------------


def build(host: bool) -> dict:
    """Out-of-fold candidate rows of the fitting split (human and app sections, as the shipped model), the
    word tables of the whole fitting split, and the selection episodes (human and app sections)."""
    _STATE["host"] = host
    install()
    fitting, selection = outline_data.split()
    human_eps = [OT.prepare(s) for s in fitting]
    val_eps = [OT.prepare(s) for s in selection]
    outlines = [OT.predicted_sections(s) for s in selection]
    for ep in human_eps + val_eps:
        _HOST_MASKS[id(ep["words"])] = host_mask(ep["slug"]) if host else np.zeros(0, bool)
    for o, ep in zip(outlines, val_eps, strict=True):
        _HOST_MASKS[id(o["words"])] = _HOST_MASKS[id(ep["words"])]
    fit_eps = list(enumerate(human_eps))
    fit_eps += [
        (i, OT.on_app_sections(ep, OT.predicted_sections(ep["slug"]))) for i, ep in enumerate(human_eps)
    ]
    xs: list[list[float]] = []
    ys: list[float] = []
    gs: list[int] = []
    ep_of: list[int] = []
    n_groups = 0
    for k in range(OT.FOLDS):
        held = [(i, ep) for i, ep in fit_eps if i % OT.FOLDS == k]
        others = [ep for i, ep in enumerate(human_eps) if i % OT.FOLDS != k]
        prior, common, noun = OT.tables(others)
        fold_templates = OT.templates_of(others)
        for i, ep in held:
            x_ep, y_ep, g = OT.rows(ep, prior, common, noun, fold_templates)
            xs += x_ep
            ys += y_ep
            gs += [1000 * n_groups + v for v in g]
            ep_of += [i] * len(g)
            n_groups += 1
    prior, common, noun = OT.tables(human_eps)
    return {
        "x": np.array(xs),
        "y": np.array(ys),
        "group": np.array(gs),
        "ep_of": np.array(ep_of),
        "n_fit": len(human_eps),
        "tables": (prior, common, noun, OT.templates_of(human_eps)),
        "val_eps": val_eps,
        "outlines": outlines,
    }


def make_model(data: dict, n_features: int, **kw: Any) -> M.TitleModel:
    prior, common, noun, templates = data["tables"]
    base = {
        "coef": [0.0] * n_features,
        "bias": 0.0,
        "mean": [0.0] * n_features,
        "scale": [1.0] * n_features,
        "prior": prior,
        "common": common,
        "prior_default": prior[""],
        "common_default": common[""],
        "noun": noun,
        "templates": templates,
        "pair_margin": -1.0,
    }
    base.update(kw)
    return M.TitleModel(**base)


# --- learners --------------------------------------------------------------------------------------------


def fit_reference(
    data: dict, rows: np.ndarray | None = None, seed: int = 0, cols: Sequence[str] = ()
) -> M.TitleModel:
    """The shipped form (conditional logit + 16 relu units, L2 1 / 150) fitted on the given rows of the 31
    ``FEATURES`` and the host columns ``cols``; the other columns of ``data`` get zero weights (mean 0, scale 1),
    so the model scores the full rows."""
    n_all = data["x"].shape[1]
    use = list(range(len(C.FEATURES))) + [len(C.FEATURES) + HOST_COLUMNS.index(c) for c in cols]
    x, y, g = data["x"][:, use], data["y"], data["group"]
    if rows is not None:
        x, y, g = x[rows], y[rows], g[rows]
    mean, scale = x.mean(axis=0), np.maximum(x.std(axis=0), 1e-6)
    z = (x - mean) / scale
    w_lin = OT.fit_listwise(z, y, g, REF_L2)
    w, hidden = OT.fit_hidden(
        z,
        y,
        g,
        w_lin,
        REF_L2,
        REF_UNITS,
        REF_HIDDEN_L2,
        REF_ACTIVATION,
        seed=seed,
    )
    coef, mean_all, scale_all = np.zeros(n_all), np.zeros(n_all), np.ones(n_all)
    coef[use], mean_all[use], scale_all[use] = w[:-1], mean, scale
    w_h = np.zeros((len(hidden.out), n_all))
    w_h[:, use] = hidden.weights
    hidden = M.HiddenLayer(w_h, hidden.bias, hidden.out, hidden.activation)
    return make_model(
        data,
        n_all,
        coef=coef.tolist(),
        bias=0.0,
        mean=mean_all.tolist(),
        scale=scale_all.tolist(),
        hidden=hidden,
    )


class TreeModel(M.TitleModel):
    """A title model whose score is a sum of regression trees over the raw feature columns, evaluated in numpy
    from plain arrays (``TreeEnsemble``): what the app would load."""

    def __init__(self, ensemble: TreeEnsemble, **kw: Any):
        super().__init__(**kw)
        self.ensemble = ensemble

    def score_many(self, feats: Sequence[Sequence[float]]) -> np.ndarray:
        """Scores of many feature rows at once (the trees' summed leaf values)."""
        x = np.asarray(feats, dtype=np.float64).reshape(-1, len(self._mean))
        return self.ensemble(x)


class TreeEnsemble:
    """Trees as arrays: per node its split feature, threshold (go left when ``x <= threshold``) and children
    (a child ``< 0`` is the leaf ``~child``), per leaf its value; all trees padded to the same node count."""

    def __init__(
        self,
        feature: np.ndarray,
        threshold: np.ndarray,
        left: np.ndarray,
        right: np.ndarray,
        value: np.ndarray,
    ):
        self.feature, self.threshold, self.left, self.right, self.value = (
            feature,
            threshold,
            left,
            right,
            value,
        )

    def __call__(self, x: np.ndarray) -> np.ndarray:
        """Sum over the trees of the leaf each row of ``x`` falls in."""
        n, t = len(x), len(self.feature)
        trees = np.arange(t)[None, :]
        node = np.zeros((n, t), dtype=np.int64)
        rows = np.arange(n)[:, None]
        while True:
            inner = node >= 0
            if not inner.any():
                break
            nd = np.where(inner, node, 0)
            f = self.feature[trees, nd]
            go_left = x[rows, f] <= self.threshold[trees, nd]
            nxt = np.where(go_left, self.left[trees, nd], self.right[trees, nd])
            node = np.where(inner, nxt, node)
        return self.value[trees, ~node].sum(axis=1)

    def to_json(self) -> dict[str, Any]:
        """The arrays as a model file would store them: thresholds exact (JSON floats round-trip; rounded to 7
        digits they sent a few rows the other way: scores off by up to 0.05), leaf values to 9 digits."""
        return {
            "feature": self.feature.tolist(),
            "threshold": [[float(v) for v in row] for row in self.threshold],
            "left": self.left.tolist(),
            "right": self.right.tolist(),
            "value": [[float(f"{v:.9g}") for v in row] for row in self.value],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TreeEnsemble:
        """Inverse of :meth:`to_json`."""
        return cls(
            np.asarray(data["feature"], dtype=np.int64),
            np.asarray(data["threshold"], dtype=np.float64),
            np.asarray(data["left"], dtype=np.int64),
            np.asarray(data["right"], dtype=np.int64),
            np.asarray(data["value"], dtype=np.float64),
        )

    @classmethod
    def from_lightgbm(cls, booster: Any) -> TreeEnsemble:
        """The arrays of a LightGBM booster (numerical splits, no missing values in the features)."""
        trees = booster.dump_model()["tree_info"]
        per = [_flatten(t["tree_structure"]) for t in trees]
        width = max(len(p[0]) for p in per)
        leaves = max(len(p[4]) for p in per)

        def pad(k: int, size: int, fill: float) -> np.ndarray:
            return np.array([list(p[k]) + [fill] * (size - len(p[k])) for p in per])

        return cls(
            pad(0, width, 0).astype(np.int64),
            pad(1, width, BIG).astype(np.float64),
            pad(2, width, -1).astype(np.int64),
            pad(3, width, -1).astype(np.int64),
            pad(4, leaves, 0.0).astype(np.float64),
        )


def _flatten(tree: dict) -> tuple[list[int], list[float], list[int], list[int], list[float]]:
    """One dumped LightGBM tree as node lists (feature, threshold, left, right; a child ``< 0`` is the leaf
    ``~child``) and leaf values."""
    feat: list[int] = []
    thr: list[float] = []
    left: list[int] = []
    right: list[int] = []
    val: list[float] = []

    def walk(nd: dict) -> int:
        if "split_feature" not in nd:
            val.append(float(nd["leaf_value"]))
            return ~(len(val) - 1)
        if nd.get("decision_type", "<=") != "<=":
            raise ValueError("only <= splits")
        i = len(feat)
        feat.append(int(nd["split_feature"]))
        thr.append(float(nd["threshold"]))
        left.append(0)
        right.append(0)
        left[i] = walk(nd["left_child"])
        right[i] = walk(nd["right_child"])
        return i

    root = walk(tree)
    if root < 0:  # a single leaf: one node sending everything to it
        return [0], [BIG], [root], [root], val
    return feat, thr, left, right, val


def grades(y: np.ndarray, levels: int) -> np.ndarray:
    """The soft F1 label as an integer relevance grade 0..levels (0 only for no shared word)."""
    return np.where(y > 0, np.maximum(1, np.round(y * levels)), 0).astype(np.int64)


def fit_lightgbm(
    data: dict,
    objective: str,
    leaves: int,
    trees: int,
    rate: float,
    min_leaf: int,
    levels: int = 4,
    seed: int = 0,
    cols: Sequence[str] = (),
) -> tuple[Any, TreeEnsemble, list[int]]:
    """A LightGBM ranker (``lambdarank`` or ``rank_xendcg``) on the fitting rows, one query per section with a
    shared word (as the conditional logit), relevance ``grades(y)``; or ``regression`` on the soft label over
    all sections. Columns: the 31 ``FEATURES`` and the host columns ``cols``; the ensemble's split features
    index the full rows of ``data``, the booster's the columns returned."""
    from importlib import import_module

    lgb = import_module("lightgbm")  # training only, in a separate environment

    use = list(range(len(C.FEATURES))) + [len(C.FEATURES) + HOST_COLUMNS.index(c) for c in cols]
    x, y, g = data["x"][:, use], data["y"], data["group"]
    if objective != "regression":
        keep = np.isin(g, np.unique(g[y > 0]))
        x, y, g = x[keep], y[keep], g[keep]
    starts = np.flatnonzero(np.r_[True, g[1:] != g[:-1]])
    sizes = np.diff(np.r_[starts, len(g)])
    label = grades(y, levels) if objective != "regression" else y
    params = {
        "objective": objective,
        "num_leaves": leaves,
        "learning_rate": rate,
        "min_data_in_leaf": min_leaf,
        "feature_fraction": 0.8,
        "bagging_fraction": 0.8,
        "bagging_freq": 1,
        "lambda_l2": 1.0,
        "num_threads": 1,
        "seed": seed,
        "verbose": -1,
        "deterministic": True,
    }
    if objective == "lambdarank":
        params["lambdarank_truncation_level"] = 20
    ds = lgb.Dataset(x, label, group=sizes if objective != "regression" else None, free_raw_data=False)
    booster = lgb.train(params, ds, num_boost_round=trees)
    ens = TreeEnsemble.from_lightgbm(booster)
    ens.feature = np.asarray(use)[ens.feature]
    return booster, ens, use


# --- evaluation (the trainer's end_to_end / oracle_score, one episode at a time) ---------------------------


def human_hits(ep: dict, model: M.TitleModel) -> tuple[float, float, int]:
    """(titles hit share, titleF1, chapters) of the learned titles on the human sections of one episode, as
    ``outline_titles.oracle_score`` titles them."""
    got = M.learned_titles(ep["words"], ep["forms"], ep["sections"], model)
    hits, f1s = [], []
    for i, (ref, hyp) in enumerate(zip(ep["titles"], got, strict=True)):
        hyp = "Introduction" if i == 0 and ref.lower() in OT.SKIP_TITLES else (hyp or "")
        f1s.append(OT.title_f1(ref, hyp))
        hits.append(float(bool(W.title_stems(ref) & W.title_stems(hyp))))
    return float(np.mean(hits)), float(np.mean(f1s)), len(f1s)


def evaluate(data: dict, model: M.TitleModel) -> dict:
    """Per selection episode: app's sections (titles, titleF1) by ``outline_titles.end_to_end``, human sections
    (titles, titleF1); and the chapter-weighted means."""
    app = [OT.end_to_end([o], model) for o in data["outlines"]]
    n_app = np.array([len(o["ref"]) for o in data["outlines"]], dtype=float)
    hum = [human_hits(ep, model) for ep in data["val_eps"]]
    n_hum = np.array([h[2] for h in hum], dtype=float)
    return {
        "app": np.array(app),
        "hum": np.array([h[:2] for h in hum]),
        "app_mean": (np.array(app) * n_app[:, None]).sum(axis=0) / n_app.sum(),
        "hum_mean": (np.array([h[:2] for h in hum]) * n_hum[:, None]).sum(axis=0) / n_hum.sum(),
    }


def line(name: str, res: dict, ref: dict | None = None) -> str:
    a, h = res["app_mean"], res["hum_mean"]
    out = f"{name:44} app: titles {a[0]:.3f} titleF1 {a[1]:.3f} | human: titles {h[0]:.3f} titleF1 {h[1]:.3f}"
    if ref is not None:
        d = res["app"] - ref["app"]
        out += (
            f" | vs ref, episodes better/worse: titles {(d[:, 0] > 1e-9).sum()}/{(d[:, 0] < -1e-9).sum()}, "
            f"titleF1 {(d[:, 1] > 1e-9).sum()}/{(d[:, 1] < -1e-9).sum()}"
        )
    return out


def with_margins(data: dict, model: M.TitleModel, margins: Sequence[float]) -> dict[float, dict]:
    out = {}
    for m in margins:
        model.pair_margin = m
        out[m] = evaluate(data, model)
    return out


def bootstrap(data: dict, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Rows and group ids of a bootstrap resample of the fitting episodes (an episode drawn twice: its
    sections twice, as separate groups)."""
    pick = rng.integers(0, data["n_fit"], data["n_fit"])
    idx = [np.flatnonzero(data["ep_of"] == i) for i in pick]
    groups = [data["group"][ix] + 10_000_000 * c for c, ix in enumerate(idx)]
    return np.concatenate(idx), np.concatenate(groups)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--experiment", choices=("noise", "trees", "host", "hostnoise", "treenoise", "timing"), required=True
    )
    ap.add_argument(
        "--grid", default="", help="trees: objective:leaves:trees:rate:min_leaf[:host set[:seed]];..."
    )
    ap.add_argument(
        "--host", action="store_true", help="trees: build the host columns (grid specs name a set)"
    )
    ap.add_argument("--sets", default=",".join(HOST_SETS), help="host: column sets to compare")
    ap.add_argument(
        "--export", default="", help="trees: write the last ensemble here (json.gz, as a model file)"
    )
    ap.add_argument("--save", default="", help="write the per-episode results here (json)")
    args = ap.parse_args(argv)
    if args.experiment == "timing":
        return timing(args.export)
    t0 = time.time()
    data = build(host=args.experiment in ("host", "hostnoise", "treenoise") or args.host)
    print(
        f"{len(data['x'])} rows, {data['x'].shape[1]} columns, built in {time.time() - t0:.0f} s", flush=True
    )
    results: dict[str, Any] = {}

    def report(name: str, model: M.TitleModel, margins: Sequence[float], ref: dict | None) -> None:
        for m, r in with_margins(data, model, margins).items():
            base = None if ref is None else ref.get(m, ref[1.0])
            print(line(f"{name} margin {m:g}", r, base), flush=True)
            results[f"{name} m{m:g}"] = r

    t1 = time.time()
    ref = fit_reference(data)
    print(f"reference fitted in {time.time() - t1:.0f} s", flush=True)
    report("reference", ref, (-1.0, 1.0), None)
    ref_res = {m: results[f"reference m{m:g}"] for m in (-1.0, 1.0)}
    if args.experiment == "noise":
        for seed in (1, 2):
            report(f"reference hidden seed {seed}", fit_reference(data, seed=seed), (-1.0, 1.0), ref_res)
        rng = np.random.default_rng(12)
        for b in range(3):
            rows, groups = bootstrap(data, rng)
            sub = data | {"x": data["x"][rows], "y": data["y"][rows], "group": groups}
            report(f"reference bootstrap {b}", fit_reference(sub), (-1.0, 1.0), ref_res)
    if args.experiment == "hostnoise":  # the reference and the host columns refitted on the same resamples
        rng = np.random.default_rng(12)
        for b in range(3):
            rows, groups = bootstrap(data, rng)
            sub = data | {"x": data["x"][rows], "y": data["y"][rows], "group": groups}
            report(f"reference bootstrap {b}", fit_reference(sub), (1.0,), ref_res)
            boot_ref = {1.0: results[f"reference bootstrap {b} m1"]}
            for name in args.sets.split(","):
                report(
                    f"host {name} bootstrap {b}", fit_reference(sub, cols=HOST_SETS[name]), (1.0,), boot_ref
                )
    if args.experiment == "treenoise":  # the reference and the grid's trees refitted on the same resamples
        rng = np.random.default_rng(12)
        for b in range(3):
            rows, groups = bootstrap(data, rng)
            sub = data | {"x": data["x"][rows], "y": data["y"][rows], "group": groups}
            report(f"reference bootstrap {b}", fit_reference(sub), (1.0,), ref_res)
            boot_ref = {1.0: results[f"reference bootstrap {b} m1"]}
            for spec in args.grid.split(";"):
                obj, leaves, trees, rate, min_leaf, *rest = spec.split(":")
                cols = HOST_SETS[rest[0]] if rest and rest[0] else ()
                _booster, ens, _use = fit_lightgbm(
                    sub, obj, int(leaves), int(trees), float(rate), int(min_leaf), cols=cols
                )
                tree_model = TreeModel(ens, **_kw(make_model(data, data["x"].shape[1])))
                report(f"{spec} bootstrap {b}", tree_model, (1.0,), boot_ref)
    if args.experiment == "host":
        for name in args.sets.split(","):
            report(f"host {name}", fit_reference(data, cols=HOST_SETS[name]), (-1.0, 1.0), ref_res)
    if args.experiment == "trees":
        for spec in args.grid.split(";"):
            obj, leaves, trees, rate, min_leaf, *rest = spec.split(":")
            cols = HOST_SETS[rest[0]] if rest and rest[0] else ()
            seed = int(rest[1]) if len(rest) > 1 else 0
            t1 = time.time()
            booster, ens, use = fit_lightgbm(
                data, obj, int(leaves), int(trees), float(rate), int(min_leaf), seed=seed, cols=cols
            )
            x = data["x"][:20000]
            diff = float(np.abs(ens(x) - booster.predict(x[:, use], raw_score=True)).max())
            print(
                f"{spec}: fitted in {time.time() - t1:.0f} s; numpy vs lightgbm max |diff| {diff:.2e}",
                flush=True,
            )
            report(spec, TreeModel(ens, **_kw(make_model(data, x.shape[1]))), (-1.0, 0.5, 1.0, 2.0), ref_res)
            if args.export:
                payload = json.dumps(ens.to_json(), separators=(",", ":")).encode("utf-8")
                with open(args.export, "wb") as out:
                    out.write(gzip.compress(payload, compresslevel=9, mtime=0))
                back = TreeEnsemble.from_json(json.loads(payload))
                x = data["x"]
                diff = float(np.abs(back(x) - booster.predict(x[:, use], raw_score=True)).max())
                print(
                    f"  exported {args.export}: {len(payload) // 1024} KiB json, {len(gzip.compress(payload, 9)) // 1024}"
                    f" KiB gzip; rounded arrays vs lightgbm on all {len(x)} rows: max |diff| {diff:.2e}",
                    flush=True,
                )
    if args.save:
        with open(args.save, "w", encoding="utf-8") as fh:
            json.dump(
                {k: {kk: np.asarray(vv).tolist() for kk, vv in v.items()} for k, v in results.items()}, fh
            )
    return 0


def timing(path: str, repeat: int = 5) -> int:
    """Best-of time of the seed's outline (``benchmarks/outline.py``'s call) with the shipped title model and
    with the exported trees in its place (the shipped tables, the trees' scores)."""
    from benchmarks.outline import crude_starts
    from desktop_app.outline import chapters
    from desktop_app.paths import default_transcript

    seed = default_transcript().read_text(encoding="utf-8")
    starts = crude_starts(seed)
    shipped = M.get_title_model()
    assert shipped is not None
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        ens = TreeEnsemble.from_json(json.load(fh))
    trees = TreeModel(
        ens, **(_kw(shipped) | {"mean": [0.0] * len(C.FEATURES), "scale": [1.0] * len(C.FEATURES)})
    )
    chapters.build_outline(seed[:20000], crude_starts(seed[:20000]))
    for name, model in (("shipped", shipped), ("trees", trees), ("shipped", shipped), ("trees", trees)):
        M._title_models[False] = model
        best = math.inf
        for _ in range(repeat):
            t0 = time.perf_counter()
            secs = chapters.build_outline(seed, starts)
            best = min(best, time.perf_counter() - t0)
        print(
            f"{name:8} seed outline {best:.3f} s ({len(secs)} sections: {', '.join(s.title for s in secs)})"
        )
    return 0


def _kw(model: M.TitleModel) -> dict[str, Any]:
    return {
        "coef": model.coef,
        "bias": model.bias,
        "mean": model.mean,
        "scale": model.scale,
        "prior": model.prior,
        "common": model.common,
        "prior_default": model.prior_default,
        "common_default": model.common_default,
        "noun": model.noun,
        "templates": model.templates,
        "pair_margin": model.pair_margin,
    }


if __name__ == "__main__":
    sys.exit(main())
