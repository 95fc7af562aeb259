"""Session-14 experiment on the outline's title ranker: contextual phrase-section similarity (KeyBERT style).

Training time only (never imported by the app). Each candidate phrase of an episode (its normalised words,
lower case as the tokenizer wants; a template: its words) is embedded by the app's all-MiniLM-L6-v2 encoder
(``outline.minilm``: ``[CLS] phrase [SEP]``, mean pooling, unit length), cached per episode under
``$SEMTITLE_CACHE`` (default ``/work/cache-semtitle``, ``.npz``; a phrase missing from the cache is encoded
when first asked for). A section's embedding is the mean of the unit-length MiniLM embeddings of the units
starting inside its word range (the app's units of the episode, cached by ``outline_minilm`` in
``/work/cache-minilm``; a section holding no unit start takes the unit it starts in), made unit length. Columns
(``SEM_COLUMNS``) appended to the 31 ``FEATURES``:

- ``sem_sim``: cosine of the phrase and its own section;
- ``sem_contrast``: ``sem_sim`` minus the mean cosine of the phrase and the episode's other sections;
- ``sem_rank``: 1 for the candidate of the section with the highest ``sem_sim``, down to 0 for the lowest.

Evaluation (``--cv K --seeds S``): K-fold cross-validation over the 89 fitting + selection episodes
(``outline_minilm.cv_folds``, fold seeds 0..S-1; held-out and dev corpus never loaded). In every fold the word
tables, templates and the ranker are fitted on the other folds only, as the trainer does it (``--sections
both``: the out-of-fold candidate rows of the human and the app's sections, word tables out of an inner
4-fold split; the shipped form, conditional logit + 16 relu units, L2 1 / 150, pair margin 1; ``--linear``:
the conditional logit alone). The fold's episodes are titled on the app's sections (``outline_titles.
predicted_sections``; on these training episodes the shipped boundary model was fitted on them, the same for
both arms) and on the human sections. Both arms (``base``: the 31 columns; ``sem``: plus ``SEM_COLUMNS``) use
the same rows and folds; per episode, the scores are averaged over the fold seeds, then paired.

    python -m desktop_app.training.outline_title_semantic --encode          # phrase embeddings (cached)
    python -m desktop_app.training.outline_title_semantic --cv 5 --seeds 2
    python -m desktop_app.training.outline_title_semantic --time            # the seed transcript's phrases

Cost: 173,038 distinct candidate phrases over the 89 episodes (about 1,900 per episode, human and app
sections), encoded in 292 s on one thread (about 590 phrases/s, 3 s per episode). A fold (about 71 training
episodes, 400,000-450,000 candidate rows) took 40-105 s to build and 100-270 s to fit and score both arms.

Results (session 14; K=5, fold seeds 0-3, each fold seed run as one process; shipped form, pair margin 1; 89
episodes, 1,675 chapters; chapter-weighted means of the per-episode scores averaged over the fold seeds;
differences sem - base with 95 % intervals from 10,000 resamples of the episodes, episodes better / worse):

    section kind  arm   titles  titleF1   d titles                    d titleF1
    app's         base  0.354   0.246
    app's         sem   0.371   0.256     +0.018 [+0.006, +0.030] 49/29   +0.011 [+0.003, +0.018] 53/33
    human         base  0.504   0.354
    human         sem   0.524   0.368     +0.020 [+0.006, +0.033] 51/30   +0.015 [+0.005, +0.024] 60/28

Every fold seed gains on both section kinds (app titleF1 +0.010, +0.015, +0.012, +0.006; human +0.014,
+0.012, +0.016, +0.016). By group (app titleF1): the 54 fitting-split episodes +0.011 [+0.003, +0.020], the 35
selection ones +0.010 [-0.004, +0.024]; the 79 Lex Fridman episodes +0.012 [+0.004, +0.020], the 10 others
-0.001 [-0.023, +0.016]. The base arm agrees with the fixed-split figures (selection, fitting-only ranker: app
0.341 / 0.244).

Ablation (``--arms``, same folds; the base arm refitted in these runs reproduced its scores exactly): fold seeds
0-1, app titleF1 base 0.244, all three columns 0.256, ``sem_sim`` + ``sem_contrast`` 0.259, ``sem_contrast``
alone 0.254 (+0.010 [+0.003, +0.018]); human 0.354 / 0.367 / 0.369 / 0.370. ``sem_sim`` + ``sem_contrast``
over fold seeds 0-3: app titles 0.374, titleF1 0.259 (+0.021 [+0.010, +0.033] 50/30; +0.014 [+0.006, +0.021]
54/33; per fold seed +0.010, +0.019, +0.015, +0.010), human 0.526 / 0.371 (+0.022 / +0.017 [+0.007, +0.026],
63/26); against the three columns +0.003 [+0.001, +0.005] (chosen after seeing seeds 0-1: a tie). The gain is
the contrast: how much nearer a phrase is to its own section than to the episode's other sections.

Seed transcript (``--time``; 29,633 words, the default outline's 19 sections, the shipped model's tables): 1,492
distinct candidate phrases, 5,089 word pieces, encoded in 1.31 s by the bundled int8 encoder on one thread
(default outline 0.27 s). The section embeddings need the unit embeddings, which the app computes only for the
refined outline (``build_outline(contextual=True)``, about 8 s for a 3-hour episode): there the columns would
cost about 1.3 s more; the model file would need the two extra features (a second file: ``TitleModel.from_json``
checks ``FEATURES``). Not implemented in the app (``/work/notes/s14-semtitle.md``).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from desktop_app.outline import title_candidates as C
from desktop_app.outline import title_model as M
from desktop_app.outline.title_semantic import phrase_text, section_vectors
from desktop_app.outline.title_semantic import semantic_columns as app_semantic_columns
from desktop_app.training import outline_data
from desktop_app.training import outline_minilm as OM
from desktop_app.training import outline_title_rank as R
from desktop_app.training import outline_titles as OT

if TYPE_CHECKING:
    from collections.abc import Sequence

    from desktop_app.outline.minilm import MiniLMEncoder

SEM_COLUMNS = ("sem_sim", "sem_contrast", "sem_rank")
CACHE = Path(os.environ.get("SEMTITLE_CACHE", "/work/cache-semtitle"))
DIMS = 384
ARMS = ("base", "sem")  # the default arms of ``--cv``; ``--arms`` adds the ablations of ``ARM_COLUMNS``
ARM_COLUMNS = {  # the semantic columns each arm adds to the 31 ``FEATURES``
    "base": (),
    "sem": SEM_COLUMNS,
    "sim+contrast": ("sem_sim", "sem_contrast"),
    "sim": ("sem_sim",),
    "contrast": ("sem_contrast",),
}
PAIR_MARGIN = 1.0  # the shipped model file's

# --- phrase embeddings -------------------------------------------------------------------------------------


@dataclass
class PhraseBank:
    """The MiniLM embeddings of an episode's candidate phrases, cached on disk (``CACHE/<slug>.npz``)."""

    slug: str
    index: dict[str, int] = field(default_factory=dict)
    rows: list[np.ndarray] = field(default_factory=list)
    dirty: bool = False
    encoded: int = 0
    seconds: float = 0.0

    @property
    def path(self) -> Path:
        return CACHE / f"{self.slug}.npz"

    @classmethod
    def load(cls, slug: str) -> PhraseBank:
        """The bank cached for ``slug`` (empty when there is none)."""
        bank = cls(slug)
        if bank.path.is_file():
            with np.load(bank.path, allow_pickle=False) as data:
                phrases = str(data["phrases"]).split("\n") if data["phrases"].size else []
                emb = data["emb"].astype(np.float32)
            bank.index = {p: i for i, p in enumerate(phrases)}
            bank.rows = [emb]
        return bank

    def matrix(self) -> np.ndarray:
        if len(self.rows) != 1:
            self.rows = [np.concatenate(self.rows) if self.rows else np.zeros((0, DIMS), np.float32)]
        return self.rows[0]

    def vectors(self, texts: Sequence[str], encoder: MiniLMEncoder | None) -> np.ndarray:
        """Unit-length embeddings of ``texts`` (those not in the bank encoded now with ``encoder``)."""
        new = sorted({t for t in texts if t not in self.index})
        if new:
            if encoder is None:
                raise KeyError(f"{self.slug}: {len(new)} phrases not cached and no encoder")
            t0 = time.perf_counter()
            emb = encoder.embed(new)
            self.seconds += time.perf_counter() - t0
            self.encoded += len(new)
            base = len(self.index)
            for i, t in enumerate(new):
                self.index[t] = base + i
            self.rows.append(emb.astype(np.float32))
            self.dirty = True
        mat = self.matrix()
        return mat[[self.index[t] for t in texts]] if texts else np.zeros((0, DIMS), np.float32)

    def save(self) -> None:
        """Write the bank when it has new phrases."""
        if not self.dirty:
            return
        CACHE.mkdir(parents=True, exist_ok=True)
        phrases = sorted(self.index, key=self.index.__getitem__)
        tmp = self.path.with_suffix(f".{os.getpid()}.tmp.npz")
        np.savez(tmp, phrases=np.array("\n".join(phrases)), emb=self.matrix().astype(np.float32))
        tmp.replace(self.path)
        self.dirty = False


