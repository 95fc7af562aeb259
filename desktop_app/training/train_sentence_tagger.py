"""Train the sentence tagger (``desktop_app.readability.network.RecurrentTagger``): sentence starts, questions, turns.

Data: ``/work/shared/train-corpus`` (not shipped), split by ``sentence_data`` (``sentence_split.json``): the
network is fitted on the *fit* episodes, every setting (architecture, number of epochs, decoding thresholds) is
chosen on the *selection* episodes, and the *validation* episodes (``corpus_split.json``'s, held out from
everything here) and the development corpus (never fitted on) are scored once at the end
(``benchmarks/readability_quality.py``). Sources: see the corpus README.

Network: per word the static word vector, shape and repeat flag of ``network.tagger_inputs``, a learned
embedding of the fit split's most frequent words and of a hashed three-letter suffix, projected to
``channels``; residual dilated convolutions (kernel 5); a bidirectional GRU; a linear head over the
convolution output and both GRU directions with one logit per task: sentence start, question end (the last
word of a sentence ending in "?"), comma before the word, speaker turn start (Lex episodes only). Trained
with PyTorch on random windows of ``window`` words (AdamW, one-cycle schedule, dropout, word dropout).

    python3 -m venv /work/torchenv && /work/torchenv/bin/pip install torch numpy platformdirs
    PYTHONPATH=. /work/torchenv/bin/python -m desktop_app.training.train_sentence_tagger [--set channels=128 ...]
    PYTHONPATH=. /work/torchenv/bin/python -m desktop_app.training.train_sentence_tagger --fixture \
        tests/data/recurrent_tagger_fixture.npz     # the numpy-against-PyTorch test fixture
    PYTHONPATH=. /work/torchenv/bin/python -m desktop_app.training.train_sentence_tagger --out /tmp/t.npz
    PYTHONPATH=. /work/torchenv/bin/python -m desktop_app.training.train_sentence_tagger \
        --refit /tmp/t.npz --epoch 11               # the final refit on fit + selection (the shipped file)

(from the repository root; ~20-40 min on one busy core) trains for ``epochs`` epochs, keeps the epoch whose
network alone scores the best sentence F1 on selection, chooses the decoding settings on selection
(``tune``: the start mix and thresholds for sentence F1 ±1, the question mix and threshold for question F1, the
turn mix, threshold and the weight of the start logit in a break's score for
``min(turn recall / 0.70, paragraph precision / 0.80)``) and writes ``resources/models/readability_tagger.npz``
with them (``params``, which override ``readability.json.gz``'s when the tagger is used). The linear models,
the turn models and the speaker model are unchanged (the turn models were fitted on fit + selection, so their
selection figures are optimistic: the turn mix chosen there leans, if anything, to the linear side).

Split: fit 77 episodes, selection 12 (11 Lex with turns), validation 22 (18 two-person Lex interviews).
Choices on selection (``tune``'s figures; sentence F1 ±1 of the network alone, then of the tuned pipeline /
question F1 / turn recall / paragraph precision): ``channels`` = ``hidden`` = 160 and 12 epochs (96, 8 epochs:
0.697, 0.702 / 0.808 / 0.728 / 0.829; 128, 8 epochs: 0.711, 0.717 / 0.817 / 0.735 / 0.842; 160, 8 epochs:
0.717, 0.722 / 0.842 / 0.737 / 0.839; 160, 12 epochs: 0.727, 0.733 / 0.836 / 0.741 / 0.846, every one of the 11
selection episodes with sentence truth gaining over 128), epoch 11 of 12, the settings in the file's ``params``
(start mix 0.9, threshold 0.3, pair 0.5, at most 60 words; question mix 1.0, threshold -1.0; the turn settings
are overridden by ``turns.json.gz``'s ``network_params``). The shipped file is then the same network refitted
on fit + selection (``--refit``: same settings, stopped after epoch 11, with the decoding settings chosen on
selection for the fit-only network; nothing was chosen on the refit). Before that, on selection with the app's
pipeline (``benchmarks/readability_quality.py --sets selection``), 128 -> 160/12 epochs (fit only):
sentence F1 ±1 0.717 -> 0.733 (9 two-person: 0.714 -> 0.731), question F1 0.816 -> 0.835, two-person turn
recall 0.774 -> 0.795, paragraph precision 0.806 -> 0.822, speaker balanced accuracy 0.858 -> 0.857.

Scored once afterwards (160 channels, refitted), the 128-channel network of ``readability-12`` -> this one,
with the same linear, turn and speaker models: validation (22 episodes; 21 with sentence truth) sentence F1 ±1
0.718 -> 0.735, exact 0.696 -> 0.715, question F1 0.790 -> 0.802; its 18 two-person interviews 0.713 -> 0.731,
turn recall 0.734 -> 0.755, paragraph precision 0.815 -> 0.835, speaker balanced accuracy 0.829 -> 0.835; dev
corpus (5 with sentence truth) 0.724 -> 0.741, its 3 two-person interviews 0.723 -> 0.739, turn recall
0.753 -> 0.779, paragraph precision 0.803 -> 0.827, speaker 0.824 -> 0.832. Tagger file 3.79 MB (float16);
segmenting the seed 0.96 s CPU on one core (0.78 s with 128 channels).

The first, 128-channel network, scored once afterwards with the app's pipeline (before -> after;
before = the shipped models of commit 6ca5674, whose linear and CNN sentence models were fitted on the
development corpus):

    set (episodes)                      sentF1±1       sentF1         qF1            turnR          parP           spkBAcc
    selection, 2-person Lex (9)         0.620->0.714   0.596->0.696   0.622->0.821   0.686->0.751   0.753->0.826   0.909->0.913
    validation, all usable (21)         0.625->0.718   0.601->0.696   0.589->0.790
    validation, 2-person Lex (18)       0.617->0.713   0.594->0.692   0.569->0.783   0.578->0.645   0.782->0.858   0.811->0.817
    dev corpus, all usable (5)          (0.849)->0.723 (0.845)->0.699 (0.796)->0.807
    dev corpus, 2-person Lex (3)        (0.844)->0.723 (0.840)->0.701 (0.772)->0.774   0.627->0.624   0.889->0.880   0.799->0.794

(brackets: the old sentence models were fitted on the development corpus, so those are training figures).
That tagger file: 2.87 MB (float16); segmenting the seed 0.85-1.0 s CPU on one core.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import sys
import time
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from desktop_app.readability import network as rn
from desktop_app.readability import segmentation as rd
from desktop_app.training import sentence_data as sd

if TYPE_CHECKING:
    from collections.abc import Sequence

logger = logging.getLogger(__name__)

DEFAULT_OUT = Path(__file__).resolve().parents[2] / "resources" / "models" / "readability_tagger.npz"
CACHE = Path("/tmp/transcript-reader-sentence-tagger")

HYPER: dict[str, Any] = {  # the shipped network's (96 and 128 channels scored lower on selection)
    "channels": 160,
    "hidden": 160,
    "dilations": (1, 2),
    "vocab": 8000,
    "dropout": 0.2,
    "word_dropout": 0.1,
    "weight_decay": 1e-4,
    "lr": 3e-3,
    "epochs": 12,
    "steps": 250,
    "window": 160,
    "batch": 32,
    "task_weights": (1.0, 1.0, 0.3, 1.0),
    "seed": 0,
}


def build_vocab(eps: Sequence[sd.Episode], size: int) -> list[str]:
    """The ``size`` most frequent normalised words of the episodes (ties by word)."""
    counts = Counter(w for ep in eps for w in ep.norm)
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return [w for w, c in ranked[:size] if c >= 3]


def labels(ep: sd.Episode) -> tuple[np.ndarray, np.ndarray]:
    """Per-word targets and masks (n, 4): start, question end, comma before, turn."""
    n = len(ep.words)
    y = np.zeros((n, 4), dtype=np.float32)
    m = np.ones((n, 4), dtype=np.float32)
    y[ep.starts, 0] = 1.0
    bounds = ep.starts + [n]
    for k, b in enumerate(bounds[1:]):
        if ep.marks[k] == "?":
            y[b - 1, 1] = 1.0
    y[[i + 1 for i in ep.commas if i + 1 < n], 2] = 1.0
    if len(ep.turns) > 1:
        y[ep.turns, 3] = 1.0
    else:
        m[:, 3] = 0.0
    if not ep.sentence_ok:
        m[:, :3] = 0.0
    m[0, :] = 0.0
    return y, m


class Inputs:
    """One episode's network inputs: dense features, vocabulary and suffix ids, targets and masks."""

    def __init__(self, ep: sd.Episode, index: dict[str, int], vectors: Any) -> None:
        norm = ep.norm
        ids, dense = rn.tagger_inputs(ep.words, norm, ep.shapes, index, vectors)
        self.ids = ids
        self.dense = dense.astype(np.float16)
        self.suffix = rn.suffix_ids(norm)
        self.y, self.m = labels(ep)


