"""The boundary trainer's learned projection of the word-vector block (desktop_app.training.outline_boundary
``--metric``): spec names, training pairs, the projection fit and the per-episode pair AUC."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from desktop_app.training import outline_boundary as trainer


def test_parse_metric_names() -> None:
    spec = trainer.parse_metric("k64+l2=0.1+extra+steps=50")
    assert (spec.dims, spec.l2, spec.extra, spec.steps, spec.pooled) == (64, 0.1, True, 50, False)
    assert trainer.parse_metric("k128+pooled").pooled
    with pytest.raises(ValueError):
        trainer.parse_metric("pca64")


def _episode(
    rng: np.random.Generator, topics: int = 6, units_per: int = 20, dims: int = 16
) -> SimpleNamespace:
    """Units of 15 words in ``topics`` chapters: the topic lives in the first 4 dimensions, weak against
    strong noise in the others."""
    centres = rng.normal(size=(topics, 4))
    rows = []
    for t in range(topics):
        for _ in range(units_per):
            rows.append(np.r_[0.4 * centres[t], rng.normal(size=dims - 4)])
    n = topics * units_per
    units = [15 * i for i in range(n)]
    return SimpleNamespace(
        embed=np.array(rows, dtype=np.float32),
        unit_len=np.full(n, 15.0),
        units=units,
        words=["w"] * (15 * n),
        chapters=[15 * units_per * t for t in range(topics)],
        slug="x",
    )


def test_metric_pairs_label_chapter_starts_and_drop_straddling_pairs() -> None:
    ep = _episode(np.random.default_rng(0))
    left, right, same, group = trainer.metric_pairs([ep])  # type: ignore[list-item]
    assert left.shape == right.shape and len(same) == len(group) == len(left)
    assert 0 < (same == 0).sum() < (same == 1).sum()
    assert set(np.unique(group)) == {0, 1}  # one group per window


def test_fit_projection_finds_the_topic_dimensions() -> None:
    rng = np.random.default_rng(1)
    eps = [_episode(rng) for _ in range(12)]
    pairs = trainer.metric_pairs(eps)  # type: ignore[arg-type]
    held_out = trainer.metric_pairs([_episode(rng) for _ in range(6)])  # type: ignore[misc]
    spec = trainer.parse_metric("k16+l2=0.001+steps=200")
    w = trainer.fit_projection(*pairs, spec)
    assert w.shape == (16, 16)
    assert trainer.pair_auc(*held_out, w) > trainer.pair_auc(*held_out, None) + 0.05
    weight = np.linalg.norm(w, axis=1)
    assert weight[:4].mean() > weight[4:].mean()