# --- section embeddings and the columns --------------------------------------------------------------------


def semantic_columns(phrases: np.ndarray, sections: np.ndarray, own: int) -> np.ndarray:
    """``SEM_COLUMNS`` of the candidate phrases (rows of unit-length embeddings) of section ``own`` against the
    episode's section embeddings: the app's two (``title_semantic.semantic_columns``) and the rank."""
    if not len(phrases):
        return np.zeros((0, len(SEM_COLUMNS)))
    both = app_semantic_columns(phrases, sections, own)
    order = np.argsort(-both[:, 0], kind="stable")
    rank = np.empty(len(both))
    rank[order] = np.arange(len(both))
    return np.column_stack([both, 1.0 - rank / max(len(both) - 1, 1)])


# --- the episodes' context and the patched candidate features ----------------------------------------------


@dataclass
class Context:
    """What the semantic columns of one episode need: its app units, their embeddings, its phrase bank."""

    unit_starts: list[int]
    unit_emb: np.ndarray
    bank: PhraseBank


_CONTEXT: dict[int, Context] = {}  # id(words list) -> the episode's context
_MEMO: dict[tuple, list] = {}
_STATE: dict[str, Any] = {"encoder": None}
_ORIGINAL = C.candidate_features


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
    """``title_candidates.candidate_features`` with ``SEM_COLUMNS`` appended for the experiment's episodes,
    memoised within a fold when a model's tables are read (``_MEMO``, cleared by :func:`new_fold`)."""
    ctx = _CONTEXT.get(id(words))
    if ctx is None:  # not an episode of the experiment (the app's own outline while drawing sections)
        return _ORIGINAL(words, forms, sections, model, prior, common, banned, noun, templates)
    tables = prior if prior is not None else (model.prior if model is not None else None)
    key = (id(words), tuple(sections), banned, id(tables))
    hit = _MEMO.get(key) if prior is None else None  # the models' scoring (training rows: each once)
    if hit is not None:
        return hit
    out = _ORIGINAL(words, forms, sections, model, prior, common, banned, noun, templates)
    secs = section_vectors(ctx.unit_starts, ctx.unit_emb, sections)
    full = []
    for s_i, rows in enumerate(out):
        emb = ctx.bank.vectors([phrase_text(k) for k, _f in rows], _STATE["encoder"])
        cols = semantic_columns(emb, secs, s_i)
        full.append([(k, f + c.tolist()) for (k, f), c in zip(rows, cols, strict=True)])
    if prior is None:
        _MEMO[key] = full
    return full