def make_net(hyper: dict[str, Any], d_dense: int, n_vocab: int) -> Any:
    """The torch module."""
    import torch
    from torch import nn

    c, h = hyper["channels"], hyper["hidden"]

    class Net(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.inp = nn.Linear(d_dense, c)
            self.emb = nn.Embedding(n_vocab + 1, c)
            self.suf = nn.Embedding(rn.SUFFIX_BUCKETS + 1, c)
            self.convs = nn.ModuleList(
                nn.Conv1d(c, c, 5, dilation=d, padding=2 * d) for d in hyper["dilations"]
            )
            self.gru = nn.GRU(c, h, batch_first=True, bidirectional=True)
            self.drop = nn.Dropout(hyper["dropout"])
            self.out = nn.Linear(c + 2 * h, 4)

        def forward(self, ids: torch.Tensor, suf: torch.Tensor, dense: torch.Tensor) -> torch.Tensor:
            x = self.inp(dense) + self.emb(ids) + self.suf(suf)
            x = x.transpose(1, 2)
            for conv in self.convs:
                x = x + conv(self.drop(torch.relu(x)))
            r = torch.relu(x.transpose(1, 2))
            g, _ = self.gru(self.drop(r))
            return self.out(self.drop(torch.cat([r, g], dim=-1)))

    return Net()


def export(net: Any, vocab: list[str], hyper: dict[str, Any]) -> dict[str, np.ndarray]:
    """Numpy weights in the runtime layout (``network.RecurrentTagger``)."""
    sd_ = {k: v.detach().numpy().astype(np.float32) for k, v in net.state_dict().items()}
    c = hyper["channels"]
    h = hyper["hidden"]
    w_out = sd_["out.weight"].T  # (c + 2h, 4)
    out = {
        "format": np.frombuffer(rn.FORMAT, dtype=np.uint8),
        "vocab": np.frombuffer("\n".join(vocab).encode("utf-8"), dtype=np.uint8),
        "dilations": np.asarray(hyper["dilations"], dtype=np.int32),
        "w_dense": sd_["inp.weight"].T,
        "b_in": sd_["inp.bias"],
        "emb": sd_["emb.weight"],
        "suffix": sd_["suf.weight"],
        "out_h": w_out[:c],
        "out_f": w_out[c : c + h],
        "out_b": w_out[c + h :],
        "out_bias": sd_["out.bias"],
    }
    for k, _ in enumerate(hyper["dilations"]):
        out[f"conv{k}_w"] = np.transpose(sd_[f"convs.{k}.weight"], (2, 1, 0)).copy()
        out[f"conv{k}_b"] = sd_[f"convs.{k}.bias"]
    for side, suffix in (("f", ""), ("b", "_reverse")):
        out[f"{side}_wi"] = sd_[f"gru.weight_ih_l0{suffix}"].T.copy()
        out[f"{side}_bi"] = sd_[f"gru.bias_ih_l0{suffix}"]
        out[f"{side}_wh"] = sd_[f"gru.weight_hh_l0{suffix}"].T.copy()
        out[f"{side}_bh"] = sd_[f"gru.bias_hh_l0{suffix}"]
    return out


def fit(
    fit_eps: Sequence[sd.Episode],
    hyper: dict[str, Any],
    on_epoch: Any = None,
) -> dict[str, np.ndarray]:
    """Train one network on ``fit_eps``; ``on_epoch(epoch, arrays)`` is called after each epoch."""
    import torch
    from torch import nn

    seed = hyper["seed"]
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    vectors = rn.tagger_vectors()
    vocab = build_vocab(fit_eps, hyper["vocab"])
    index = {w: k + 1 for k, w in enumerate(vocab)}
    data = [Inputs(ep, index, vectors) for ep in fit_eps]
    net = make_net(hyper, data[0].dense.shape[1], len(vocab))
    opt = torch.optim.AdamW(net.parameters(), lr=hyper["lr"], weight_decay=hyper["weight_decay"])
    steps, epochs = hyper["steps"], hyper["epochs"]
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=hyper["lr"], total_steps=steps * epochs)
    tw = torch.tensor(hyper["task_weights"], dtype=torch.float32)
    sizes = np.array([len(x.ids) for x in data], dtype=np.float64)
    win, batch = hyper["window"], hyper["batch"]
    arrays: dict[str, np.ndarray] = {}
    for epoch in range(1, epochs + 1):
        net.train()
        t0, run = time.perf_counter(), 0.0
        for _ in range(steps):
            parts = []
            for k in rng.choice(len(data), size=batch, p=sizes / sizes.sum()):
                x = data[k]
                a = int(rng.integers(0, len(x.ids) - win))
                s = slice(a, a + win)
                parts.append((x.ids[s], x.suffix[s], x.dense[s].astype(np.float32), x.y[s], x.m[s]))
            ids, suf, dense, y, m = (torch.from_numpy(np.stack(z)) for z in zip(*parts, strict=True))
            ids = ids.masked_fill(torch.rand(ids.shape) < hyper["word_dropout"], 0)
            z = net(ids, suf, dense)
            loss = nn.functional.binary_cross_entropy_with_logits(z, y, weight=m * tw, reduction="sum") / (
                m.sum() + 1.0
            )
            opt.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(net.parameters(), 5.0)
            opt.step()
            sched.step()
            run += float(loss.detach())
        logger.info("epoch %d loss %.4f (%.0f s)", epoch, run / steps, time.perf_counter() - t0)
        net.eval()
        arrays = export(net, vocab, hyper)
        if on_epoch is not None:
            on_epoch(epoch, arrays)
    return arrays


