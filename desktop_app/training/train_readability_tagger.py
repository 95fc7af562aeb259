"""Train the older neural part of the readability model: small dilated 1-D CNNs over word vectors.

Superseded by ``train_sentence_tagger`` (a convolutional + recurrent tagger fitted on the training corpus),
which writes the shipped ``readability_tagger.npz``; the app still reads this script's format
(``network.Tagger``), so it stays for comparison (``--out`` elsewhere to keep the shipped file).

Data: the development corpus (``/work/shared/dev-corpus``; not shipped), read as in
``train_sentence_model`` (caption text plus the truth derived from the human-edited punctuated text; sources
listed there and in the corpus README). No other text is used.

Inputs per word (``desktop_app.readability.network.tagger_inputs`` computes them, so training and inference agree):
the static WordPiece vector of the word (``resources/models/outline_vectors.npz``, distilled from
all-MiniLM-L6-v2: no extra weight to ship), a learned embedding of the most frequent training words, the
capitalisation shape and a repeated-word flag. Network: input projection, one residual block per dilation d
(ReLU, dropout, Conv1d with kernel 5 and dilation d), ReLU, a linear head with one logit per task and word:
  0 start:    a sentence starts at word i;
  1 question: word i ends a sentence whose mark is "?";
  2 comma:    a comma follows word i - 1;
  3 turn:     a new speaker starts at word i (Lex episodes only).
Trained with PyTorch (training only: inference in ``readability_network.py`` is numpy) on random windows, AdamW with
a one-cycle schedule, dropout and word dropout (ids replaced by "other word"). Each network of ``NETS`` is
trained and kept side by side (the runtime averages their logits); a ``stack`` network would also read the
linear model's start logits (cross-fitted while training: for each episode, a linear model fitted on the other
episodes). The shipped file holds three plain networks that differ only in their random seed: leave-one-out
sentence F1 (±1) 0.594 with one, 0.599 with two, 0.601 with three, 0.601 with four (with the one-word-sentence
rule, ``pair_threshold``); a stacked network scored within 0.003 of a plain one. Each costs ~0.15 s on the
30k-word seed. Written as ``resources/models/readability_tagger.npz``
(float16 weights, ~0.5 MB per network). At run time the start logits are ``(1 - w) * linear + w * network`` with
``w = PARAMS["tagger_start"]`` (in ``train_sentence_model``); the question, comma and turn logits of the
network are trained as auxiliary tasks but not used (the linear models did better on them).

    python -m desktop_app.training.train_readability_tagger [--corpus DIR] [--holdout SLUG ...] [--tagger-only]

retrains the whole shipped readability model: the linear models (``train_sentence_model``, written to
``resources/models/readability.json.gz``) and the network (``resources/models/readability_tagger.npz``).

Needs torch (CPU) and numpy.  Hyper-parameters chosen by leave-one-episode-out runs
(``benchmarks/readability_quality.py --loo``).
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from desktop_app.readability import network as rn
from desktop_app.readability import segmentation as rd
from desktop_app.training.train_sentence_model import DEFAULT_CORPUS, Episode, episodes

if TYPE_CHECKING:
    from collections.abc import Sequence

logger = logging.getLogger(__name__)

DEFAULT_OUT = Path(__file__).resolve().parents[2] / "resources" / "models" / "readability_tagger.npz"

HYPER: dict[str, Any] = {  # defaults of every network
    "channels": 64,
    "dilations": (1, 2, 4, 8),
    "vocab": 2000,
    "emb": 32,
    "dropout": 0.25,
    "word_dropout": 0.15,
    "weight_decay": 1e-4,
    "lr": 2e-3,
    "epochs": 36,
    "window": 384,
    "batch": 16,
    "task_weights": (1.0, 0.5, 0.5, 0.5),
    "stack": False,
    "seed": 0,
    "approx_weight": 1.0,
}
# The shipped networks (their logits are averaged), chosen by leave-one-episode-out runs.
_SHIPPED: dict[str, Any] = {"vocab": 5000, "emb": 48, "lr": 3e-3, "dropout": 0.2, "epochs": 60}
NETS: list[dict[str, Any]] = [{**_SHIPPED, "seed": seed} for seed in (0, 1, 2)]
TASKS = ("start", "question", "comma", "turn")


def build_vocab(eps: Sequence[Episode], size: int) -> list[str]:
    """The ``size`` most frequent normalised words of the training episodes (ties by word)."""
    counts = Counter(w for ep in eps for w in ep.norm)
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return [w for w, c in ranked[:size] if c >= 3]


def labels(ep: Episode, approx_weight: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """Per-word targets (n, 4) and masks (n, 4) for the four tasks; the sentence tasks of an episode whose
    sentence truth is only approximate (``sentence_truth`` is not "ok") get the weight ``approx_weight``."""
    n = len(ep.words)
    y = np.zeros((n, 4), dtype=np.float32)
    m = np.ones((n, 4), dtype=np.float32)
    y[ep.starts, 0] = 1.0
    bounds = ep.starts + [n]
    for k, b in enumerate(bounds[1:]):
        if ep.marks[k] == "?":
            y[b - 1, 1] = 1.0
    commas = [i + 1 for i in ep.commas if i + 1 < n]
    y[commas, 2] = 1.0
    if len(ep.turns) > 1:
        y[sorted(ep.turns), 3] = 1.0
    else:
        m[:, 3] = 0.0
    if ep.truth.get("sentence_truth", "ok") != "ok":
        m[:, :2] *= approx_weight
    m[0, :] = 0.0
    return y, m


def fit(
    train_eps: Sequence[Episode],
    hyper: dict[str, Any],
    seed: int,
    epochs: Sequence[int] = (),
    stack: dict[str, np.ndarray] | None = None,
) -> dict[int, dict[str, np.ndarray]]:
    """Train one network; its numpy weights after each epoch in ``epochs`` (default: the last).

    ``stack``: per episode slug, the start logits of a linear model that did not see that episode (an extra
    input of the network: at run time the shipped linear model's logits)."""
    import torch
    from torch import nn

    torch.manual_seed(seed)
    torch.set_num_threads(1)
    rng = np.random.default_rng(seed)
    vectors = rn.tagger_vectors()
    vocab = build_vocab(train_eps, hyper["vocab"])
    index = {w: k + 1 for k, w in enumerate(vocab)}
    data = []
    for ep in train_eps:
        ids, dense = rn.tagger_inputs(ep.words, ep.norm, ep.shapes, index, vectors)
        if stack is not None:
            dense = np.hstack([dense, rn.stack_input(stack[ep.slug])])
        y, m = labels(ep, hyper["approx_weight"])
        data.append(
            (torch.from_numpy(ids), torch.from_numpy(dense), torch.from_numpy(y), torch.from_numpy(m))
        )
    c, d_in = hyper["channels"], data[0][1].shape[1]

    class Net(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.emb = nn.Embedding(len(vocab) + 1, hyper["emb"])
            self.inp = nn.Linear(d_in + hyper["emb"], c)
            self.convs = nn.ModuleList(
                nn.Conv1d(c, c, 5, dilation=d, padding=2 * d) for d in hyper["dilations"]
            )
            self.drop = nn.Dropout(hyper["dropout"])
            self.out = nn.Linear(c, 4)

        def forward(self, ids: torch.Tensor, dense: torch.Tensor) -> torch.Tensor:
            h = self.inp(torch.cat([dense, self.emb(ids)], dim=-1)).transpose(1, 2)
            for conv in self.convs:
                h = h + conv(self.drop(torch.relu(h)))
            return self.out(self.drop(torch.relu(h)).transpose(1, 2))

    net = Net()
    opt = torch.optim.AdamW(net.parameters(), lr=hyper["lr"], weight_decay=hyper["weight_decay"])
    tw = torch.tensor(hyper["task_weights"], dtype=torch.float32)
    total = sum(len(x[0]) for x in data)
    win, batch = hyper["window"], hyper["batch"]
    steps = max(1, total // (win * batch))
    n_epochs = max(epochs) if epochs else hyper["epochs"]
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=hyper["lr"], total_steps=steps * n_epochs)
    sizes = np.array([len(x[0]) for x in data], dtype=np.float64)
    snapshots: dict[int, dict[str, np.ndarray]] = {}
    for epoch in range(1, n_epochs + 1):
        net.train()
        t0, run = time.perf_counter(), 0.0
        for _ in range(steps):
            eps_k = rng.choice(len(data), size=batch, p=sizes / sizes.sum())
            parts = []
            for k in eps_k:
                ids, dense, y, m = data[k]
                a = int(rng.integers(0, len(ids) - win))
                parts.append((ids[a : a + win], dense[a : a + win], y[a : a + win], m[a : a + win]))
            ids, dense, y, m = (torch.stack(z) for z in zip(*parts, strict=True))
            drop = torch.rand(ids.shape) < hyper["word_dropout"]
            ids = ids.masked_fill(drop, 0)
            z = net(ids, dense)
            loss = (
                nn.functional.binary_cross_entropy_with_logits(z, y, weight=m * tw, reduction="sum") / m.sum()
            )
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            run += float(loss.detach())
        logger.info("seed %d epoch %d loss %.4f (%.1f s)", seed, epoch, run / steps, time.perf_counter() - t0)
        if epoch in epochs or (not epochs and epoch == n_epochs):
            snapshots[epoch] = export(net, vocab, hyper)
            snapshots[epoch]["stacked"] = np.asarray(int(stack is not None), dtype=np.int32)
    return snapshots


def export(net: Any, vocab: list[str], hyper: dict[str, Any]) -> dict[str, np.ndarray]:
    """Numpy weights in the runtime layout (see ``readability_network.Tagger``)."""
    sd = {k: v.detach().numpy().astype(np.float32) for k, v in net.state_dict().items()}
    w_in = sd["inp.weight"].T  # (d_in + emb, c)
    d_emb = hyper["emb"]
    out = {
        "vocab": np.frombuffer("\n".join(vocab).encode("utf-8"), dtype=np.uint8),
        "w_dense": w_in[:-d_emb],
        "emb_proj": sd["emb.weight"] @ w_in[-d_emb:] + sd["inp.bias"],  # embedding folded into the projection
        "dilations": np.asarray(hyper["dilations"], dtype=np.int32),
        "w_out": sd["out.weight"].T,
        "b_out": sd["out.bias"],
    }
    for k, _ in enumerate(hyper["dilations"]):
        out[f"conv{k}_w"] = np.transpose(sd[f"convs.{k}.weight"], (2, 1, 0))  # (5, c_in, c_out)
        out[f"conv{k}_b"] = sd[f"convs.{k}.bias"]
    return out


def stack_logits(eps: Sequence[Episode]) -> dict[str, np.ndarray]:
    """For each episode, the start logits of the linear start model trained on the other episodes (the
    stacked input the network learns from: at run time the linear model has not seen the text either)."""
    from desktop_app.training import train_sentence_model as tr

    out = {}
    for ep in eps:
        others = [e for e in eps if e is not ep]
        part = tr.split_tables(tr.fit_logistic(*tr.start_examples(others), **tr.HYPER["start"]))
        out[ep.slug] = np.asarray(
            rd.Model({"start": part}).start_scores(ep.norm, ep.shapes), dtype=np.float32
        )
    return out


def train(
    eps: Sequence[Episode], nets: Sequence[dict[str, Any]] | None = None
) -> list[dict[str, np.ndarray]]:
    """The networks ``nets`` (overrides of ``HYPER``; default ``NETS``) trained on ``eps``."""
    configs = [{**HYPER, **net} for net in (NETS if nets is None else nets)]
    stack = stack_logits(eps) if any(c["stack"] for c in configs) else None
    return [fit(eps, c, c["seed"], stack=stack if c["stack"] else None)[c["epochs"]] for c in configs]


def save(nets: Sequence[dict[str, np.ndarray]], path: Path, trained_on: Sequence[str]) -> None:
    """All networks in one .npz (``n<k>/<name>`` keys; weights float16)."""
    arrays: dict[str, np.ndarray] = {
        "format": np.frombuffer(b"transcript-reader-readability-tagger-1", dtype=np.uint8),
        "trained_on": np.frombuffer(" ".join(trained_on).encode("utf-8"), dtype=np.uint8),
    }
    for k, net in enumerate(nets):
        for name, value in net.items():
            arrays[f"n{k}/{name}"] = value.astype(np.float16) if value.dtype == np.float32 else value
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, **arrays)  # type: ignore[arg-type]
    logger.info("wrote %s (%d bytes)", path, path.stat().st_size)


def main(argv: list[str] | None = None) -> int:
    """Command line: train the linear models (unless ``--tagger-only``) and the tagger on the corpus."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--holdout", nargs="*", default=[], help="episodes to leave out")
    ap.add_argument(
        "--tagger-only",
        action="store_true",
        help="do not retrain the linear models (written next to --out as readability.json.gz)",
    )
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if not args.corpus.is_dir():
        print(f"corpus not found: {args.corpus}", file=sys.stderr)
        return 1
    eps = episodes(args.corpus, args.holdout)
    if not args.tagger_only:
        from desktop_app.training import train_sentence_model as tr

        tr.save(tr.train(eps), args.out.with_name(tr.DEFAULT_OUT.name))
    save(train(eps), args.out, [e.slug for e in eps])
    return 0


if __name__ == "__main__":
    sys.exit(main())