def install() -> None:
    """Route the trainer's and the title model's candidate features through ``patched_features``."""
    setattr(C, "candidate_features", patched_features)  # noqa: B010
    setattr(M, "candidate_features", patched_features)  # noqa: B010


def new_fold() -> None:
    """Forget the memoised features (the word tables change with the fold)."""
    _MEMO.clear()


def cv_slugs() -> list[str]:
    """The fitting and selection episodes of ``outline_split.txt`` (never its held-out part), fitting first."""
    parts: dict[str, list[str]] = {"fit": [], "validation": [], "heldout": []}
    for line in outline_data.SPLIT_FILE.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            part, slug = line.split()
            parts[part].append(slug)
    slugs = parts["fit"] + parts["validation"]
    if any(outline_data.is_heldout(s) or s in outline_data.DEV_EPISODES for s in slugs):
        raise ValueError("a held-out or development episode in the cross-validation")
    return slugs


def load_episodes(slugs: Sequence[str]) -> dict[str, dict]:
    """Per slug: ``human`` (``outline_titles.prepare``), ``outline`` (the app's sections), ``app`` (the human
    episode on the app's sections), with the episode's context registered for both word lists."""
    out = {}
    for s in slugs:
        raw = outline_data.load(s)
        spans, units = OM.episode_units(raw, "app")
        emb = np.load(OM.cache_path(s, "app", raw["text"], spans, units, quantized=False))
        human = OT.prepare(s)
        outline = OT.predicted_sections(s)
        if len(outline["words"]) != len(human["words"]):
            raise ValueError(f"{s}: word lists differ")
        ctx = Context(list(units), emb, PhraseBank.load(s))
        _CONTEXT[id(human["words"])] = ctx
        _CONTEXT[id(outline["words"])] = ctx
        out[s] = {"human": human, "outline": outline, "app": OT.on_app_sections(human, outline), "ctx": ctx}
    return out


