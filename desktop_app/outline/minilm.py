"""Contextual sentence embeddings for the outline: all-MiniLM-L6-v2 in numpy (offline, no torch).

The outline's boundary classifier reads how much the topic changes at each unit start. Contextual embeddings of
the units (this model, mean pooling, unit length: the sentence-transformers recipe) measure that better than
the static word vectors (``vectors.py``): on the training corpus's selection split they moved the chapter
boundaries' objective from 0.0435 to 0.016 (``desktop_app/training/outline_minilm.py``).

``resources/models/outline_minilm.npz`` holds the transformer's weights (every matrix as int8 with one scale
per row, 23 MB) and its uncased WordPiece vocabulary; ``desktop_app/training/outline_distill.py --encoder``
writes it from the packaged model. The tokenizer below reproduces the model's own (BERT's basic tokenizer:
clean-up, lower case, accents stripped, punctuation split off; then greedy longest-match WordPiece), and the
encoder runs units in batches of similar length with an attention mask, so its cost is one matrix product per
layer and batch.
"""

from __future__ import annotations

import logging
import threading
import unicodedata
from typing import TYPE_CHECKING

import numpy as np

from desktop_app.outline.vectors import greedy_pieces
from desktop_app.paths import OUTLINE_ENCODER, resource_path

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from pathlib import Path

logger = logging.getLogger(__name__)

ENCODER_FILE = OUTLINE_ENCODER
MAX_TOKENS = 256  # the model's max_seq_length: [CLS] + 254 pieces + [SEP]
MAX_WORD_CHARS = 100  # longer words are [UNK] (the model's tokenizer does the same)
BATCH_TOKENS = 512  # word pieces per batch, padding included (512: +25 MB at the peak, as fast as 4,096)
DIMS = 384
HEADS = 12
LAYERS = 6
_LAYER_MATRICES = ("query", "key", "value", "attention_out", "intermediate", "output")


# ------------------------------------------------------------------------------------------- tokenizer


def _is_punctuation(ch: str) -> bool:
    """BERT's punctuation: the ASCII symbols and every Unicode P* character."""
    cp = ord(ch)
    if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
        return True
    return unicodedata.category(ch).startswith("P")


def _is_cjk(cp: int) -> bool:
    """Whether a code point is a CJK ideograph (BERT puts spaces around each)."""
    return (
        0x4E00 <= cp <= 0x9FFF
        or 0x3400 <= cp <= 0x4DBF
        or 0x20000 <= cp <= 0x2A6DF
        or 0x2A700 <= cp <= 0x2B73F
        or 0x2B740 <= cp <= 0x2B81F
        or 0x2B920 <= cp <= 0x2CEAF
        or 0xF900 <= cp <= 0xFAFF
        or 0x2F800 <= cp <= 0x2FA1F
    )


def _clean(text: str) -> str:
    """BERT's normaliser: control characters dropped, white space made spaces, CJK ideographs spaced,
    accents stripped, lower case."""
    out = []
    for ch in text:
        cp = ord(ch)
        if cp in (0, 0xFFFD):
            continue
        cat = unicodedata.category(ch)
        if ch in "\t\n\r" or cat == "Zs":
            out.append(" ")
        elif cat.startswith("C"):  # control, format, private-use and unassigned characters
            continue
        elif _is_cjk(cp):
            out.append(f" {ch} ")
        else:
            out.append(ch)
    stripped = unicodedata.normalize("NFD", "".join(out))
    # lower case one character at a time, as the model's tokenizer does (a word-final capital sigma is σ)
    return "".join(ch.lower() for ch in stripped if unicodedata.category(ch) != "Mn")


def _basic_tokens(text: str) -> list[str]:
    """Words and single punctuation characters of cleaned text."""
    tokens: list[str] = []
    for word in text.split():
        cur = ""
        for ch in word:
            if _is_punctuation(ch):
                if cur:
                    tokens.append(cur)
                    cur = ""
                tokens.append(ch)
            else:
                cur += ch
        if cur:
            tokens.append(cur)
    return tokens


