"""Bootstrap and permutation statistics against hand-computed cases."""

from __future__ import annotations

import numpy as np
import pytest

from treatylab.evals.resampling import bootstrap_difference, bootstrap_mean, permutation_p


def test_bootstrap_of_a_constant_is_that_constant() -> None:
    assert bootstrap_mean([0.4] * 7, 2000, np.random.default_rng(0)) == pytest.approx((0.4, 0.4, 0.4))


def test_bootstrap_of_two_points_matches_the_exact_distribution() -> None:
    # Resampling [0, 1] gives means 0, 0.5, 1 with probabilities 1/4, 1/2, 1/4: the 2.5% and
    # 97.5% quantiles are 0 and 1, and a quarter of the resampled means are 0.
    mean, low, high = bootstrap_mean([0.0, 1.0], 20_000, np.random.default_rng(1))
    assert (mean, low, high) == (0.5, 0.0, 1.0)


def test_unpaired_permutation_is_exact_when_small() -> None:
    # 20 ways to split six values 3/3; only the observed split and its mirror are as extreme.
    assert permutation_p([1, 2, 3], [4, 5, 6], 10_000, np.random.default_rng(0)) == pytest.approx(0.1)


def test_paired_sign_flip_is_exact_when_small() -> None:
    # Differences 1, 2, 3: of 8 sign patterns only all-plus and all-minus reach |mean| = 2.
    p = permutation_p([2, 4, 6], [1, 2, 3], 10_000, np.random.default_rng(0), paired=True)
    assert p == pytest.approx(0.25)


def test_difference_interval_paired_and_unpaired() -> None:
    same = bootstrap_difference([1.0, 2.0, 3.0], [0.0, 1.0, 2.0], 5000, np.random.default_rng(0), paired=True)
    assert same == pytest.approx((1.0, 1.0, 1.0))
    diff, low, high = bootstrap_difference([1.0, 2.0, 3.0], [0.0, 1.0, 2.0], 5000, np.random.default_rng(0))
    assert diff == 1.0 and low < 1.0 < high


def test_seeded_and_nan_tolerant() -> None:
    values = [0.1, np.nan, 0.5, 0.9]
    assert bootstrap_mean(values, 1000, np.random.default_rng(9)) == bootstrap_mean(values, 1000, np.random.default_rng(9))
    assert bootstrap_mean(values, 1000, np.random.default_rng(9))[0] == pytest.approx(0.5)
    assert np.isnan(bootstrap_mean([], 1000, np.random.default_rng(0))[0])
