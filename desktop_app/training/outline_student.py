"""Experiment (session 12): cheap students of the MiniLM unit embeddings for the outline's novelty columns.

Training time only (not imported by the app). RESULTS: see the end of this docstring.

``outline_minilm`` found that the six novelty / local-peak classifier columns computed from contextual MiniLM
unit embeddings (``mini-for-words``) improve the selection objective 0.0435 -> 0.016, but the transformer costs
about 30 s per episode. Here a cheap student, fitted on the FITTING episodes' units only, predicts each unit's
MiniLM embedding (centred and normalised per episode, as ``outline_minilm.attach`` treats it) from features the
app already has or can have in milliseconds; the six columns are then computed from the predicted embeddings
exactly as ``mini-for-words`` does, the classifier is refitted on fitting and scored on selection with
``outline_minilm``'s machinery (weight 12, prior 1, scale x0.95, the same reference 0.0435).

Students:

- ``ridge-app``: ridge from the app's word-vector block (idf-weighted distilled word vectors of the unit's content
  words, centred and normalised: ``_unit_features``' second block, 128 dims) -- a linear re-weighting of the
  distilled word-vector space;
- ``ridge-both``: ridge from that block plus the plain mean of the distilled vectors of all the unit's words
  (stopwords included, as MiniLM sees them), centred and normalised per episode (256 dims);
- ``mlp``: one hidden layer (tanh) on the same 256 inputs, cosine loss (torch, training only);
- ``table``: a word table (the most frequent fitting words x 384) fitted by least squares so that the mean over
  a unit's words (all words) of their rows matches the unit's raw MiniLM embedding, ridge-regularised towards
  the ``ridge-app``-style linear map of the distilled vectors (conjugate gradients on the normal equations).

The LSA block is per-episode (its axes are an episode's own SVD), so it is not a usable regression input.

Run (the episodes are built once and pickled to ``STUDENT_CACHE``, default ``/work/cache-distil``)::

    python -m desktop_app.training.outline_student --prepare
    python -m desktop_app.training.outline_student --students ridge-app,ridge-both --resamples 3
    python -m desktop_app.training.outline_student --students pca32,pca64,pca128 --folds 0 --resamples 3

(``pcaK`` is a diagnostic, not a student: the true MiniLM block projected on its top K principal directions of
the fitting units -- how much of the embedding the columns need.) Fitting episodes' predicted blocks are
out of fold (``--folds 4``, folds by episode), selection's from the student fitted on all fitting units; the
students are not refitted on the bootstrap resamples (only the classifier is).

RESULTS on selection (35 episodes, 34,048 units; objective Pk - 0.5 F1@150, lower is better; weight 12, prior 1,
scale 13.00; reference 0.0435 and full MiniLM ``mini-for-words`` 0.0161 reproduced; "paired" = mean objective
change over four fits (full fitting split + 3 bootstrap resamples), episode pairs better / worse)::

    block        R^2    cos    pair AUC  obj (full fit)  vs ref b/w  paired vs ref        paired vs MiniLM
    app words     -      -     0.668     0.0435          -           -                    -
    MiniLM       1      1      0.757     0.0161          25/10       -0.032 (100/40)      -
    ridge-app    0.230  0.534  0.686     0.0531          13/16       -0.002 (57/61)       +0.031 (35/105)
    ridge-both   0.340  0.602  0.711     0.0562          16/17       +0.003 (76/57)       +0.036 (34/104)
    ridge-win    0.313  0.567  0.702     0.0651          15/19       +0.004 (70/63)       +0.036 (39/99)
    mlp          -0.04* 0.623  0.721     0.0713          14/21       +0.015 (64/73)       +0.048 (26/112)
    table (l2 1) 0.226  0.470  0.701     0.0579          16/18       +0.003 (69/69)       +0.035 (36/104)
    table (.02)  0.386  0.633  0.733     0.0520          16/18       -0.001 (66/71)       +0.031 (43/95)
    pca32        0.364  0.598  0.733     0.0453          17/17       -0.008 (74/65)       +0.025 (39/90)
    pca64        0.535  0.729  0.747     0.0375          22/13       -0.015 (90/50)       +0.018 (37/76)
    pca128       0.741  0.860  0.754     0.0298          22/13       -0.021 (89/51)       +0.012 (31/53)

(* the MLP is fitted with a cosine loss: its scale is free, so R^2 is meaningless; cosine is what counts.
``table (.02)``: ``--table-l2 0.02 --table-words 10000``, 3.8 M parameters, out-of-fold fitting R^2 0.360.)
With ``--column-set app+mini`` (the six student columns added to the app's 15; full MiniLM that way: paired
-0.028, 91/45): ridge-both -0.002 (73/58), MLP +0.012 (68/70) -- noise too.
Run-time per selection episode (inputs already computed): ridge 4-17 ms, MLP 9 ms, table 0.2 s (word look-ups
in Python); the all-words mean that ``ridge-both`` / ``mlp`` need costs 0.05-0.15 s on the seed (29,633 words).
Sizes: ridge-app 49 k parameters (128 x 384), ridge-both / ridge-win 98 k, MLP 164 k, table 20,000 x 384 =
7.7 M (15 MB float16).

Reading: no student recovers any of the gain -- every one is noise against the reference (|paired| <= 0.004, the
MLP +0.015 worse) and 0.03-0.05 worse than full MiniLM in every fit, although their pair AUC (0.69-0.73) beats
the app's word vectors (0.668) (the lightly regularised table: R^2 0.39, AUC 0.733). The PCA diagnostic says
why: the gain lives in the fine structure of the embedding. The true MiniLM block cut to its 32 leading
directions (R^2 0.36, about what the students reach: 0.23-0.39) keeps a quarter of the gain, not beyond noise;
64 directions (R^2 0.54) half; 128 (R^2 0.74, cosine 0.86) two thirds. A bag-of-words student explains at most a
third of the embedding's variance, and that third is the lexical part the LSA and word-vector columns already
carry. Distilling MiniLM into something cheap would need R^2 well above 0.7 -- out of reach of anything computed
from the unit's words without context.
"""