def tagger_logits(tagger: rn.RecurrentTagger, eps: Sequence[sd.Episode]) -> dict[str, np.ndarray]:
    """The tagger's (n, 4) logits for each episode."""
    return {ep.slug: tagger.logits(ep.words, ep.norm, ep.shapes) for ep in eps}


def f1_within(pred: Sequence[int], truth: Sequence[int], tol: int) -> tuple[int, int, int]:
    """(matched, predicted, true) boundary counts, word 0 left out, one-to-one within ``tol``."""
    p = [x for x in pred if x]
    t = [x for x in truth if x]
    i = j = m = 0
    while i < len(p) and j < len(t):
        if abs(p[i] - t[j]) <= tol:
            m, i, j = m + 1, i + 1, j + 1
        elif p[i] < t[j]:
            i += 1
        else:
            j += 1
    return m, len(p), len(t)


def mean_f1(counts: Sequence[tuple[int, int, int]]) -> float:
    """Mean over episodes of the F1 of each (matched, predicted, true)."""
    out = []
    for m, p, t in counts:
        out.append(2 * m / (p + t) if p + t else 0.0)
    return float(np.mean(out)) if out else 0.0


def start_f1(
    eps: Sequence[sd.Episode],
    logits: dict[str, np.ndarray],
    linear: dict[str, list[float]] | None,
    weight: float,
    threshold: float,
    pair: float,
    max_sentence: int,
) -> float:
    """Mean sentence F1 (±1) of decoding ``weight * tagger + (1 - weight) * linear`` start logits."""
    counts = []
    for ep in eps:
        if not ep.sentence_ok:
            continue
        z = logits[ep.slug][:, 0].astype(np.float64)
        if linear is not None and weight < 1.0:
            z = weight * z + (1.0 - weight) * np.asarray(linear[ep.slug])
        starts = rd.decode_starts(z.tolist(), threshold, max_sentence, pair)
        counts.append(f1_within(starts, ep.starts, 1))
    return mean_f1(counts)