# --- fitting and scoring -----------------------------------------------------------------------------------


def fold_rows(train: list[dict]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Out-of-fold candidate rows (all columns) of the human and the app's sections of ``train`` (episode
    dicts of ``load_episodes``), the word tables from an inner ``outline_titles.FOLDS`` split, as the
    trainer's ``--sections both``."""
    xs: list[list[float]] = []
    ys: list[float] = []
    gs: list[int] = []
    n_groups = 0
    for k in range(OT.FOLDS):
        others = [e["human"] for i, e in enumerate(train) if i % OT.FOLDS != k]
        prior, common, noun = OT.tables(others)
        templates = OT.templates_of(others)
        for i, e in enumerate(train):
            if i % OT.FOLDS != k:
                continue
            for ep in (e["human"], e["app"]):
                x_ep, y_ep, g = OT.rows(ep, prior, common, noun, templates)
                xs += x_ep
                ys += y_ep
                gs += [1000 * n_groups + v for v in g]
                n_groups += 1
    return np.array(xs), np.array(ys), np.array(gs)


def fit_arm(
    x: np.ndarray,
    y: np.ndarray,
    g: np.ndarray,
    use: Sequence[int],
    tables: tuple,
    linear: bool,
    seed: int = 0,
) -> M.TitleModel:
    """The shipped form (or the conditional logit alone) on columns ``use`` of ``x``; zero weights on the
    other columns, so the model scores full rows; pair margin ``PAIR_MARGIN``."""
    n_all = x.shape[1]
    xs = x[:, list(use)]
    mean, scale = xs.mean(axis=0), np.maximum(xs.std(axis=0), 1e-6)
    z = (xs - mean) / scale
    w = OT.fit_listwise(z, y, g, R.REF_L2)
    hidden = None
    if not linear:
        w, hidden = OT.fit_hidden(
            z, y, g, w, R.REF_L2, R.REF_UNITS, R.REF_HIDDEN_L2, R.REF_ACTIVATION, seed=seed
        )
    coef, mean_all, scale_all = np.zeros(n_all), np.zeros(n_all), np.ones(n_all)
    coef[list(use)], mean_all[list(use)], scale_all[list(use)] = w[:-1], mean, scale
    if hidden is not None:
        w_h = np.zeros((len(hidden.out), n_all))
        w_h[:, list(use)] = hidden.weights
        hidden = M.HiddenLayer(w_h, hidden.bias, hidden.out, hidden.activation)
    return R.make_model(
        {"tables": tables},
        n_all,
        coef=coef.tolist(),
        bias=0.0,
        mean=mean_all.tolist(),
        scale=scale_all.tolist(),
        hidden=hidden,
        pair_margin=PAIR_MARGIN,
    )


def arm_columns(arm: str) -> list[int]:
    """Column indices of an arm: the 31 ``FEATURES`` and the semantic columns ``ARM_COLUMNS[arm]``."""
    n = len(C.FEATURES)
    return list(range(n)) + [n + SEM_COLUMNS.index(c) for c in ARM_COLUMNS[arm]]


def cv_folds(slugs: Sequence[str], k: int, seed: int) -> dict[str, int]:
    """The fold of each slug (``outline_minilm.cv_folds``: hash order dealt round robin)."""
    return OM.cv_folds(slugs, k, seed)


