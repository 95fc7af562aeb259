"""Static word vectors for the outline, distilled from all-MiniLM-L6-v2 (numpy only, offline).

The bundled file ``resources/models/outline_vectors.npz`` holds one unit vector per WordPiece token
of the model's (uncased) vocabulary; a word's vector is the mean of its WordPieces' vectors, found by
greedy longest-match as BERT's tokenizer does. Built by ``desktop_app/training/outline_distill.py``.
"""

from __future__ import annotations

import logging
import threading
import unicodedata
from typing import TYPE_CHECKING

import numpy as np

from desktop_app.paths import resource_path

if TYPE_CHECKING:
    from pathlib import Path

logger = logging.getLogger(__name__)

VECTORS_FILE = ("models", "outline_vectors.npz")
_MAX_WORD = 40


class WordVectors:
    """Word -> vector lookup with a per-instance cache."""

    def __init__(self, tokens: list[str], vectors: np.ndarray):
        self.index = {t: i for i, t in enumerate(tokens)}
        self.vectors = vectors.astype(np.float32)
        if vectors.dtype == np.int8:
            self.vectors /= 127.0
        self.dims = int(vectors.shape[1])
        self._cache: dict[str, np.ndarray | None] = {}
        self._lock = threading.Lock()

    @classmethod
    def load(cls, path: Path) -> WordVectors:
        """The word vectors saved in a ``.npz`` file."""
        with np.load(path, allow_pickle=False) as data:
            tokens = bytes(data["tokens"]).decode("utf-8").split("\n")
            vectors = data["vectors"]
        if len(tokens) != len(vectors):
            raise ValueError(f"{path}: {len(tokens)} tokens but {len(vectors)} vectors")
        return cls(tokens, vectors)

    def pieces(self, word: str) -> list[int]:
        """WordPiece ids of a lower-case word (empty if any part is unknown)."""
        word = unicodedata.normalize("NFD", word)
        word = "".join(ch for ch in word if unicodedata.category(ch) != "Mn")
        out: list[int] = []
        for part in _split_punct(word):
            ids = greedy_pieces(part, self.index)
            if ids is None:
                return []
            out.extend(ids)
        return out

    def vector(self, word: str) -> np.ndarray | None:
        """Mean WordPiece vector of ``word`` (lower-case), or None when it cannot be split."""
        hit = self._cache.get(word, False)
        if hit is not False:
            return hit  # type: ignore[return-value]
        ids = self.pieces(word) if len(word) <= _MAX_WORD else []
        if not ids:
            vec = None
        elif len(ids) == 1:
            vec = self.vectors[ids[0]]
        else:
            vec = self.vectors[ids].sum(axis=0) / len(ids)
        with self._lock:
            self._cache[word] = vec
        return vec

    def matrix(self, words: list[str]) -> np.ndarray:
        """Vectors of ``words`` as rows (zeros for unknown words)."""
        out = np.zeros((len(words), self.dims), dtype=np.float32)
        for i, w in enumerate(words):
            v = self.vector(w)
            if v is not None:
                out[i] = v
        return out


def greedy_pieces(word: str, index: dict[str, int]) -> list[int] | None:
    """WordPiece's split of one word: the longest known start, then the longest known ``##`` continuation,
    and so on; None when some part of the word is in no piece."""
    out: list[int] = []
    start = 0
    while start < len(word):
        end, found = len(word), -1
        while end > start:
            found = index.get(word[start:end] if start == 0 else "##" + word[start:end], -1)
            if found >= 0:
                break
            end -= 1
        if found < 0:
            return None
        out.append(found)
        start = end
    return out


def _split_punct(word: str) -> list[str]:
    """BERT's basic tokenizer: punctuation characters are tokens of their own."""
    parts: list[str] = []
    cur = ""
    for ch in word:
        if ch.isalnum():
            cur += ch
        else:
            if cur:
                parts.append(cur)
            cur = ""
            parts.append(ch)
    if cur:
        parts.append(cur)
    return parts


_loaded: WordVectors | None = None
_load_failed = False
_load_lock = threading.Lock()


def get_vectors() -> WordVectors | None:
    """The bundled vectors (loaded once), or None if the file is missing or unreadable."""
    global _loaded, _load_failed
    with _load_lock:
        if _loaded is None and not _load_failed:
            path = resource_path(*VECTORS_FILE)
            try:
                _loaded = WordVectors.load(path)
            except (OSError, ValueError, KeyError) as exc:
                logger.warning("outline word vectors unavailable (%s): lexical cohesion only", exc)
                _load_failed = True
        return _loaded
