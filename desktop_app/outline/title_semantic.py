"""What the refined outline's title ranker adds to each candidate phrase: how close the phrase's meaning is to
its own section and how much closer than to the other sections, by the contextual encoder (``minilm``).

The refined outline has the units' contextual embeddings already (``chapters.unit_embeddings``); a section's
embedding is the unit-length mean of those of the units starting in it, and each distinct candidate phrase of
the episode is encoded once (about 1.3 s for a three-hour episode on one core). ``SEMANTIC_FEATURES`` follow
``title_candidates.FEATURES`` in the refined title model's rows (``title_model.REFINED_TITLES_FILE``, fitted by
``training/outline_title_semantic.py --refit``). No Qt here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

SEMANTIC_FEATURES = ("sem_sim", "sem_contrast")
"""Cosine of a phrase and its section; that minus the phrase's mean cosine with the episode's other sections."""

CandidateTable = list[list[tuple[tuple[str, ...], list[float]]]]
"""Per section, its candidate phrases (normalised words) with their feature rows."""


def phrase_text(key: tuple[str, ...]) -> str:
    """The text encoded for a candidate phrase: its normalised words, lower case."""
    return " ".join(key).lower()


def section_vectors(
    unit_starts: Sequence[int], unit_emb: np.ndarray, sections: Sequence[tuple[int, int]]
) -> np.ndarray:
    """Per section ``[a, b)`` (word indices): the unit-length mean of the embeddings of the units starting in
    it (none: the unit it starts in)."""
    starts = np.asarray(unit_starts)
    out = np.zeros((len(sections), unit_emb.shape[1]), dtype=np.float64)
    for i, (a, b) in enumerate(sections):
        inside = np.flatnonzero((starts >= a) & (starts < b))
        if not len(inside):
            inside = np.array([max(int(np.searchsorted(starts, a, side="right")) - 1, 0)])
        v = unit_emb[inside].astype(np.float64).mean(axis=0)
        out[i] = v / max(float(np.linalg.norm(v)), 1e-9)
    return out


def semantic_columns(phrases: np.ndarray, sections: np.ndarray, own: int) -> np.ndarray:
    """``SEMANTIC_FEATURES`` of phrases (rows of unit-length embeddings) of section ``own`` against the
    episode's section embeddings (one row per section)."""
    if not len(phrases):
        return np.zeros((0, len(SEMANTIC_FEATURES)))
    sims = phrases.astype(np.float64) @ sections.T
    mine = sims[:, own]
    n = sections.shape[0]
    others = (sims.sum(axis=1) - mine) / (n - 1) if n > 1 else np.zeros_like(mine)
    return np.column_stack([mine, mine - others])


@dataclass
class TitleSemantics:
    """The contextual view of one episode the refined titles read: its units' word starts and embeddings, and
    the encoder's ``embed`` for phrases (texts -> unit-length rows)."""

    unit_starts: Sequence[int]
    unit_emb: np.ndarray
    embed: Callable[[list[str]], np.ndarray]

    def extend(self, table: CandidateTable, sections: Sequence[tuple[int, int]]) -> CandidateTable:
        """``table`` (candidate rows of ``sections``) with ``SEMANTIC_FEATURES`` appended to every row."""
        texts = sorted({phrase_text(key) for rows in table for key, _f in rows})
        if not texts:
            return table
        index = {t: i for i, t in enumerate(texts)}
        phrases = self.embed(texts)
        vectors = section_vectors(self.unit_starts, self.unit_emb, sections)
        out: CandidateTable = []
        for own, rows in enumerate(table):
            mine = phrases[[index[phrase_text(key)] for key, _f in rows]] if rows else phrases[:0]
            extra = semantic_columns(mine, vectors, own)
            out.append([(key, [*f, *map(float, x)]) for (key, f), x in zip(rows, extra, strict=True)])
        return out