# ---------------------------------------------------------------------------------------------------
# Decoding settings, chosen on the selection split
# ---------------------------------------------------------------------------------------------------

START_GRID = {
    "tagger_start": (0.5, 0.6, 0.7, 0.8, 0.9, 1.0),
    "start_threshold": (0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.6),
    "pair_threshold": (0.5, 0.6, 0.7, 1.0),
    "max_sentence": (40, 60),
}
QUESTION_GRID = {
    "tagger_question": (0.0, 0.5, 0.75, 1.0),
    "question_threshold": (-3.0, -2.5, -2.0, -1.5, -1.0, -0.5, 0.0, 0.5),
}
TURN_GRID = {
    "tagger_turn": (0.0, 0.25, 0.5, 0.75, 1.0),
    "turn_threshold": (-5.0, -4.5, -4.0, -3.5, -3.0, -2.5, -2.0, -1.5, -1.0, -0.5, 0.0, 0.5),
    "words_per_turn": (0.0, 40.0),
    "min_paragraph": (0.0, 6.0),
    "turn_start_weight": (0.0, 0.25, 0.5, 0.75, 1.0),
}
TURN_TARGET, PARAGRAPH_TARGET = 0.70, 0.80
"""The turn settings maximise ``min(turn recall / TURN_TARGET, paragraph precision / PARAGRAPH_TARGET)`` on
selection: more breaks find more turns but fall on weaker sentence starts; this balances the two against the
issue's targets."""


