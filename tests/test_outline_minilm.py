"""The MiniLM experiment's helpers (desktop_app.training.outline_minilm): unit texts, the DP with a mixed unit
similarity (which must reproduce the app's at the shipped shares) and the MiniLM novelty columns. The model
itself is not needed."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from desktop_app.outline import chapters
from desktop_app.training import outline_boundary as ob
from desktop_app.training import outline_minilm as exp


def _blocks(rng: np.random.Generator, n: int) -> list[np.ndarray]:
    topics = np.repeat(rng.normal(size=(8, 6)), n // 8 + 1, axis=0)[:n]
    return [chapters._centre_normalise(np.hstack([topics, rng.normal(size=(n, d))])) for d in (10, 20, 30)]


def test_unit_texts_cover_the_text_from_the_first_unit() -> None:
    text = "one two three. four five six. seven"
    spans = [(0, 3), (4, 7), (8, 14), (15, 19), (20, 24), (25, 29), (30, 35)]
    assert exp.unit_texts(text, spans, [0, 3, 6]) == ["one two three. ", "four five six. ", "seven"]


def test_partition_mixed_matches_the_app_at_the_shipped_shares() -> None:
    rng = np.random.default_rng(3)
    n = 300
    blocks = _blocks(rng, n)
    unit_len = np.full(n, 40.0)
    boost = rng.normal(size=n)
    app = chapters._partition(blocks[:2], unit_len, boost, 1.0)
    assert exp.partition_mixed(blocks, unit_len, boost, exp.SHIPPED_SHARES) == app
    assert exp.mixed_shares(0.0) == exp.SHIPPED_SHARES
    assert abs(sum(exp.mixed_shares(0.3)) - 1.0) < 1e-12


def test_mini_columns_peak_at_a_topic_change() -> None:
    rng = np.random.default_rng(4)
    a, b = rng.normal(size=16), rng.normal(size=16)
    rows = np.vstack([a + 0.3 * rng.normal(size=(40, 16)), b + 0.3 * rng.normal(size=(40, 16))])
    ep = SimpleNamespace(mini=chapters._centre_normalise(rows), unit_len=np.full(80, 20.0))
    cols = exp.mini_columns(ep)  # type: ignore[arg-type]
    assert cols.shape == (80, 6)
    assert int(cols[:, 0].argmax()) == 40  # novelty of the 100-word windows


def test_cv_folds_are_deterministic_disjoint_and_cover_every_slug() -> None:
    slugs = [f"lex-{i}-guest" for i in range(60)] + [f"vector-{i}" for i in range(29)]
    folds = exp.cv_folds(slugs, 5)
    assert folds == exp.cv_folds(list(reversed(slugs)), 5)  # the order given does not matter
    assert set(folds) == set(slugs)  # every slug in exactly one fold (a dict: disjoint)
    sizes = [sum(f == k for f in folds.values()) for k in range(5)]
    assert sorted(sizes) == [17, 18, 18, 18, 18]
    assert exp.cv_folds(slugs, 5, seed=1) != folds  # another seed deals other folds
    assert sorted(exp.cv_folds(slugs, 10).values()) == sorted([k % 10 for k in range(89)])


def test_bootstrap_interval_brackets_the_mean() -> None:
    delta = np.random.default_rng(5).normal(-0.02, 0.05, size=89)
    lo, hi = exp.bootstrap_interval(delta, n=2000)
    assert lo < delta.mean() < hi
    assert exp.bootstrap_interval(delta, n=2000) == (lo, hi)  # seeded
    assert abs((hi - lo) - 2 * 1.96 * delta.std() / np.sqrt(89)) < 0.006


def test_dp_grid_lists_the_shipped_setting_first_and_every_setting_once() -> None:
    grid = exp.dp_grid((8.0, 12.0), (0.85, 1.0))
    assert grid[0] == (chapters.BOUNDARY_WEIGHT, 1.0) == (12.0, 1.0)
    assert grid == [(12.0, 1.0), (8.0, 0.85), (8.0, 1.0), (12.0, 0.85)]
    assert len(exp.dp_grid(exp.GRID_WEIGHTS, exp.GRID_FACTORS)) == 16
    assert exp.grid_name(12.0, 1.0) == "w12 x1" and exp.grid_name(8.0, 0.85) == "w8 x0.85"


def test_dp_settings_scale_the_shipped_count_rule_without_compounding() -> None:
    windows = chapters.BOUNDARY_WINDOWS
    shipped = (chapters.BOUNDARY_WEIGHT, chapters.PRIOR_WEIGHT, chapters.COUNT_SCALE, chapters.COUNT_POWER)
    try:
        for _ in range(2):  # applying one setting after another must not multiply the factors
            ob.apply(exp.dp_settings(8.0, 0.85))
            assert chapters.BOUNDARY_WEIGHT == 8.0 and chapters.PRIOR_WEIGHT == 1.0
            assert chapters.COUNT_SCALE == shipped[2] * 0.85 and chapters.COUNT_POWER == shipped[3]
        ob.apply(exp.dp_settings(12.0, 1.0))
        assert (
            chapters.BOUNDARY_WEIGHT,
            chapters.PRIOR_WEIGHT,
            chapters.COUNT_SCALE,
            chapters.COUNT_POWER,
        ) == (
            12.0,
            1.0,
            *shipped[2:],
        )
    finally:
        ob.apply(ob.Settings(windows, *shipped))


def test_seed_average_averages_each_episodes_scores_over_the_fold_seeds() -> None:
    def scores(pk: float) -> dict[str, float]:
        return {"pk": pk, "windowdiff": pk, "f1@150": 1 - pk, "pred_sections": 10.0, "human": 12.0}

    rows = {0: {"app": {"a": scores(0.2)}}, 1: {"app": {"a": scores(0.4)}}}
    avg = exp.seed_average(rows, [0, 1], ["app"], ["a"])
    assert avg["app"]["a"]["pk"] == pytest.approx(0.3)
    assert avg["app"]["a"]["f1@150"] == pytest.approx(0.7)