class WordPieceTokenizer:
    """The model's uncased WordPiece tokenizer (greedy longest match, ``##`` continuations)."""

    def __init__(self, vocab: Sequence[str]):
        self.index = {token: i for i, token in enumerate(vocab)}
        self.cls_id, self.sep_id, self.unk_id = (self.index[t] for t in ("[CLS]", "[SEP]", "[UNK]"))
        self._memo: dict[str, tuple[int, ...]] = {}
        self._lock = threading.Lock()

    def word_ids(self, word: str) -> tuple[int, ...]:
        """The pieces of one basic token (``[UNK]`` alone when any part is unknown, or it is too long)."""
        hit = self._memo.get(word)
        if hit is not None:
            return hit
        ids = self._split(word)
        with self._lock:
            self._memo[word] = ids
        return ids

    def _split(self, word: str) -> tuple[int, ...]:
        ids = greedy_pieces(word, self.index) if len(word) <= MAX_WORD_CHARS else None
        return (self.unk_id,) if ids is None else tuple(ids)

    def encode(self, text: str, max_tokens: int = MAX_TOKENS) -> list[int]:
        """``[CLS]`` + the text's pieces (cut to ``max_tokens - 2``) + ``[SEP]``."""
        ids = [self.cls_id]
        limit = max_tokens - 1
        for token in _basic_tokens(_clean(text)):
            ids.extend(self.word_ids(token))
            if len(ids) >= limit:
                del ids[limit:]
                break
        ids.append(self.sep_id)
        return ids


# --------------------------------------------------------------------------------------------- encoder


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray) -> np.ndarray:
    x = x - x.mean(-1, keepdims=True)
    x *= 1.0 / np.sqrt((x * x).mean(-1, keepdims=True) + np.float32(1e-12))
    x *= weight
    x += bias
    return x


def _gelu(x: np.ndarray) -> np.ndarray:
    """GELU (tanh form; the embeddings agree with the exact form to a cosine of 0.99999)."""
    inner = x * x
    inner *= np.float32(0.044715)
    inner += np.float32(1.0)
    inner *= x
    inner *= np.float32(0.7978845608028654)
    np.tanh(inner, out=inner)
    inner += np.float32(1.0)
    inner *= x
    inner *= np.float32(0.5)
    return np.asarray(inner, dtype=np.float32)


