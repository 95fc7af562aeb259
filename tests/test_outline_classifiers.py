"""The boundary trainer's classifier comparison (desktop_app.training.outline_boundary ``--classifiers``):
classifier names, context columns of neighbouring units and local peaks, and the one-hidden-layer model."""

from __future__ import annotations

import numpy as np
import pytest

from desktop_app.training import outline_boundary as trainer


def test_parse_classifier_names() -> None:
    assert trainer.parse_classifier("lr") == trainer.ClassifierSpec("lr")
    assert trainer.parse_classifier("lr+peak100+l2=100").l2 == 100.0
    spec = trainer.parse_classifier("mlp16+shift2+peak100+peak300")
    assert (spec.hidden, spec.shifts, spec.peaks) == (16, 2, (100, 300))
    with pytest.raises(ValueError):
        trainer.parse_classifier("svm")


def test_local_max_looks_only_within_the_word_radius() -> None:
    x = np.array([1.0, 5.0, 2.0, 9.0])
    units = [0, 20, 40, 200]
    assert trainer.local_max(x, units, 30).tolist() == [5.0, 2.0, 5.0, 9.0]  # the last has no neighbour


def test_context_columns_add_neighbours_and_peaks() -> None:
    x = np.arange(12, dtype=float).reshape(4, 3)
    units = [0, 20, 40, 60]
    out = trainer.context_columns(x, units, trainer.parse_classifier("lr+shift1+peak25"))
    assert out.shape == (4, 3 * 4)
    assert np.array_equal(out[:, :3], x)
    assert np.array_equal(
        out[:, 3:6], np.vstack([np.zeros(3), x[:3]])
    )  # the unit before (zeros at the start)
    assert np.array_equal(out[:, 6:9], np.vstack([x[1:], np.zeros(3)]))  # the unit after
    assert out[3, 9:].tolist() == [3.0, 3.0, 3.0]  # increasing columns: each unit exceeds the one before by 3
    assert out[0, 9:].tolist() == [-3.0, -3.0, -3.0]
    assert trainer.context_columns(x, units, trainer.parse_classifier("lr")).shape == (4, 3)


def test_hidden_layer_learns_what_a_linear_model_cannot() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(400, 2))
    y = ((x[:, 0] > 0) != (x[:, 1] > 0)).astype(float)  # XOR of the signs
    params = trainer.fit_mlp(x, y, hidden=8, l2=1e-4, steps=600)
    accuracy = float(((trainer.mlp_logodds(params, x) > 0) == (y > 0.5)).mean())
    w = trainer.fit(x, y, 1.0)
    linear = float((((x @ w[:-1] + w[-1]) > 0) == (y > 0.5)).mean())
    assert accuracy > 0.9 > 0.7 > linear