class Decoded:
    """One selection episode decoded as ``segmentation._segment_captions`` does (whole episode, one chunk):
    the sentence starts and the per-sentence linear and network question and turn logits."""

    def __init__(self, ep: sd.Episode, model: rd.Model, net: np.ndarray, params: dict[str, float]) -> None:
        norm, shapes = ep.norm, ep.shapes
        n = len(norm)
        columns = rd.start_feature_columns(norm, shapes)
        linear = model.start_scores(norm, shapes, columns)
        w = params["tagger_start"]
        scores = ((1.0 - w) * np.asarray(linear) + w * net[:, 0]).tolist()
        starts = rd.decode_starts(
            scores, params["start_threshold"], int(params["max_sentence"]), params["pair_threshold"]
        )
        inserted = model.turn_insertions(norm, columns, linear, starts, n)
        self.starts = sorted(set(starts).union(inserted))
        self.n = n
        self.scores = scores
        bounds = self.starts + [n]
        self.questions = [model.question_logit(norm[a:b]) for a, b in zip(bounds, bounds[1:], strict=False)]
        self.turn = model.sentence_turn_logits(norm, columns, self.starts, n, self.questions, linear)
        self.q_net = [float(net[b - 1, 1]) for b in bounds[1:]]
        self.t_net = [float(max(net[j, 3] for j in (s - 1, s, s + 1) if 0 <= j < n)) for s in self.starts]
        self.ep = ep

    def paragraphs(self, p: dict[str, float]) -> list[int]:
        """Paragraph starts (word indices) under the turn settings ``p``."""
        wt, ws = p["tagger_turn"], p["turn_start_weight"]
        turn = [
            (1.0 - wt) * a + wt * b + ws * self.scores[s]
            for a, b, s in zip(self.turn, self.t_net, self.starts, strict=True)
        ]
        thr = rd._turn_threshold(turn, self.n, p["turn_threshold"], p["words_per_turn"])
        pars = rd._turn_breaks(
            self.starts, self.n, turn, thr, int(p["min_paragraph"]), thr + p["short_turn_margin"]
        )
        return rd._split_long_paragraphs(
            self.starts, self.n, self.scores, turn, pars, int(p["max_paragraph"])
        )

    def question_counts(self, wq: float, thr: float) -> tuple[int, int, int]:
        """(true "?" predicted, predicted "?", true "?") over predicted sentences whose end is a true end."""
        ep = self.ep
        true_ends = set(ep.starts[1:]) | {len(ep.words)}
        t_bounds = ep.starts + [len(ep.words)]
        true_q = {b for k, b in enumerate(t_bounds[1:]) if ep.marks[k] == "?"}
        tp = n_pred = n_true = 0
        for b, ql, qn in zip(self.starts[1:] + [self.n], self.questions, self.q_net, strict=True):
            if b not in true_ends:
                continue
            q = (1.0 - wq) * ql + wq * qn > thr
            tp += int(q and b in true_q)
            n_pred += int(q)
            n_true += int(b in true_q)
        return tp, n_pred, n_true