from __future__ import annotations

import argparse
import os
import pickle
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from desktop_app.outline import chapters as outline
from desktop_app.outline import vectors as outline_vectors
from desktop_app.training import outline_boundary as ob
from desktop_app.training import outline_data
from desktop_app.training import outline_minilm as mini

STUDENT_CACHE = Path(os.environ.get("STUDENT_CACHE", "/work/cache-distil"))
STUDENTS = ("ridge-app", "ridge-both", "ridge-win", "mlp", "table")
WIN_WORDS = (
    100.0,
    250.0,
)  # ``ridge-win``: fitted on the sums over windows of these many words after each start
RIDGE_L2 = 1.0  # per unit (the inputs are unit length)
TABLE_WORDS = 20000
TABLE_L2 = 1.0
TABLE_STEPS = 60
MLP_HIDDEN = 256
MLP_EPOCHS = 8
COLUMN_SET = (
    "mini-for-words"  # or ``app+mini`` (``--column-set``): the student's six columns added to the app's 15
)
FOLDS = 4  # the fitting episodes' predicted blocks come from students fitted on the other folds (by episode)


def prepare() -> int:
    """Build the fitting and selection episodes as ``outline_minilm.compare_run`` does, attach the MiniLM block,
    add the student inputs, and pickle them."""
    t0 = time.time()
    fitting, selection = outline_data.split()
    samples = [ob.cue_sample(outline_data.load(s)) for s in fitting]
    table = ob.learn_cues(samples, ob.CUE_MIN_COUNT)
    fit_eps = ob.fitting_episodes(fitting, samples, ob.CUE_MIN_COUNT, [mini.WINDOWS])
    fit_eps = [ep for ep in fit_eps if mini.attach(ep)]
    val_eps = [ob.Episode(outline_data.load(s), "app", table) for s in selection]
    for ep in val_eps:
        if not mini.attach(ep):
            raise SystemExit(f"no embeddings for {ep.slug}")
        ep.features(mini.WINDOWS)
    vecs = outline_vectors.get_vectors()
    assert vecs is not None
    for ep in [*fit_eps, *val_eps]:
        ep.raw = raw_embeddings(ep)  # type: ignore[attr-defined]
        ep.allmean = outline._centre_normalise(all_word_mean(ep.words, ep.units, vecs))  # type: ignore[attr-defined]
    STUDENT_CACHE.mkdir(parents=True, exist_ok=True)
    with open(STUDENT_CACHE / "episodes.pkl", "wb") as f:
        pickle.dump({"fit": fit_eps, "val": val_eps, "fitting": fitting}, f, protocol=pickle.HIGHEST_PROTOCOL)
    print(
        f"{len(fit_eps)} fitting, {len(val_eps)} selection episodes in {time.time() - t0:.0f} s", flush=True
    )
    return 0