def cross_validate(
    k: int, seeds: Sequence[int], linear: bool, out: Path | None, arms: Sequence[str] = ARMS
) -> dict:
    """Per fold seed, arm and episode: app (titles, titleF1, chapters) and human (titles, titleF1, chapters)."""
    install()
    _STATE["encoder"] = _encoder()
    slugs = cv_slugs()
    fitting, selection = outline_data.split()  # the corpus agrees with the split file
    if sorted(slugs) != sorted(fitting + selection):
        raise ValueError("outline_split.txt and the corpus disagree")
    t0 = time.time()
    eps = load_episodes(slugs)
    print(f"{len(eps)} episodes loaded in {time.time() - t0:.0f} s", flush=True)
    results: dict[str, Any] = {"k": k, "seeds": list(seeds), "linear": linear, "rows": {}}
    for seed in seeds:
        folds = cv_folds(slugs, k, seed)
        per: dict[str, dict[str, list[float]]] = {arm: {} for arm in arms}
        for fold in range(k):
            new_fold()
            t1 = time.time()
            train = [eps[s] for s in slugs if folds[s] != fold]
            test = [s for s in slugs if folds[s] == fold]
            x, y, g = fold_rows(train)
            humans = [e["human"] for e in train]
            prior, common, noun = OT.tables(humans)
            tables = (prior, common, noun, OT.templates_of(humans))
            t2 = time.time()
            data = {"outlines": [eps[s]["outline"] for s in test], "val_eps": [eps[s]["human"] for s in test]}
            line = []
            for arm in arms:
                model = fit_arm(x, y, g, arm_columns(arm), tables, linear)
                res = R.evaluate(data, model)
                for i, s in enumerate(test):
                    n_app = len(eps[s]["outline"]["ref"])
                    per[arm][s] = [*res["app"][i].tolist(), n_app, *res["hum"][i].tolist()]
                line.append(
                    f"{arm} app {res['app_mean'][0]:.3f}/{res['app_mean'][1]:.3f} hum {res['hum_mean'][0]:.3f}/{res['hum_mean'][1]:.3f}"
                )
            print(
                f"seed {seed} fold {fold}: {len(test)} episodes, {len(x)} rows ({t2 - t1:.0f} s), fits + scoring "
                f"{time.time() - t2:.0f} s: " + "; ".join(line),
                flush=True,
            )
            for e in eps.values():
                e["ctx"].bank.save()
        results["rows"][str(seed)] = per
        if out is not None:
            out.write_text(json.dumps(results))
    return results


REFIT_ARM = "sim+contrast"  # the refined ranker's columns (``title_semantic.SEMANTIC_FEATURES``)


def refit() -> int:
    """Fit the refined outline's title ranker (``title_model.REFINED_TITLES_FILE``) on all 89 fitting +
    selection episodes, the shipped form with the ``REFIT_ARM`` columns, and write it."""
    from desktop_app.outline.title_semantic import SEMANTIC_FEATURES

    if list(ARM_COLUMNS[REFIT_ARM]) != list(SEMANTIC_FEATURES):
        raise ValueError("the refit's columns are not the app's SEMANTIC_FEATURES")
    install()
    _STATE["encoder"] = _encoder()
    slugs = cv_slugs()
    eps = load_episodes(slugs)
    new_fold()
    train = [eps[s] for s in slugs]
    x, y, g = fold_rows(train)
    use = arm_columns(REFIT_ARM)
    xs = x[:, use]
    mean, scale = xs.mean(axis=0), np.maximum(xs.std(axis=0), 1e-6)
    z = (xs - mean) / scale
    w = OT.fit_listwise(z, y, g, R.REF_L2)
    w, hidden = OT.fit_hidden(z, y, g, w, R.REF_L2, R.REF_UNITS, R.REF_HIDDEN_L2, R.REF_ACTIVATION, seed=0)
    humans = [e["human"] for e in train]
    prior, common, noun = OT.tables(humans)
    model = M.TitleModel([], 0.0, [], [], {}, {}, 0.0, 0.0, PAIR_MARGIN, hidden=hidden)  # its form only
    trained_on = (
        f"fitting and selection splits of the training corpus ({len(train)} episodes, "
        "desktop_app/training/outline_split.txt), human chapters and the app's sections; "
        "training/outline_title_semantic.py --refit"
    )
    tables = (prior, common, noun, OT.templates_of(humans))
    data = OT.model_file_data(model, [*C.FEATURES, *SEMANTIC_FEATURES], w, mean, scale, tables, trained_on)
    for e in eps.values():
        e["ctx"].bank.save()
    print(f"{len(x)} rows", flush=True)
    OT.write_model_file(data, M.REFINED_TITLES_FILE)
    return 0


def _encoder() -> MiniLMEncoder:
    from desktop_app.outline import minilm

    enc = minilm.get_encoder()
    if enc is None:
        raise RuntimeError("the bundled MiniLM encoder is missing")
    return enc