def near(xs: Sequence[int], x: int, tol: int) -> bool:
    """Whether the sorted ``xs`` hold a value within ``tol`` of ``x``."""
    import bisect

    k = bisect.bisect_left(xs, x - tol)
    return k < len(xs) and xs[k] <= x + tol


def paragraph_scores(ep: sd.Episode, pars: Sequence[int]) -> tuple[float | None, float]:
    """(turn recall ±2 words or None without turns, paragraph precision ±1) as the shared scorer counts them."""
    ok = sorted(set(ep.starts) | set(ep.turns))
    breaks = [p for p in pars if p]
    par_p = sum(1 for p in breaks if near(ok, p, 1)) / len(breaks) if breaks else 0.0
    turns = [t for t in ep.turns if t]
    if len(turns) < 1:
        return None, par_p
    return sum(1 for t in turns if near(pars, t, 2)) / len(turns), par_p


def grid(space: dict[str, tuple[float, ...]]) -> list[dict[str, float]]:
    """Every combination of the values in ``space``."""
    import itertools

    keys = list(space)
    return [dict(zip(keys, values, strict=True)) for values in itertools.product(*(space[k] for k in keys))]


def tune(
    tagger: rn.RecurrentTagger, eps: Sequence[sd.Episode], model: rd.Model
) -> tuple[dict[str, float], dict[str, float]]:
    """The decoding settings that score best on ``eps`` (the selection split) and their figures."""
    logits = tagger_logits(tagger, eps)
    linear = {ep.slug: model.start_scores(ep.norm, ep.shapes) for ep in eps}
    best_start = max(
        grid(START_GRID),
        key=lambda p: start_f1(
            eps,
            logits,
            linear,
            p["tagger_start"],
            p["start_threshold"],
            p["pair_threshold"],
            int(p["max_sentence"]),
        ),
    )
    f1 = start_f1(
        eps,
        logits,
        linear,
        best_start["tagger_start"],
        best_start["start_threshold"],
        best_start["pair_threshold"],
        int(best_start["max_sentence"]),
    )
    logger.info("selection: sentence F1±1 %.4f with %s", f1, best_start)
    params = {**best_start, "short_turn_margin": model.param("short_turn_margin", 0.0)}
    params["max_paragraph"] = model.param("max_paragraph", 150)
    decoded = [Decoded(ep, model, logits[ep.slug], params) for ep in eps]

    def q_f1(p: dict[str, float]) -> float:
        out = []
        for d in decoded:
            if not d.ep.sentence_ok:
                continue
            tp, n_pred, n_true = d.question_counts(p["tagger_question"], p["question_threshold"])
            out.append(2 * tp / (n_pred + n_true) if n_pred + n_true else 0.0)
        return float(np.mean(out))

    best_q = max(grid(QUESTION_GRID), key=q_f1)
    logger.info("selection: question F1 %.4f with %s", q_f1(best_q), best_q)
    params.update(best_q)
    rows = []
    for p in grid(TURN_GRID):
        full = {**params, **p}
        scored = [paragraph_scores(d.ep, d.paragraphs(full)) for d in decoded if len(d.ep.turns) > 1]
        recall = float(np.mean([r for r, _ in scored if r is not None]))
        precision = float(np.mean([q for _, q in scored]))
        rows.append((recall, precision, p))
        logger.debug("turns %s: recall %.4f precision %.4f", p, recall, precision)
    recall, precision, best_t = max(  # ties: the higher threshold (a floor that binds on short texts too)
        rows, key=lambda r: (min(r[0] / TURN_TARGET, r[1] / PARAGRAPH_TARGET), r[2]["turn_threshold"])
    )
    logger.info("selection: turn recall %.4f paragraph precision %.4f with %s", recall, precision, best_t)
    params.update(best_t)
    figures = {
        "sentence_f1_1": f1,
        "question_f1": q_f1(params),
        "turn_recall": recall,
        "paragraph_precision": precision,
    }
    return params, figures


