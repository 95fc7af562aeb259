"""Train the readability model: sentence starts, question marks and speaker turns in caption text.

Data: the development corpus (``/work/shared/dev-corpus``; not shipped): for every episode the caption-style
text ``<slug>.captions.txt`` (the input exactly as the app sees it) and ``<slug>.truth.json``, whose sentence
starts, end marks and speaker turns were derived from the human-edited ``<slug>.punctuated.txt``. Sources: the
Lex Fridman Podcast transcripts published on lexfridman.com (public repository
``peaklight-ai/lex-fridman-podcasts``, commit 28d75b3) and Whisper transcripts of the Vector Podcast (public
repository ``kjaymiller/conduit-transcripts``, pull request 20, commit 83f179b); see the corpus README.

Three L2-regularised logistic regressions over sparse string features (``desktop_app.readability.segmentation``
defines the features, so training and inference share them), fitted with full-batch Adam in numpy:
  * start:    "a sentence starts at word i" from the words around i;
  * question: "the sentence ends with ?" from its first and last words;
  * turn:     "a new speaker starts at word i" (Lex episodes only);
  * comma:    "a comma follows word i - 1" (labels from the punctuated text, aligned to the captions).
Weights are pruned and rounded, then written as gzip-compressed JSON. The start logits are averaged at run time
with those of a small network (``train_readability_tagger``, whose command retrains both parts).

    python -m desktop_app.training.train_sentence_model [--corpus DIR] [--out FILE] [--holdout SLUG ...]

Needs numpy (training only; inference is pure Python).
"""

from __future__ import annotations

import argparse
import difflib
import gzip
import json
import logging
import re
import sys
import time
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypedDict

import numpy as np

from desktop_app.readability import segmentation as rd

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

logger = logging.getLogger(__name__)

DEFAULT_CORPUS = Path(__file__).resolve().parents[3] / "shared" / "dev-corpus"
DEFAULT_OUT = Path(__file__).resolve().parents[2] / "resources" / "models" / "readability.json.gz"

# Decoding parameters, chosen on leave-one-episode-out runs (benchmarks/readability_quality.py --loo).
PARAMS = {
    "start_threshold": 0.25,
    "max_sentence": 50,
    "pair_threshold": 0.5,  # two adjacent sentence starts (a one-word sentence) when both are this likely
    "tagger_start": 0.5,  # weight of the network's start logits (train_readability_tagger) against the linear ones
    "question_threshold": -0.9,
    "turn_threshold": -2.5,
    "words_per_turn": 60,
    "min_paragraph": 10,
    "short_turn_margin": 1.5,
    "max_paragraph": 150,
    "comma_threshold": -0.5,
    "linear_max_sentence": 60,  # the linear model's own sentences (the outline's units) when the network is used
}


class Hyper(TypedDict):
    """Fitting settings of one logistic regression (``fit_logistic``'s keyword arguments)."""

    l2: float
    min_count: int
    prune: float
    iters: int


HYPER: dict[str, Hyper] = {
    "start": {"l2": 1e-5, "min_count": 2, "prune": 0.02, "iters": 400},
    "question": {"l2": 3e-4, "min_count": 2, "prune": 0.02, "iters": 300},
    "turn": {"l2": 3e-5, "min_count": 2, "prune": 0.02, "iters": 300},
    "comma": {"l2": 2e-5, "min_count": 2, "prune": 0.02, "iters": 300},
}


class Episode:
    """One corpus episode: caption words and truth."""

    def __init__(self, corpus: Path, slug: str) -> None:
        self.slug = slug
        self.text = (corpus / f"{slug}.captions.txt").read_text(encoding="utf-8").rstrip("\n")
        self.words = self.text.split(" ")
        self.truth = json.loads((corpus / f"{slug}.truth.json").read_text(encoding="utf-8"))
        if len(self.words) != self.truth["words"]:
            raise ValueError(f"{slug}: captions and truth disagree on the word count")
        self.norm = [rd.normalize(w) for w in self.words]
        self.shapes = [rd.shape(w) for w in self.words]
        self.starts: list[int] = self.truth["sentence_starts"]
        self.marks: str = self.truth["sentence_end_marks"]
        self.turns = set(self.truth["turn_starts"])
        self.commas = comma_positions(
            corpus / f"{slug}.punctuated.txt", self.words, self.truth.get("speakers", [])
        )


