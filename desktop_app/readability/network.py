"""The neural part of the readability model, numpy inference: the sentence tagger (``RecurrentTagger``, a
small convolutional + bidirectional GRU network, trained by ``desktop_app.training.train_sentence_tagger``),
or the older dilated 1-D CNNs (``Tagger``, trained by ``desktop_app.training.train_readability_tagger``);
``readability`` mixes their sentence-start logits with those of its linear model. Kept apart so that numpy and the network load only when a caption
text is segmented in full (the quick preview of a long text and a cached segmentation never need them).
"""

from __future__ import annotations

import json
import zlib
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


# --------------------------------------------------------------------------------------------------
# The recurrent sentence tagger
#
# Per word four logits: a sentence starts here, a question ends here, a comma goes before this word, a new
# speaker starts here. Inputs: those of ``tagger_inputs`` plus a hashed three-letter suffix of the word. A
# long text is cut into overlapping windows (``WINDOW`` words owning ``STRIDE`` of them, with ``MARGIN`` words
# of context on each side) that run as one batch, so that the recurrence's Python loop runs ``WINDOW`` steps
# whatever the length of the text. Deterministic: float32 numpy throughout.
# --------------------------------------------------------------------------------------------------

FORMAT = b"transcript-reader-sentence-tagger-1"
SUFFIX_BUCKETS = 1024
STRIDE = 192
MARGIN = 32
WINDOW = STRIDE + 2 * MARGIN


def suffix_ids(norm: Sequence[str]) -> np.ndarray:
    """Hashed three-letter suffix of each normalised word, in ``[1, SUFFIX_BUCKETS]``."""
    cache: dict[str, int] = {}
    out = np.empty(len(norm), dtype=np.int64)
    for k, w in enumerate(norm):
        v = cache.get(w)
        if v is None:
            v = cache[w] = zlib.crc32(w[-3:].encode("utf-8")) % SUFFIX_BUCKETS + 1
        out[k] = v
    return out


def is_recurrent_file(data: Any) -> bool:
    """Whether an opened ``.npz`` holds this tagger (``format`` key)."""
    return "format" in data.files and bytes(data["format"]) == FORMAT