def main(argv: list[str] | None = None) -> int:
    """Command line: train on the fit split, choose the epoch on selection, write the model."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, default=sd.TRAIN_CORPUS)
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--set", nargs="*", default=[], help="hyper-parameter overrides, key=json")
    ap.add_argument("--snapshots", type=Path, default=CACHE / "snapshots")
    ap.add_argument("--tune", type=Path, help="skip training: choose the decoding settings of this network")
    ap.add_argument("--fixture", type=Path, help="only write the numpy-against-torch test fixture there")
    ap.add_argument(
        "--refit",
        type=Path,
        help="the final refit: train on fit + selection with the settings of --set, keep epoch --epoch and "
        "write it with the decoding settings of this (selection-tuned) tagger file",
    )
    ap.add_argument("--epoch", type=int, help="with --refit: the epoch chosen on selection")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    if args.fixture:
        write_fixture(args.fixture)
        return 0
    if args.tune:
        return tune_and_save(args.tune, args.out, args.corpus)
    import torch

    torch.set_num_threads(args.threads)
    hyper = dict(HYPER)
    for item in args.set:
        key, value = item.split("=", 1)
        hyper[key] = json.loads(value)
    split = sd.load_split()
    fit_eps = sd.load_episodes(args.corpus, split["fit"], CACHE)
    sel_eps = sd.load_episodes(args.corpus, split["selection"], CACHE)
    logger.info("fit %d episodes, selection %d; %s", len(fit_eps), len(sel_eps), hyper)
    args.snapshots.mkdir(parents=True, exist_ok=True)
    tag = "-".join(f"{k}{v}" for k, v in sorted(hyper.items()) if HYPER.get(k) != v) or "base"
    if args.refit:
        return refit(list(fit_eps) + list(sel_eps), hyper, args.epoch, args.refit, args.out)

    scores: dict[Path, float] = {}

    def on_epoch(epoch: int, arrays: dict[str, np.ndarray]) -> None:
        path = args.snapshots / f"{tag}-e{epoch}.npz"
        save(arrays, {}, path)
        tagger = rn.RecurrentTagger.load(path)
        logits = tagger_logits(tagger, sel_eps)
        best = max(
            (start_f1(sel_eps, logits, None, 1.0, thr, 1.0, 50), thr) for thr in (0.3, 0.4, 0.5, 0.6, 0.7)
        )
        scores[path] = best[0]
        logger.info("epoch %d selection sentence F1±1 %.4f (threshold %.2f) -> %s", epoch, *best, path)

    fit(fit_eps, hyper, on_epoch)
    chosen = max(scores, key=lambda p: scores[p])  # the epoch whose network alone scores best on selection
    logger.info("chosen: %s", chosen)
    return tune_and_save(chosen, args.out, args.corpus)


def refit(eps: Sequence[sd.Episode], hyper: dict[str, Any], epoch: int | None, tuned: Path, out: Path) -> int:
    """Train on ``eps`` (fit + selection) with ``hyper``, stop after ``epoch`` (the epoch chosen on selection,
    same one-cycle schedule over ``hyper["epochs"]``) and write the weights with the decoding settings of
    the selection-tuned tagger file ``tuned`` (nothing is chosen here: selection is now fitted on)."""
    if epoch is None or not 1 <= epoch <= hyper["epochs"]:
        raise SystemExit("--refit needs --epoch between 1 and the number of epochs")
    params = rn.RecurrentTagger.load(tuned).params
    logger.info("refit on %d episodes, epoch %d, params of %s: %s", len(eps), epoch, tuned, params)

    class Done(Exception):
        """Stops the training after the chosen epoch."""

    def on_epoch(k: int, arrays: dict[str, np.ndarray]) -> None:
        if k == epoch:
            save(arrays, params, out)
            raise Done

    with contextlib.suppress(Done):  # the training ends at the chosen epoch
        fit(eps, hyper, on_epoch)
    return 0


FIXTURE_WORDS = (
    "so what do you think about that I I think it's a really good question yeah and the thing is "
    "we don't know $3,500 AI systems are going to change everything right"
).split()


def write_fixture(path: Path) -> None:
    """A tiny randomly initialised network (exported) and PyTorch's logits for ``FIXTURE_WORDS``: the test
    that the numpy inference reproduces PyTorch (``tests/test_readability_recurrent.py``)."""
    import torch

    torch.manual_seed(7)
    hyper = {**HYPER, "channels": 8, "hidden": 6, "dilations": (1, 2)}
    vocab = ["so", "think", "i", "yeah", "the"]
    index = {w: k + 1 for k, w in enumerate(vocab)}
    norm = [rd.normalize(w) for w in FIXTURE_WORDS]
    shapes = [rd.shape(w) for w in FIXTURE_WORDS]
    ids, dense = rn.tagger_inputs(FIXTURE_WORDS, norm, shapes, index, rn.tagger_vectors())
    net = make_net(hyper, dense.shape[1], len(vocab))
    with torch.no_grad():
        for param in net.parameters():
            param.normal_(0.0, 0.5)
    net.eval()
    with torch.no_grad():
        z = net(
            torch.from_numpy(ids)[None],
            torch.from_numpy(rn.suffix_ids(norm))[None],
            torch.from_numpy(dense)[None],
        )[0].numpy()
    arrays = export(net, vocab, hyper)
    arrays["expected"] = z.astype(np.float32)
    np.savez_compressed(path, **arrays)  # type: ignore[arg-type]


def tune_and_save(network: Path, out: Path, corpus: Path) -> int:
    """Choose the decoding settings of the network in ``network`` on the selection split; write it with
    them to ``out``."""
    from desktop_app.paths import resource_path

    split = sd.load_split()
    sel_eps = sd.load_episodes(corpus, split["selection"], CACHE)
    model = rd.Model.load(resource_path(*rd.MODEL_FILE))
    turns = Path(resource_path(*rd.TURN_FILE))
    model.use_turn_model(rd.read_model_file(turns))
    tagger = rn.RecurrentTagger.load(network)
    params, figures = tune(tagger, sel_eps, model)
    logger.info("selection figures %s", figures)
    with open(network, "rb") as f, np.load(f, allow_pickle=False) as data:
        arrays = {k: data[k] for k in data.files if k != "params"}
    save(arrays, params, out)
    return 0


def save(arrays: dict[str, np.ndarray], params: dict[str, float], path: Path) -> None:
    """The weights (float16) and decoding ``params`` in one ``.npz``."""
    out = {k: (v.astype(np.float16) if v.dtype == np.float32 else v) for k, v in arrays.items()}
    out["params"] = np.frombuffer(json.dumps(params, sort_keys=True).encode("utf-8"), dtype=np.uint8)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, **out)  # type: ignore[arg-type]
    logger.info("wrote %s (%d bytes)", path, path.stat().st_size)


if __name__ == "__main__":
    sys.exit(main())
