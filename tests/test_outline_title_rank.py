"""The title-ranker experiments' numpy tree evaluator and host columns (training code, no LightGBM needed)."""

from __future__ import annotations

import json

import numpy as np

from desktop_app.outline import title_candidates
from desktop_app.training import outline_title_rank as rank

# a LightGBM-style dump: x0 <= 0.5 ? (x1 <= 2 ? 1 : 2) : 3, and a single-leaf tree worth 0.25
TREES = [
    {
        "split_feature": 0,
        "threshold": 0.5,
        "decision_type": "<=",
        "left_child": {
            "split_feature": 1,
            "threshold": 2.0,
            "decision_type": "<=",
            "left_child": {"leaf_index": 0, "leaf_value": 1.0},
            "right_child": {"leaf_index": 1, "leaf_value": 2.0},
        },
        "right_child": {"leaf_index": 2, "leaf_value": 3.0},
    },
    {"leaf_value": 0.25},
]


class _Booster:
    def dump_model(self) -> dict:
        return {"tree_info": [{"tree_structure": t} for t in TREES]}


def test_tree_ensemble_scores_as_the_trees_and_survives_json() -> None:
    ens = rank.TreeEnsemble.from_lightgbm(_Booster())
    x = np.array([[0.0, 1.0], [0.5, 2.0], [0.2, 5.0], [0.9, 0.0]])
    expected = np.array([1.0, 1.0, 2.0, 3.0]) + 0.25
    assert np.array_equal(ens(x), expected)
    back = rank.TreeEnsemble.from_json(json.loads(json.dumps(ens.to_json())))
    assert np.array_equal(back(x), expected)


def test_host_columns() -> None:
    words = "so tell me about open source then open source is great and open source wins".split()
    host = np.zeros(len(words), dtype=bool)
    host[:6] = True  # the host asks "so tell me about open source"
    cols = dict(
        zip(rank.HOST_COLUMNS, rank.host_columns(words, 0, len(words), ("open", "source"), host), strict=True)
    )
    assert cols["host_early100"] == 1.0 and cols["host_any"] == 1.0
    assert abs(cols["host_share"] - 1 / 3) < 1e-9
    assert rank.host_columns(words, 0, len(words), ("wins",), host)[-2:] == [0.0, 0.0]


def test_importing_changes_no_features() -> None:
    assert title_candidates.candidate_features is not rank.patched_features
