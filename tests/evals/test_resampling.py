"""Bootstrap and permutation statistics against hand-computed cases and scipy."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from evals.resampling import bootstrap_difference, bootstrap_mean, permutation_p


def test_bootstrap_of_a_constant_is_that_constant() -> None:
    assert bootstrap_mean([0.4] * 7, 2000, np.random.default_rng(0)) == pytest.approx((0.4, 0.4, 0.4))


def test_bootstrap_of_two_points_matches_the_exact_distribution() -> None:
    # Resampling [0, 1] gives means 0, 0.5, 1 with probabilities 1/4, 1/2, 1/4: the 2.5% and
    # 97.5% quantiles are 0 and 1, and a quarter of the resampled means are 0.
    mean, low, high = bootstrap_mean([0.0, 1.0], 20_000, np.random.default_rng(1))
    assert (mean, low, high) == (0.5, 0.0, 1.0)


def test_bootstrap_agrees_with_scipy() -> None:
    data = np.random.default_rng(2).beta(2, 5, size=60)
    ours = bootstrap_mean(data, 20_000, np.random.default_rng(3))
    theirs = stats.bootstrap((data,), np.mean, n_resamples=20_000, method="percentile",
                             confidence_level=0.95, random_state=4).confidence_interval
    assert ours[1] == pytest.approx(theirs.low, abs=0.004)
    assert ours[2] == pytest.approx(theirs.high, abs=0.004)


def test_unpaired_permutation_is_exact_when_small() -> None:
    # 20 ways to split six values 3/3; only the observed split and its mirror are as extreme.
    assert permutation_p([1, 2, 3], [4, 5, 6], 10_000, np.random.default_rng(0)) == pytest.approx(0.1)


def test_paired_sign_flip_is_exact_when_small() -> None:
    # Differences 1, 2, 3: of 8 sign patterns only all-plus and all-minus reach |mean| = 2.
    p = permutation_p([2, 4, 6], [1, 2, 3], 10_000, np.random.default_rng(0), paired=True)
    assert p == pytest.approx(0.25)


def test_permutation_agrees_with_scipy_exact_and_monte_carlo() -> None:
    rng = np.random.default_rng(5)
    a, b = rng.normal(0.0, 1.0, 6), rng.normal(0.8, 1.0, 7)
    # Two-sided here means |mean(a) - mean(b)| at least as large (scipy's "two-sided" doubles
    # the smaller tail instead, which differs when the groups are unequal): ask scipy for that.
    exact = stats.permutation_test((a, b), lambda x, y: abs(np.mean(x) - np.mean(y)), permutation_type="independent",
                                   n_resamples=np.inf, alternative="greater").pvalue
    assert permutation_p(a, b, 10_000, np.random.default_rng(0)) == pytest.approx(exact, abs=1e-9)
    x, y = rng.normal(0.0, 1.0, 40), rng.normal(0.5, 1.0, 40)
    ours = permutation_p(x, y, 20_000, np.random.default_rng(1))
    theirs = stats.permutation_test((x, y), lambda u, v: abs(np.mean(u) - np.mean(v)), permutation_type="independent",
                                    n_resamples=20_000, alternative="greater", random_state=2).pvalue
    assert ours == pytest.approx(theirs, abs=0.01)


def test_paired_permutation_agrees_with_scipy() -> None:
    rng = np.random.default_rng(6)
    x = rng.normal(0.0, 1.0, 10)
    y = x + rng.normal(0.3, 0.5, 10)
    theirs = stats.permutation_test((x, y), lambda u, v: np.mean(u - v), permutation_type="samples",
                                    n_resamples=np.inf, alternative="two-sided").pvalue
    assert permutation_p(x, y, 2 ** 10, np.random.default_rng(0), paired=True) == pytest.approx(theirs, abs=1e-9)


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