# --- summary -----------------------------------------------------------------------------------------------


def weighted_interval(
    delta: np.ndarray, weight: np.ndarray, n: int = 10000, seed: int = 0
) -> tuple[float, float]:
    """Percentile 95 % interval of the weighted mean of ``delta`` over ``n`` resamples of the episodes."""
    rng = np.random.default_rng(seed)
    pick = rng.integers(0, len(delta), size=(n, len(delta)))
    means = (delta[pick] * weight[pick]).sum(axis=1) / weight[pick].sum(axis=1)
    return float(np.percentile(means, 2.5)), float(np.percentile(means, 97.5))


def summarise(results: dict, arms: Sequence[str] = ARMS) -> str:
    """The CV table: per arm and section kind, chapter-weighted titles / titleF1 (per-episode scores averaged
    over the fold seeds holding every arm of ``arms``); each arm's paired difference to ``base`` with better /
    worse episode counts and 95 % intervals from resampling episodes; and the difference per fold seed."""
    seeds = [d for d, per in results["rows"].items() if all(arm in per for arm in ("base", *arms))]
    slugs = sorted(results["rows"][seeds[0]]["base"])
    arms = ["base", *[a for a in arms if a != "base"]]
    arr = {
        arm: np.array([[results["rows"][d][arm][s] for s in slugs] for d in seeds]) for arm in arms
    }  # seeds x episodes x (app titles, app F1, chapters, hum titles, hum F1)
    mean = {arm: a.mean(axis=0) for arm, a in arr.items()}
    lines = [
        f"{len(slugs)} episodes, K={results['k']}, fold seeds {', '.join(seeds)}"
        + (" (linear conditional logit)" if results["linear"] else " (shipped form: + 16 relu units)")
    ]
    # the human sections' chapters are the same as the app's matched ones (``outline_data.chapters``)
    for kind, (ti, fi, ni) in (("app", (0, 1, 2)), ("human", (3, 4, 2))):
        w = mean["base"][:, ni]
        for arm in arms:
            m = mean[arm]
            lines.append(
                f"  {kind:5} {arm:12}: titles {np.average(m[:, ti], weights=w):.3f}  "
                f"titleF1 {np.average(m[:, fi], weights=w):.3f}"
            )
        for arm, (name, col) in ((a, nc) for a in arms[1:] for nc in (("titles", ti), ("titleF1", fi))):
            d = mean[arm][:, col] - mean["base"][:, col]
            lo, hi = weighted_interval(d, w)
            per_seed = [
                float(np.average(arr[arm][j][:, col] - arr["base"][j][:, col], weights=w))
                for j in range(len(seeds))
            ]
            lines.append(
                f"  {kind:5} {arm} - base {name:7}: {np.average(d, weights=w):+.4f} [{lo:+.4f}, {hi:+.4f}], "
                f"episodes better/worse {(d > 1e-9).sum()}/{(d < -1e-9).sum()}, per fold seed "
                + ", ".join(f"{v:+.4f}" for v in per_seed)
            )
    return "\n".join(lines)


# --- encoding and timing -----------------------------------------------------------------------------------


def encode_all(slugs: Sequence[str]) -> None:
    """Fill the phrase banks: every candidate of the human and the app's sections under the word tables of all
    the given episodes (the folds' tables differ a little; what they add is encoded when asked for)."""
    install()
    _STATE["encoder"] = _encoder()
    eps = load_episodes(slugs)
    humans = [e["human"] for e in eps.values()]
    prior, common, noun = OT.tables(humans)
    templates = OT.templates_of(humans)
    total_n, total_s = 0, 0.0
    for s, e in eps.items():
        for ep in (e["human"], e["app"]):
            C.candidate_features(
                ep["words"], ep["forms"], ep["sections"], None, prior, common, noun=noun, templates=templates
            )
        bank = e["ctx"].bank
        bank.save()
        total_n += bank.encoded
        total_s += bank.seconds
        print(
            f"{s}: {len(bank.index)} phrases, {bank.encoded} encoded in {bank.seconds:.1f} s "
            f"({bank.encoded / max(bank.seconds, 1e-9):.0f}/s); total {total_n} in {total_s:.0f} s",
            flush=True,
        )
        new_fold()


SEED_TRANSCRIPT = outline_data.SHARED / "seed" / "000_0437f9af2b30a0a6.txt"


