"""The paragraph-break chooser's figures (desktop_app/training/paragraph_breaks.py)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, cast

from desktop_app.training import paragraph_breaks as pb


def _episode() -> Any:
    # 40 words; true sentences start at 0, 3, 6, 10, 15, 20, 25, 30; one speaker to word 19, another from 20
    return cast(
        "Any",
        SimpleNamespace(
            n=40,
            turns=[0, 20],
            starts=[0, 3, 6, 10, 15, 20, 25, 30],
            sentences_true=[0, 3, 6, 10, 15, 20, 25, 30],
        ),
    )


def test_break_figures_count_breaks_and_lone_sentences_inside_a_run() -> None:
    m = pb.break_figures(_episode(), [0, 6, 10, 20])
    assert m["breaks"] == 3
    assert m["false_breaks"] == 2  # 6 and 10 are inside the first speaker's run; 20 is the turn
    assert m["one_false"] == 1  # the paragraph 6-9 is one sentence between two breaks inside the run
    assert m["turn_r"] == 1.0 and m["par_p"] == 1.0
    assert m["false_per_kw"] == 50.0 and m["one_per_kw"] == 25.0
    assert m["misplaced_per_kw"] == 0.0
    # a break inside a sentence is misplaced
    assert pb.break_figures(_episode(), [0, 8, 20])["misplaced_per_kw"] == 25.0


def test_objective_adds_the_two_rates() -> None:
    assert pb.objective({"false_per_kw": 20.0, "one_per_kw": 5.0}) == 25.0


def test_thresholds_refine_around_the_last_that_keeps_the_turns() -> None:
    got = pb._thresholds(lambda t: t <= -2.5)
    assert max(t for t in got if t <= -2.5) == -2.5
    assert min(got) == -3.0 and max(got) < -2.25 and len(got) == 12
    assert pb._thresholds(lambda t: False) == []
