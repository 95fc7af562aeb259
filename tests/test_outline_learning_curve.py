"""The learning curve's pure parts: nested shares of the fitted episodes and the slope per doubling."""

from __future__ import annotations

import pytest

from desktop_app.training.outline_learning_curve import MIN_FITTED, doubling_slope, nested_subset

SLUGS = [f"lex-{n}-guest" for n in range(40)]


def test_a_smaller_share_is_inside_a_larger_one_and_keeps_the_order() -> None:
    quarter, half, whole = (nested_subset(SLUGS, share, seed=3) for share in (0.25, 0.5, 1.0))
    assert len(quarter) == 10 and len(half) == 20 and whole == SLUGS
    assert set(quarter) <= set(half)
    assert half == [s for s in SLUGS if s in set(half)]
    assert nested_subset(SLUGS, 0.5, seed=4) != half  # another seed draws other episodes


def test_a_share_never_fits_on_fewer_than_the_minimum() -> None:
    assert len(nested_subset(SLUGS, 0.01)) == MIN_FITTED
    assert nested_subset(SLUGS[:2], 0.5) == SLUGS[:2]
    with pytest.raises(ValueError):
        nested_subset(SLUGS, 0.0)


def test_the_slope_is_the_change_per_doubling() -> None:
    assert doubling_slope([10, 20, 40], [0.30, 0.29, 0.28]) == pytest.approx(-0.01)
    with pytest.raises(ValueError):
        doubling_slope([10, 10], [0.3, 0.2])