class MiniLMEncoder:
    """all-MiniLM-L6-v2: texts to unit-length mean-pooled embeddings (float32, 384 dims)."""

    def __init__(self, vocab: Sequence[str], params: dict[str, np.ndarray]):
        self.tokenizer = WordPieceTokenizer(vocab)
        self.params = params

    @classmethod
    def load(cls, path: Path) -> MiniLMEncoder:
        """The encoder saved in a ``.npz`` file (int8 matrices with ``NAME.scale`` rows, float32 vectors)."""
        with path.open("rb") as file, np.load(file, allow_pickle=False) as data:  # closed even when damaged
            vocab = bytes(data["vocab"]).decode("utf-8").split("\n")
            raw = {name: data[name] for name in data.files if name != "vocab"}
        params: dict[str, np.ndarray] = {}
        for name, value in raw.items():
            if name.endswith(".scale"):
                continue
            if value.dtype == np.int8:
                scale = raw[name + ".scale"].astype(np.float32)
                params[name] = value if name == "word_embeddings" else value.astype(np.float32) * scale
                if name == "word_embeddings":
                    params["word_embeddings.scale"] = scale
            else:
                params[name] = value.astype(np.float32)
        for name in ("word_embeddings", "position_embeddings", "token_type", "embeddings_norm.weight"):
            if name not in params:
                raise ValueError(f"{path}: no {name}")
        if len(vocab) != len(params["word_embeddings"]):
            raise ValueError(f"{path}: {len(vocab)} words but {len(params['word_embeddings'])} embeddings")
        # the products below take the matrices transposed once, contiguous
        for layer in range(LAYERS):
            for m in _LAYER_MATRICES:
                key = f"{layer}.{m}.weight"
                params[key] = np.ascontiguousarray(params[key].T)
        return cls(vocab, params)

    def embed(self, texts: Sequence[str], progress: Callable[[float], None] | None = None) -> np.ndarray:
        """One unit-length embedding per text (``len(texts)`` x 384), in batches of similar length."""
        ids = [self.tokenizer.encode(t) for t in texts]
        out = np.zeros((len(ids), DIMS), dtype=np.float32)
        order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
        total = sum(len(r) for r in ids) or 1
        done = 0
        start = 0
        while start < len(order):
            end = start + 1
            while end < len(order) and (end - start + 1) * len(ids[order[end]]) <= BATCH_TOKENS:
                end += 1
            part = order[start:end]
            out[part] = self._batch([ids[i] for i in part])
            done += sum(len(ids[i]) for i in part)
            if progress is not None:
                progress(done / total)
            start = end
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return np.asarray(out / np.maximum(norms, 1e-9), dtype=np.float32)

    def _batch(self, rows: list[list[int]]) -> np.ndarray:
        """Mean-pooled last hidden states of rows padded to the longest."""
        p = self.params
        batch, length = len(rows), max(len(r) for r in rows)
        ids = np.zeros((batch, length), dtype=np.int64)
        mask = np.zeros((batch, length), dtype=np.float32)
        for i, r in enumerate(rows):
            ids[i, : len(r)] = r
            mask[i, : len(r)] = 1.0
        words = p["word_embeddings"][ids].astype(np.float32) * p["word_embeddings.scale"][ids]
        x = words + p["position_embeddings"][:length] + p["token_type"]
        x = _layer_norm(
            x.reshape(batch * length, DIMS), p["embeddings_norm.weight"], p["embeddings_norm.bias"]
        )
        bias = ((mask - 1.0) * np.float32(1e9))[:, None, None, :]
        dh = DIMS // HEADS
        scale = np.float32(1.0 / np.sqrt(dh))
        for layer in range(LAYERS):
            pre = f"{layer}."

            def lin(name: str, h: np.ndarray, pre: str = pre) -> np.ndarray:
                out = h @ p[pre + name + ".weight"]
                out += p[pre + name + ".bias"]
                return np.asarray(out, dtype=np.float32)

            def heads(h: np.ndarray) -> np.ndarray:
                return h.reshape(batch, length, HEADS, dh).transpose(0, 2, 1, 3)

            q, k, v = heads(lin("query", x) * scale), heads(lin("key", x)), heads(lin("value", x))
            att = q @ k.transpose(0, 1, 3, 2)
            att += bias
            att -= att.max(-1, keepdims=True)
            np.exp(att, out=att)
            att /= att.sum(-1, keepdims=True)
            ctx = (att @ v).transpose(0, 2, 1, 3).reshape(batch * length, DIMS)
            x = _layer_norm(
                x + lin("attention_out", ctx),
                p[pre + "attention_norm.weight"],
                p[pre + "attention_norm.bias"],
            )
            x = _layer_norm(
                x + lin("output", _gelu(lin("intermediate", x))),
                p[pre + "output_norm.weight"],
                p[pre + "output_norm.bias"],
            )
        hidden = x.reshape(batch, length, DIMS) * mask[:, :, None]
        return np.asarray(hidden.sum(axis=1) / mask.sum(axis=1, keepdims=True), dtype=np.float32)


_loaded: MiniLMEncoder | None = None
_load_failed = False
_load_lock = threading.Lock()


def get_encoder() -> MiniLMEncoder | None:
    """The bundled encoder (loaded once, ~0.3 s, and tried on one text), or None if its file is missing, damaged
    or incomplete (the first outline is then the outline)."""
    global _loaded, _load_failed
    with _load_lock:
        if _loaded is None and not _load_failed:
            try:
                encoder = MiniLMEncoder.load(resource_path(*ENCODER_FILE))
                if not np.isfinite(encoder.embed(["a sentence to try the encoder on"])).all():
                    raise ValueError("the encoder gives no numbers")
                _loaded = encoder
            except (
                Exception
            ) as exc:  # a damaged file: BadZipFile, EOFError, zlib errors, missing keys, shapes
                logger.warning("outline encoder unavailable (%s): the first outline stays", exc)
                _load_failed = True
        return _loaded
