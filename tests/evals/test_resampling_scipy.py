"""Bootstrap and permutation statistics against scipy, an independent implementation.

scipy is a test-only dependency (the `test` extra); without it these tests are skipped.
"""

from __future__ import annotations

import numpy as np
import pytest

from treatylab.evals.resampling import bootstrap_mean, permutation_p

stats = pytest.importorskip("scipy.stats")

def test_bootstrap_agrees_with_scipy() -> None:
    data = np.random.default_rng(2).beta(2, 5, size=60)
    ours = bootstrap_mean(data, 20_000, np.random.default_rng(3))
    theirs = stats.bootstrap((data,), np.mean, n_resamples=20_000, method="percentile",
                             confidence_level=0.95, random_state=4).confidence_interval
    assert ours[1] == pytest.approx(theirs.low, abs=0.004)
    assert ours[2] == pytest.approx(theirs.high, abs=0.004)


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