def time_seed(path: Path = SEED_TRANSCRIPT, repeat: int = 3) -> int:
    """Encoding time of the seed transcript's candidate phrases as the app's outline would pay it: the default
    outline's sections and the shipped title model's tables (``chapters.build_outline``'s titling path), every
    distinct candidate phrase through the bundled encoder (best of ``repeat``)."""
    import bisect
    import re

    from desktop_app.outline import chapters
    from desktop_app.outline import title_words as W
    from desktop_app.readability import segmentation as readability

    text = path.read_text(encoding="utf-8")
    readable = readability.segment(text)
    t0 = time.perf_counter()
    secs = chapters.outline_of(text, readable)
    t_outline = time.perf_counter() - t0
    spans = [(m.start(), m.end()) for m in re.finditer(r"\S+", text)]
    surface = [text[a:b] for a, b in spans]
    words = [W.normalize(t) for t in surface]
    starts = [a for a, _ in spans]
    bounds = [bisect.bisect_left(starts, s.start) for s in secs] + [len(spans)]
    sections = list(zip(bounds, bounds[1:], strict=False))
    model = M.get_title_model()
    assert model is not None
    content = {w for w in set(words) if W._is_content(w)}
    forms = W._surface_forms(words, surface, content)
    table = _ORIGINAL(words, forms, sections, model)
    phrases = sorted({phrase_text(k) for rows in table for k, _f in rows})
    enc = _encoder()
    best = float("inf")
    for _ in range(repeat):
        t1 = time.perf_counter()
        enc.embed(phrases)
        best = min(best, time.perf_counter() - t1)
    pieces = sum(len(enc.tokenizer.encode(p)) for p in phrases)
    print(
        f"{path.name}: {len(words)} words, {len(sections)} sections, {len(phrases)} distinct candidate phrases "
        f"({pieces} word pieces with [CLS]/[SEP]); default outline {t_outline:.2f} s; phrase encoding "
        f"{best:.2f} s (best of {repeat}, {len(phrases) / best:.0f} phrases/s)",
        flush=True,
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cv", type=int, default=0, help="folds of the cross-validation (0: none)")
    ap.add_argument("--seeds", type=int, default=2, help="fold seeds 0..N-1")
    ap.add_argument("--seed-list", default="", help="fold seeds, e.g. 2,3 (overrides --seeds)")
    ap.add_argument("--linear", action="store_true", help="the conditional logit alone (no hidden units)")
    ap.add_argument("--encode", action="store_true", help="fill the phrase-embedding cache")
    ap.add_argument("--refit", action="store_true", help="write the refined outline's title model")
    ap.add_argument("--limit", type=int, default=0, help="--encode: the first N episodes only")
    ap.add_argument(
        "--time",
        nargs="?",
        const=str(SEED_TRANSCRIPT),
        default="",
        help="time a transcript's phrase encoding",
    )
    ap.add_argument("--arms", default=",".join(ARMS), help=f"arms to fit, of {', '.join(ARM_COLUMNS)}")
    ap.add_argument("--save", default="", help="write the per-episode results here (json)")
    ap.add_argument(
        "--summarise", default="", help="print the table of saved results (comma list merges seeds)"
    )
    args = ap.parse_args(argv)
    if args.time:
        return time_seed(Path(args.time))
    if args.summarise:
        merged: dict[str, Any] = {}
        for p in args.summarise.split(","):
            res = json.loads(Path(p).read_text())
            if not merged:
                merged = res
            else:
                for seed, per in res["rows"].items():
                    merged["rows"].setdefault(seed, {}).update(per)
        print(summarise(merged, args.arms.split(",")))
        return 0
    if not outline_data.TRAIN_CORPUS.is_dir():
        print(f"{outline_data.TRAIN_CORPUS} not found (development machines only)")
        return 0
    if args.refit:
        return refit()
    if args.encode:
        slugs = cv_slugs()
        encode_all(slugs[: args.limit] if args.limit else slugs)
        return 0
    if args.cv:
        seeds = [int(v) for v in args.seed_list.split(",")] if args.seed_list else list(range(args.seeds))
        arms = args.arms.split(",")
        res = cross_validate(args.cv, seeds, args.linear, Path(args.save) if args.save else None, arms)
        if "base" in arms:
            print(summarise(res, arms))
    return 0


if __name__ == "__main__":
    sys.exit(main())