def _reduce(word: str) -> str:
    return re.sub(r"[^0-9a-z]", "", word.lower())


def comma_positions(punctuated: Path, words: list[str], speakers: Iterable[str]) -> set[int]:
    """Indices of the caption words that a comma follows in the punctuated text (aligned with difflib)."""
    labels = tuple(f"{s}: " for s in set(speakers))
    tokens: list[str] = []
    for line in punctuated.read_text(encoding="utf-8").splitlines():
        for label in labels:
            if line.startswith(label):
                line = line[len(label) :]
                break
        tokens.extend(line.split())
    matcher = difflib.SequenceMatcher(
        None, [_reduce(t) for t in tokens], [_reduce(w) for w in words], autojunk=False
    )
    commas = set()
    for block in matcher.get_matching_blocks():
        for k in range(block.size):
            if tokens[block.a + k].rstrip(rd._CLOSERS).endswith(","):
                commas.add(block.b + k)
    return commas


def episodes(corpus: Path, exclude: Iterable[str] = ()) -> list[Episode]:
    """All episodes in the corpus except ``exclude``."""
    skip = set(exclude)
    slugs = sorted(p.name[: -len(".truth.json")] for p in corpus.glob("*.truth.json"))
    return [Episode(corpus, s) for s in slugs if s not in skip]


# ---------------------------------------------------------------------------------------------------
# Examples
# ---------------------------------------------------------------------------------------------------


def column_examples(
    eps: Sequence[Episode], columns: Any, labels_of: Any
) -> tuple[list[list[str]], list[int]]:
    """One example per word (but the first) of each episode; ``name@k`` columns share the feature ``name``."""
    rows: list[list[str]] = []
    labels: list[int] = []
    for ep in eps:
        cols = columns(ep.norm, ep.shapes)
        items = [(name.split("@", 1)[0], keys) for name, keys in cols.items()]
        truth = labels_of(ep)
        for i in range(1, len(ep.words)):
            rows.append([f"{name}={keys[i]}" for name, keys in items])
            labels.append(1 if i in truth else 0)
    return rows, labels


def start_examples(eps: Sequence[Episode]) -> tuple[list[list[str]], list[int]]:
    """Word-level "a sentence starts at word i" examples."""
    return column_examples(eps, rd.start_feature_columns, lambda ep: set(ep.starts))


def comma_examples(eps: Sequence[Episode]) -> tuple[list[list[str]], list[int]]:
    """Word-level "a comma follows the previous word" examples (the boundary before word i)."""
    return column_examples(eps, rd.comma_feature_columns, lambda ep: {i + 1 for i in ep.commas})


def question_examples(eps: Sequence[Episode]) -> tuple[list[list[str]], list[int]]:
    """Sentence-level examples: the sentence's question features, labelled 1 when it ends with "?"."""
    rows: list[list[str]] = []
    labels: list[int] = []
    for ep in eps:
        b = ep.starts + [len(ep.words)]
        for k, (x, y) in enumerate(zip(b, b[1:], strict=False)):
            rows.append(rd.question_features(ep.norm[x:y]))
            labels.append(1 if ep.marks[k] == "?" else 0)
    return rows, labels


def turn_examples(eps: Sequence[Episode]) -> tuple[list[list[str]], list[int]]:
    """Word-level speaker-turn examples (episodes with turn truth only)."""
    return column_examples([e for e in eps if len(e.turns) > 1], rd.turn_feature_columns, lambda ep: ep.turns)


# ---------------------------------------------------------------------------------------------------
# Logistic regression
# ---------------------------------------------------------------------------------------------------


