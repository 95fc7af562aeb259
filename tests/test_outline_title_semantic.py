"""The semantic title-column experiment's folds, columns and phrase cache (training code, no corpus needed)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pytest

from desktop_app.outline import title_candidates
from desktop_app.training import outline_data
from desktop_app.training import outline_title_semantic as sem

if TYPE_CHECKING:
    from pathlib import Path


def test_cv_folds_cover_every_fitting_and_selection_episode_once_and_no_held_out_one() -> None:
    slugs = sem.cv_slugs()
    assert len(slugs) == len(set(slugs)) == 89
    assert not any(outline_data.is_heldout(s) for s in slugs)
    assert not set(slugs) & set(outline_data.DEV_EPISODES)
    for seed in (0, 1):
        folds = sem.cv_folds(slugs, 5, seed)
        assert set(folds) == set(slugs)
        sizes = np.bincount(list(folds.values()))
        assert len(sizes) == 5 and sizes.max() - sizes.min() <= 1
    assert sem.cv_folds(slugs, 5, 0) != sem.cv_folds(slugs, 5, 1)


def test_semantic_columns_on_a_toy_episode() -> None:
    sections = np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0]])
    s = np.sqrt(0.5)
    phrases = np.array([[1.0, 0.0], [s, s], [0.0, 1.0]])
    cols = sem.semantic_columns(phrases, sections, own=0)
    assert cols.shape == (3, len(sem.SEM_COLUMNS))
    sim, contrast, rank = cols.T
    assert np.allclose(sim, [1.0, s, 0.0])
    # the mean cosine with the other two sections: (0 - 1) / 2, (s - s) / 2, (1 + 0) / 2
    assert np.allclose(contrast, [1.5, s, -0.5])
    assert np.allclose(rank, [1.0, 0.5, 0.0])
    assert sem.semantic_columns(np.zeros((0, 2)), sections, 1).shape == (0, 3)


def test_section_vectors_average_the_units_starting_inside() -> None:
    units = [0, 10, 20, 30]
    emb = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 0.0]])
    got = sem.section_vectors(units, emb, [(0, 20), (20, 40), (25, 28)])
    s = np.sqrt(0.5)
    assert np.allclose(got, [[s, s], [1.0, 0.0], [1.0, 0.0]])  # (25, 28): no start inside, the unit at 20


class _FakeEncoder:
    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def embed(self, texts: list[str]) -> np.ndarray:
        self.calls.append(list(texts))
        out = np.zeros((len(texts), sem.DIMS), dtype=np.float32)
        for i, t in enumerate(texts):
            out[i, len(t) % sem.DIMS] = 1.0
        return out


def test_phrase_bank_encodes_each_phrase_once_and_round_trips(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sem, "CACHE", tmp_path)
    enc = _FakeEncoder()
    bank = sem.PhraseBank.load("toy")
    first = bank.vectors(["open source", "ai", "open source"], enc)  # type: ignore[arg-type]
    assert enc.calls == [["ai", "open source"]]
    assert np.array_equal(first[0], first[2])
    bank.save()
    back = sem.PhraseBank.load("toy")
    assert np.array_equal(back.vectors(["ai", "open source"], None), first[[1, 0]])
    with pytest.raises(KeyError):
        back.vectors(["peace"], None)


def test_arm_columns_and_importing_changes_no_features() -> None:
    n = len(title_candidates.FEATURES)
    assert sem.arm_columns("base") == list(range(n))
    assert sem.arm_columns("sem") == list(range(n + len(sem.SEM_COLUMNS)))
    assert sem.arm_columns("contrast") == [*range(n), n + 1]
    assert title_candidates.candidate_features is not sem.patched_features
