"""The neural part of the readability model: small dilated 1-D CNNs over words, numpy inference.

Trained by ``desktop_app.training.train_readability_tagger``; ``readability`` averages their sentence-start
logits with those of its linear model. Kept apart so that numpy and the network load only when a caption
text is segmented in full (the quick preview of a long text and a cached segmentation never need them).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

_VECTOR_DIMS = 128

_SHAPES = "ICUDlp"


def tagger_vectors() -> Any:
    """The static word vectors the tagger reads (``outline_vectors``; None when they are missing)."""
    from desktop_app.outline.vectors import get_vectors

    return get_vectors()


def tagger_inputs(
    words: Sequence[str], norm: Sequence[str], shapes: Sequence[str], index: dict[str, int], vectors: Any
) -> tuple[np.ndarray, np.ndarray]:
    """The tagger's inputs: vocabulary ids (0: other words) and dense features (n, dims + 7): the word's
    static vector, its shape one-hot, and whether it repeats the previous word."""
    types = list(dict.fromkeys(norm))
    type_of = {w: k for k, w in enumerate(types)}
    t = np.fromiter((type_of[w] for w in norm), dtype=np.int64, count=len(norm))
    dims = vectors.dims if vectors is not None else _VECTOR_DIMS
    table = vectors.matrix(types) if vectors is not None else np.zeros((len(types), dims), np.float32)
    ids = np.fromiter((index.get(w, 0) for w in types), dtype=np.int64, count=len(types))[t]
    dense = np.zeros((len(norm), dims + len(_SHAPES) + 1), dtype=np.float32)
    dense[:, :dims] = table[t]
    code = {c: k for k, c in enumerate(_SHAPES)}
    dense[np.arange(len(norm)), dims + np.fromiter((code[c] for c in shapes), np.int64, len(shapes))] = 1.0
    if len(norm) > 1:
        dense[1:, -1] = t[1:] == t[:-1]
    return ids, dense


class Tagger:
    """Dilated 1-D CNNs over words, numpy inference (trained by ``training/train_readability_tagger``): per
    word the logits of sentence start, question end, comma before and speaker turn, averaged over the nets.
    Each net has its own vocabulary; a ``stacked`` net also reads the linear model's start logits."""

    def __init__(self, nets: list[dict[str, np.ndarray]]) -> None:
        self.nets = nets
        by_vocab: dict[bytes, dict[str, int]] = {}
        for net in nets:
            raw = bytes(net["vocab"])
            if raw not in by_vocab:
                by_vocab[raw] = {w: k + 1 for k, w in enumerate(_vocab(net))}
        self.indexes = [by_vocab[bytes(net["vocab"])] for net in nets]

    @classmethod
    def load(cls, path: str | Path) -> Tagger:
        """Read the ``.npz`` written by the training script (``n<k>/<name>`` keys; weights become float32)."""
        nets: dict[int, dict[str, np.ndarray]] = {}
        with open(path, "rb") as f, np.load(f, allow_pickle=False) as data:  # a bad file is closed too
            for key in data.files:
                if key.startswith("n") and "/" in key:
                    k, name = key.split("/", 1)
                    nets.setdefault(int(k[1:]), {})[name] = data[key]
        return cls.from_arrays([nets[k] for k in sorted(nets)])

    @classmethod
    def from_arrays(cls, nets: list[dict[str, np.ndarray]]) -> Tagger:
        """A tagger from in-memory networks (as the training script's ``export`` returns them)."""
        return cls(
            [{k: (v.astype(np.float32) if v.dtype == np.float16 else v) for k, v in n.items()} for n in nets]
        )

    @property
    def stacked(self) -> bool:
        """Whether some network reads the linear model's start logits as an extra input."""
        return any(_is_stacked(net) for net in self.nets)

    def logits(
        self,
        words: Sequence[str],
        norm: Sequence[str],
        shapes: Sequence[str],
        linear: Sequence[float] | None = None,
    ) -> np.ndarray:
        """(n, 4) logits: start, question end, comma before, turn (``linear``: the linear start logits,
        required when the tagger is ``stacked``)."""
        if self.stacked and linear is None:
            raise ValueError("this tagger needs the linear model's start logits")
        vectors = tagger_vectors()
        total = np.zeros((len(words), 4), dtype=np.float32)
        inputs: dict[int, tuple[np.ndarray, np.ndarray]] = {}  # nets with the same vocabulary share inputs
        for net, index in zip(self.nets, self.indexes, strict=True):
            key = id(index)
            if key not in inputs:
                inputs[key] = tagger_inputs(words, norm, shapes, index, vectors)
            ids, dense = inputs[key]
            if _is_stacked(net):
                dense = np.hstack([dense, stack_input(linear)])  # type: ignore[arg-type]
            total += _cnn(net, ids, dense)
        return total / len(self.nets)


def _vocab(net: dict[str, np.ndarray]) -> list[str]:
    return bytes(net["vocab"]).decode("utf-8").split("\n")


def _is_stacked(net: dict[str, np.ndarray]) -> bool:
    return bool(net.get("stacked", 0))


def stack_input(linear: Sequence[float] | np.ndarray) -> np.ndarray:
    """The linear start logits as the tagger's extra input column (scaled, clipped)."""
    return np.clip(np.asarray(linear, dtype=np.float32) / 4.0, -3.0, 3.0)[:, None]


def _cnn(net: dict[str, np.ndarray], ids: np.ndarray, dense: np.ndarray) -> np.ndarray:
    n = len(ids)
    h = dense @ net["w_dense"] + net["emb_proj"][ids]
    for k, d in enumerate(int(x) for x in net["dilations"]):
        w = net[f"conv{k}_w"]
        r = np.zeros((n + 4 * d, h.shape[1]), dtype=np.float32)
        np.maximum(h, 0.0, out=r[2 * d : 2 * d + n])
        y = r[0:n] @ w[0]
        for j in range(1, w.shape[0]):
            y += r[j * d : j * d + n] @ w[j]
        h = h + y + net[f"conv{k}_b"]
    return np.maximum(h, 0.0) @ net["w_out"] + net["b_out"]


def mix_logits(linear: Sequence[float], tagger: np.ndarray, weight: float) -> list[float]:
    """``(1 - weight) * linear + weight * tagger`` as a list of floats (``weight`` 0: ``linear``)."""
    if not weight:
        return list(linear)
    return ((1.0 - weight) * np.asarray(linear, dtype=np.float64) + weight * tagger).tolist()