def raw_embeddings(ep: ob.Episode) -> np.ndarray:
    """The cached MiniLM embeddings (unit length, not centred) of the episode's units, float32."""
    return np.load(mini.cache_path(ep.slug, ep.mode, ep.text, ep.spans, ep.units)).astype(np.float32)


def unit_index(units: list[int], n_words: int) -> np.ndarray:
    """The unit of every word."""
    return np.repeat(np.arange(len(units)), np.diff(np.array([*units, n_words])))


def all_word_mean(words: list[str], units: list[int], vecs: outline_vectors.WordVectors) -> np.ndarray:
    """Per unit, the mean distilled vector of all its words (stopwords included; unknown words count as zero)."""
    m = vecs.matrix(words).astype(np.float64)
    of = unit_index(units, len(words))
    out = np.zeros((len(units), m.shape[1]))
    np.add.at(out, of, m)
    return out / np.maximum(np.bincount(of, minlength=len(units)), 1)[:, None]


def ridge(x: np.ndarray, y: np.ndarray, l2: float) -> np.ndarray:
    """``W`` minimising ``|x W - y|^2 + l2 * n * |W|^2`` (no intercept: inputs and targets are centred per
    episode)."""
    g = x.T @ x + l2 * len(x) / x.shape[1] * np.eye(x.shape[1])
    return np.linalg.solve(g, x.T @ y)


def window_sums(x: np.ndarray, unit_len: np.ndarray, words: float) -> np.ndarray:
    """Per unit start, the sum of the rows of ``x`` over the ``words``-word window that follows it (as
    ``chapters._novelty`` sizes its windows)."""
    n = len(x)
    w = max(1, int(round(words / max(float(unit_len.mean()), 1.0))))
    prefix = np.vstack([np.zeros((1, x.shape[1])), np.cumsum(x, axis=0)])
    i = np.arange(n)
    return prefix[np.minimum(i + w, n)] - prefix[i]


def fit_quality(pred: np.ndarray, true: np.ndarray) -> tuple[float, float]:
    """R^2 of ``pred`` for ``true`` (pooled over all dims) and the mean cosine of their rows."""
    r2 = 1.0 - float(((true - pred) ** 2).sum()) / float(((true - true.mean(axis=0)) ** 2).sum())
    cos = np.einsum("ij,ij->i", pred, true) / (
        np.linalg.norm(pred, axis=1) * np.linalg.norm(true, axis=1) + 1e-12
    )
    return r2, float(cos.mean())


def word_ids(words: list[str], index: dict[str, int]) -> np.ndarray:
    """Vocabulary index of every word (-1 when outside the table)."""
    return np.array([index.get(w, -1) for w in words], dtype=np.int64)