class RecurrentTagger:
    """The network's numpy weights and its inference (``logits``)."""

    def __init__(self, arrays: dict[str, np.ndarray]) -> None:
        self.w = {k: (v.astype(np.float32) if v.dtype == np.float16 else v) for k, v in arrays.items()}
        self.vocab = bytes(arrays["vocab"]).decode("utf-8").split("\n")
        self.index = {w: k + 1 for k, w in enumerate(self.vocab)}
        self.dilations = [int(d) for d in arrays["dilations"]]
        raw = bytes(arrays["params"]).decode("utf-8") if "params" in arrays else "{}"
        self.params: dict[str, float] = {k: float(v) for k, v in json.loads(raw).items()}

    @classmethod
    def load(cls, path: str | Path) -> RecurrentTagger:
        """Read the ``.npz`` written by the training script."""
        with open(path, "rb") as f, np.load(f, allow_pickle=False) as data:
            if not is_recurrent_file(data):
                raise ValueError(f"{path} is not a sentence tagger file")
            return cls({k: data[k] for k in data.files})

    @property
    def stacked(self) -> bool:
        """Never reads the linear model's logits (kept for ``network.Tagger``'s interface)."""
        return False

    def logits(
        self,
        words: Sequence[str],
        norm: Sequence[str],
        shapes: Sequence[str],
        linear: Sequence[float] | None = None,
    ) -> np.ndarray:
        """(n, 4) logits per word: sentence start, question end, comma before, speaker turn (``linear`` is
        not used)."""
        n = len(words)
        if n == 0:
            return np.zeros((0, 4), dtype=np.float32)
        ids, dense = tagger_inputs(words, norm, shapes, self.index, tagger_vectors())
        x = dense @ self.w["w_dense"] + self.w["emb"][ids] + self.w["suffix"][suffix_ids(norm)]
        x += self.w["b_in"]
        r = self.local(x[None])[0]  # the convolutions over the whole text, then the recurrence by windows
        starts = window_starts(n)
        batch = np.stack([r[s : s + min(WINDOW, n)] for s in starts])
        y = self.head(batch)
        owner = np.minimum(np.arange(n) // STRIDE, len(starts) - 1)
        out: np.ndarray = y[owner, np.arange(n) - starts[owner]]
        return out

    def forward(self, x: np.ndarray) -> np.ndarray:
        """(batch, time, 4) logits from the projected inputs (batch, time, channels)."""
        return self.head(self.local(x))

    def local(self, x: np.ndarray) -> np.ndarray:
        """The residual convolutions, rectified: (batch, time, channels)."""
        h = x
        for k, d in enumerate(self.dilations):
            h = h + conv(np.maximum(h, 0.0), self.w[f"conv{k}_w"], self.w[f"conv{k}_b"], d)
        out: np.ndarray = np.maximum(h, 0.0)
        return out

    def head(self, r: np.ndarray) -> np.ndarray:
        """The bidirectional GRU over the convolutions' output and the linear head: (batch, time, 4)."""
        fwd = gru(r, self.w, "f", reverse=False)
        bwd = gru(r, self.w, "b", reverse=True)
        out: np.ndarray = (
            r @ self.w["out_h"] + fwd @ self.w["out_f"] + bwd @ self.w["out_b"] + self.w["out_bias"]
        )
        return out


def window_starts(n: int) -> np.ndarray:
    """Start of each window: word i belongs to window ``i // STRIDE`` with at least ``MARGIN`` words of
    context on each side (where the text has them)."""
    if n <= WINDOW:
        return np.zeros(1, dtype=np.int64)
    count = -(-n // STRIDE)
    return np.clip(np.arange(count) * STRIDE - MARGIN, 0, n - WINDOW).astype(np.int64)


def conv(h: np.ndarray, w: np.ndarray, b: np.ndarray, dilation: int) -> np.ndarray:
    """Same-length 1-D convolution over time of (batch, time, c_in) with ``w`` (taps, c_in, c_out)."""
    taps = w.shape[0]
    pad = (taps // 2) * dilation
    t = h.shape[1]
    padded = np.zeros((h.shape[0], t + 2 * pad, h.shape[2]), dtype=np.float32)
    padded[:, pad : pad + t] = h
    y = padded[:, 0:t] @ w[0]
    for j in range(1, taps):
        y += padded[:, j * dilation : j * dilation + t] @ w[j]
    out: np.ndarray = y + b
    return out


def _sigmoid(x: np.ndarray) -> np.ndarray:
    out: np.ndarray = 0.5 * (1.0 + np.tanh(0.5 * x))
    return out


def gru(x: np.ndarray, w: dict[str, np.ndarray], side: str, reverse: bool) -> np.ndarray:
    """One direction of a GRU (PyTorch's equations and gate order r, z, n) over (batch, time, c)."""
    gates_x = np.ascontiguousarray(
        (x @ w[f"{side}_wi"] + w[f"{side}_bi"]).transpose(1, 0, 2)
    )  # (time, batch, 3h)
    w_h, b_h = w[f"{side}_wh"], w[f"{side}_bh"]
    size = w_h.shape[0]
    steps, batch = gates_x.shape[0], gates_x.shape[1]
    h = np.zeros((batch, size), dtype=np.float32)
    out = np.empty((steps, batch, size), dtype=np.float32)
    order = range(steps - 1, -1, -1) if reverse else range(steps)
    for t in order:
        gx = gates_x[t]
        gh = h @ w_h
        gh += b_h
        rz = _sigmoid(gx[:, : 2 * size] + gh[:, : 2 * size])
        cand = np.tanh(gx[:, 2 * size :] + rz[:, :size] * gh[:, 2 * size :])
        h = cand + rz[:, size:] * (h - cand)
        out[t] = h
    result: np.ndarray = out.transpose(1, 0, 2)
    return result