def fit_logistic(
    rows: list[list[str]], labels: list[int], l2: float, min_count: int, prune: float, iters: int
) -> dict[str, Any]:
    """Fit; return ``{"bias": b, "weights": {feature: w}}`` with small weights pruned."""
    counts = Counter(f for r in rows for f in r)
    vocab = {f: k for k, f in enumerate(f for f, c in counts.items() if c >= min_count)}
    indices = []
    row_ids = []
    for r, feats in enumerate(rows):
        ids = [vocab[f] for f in feats if f in vocab]
        indices.extend(ids)
        row_ids.extend([r] * len(ids))
    idx = np.asarray(indices, dtype=np.int64)
    rid = np.asarray(row_ids, dtype=np.int64)
    y = np.asarray(labels, dtype=np.float64)
    n, d = len(rows), len(vocab)
    w = np.zeros(d)
    prior = min(max(y.mean(), 1e-4), 1 - 1e-4)
    b = float(np.log(prior / (1 - prior)))
    m_w, v_w = np.zeros(d), np.zeros(d)
    m_b = v_b = 0.0
    lr, beta1, beta2, eps = 0.05, 0.9, 0.999, 1e-8
    for t in range(1, iters + 1):
        z = np.bincount(rid, weights=w[idx], minlength=n) + b
        p = 1.0 / (1.0 + np.exp(-z))
        g = p - y
        gw = np.bincount(idx, weights=g[rid], minlength=d) / n + l2 * w
        gb = float(g.mean())
        m_w = beta1 * m_w + (1 - beta1) * gw
        v_w = beta2 * v_w + (1 - beta2) * gw * gw
        m_b = beta1 * m_b + (1 - beta1) * gb
        v_b = beta2 * v_b + (1 - beta2) * gb * gb
        step = lr / (1 - beta1**t)
        w -= step * m_w / (np.sqrt(v_w / (1 - beta2**t)) + eps)
        b -= step * m_b / (np.sqrt(v_b / (1 - beta2**t)) + eps)
    loss = float(np.mean(np.logaddexp(0, z) - y * z))
    names = list(vocab)
    kept = {names[k]: round(float(w[k]), 3) for k in np.flatnonzero(np.abs(w) >= prune)}
    logger.info("logistic: %d examples, %d features, %d kept, loss %.4f", n, d, len(kept), loss)
    return {"bias": round(b, 4), "weights": kept}


def split_tables(flat: dict[str, Any]) -> dict[str, Any]:
    """``{"name=key": w}`` -> per-template tables ``{"name": {"key": w}}``."""
    tables: dict[str, dict[str, float]] = {}
    for f, wt in flat["weights"].items():
        name, key = f.split("=", 1)
        tables.setdefault(name, {})[key] = wt
    return {"bias": flat["bias"], "tables": tables}


def train(eps: Sequence[Episode], params: dict[str, float] | None = None) -> dict[str, Any]:
    """The model dict (as written to the model file) trained on ``eps``."""
    t0 = time.perf_counter()
    start = split_tables(fit_logistic(*start_examples(eps), **HYPER["start"]))
    question = fit_logistic(*question_examples(eps), **HYPER["question"])
    turn = split_tables(fit_logistic(*turn_examples(eps), **HYPER["turn"]))
    comma = split_tables(fit_logistic(*comma_examples(eps), **HYPER["comma"]))
    logger.info("trained on %s in %.1f s", [e.slug for e in eps], time.perf_counter() - t0)
    return {
        "format": "transcript-reader-readability",
        "algorithm": rd.ALGORITHM_VERSION,
        "trained_on": [e.slug for e in eps],
        "params": dict(PARAMS if params is None else params),
        "start": start,
        "question": question,
        "turn": turn,
        "comma": comma,
    }


def save(model: dict[str, Any], path: Path) -> None:
    """JSON lines: the model without its weight tables, then one table per line (see ``Model.load``)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    head = {
        key: ({**value, "tables": {}} if isinstance(value, dict) and "tables" in value else value)
        for key, value in model.items()
    }
    lines = [_dumps(head)]
    for name, value in sorted(model.items()):
        if isinstance(value, dict) and "tables" in value:
            lines += [
                _dumps({"model": name, "table": table, "weights": weights})
                for table, weights in sorted(value["tables"].items())
            ]
    with gzip.GzipFile(path, "wb", mtime=0, compresslevel=9) as f:
        f.write("\n".join(lines).encode("utf-8") + b"\n")
    logger.info("wrote %s (%d bytes)", path, path.stat().st_size)


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def main(argv: list[str] | None = None) -> int:
    """Command line: train the linear models on the corpus and write them to ``--out``."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--holdout", nargs="*", default=[], help="episodes to leave out")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if not args.corpus.is_dir():
        print(f"corpus not found: {args.corpus}", file=sys.stderr)
        return 1
    save(train(episodes(args.corpus, args.holdout)), args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