def unit_word_matrix(
    ids: np.ndarray, units: list[int], n_vocab: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """COO rows, columns and values of the unit x vocabulary matrix whose row is the unit's word distribution
    (each word 1 / the unit's word count, out-of-table words dropped but counted)."""
    of = unit_index(units, len(ids))
    length = np.bincount(of, minlength=len(units)).astype(np.float64)
    keep = ids >= 0
    key = of[keep] * n_vocab + ids[keep]
    pairs, counts = np.unique(key, return_counts=True)
    rows, cols = pairs // n_vocab, pairs % n_vocab
    return rows, cols, counts / np.maximum(length[rows], 1.0)


def predict_table(table: np.ndarray, words: list[str], units: list[int], index: dict[str, int]) -> np.ndarray:
    """Unit embeddings as the mean of the table rows of the unit's words (what the app would compute)."""
    ids = word_ids(words, index)
    of = unit_index(units, len(words))
    keep = ids >= 0
    out = np.zeros((len(units), table.shape[1]))
    np.add.at(out, of[keep], table[ids[keep]])
    return out / np.maximum(np.bincount(of, minlength=len(units)), 1)[:, None]


def fit_table(eps: list[Any], vocab: list[str], prior: np.ndarray, l2: float, steps: int) -> np.ndarray:
    """The word table ``T`` (vocab x 384) minimising ``sum_u |a_u T - y_u|^2 + l2 * |T - prior|^2`` (``a_u`` the
    unit's word distribution, ``y_u`` its raw MiniLM embedding), by conjugate gradients (torch sparse)."""
    import torch

    torch.set_num_threads(1)
    index = {w: i for i, w in enumerate(vocab)}
    rs, cs, vs, ys = [], [], [], []
    base = 0
    for ep in eps:
        r, c, v = unit_word_matrix(word_ids(ep.words, index), ep.units, len(vocab))
        rs.append(r + base)
        cs.append(c)
        vs.append(v)
        ys.append(ep.raw)
        base += len(ep.units)
    idx = torch.from_numpy(np.vstack([np.concatenate(rs), np.concatenate(cs)]))
    a = torch.sparse_coo_tensor(
        idx, torch.from_numpy(np.concatenate(vs).astype(np.float32)), (base, len(vocab))
    ).coalesce()
    a_csr, at_csr = a.to_sparse_csr(), a.t().coalesce().to_sparse_csr()
    y = torch.from_numpy(np.vstack(ys).astype(np.float32))
    t0 = torch.from_numpy(prior.astype(np.float32))

    def normal(d: Any) -> Any:
        return at_csr @ (a_csr @ d) + l2 * d

    rhs = at_csr @ (y - a_csr @ t0)  # solve for the correction D = T - prior
    d = torch.zeros_like(t0)
    r = rhs.clone()
    p = r.clone()
    rr = (r * r).sum(0)
    for _ in range(steps):
        q = normal(p)
        alpha = rr / torch.clamp((p * q).sum(0), min=1e-20)
        d += alpha * p
        r -= alpha * q
        rr_new = (r * r).sum(0)
        p = r + (rr_new / torch.clamp(rr, min=1e-30)) * p
        rr = rr_new
    return (t0 + d).numpy().astype(np.float64)


def fit_mlp(x: np.ndarray, y: np.ndarray, hidden: int, epochs: int, seed: int = 0) -> list[np.ndarray]:
    """One hidden layer (tanh) mapping ``x`` to ``y``'s direction (cosine loss), Adam, minibatches; returns
    ``[W1, b1, W2, b2]``."""
    import torch

    torch.set_num_threads(1)
    torch.manual_seed(seed)
    xt, yt = torch.from_numpy(x.astype(np.float32)), torch.from_numpy(y.astype(np.float32))
    net = torch.nn.Sequential(
        torch.nn.Linear(x.shape[1], hidden), torch.nn.Tanh(), torch.nn.Linear(hidden, y.shape[1])
    )
    opt = torch.optim.Adam(net.parameters(), lr=1e-3, weight_decay=1e-6)
    gen = torch.Generator().manual_seed(seed)
    for _ in range(epochs):
        perm = torch.randperm(len(xt), generator=gen)
        for k in range(0, len(xt), 512):
            b = perm[k : k + 512]
            loss = -torch.nn.functional.cosine_similarity(net(xt[b]), yt[b]).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
    return [
        p.detach().numpy().astype(np.float64).T if p.ndim == 2 else p.detach().numpy()
        for p in net.parameters()
    ]


def mlp_apply(params: list[np.ndarray], x: np.ndarray) -> np.ndarray:
    """The MLP of ``fit_mlp`` on ``x`` (numpy)."""
    w1, b1, w2, b2 = params
    return np.tanh(x @ w1 + b1) @ w2 + b2


def inputs(ep: Any, student: str) -> np.ndarray:
    """The student's per-unit inputs."""
    if student == "ridge-app":
        return np.asarray(ep.embed, dtype=np.float64)
    return np.hstack([np.asarray(ep.embed, dtype=np.float64), ep.allmean])


def vocabulary(eps: list[Any], size: int) -> list[str]:
    """The ``size`` most frequent words of the fitting episodes (each episode counted once per kind of starts
    does not matter: the words are the same)."""
    counts: dict[str, int] = {}
    seen = set()
    for ep in eps:
        if ep.slug in seen:
            continue
        seen.add(ep.slug)
        for w in ep.words:
            counts[w] = counts.get(w, 0) + 1
    return sorted(counts, key=lambda w: (-counts[w], w))[:size]


def train_students(fit_eps: list[Any], students: list[str]) -> dict[str, Any]:
    """Fit each student on the fitting units; returns a predictor per student (episode -> raw predicted block)."""
    y = np.vstack([ep.mini for ep in fit_eps])
    out: dict[str, Any] = {}
    for s in students:
        t0 = time.time()
        if s in ("ridge-app", "ridge-both"):
            w = ridge(np.vstack([inputs(ep, s) for ep in fit_eps]), y, RIDGE_L2)
            out[s] = (lambda ep, w=w, s=s: inputs(ep, s) @ w, w.size)
        elif s.startswith("pca"):  # diagnostic, not a student: the true block on its top-k fitting PCs
            evals, evecs = np.linalg.eigh(y.T @ y)
            basis = evecs[:, np.argsort(evals)[::-1][: int(s[3:])]]
            out[s] = (lambda ep, b=basis: ep.mini @ b @ b.T, 0)
        elif s == "ridge-win":
            xs, ys = [], []
            for ep in fit_eps:
                x = inputs(ep, s)
                for words in WIN_WORDS:
                    xs.append(window_sums(x, ep.unit_len, words))
                    ys.append(window_sums(ep.mini, ep.unit_len, words))
            xw, yw = np.vstack(xs), np.vstack(ys)
            scale = float(np.sqrt((xw**2).sum(axis=1).mean()))  # the window sums are not unit length
            w = ridge(xw / scale, yw / scale, RIDGE_L2)
            out[s] = (lambda ep, w=w, s=s: inputs(ep, s) @ w, w.size)
        elif s == "mlp":
            params = fit_mlp(np.vstack([inputs(ep, s) for ep in fit_eps]), y, MLP_HIDDEN, MLP_EPOCHS)
            out[s] = (lambda ep, p=params: mlp_apply(p, inputs(ep, "mlp")), sum(p.size for p in params))
        elif s == "table":
            vecs = outline_vectors.get_vectors()
            assert vecs is not None
            vocab = vocabulary(fit_eps, TABLE_WORDS)
            # prior: the linear map of the distilled vectors fitted from unit means of all words to raw MiniLM
            x = np.vstack([all_word_mean(ep.words, ep.units, vecs) for ep in fit_eps])
            w = ridge(x, np.vstack([ep.raw for ep in fit_eps]), RIDGE_L2)
            prior = vecs.matrix(vocab).astype(np.float64) @ w
            table = fit_table(fit_eps, vocab, prior, TABLE_L2, TABLE_STEPS)
            index = {v: i for i, v in enumerate(vocab)}
            out[s] = (lambda ep, t=table, ix=index: predict_table(t, ep.words, ep.units, ix), table.size)
        print(f"fitted {s} in {time.time() - t0:.0f} s", flush=True)
    return out


def fold_predictions(fit_eps: list[Any], students: list[str], folds: int) -> dict[str, list[np.ndarray]]:
    """Each fitting episode's predicted block by each student fitted on the episodes of the other folds (folds by
    episode, both kinds of starts together), so the classifier sees columns as noisy as on unseen episodes."""
    slugs = sorted({ep.slug for ep in fit_eps})
    fold = {s: i % folds for i, s in enumerate(slugs)}
    out: dict[str, list[Any]] = {s: [None] * len(fit_eps) for s in students}
    for k in range(folds):
        train = [ep for ep in fit_eps if fold[ep.slug] != k]
        models = train_students(train, students)
        for i, ep in enumerate(fit_eps):
            if fold[ep.slug] == k:
                for s in students:
                    out[s][i] = models[s][0](ep)
    return out


def evaluate(students: list[str], resamples: int, folds: int) -> int:
    """Fit the students, report the embedding fit and pair AUC on selection, and the objective of
    ``mini-for-words`` on their predicted blocks against the reference and full MiniLM (paired over refits)."""
    with open(STUDENT_CACHE / "episodes.pkl", "rb") as f:
        data = pickle.load(f)
    fit_eps, val_eps, fitting = data["fit"], data["val"], data["fitting"]
    true_fit = [ep.mini for ep in fit_eps]
    true_val = [ep.mini for ep in val_eps]
    models = train_students(fit_eps, students)
    oof = fold_predictions(fit_eps, students, folds) if folds > 1 else {}
    blocks: dict[str, tuple[list[np.ndarray], list[np.ndarray]]] = {"minilm": (true_fit, true_val)}
    for s, (predict, size) in models.items():
        t0 = time.time()
        pv = [predict(ep) for ep in val_eps]
        dt = (time.time() - t0) / len(val_eps)
        r2, cos = fit_quality(np.vstack(pv), np.vstack(true_val))
        pf = [predict(ep) for ep in fit_eps]
        r2f, cosf = fit_quality(np.vstack(pf), np.vstack(true_fit))
        if s in oof:
            pf = oof[s]
            r2o, coso = fit_quality(np.vstack(pf), np.vstack(true_fit))
            print(f"{s}: fitting out of fold R^2 {r2o:.3f} cosine {coso:.3f}")
        print(
            f"{s}: selection R^2 {r2:.3f} cosine {cos:.3f} (fitting in sample R^2 {r2f:.3f} cosine {cosf:.3f}); "
            f"{size} parameters; {1000 * dt:.1f} ms per selection episode",
            flush=True,
        )
        blocks[s] = ([outline._centre_normalise(p) for p in pf], [outline._centre_normalise(p) for p in pv])
    for name, (_bf, bv) in blocks.items():
        saved = [ep.embed for ep in val_eps]
        for ep, b in zip(val_eps, bv, strict=True):
            ep.embed = b
        auc = ob.pair_auc(*ob.metric_pairs(val_eps), None)
        for ep, e in zip(val_eps, saved, strict=True):
            ep.embed = e
        print(f"selection pair AUC, {name}: {auc:.4f}", flush=True)
    scorer = ob.load_scorer()
    power, scale = ob.count_power(fitting)
    ob.apply(ob.Settings(windows=mini.WINDOWS, weight=12.0, prior=1.0, scale=scale * 0.95, power=power))
    slugs = sorted({ep.slug for ep in fit_eps})
    by_slug = {s: [i for i, ep in enumerate(fit_eps) if ep.slug == s] for s in slugs}
    paired: dict[str, list[np.ndarray]] = {}
    paired_mini: dict[str, list[np.ndarray]] = {}
    for r in range(resamples + 1):
        if r == 0:
            pick, tag = list(range(len(fit_eps))), "all fitting"
        else:
            chosen = np.random.default_rng(r).choice(len(slugs), len(slugs), replace=True)
            pick, tag = [i for c in chosen for i in by_slug[slugs[c]]], f"resample {r}"
        y = np.concatenate([fit_eps[i].labels(40) for i in pick])
        objs: dict[str, list[float]] = {}
        for name in ["app", *blocks]:
            which = "app" if name == "app" else COLUMN_SET
            if name != "app":
                bf, bv = blocks[name]
                for ep, b in zip(fit_eps, bf, strict=True):
                    ep.mini = b
                for ep, b in zip(val_eps, bv, strict=True):
                    ep.mini = b
            coef = ob.fit(np.vstack([mini.columns(fit_eps[i], which) for i in pick]), y, ob.L2)[:-1]
            boosts = [12.0 * (mini.columns(ep, which) @ coef) for ep in val_eps]
            rows = mini.scores(val_eps, boosts, mini.SHIPPED_SHARES, scorer)
            objs[name] = rows["objectives"]
            print(ob.fmt(f"[{tag}] {name}", rows) + f" obj {np.mean(rows['objectives']):.4f}", flush=True)
            if name != "app":
                print("  " + ob.compare(rows["objectives"], objs["app"], "reference"), flush=True)
                paired.setdefault(name, []).append(np.array(objs[name]) - np.array(objs["app"]))
            if name not in ("app", "minilm"):
                print("  " + ob.compare(rows["objectives"], objs["minilm"], "full MiniLM"), flush=True)
                paired_mini.setdefault(name, []).append(np.array(objs[name]) - np.array(objs["minilm"]))
        for ep, b in zip(fit_eps, true_fit, strict=True):
            ep.mini = b
        for ep, b in zip(val_eps, true_val, strict=True):
            ep.mini = b
    if resamples > 0:
        ob.print_paired(paired, f"the reference over {resamples + 1} fits")
        ob.print_paired(paired_mini, f"full MiniLM over {resamples + 1} fits")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Command line (see the module docstring)."""
    global TABLE_L2, TABLE_WORDS, COLUMN_SET
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--prepare", action="store_true", help="build and pickle the episodes")
    ap.add_argument("--students", default=",".join(STUDENTS), help=f"of {', '.join(STUDENTS)}")
    ap.add_argument("--resamples", type=int, default=0, help="also refit on this many bootstrap resamples")
    ap.add_argument("--folds", type=int, default=FOLDS, help="out-of-fold fitting blocks (0: in sample)")
    ap.add_argument("--table-l2", type=float, default=TABLE_L2, help="the word table's pull to its prior")
    ap.add_argument("--table-words", type=int, default=TABLE_WORDS, help="the word table's vocabulary size")
    ap.add_argument("--column-set", default=COLUMN_SET, choices=["mini-for-words", "app+mini"])
    args = ap.parse_args(argv)
    COLUMN_SET = args.column_set
    TABLE_L2, TABLE_WORDS = args.table_l2, args.table_words
    mini._site()
    if args.prepare:
        return prepare()
    return evaluate(args.students.split(","), args.resamples, args.folds)


if __name__ == "__main__":
    sys.exit(main())
