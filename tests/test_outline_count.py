"""The chapter-count comparison (desktop_app.training.outline_count): its all-counts dynamic programme agrees
with the app's fixed-count one, and the partial correlation removes what length explains."""

from __future__ import annotations

import numpy as np

from desktop_app.outline import chapters
from desktop_app.training import outline_count as count


def _band(n: int, width: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    j = np.arange(n + 1)[:, None]
    src = j - np.arange(1, width + 1)[None, :]
    src = np.where(src >= 0, src, -1)
    return rng.normal(size=src.shape), src


def test_every_count_matches_the_fixed_count_programme() -> None:
    for seed in range(3):
        score, src = _band(40, 8, seed)
        totals, backs = count.dp_all(score, src, 12)
        for k in range(5, 13):
            assert np.isfinite(totals[k - 1])
            assert count.backtrack(backs, k) == chapters._dp_fixed(score, src, k)


def test_partial_correlation_ignores_the_shared_length() -> None:
    rng = np.random.default_rng(1)
    words = rng.normal(size=2000)
    noise = rng.normal(size=2000)
    human = words + 0.1 * rng.normal(size=2000)
    assert np.corrcoef(human, words + noise)[0, 1] > 0.6
    assert abs(count.partial_corr(human, words + noise, words)) < 0.1  # only length in common
    assert count.partial_corr(human + noise, words + noise, words) > 0.8  # a shared residual
