"""The MiniLM-student experiment's helpers (desktop_app.training.outline_student): ridge, the unit x word
matrix and the word-table prediction (which must agree), the fit measures. Neither torch nor the model is
needed."""

from __future__ import annotations

import numpy as np

from desktop_app.training import outline_student as st


def test_ridge_recovers_a_linear_map() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(2000, 8))
    w = rng.normal(size=(8, 5))
    assert np.allclose(st.ridge(x, x @ w, 1e-6), w, atol=1e-4)
    shrunk = st.ridge(x, x @ w, 10.0)
    assert np.linalg.norm(shrunk) < np.linalg.norm(w)


def test_unit_word_matrix_matches_predict_table() -> None:
    rng = np.random.default_rng(1)
    vocab = ["a", "b", "c", "d"]
    index = {w: i for i, w in enumerate(vocab)}
    words = ["a", "b", "a", "zz", "c", "d", "d", "b", "zz", "a"]
    units = [0, 4, 7]
    table = rng.normal(size=(4, 3))
    rows, cols, vals = st.unit_word_matrix(st.word_ids(words, index), units, len(vocab))
    dense = np.zeros((3, 4))
    dense[rows, cols] = vals
    # the out-of-table word counts in the unit's length: unit 0 is (2 a + b) / 4
    assert np.allclose(dense[0], [0.5, 0.25, 0.0, 0.0])
    assert np.allclose(dense @ table, st.predict_table(table, words, units, index))


def test_fit_quality_of_a_perfect_and_a_scaled_prediction() -> None:
    rng = np.random.default_rng(2)
    y = rng.normal(size=(100, 6))
    r2, cos = st.fit_quality(y, y)
    assert abs(r2 - 1.0) < 1e-12 and abs(cos - 1.0) < 1e-12
    r2, cos = st.fit_quality(0.5 * y, y)
    assert abs(cos - 1.0) < 1e-9 and r2 < 1.0


def test_mlp_apply_is_one_tanh_layer() -> None:
    x = np.array([[1.0, -1.0]])
    params = [np.eye(2), np.zeros(2), np.ones((2, 1)), np.array([0.5])]
    assert np.allclose(st.mlp_apply(params, x), [[0.5]])
