"""Bootstrap intervals and permutation tests, in numpy, seeded.

Experiments compare strategies over a few dozen episodes whose scores are bounded, skewed
and often tied, so intervals come from resampling rather than normal approximations:

- `bootstrap_mean`: percentile bootstrap interval of a mean (resample with replacement);
- `bootstrap_difference`: interval of a difference of means; unpaired resamples each group
  independently, paired resamples the matched pairs' differences;
- `permutation_p`: two-sided p-value of a difference of means; unpaired permutes the group
  labels, paired flips the signs of the pair differences. When the number of distinct
  rearrangements is at most `resamples` they are enumerated and the p-value is exact;
  otherwise it is the Monte Carlo estimate (hits + 1) / (resamples + 1), never 0.

Resamples are drawn in chunks so memory stays bounded whatever the sample size.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
from numpy.typing import ArrayLike, NDArray

LEVEL = 0.95
CHUNK = 1000
TOLERANCE = 1e-12  # differences equal up to rounding count as "as extreme"

FloatArray = NDArray[np.float64]


def _clean(values: ArrayLike) -> FloatArray:
    array = np.asarray(values, dtype=np.float64).ravel()
    return array[~np.isnan(array)]


def _interval(stats: FloatArray, level: float) -> tuple[float, float]:
    tail = (1.0 - level) / 2.0
    low, high = np.quantile(stats, [tail, 1.0 - tail])
    return float(low), float(high)


def _resampled_means(values: FloatArray, resamples: int, rng: np.random.Generator) -> FloatArray:
    out = np.empty(resamples)
    for start in range(0, resamples, CHUNK):
        size = min(CHUNK, resamples - start)
        idx = rng.integers(0, values.size, size=(size, values.size))
        out[start:start + size] = values[idx].mean(axis=1)
    return out


def bootstrap_mean(values: ArrayLike, resamples: int, rng: np.random.Generator,
                   level: float = LEVEL) -> tuple[float, float, float]:
    """(mean, low, high); NaNs are dropped; an empty sample gives NaNs."""
    data = _clean(values)
    if data.size == 0:
        return math.nan, math.nan, math.nan
    low, high = _interval(_resampled_means(data, resamples, rng), level)
    return float(data.mean()), low, high


def bootstrap_difference(a: ArrayLike, b: ArrayLike, resamples: int, rng: np.random.Generator,
                         paired: bool = False, level: float = LEVEL) -> tuple[float, float, float]:
    """(mean(a) - mean(b), low, high); paired needs equal lengths (matched rows)."""
    if paired:
        x, y = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
        return bootstrap_mean(x - y, resamples, rng, level)
    x, y = _clean(a), _clean(b)
    if x.size == 0 or y.size == 0:
        return math.nan, math.nan, math.nan
    stats = _resampled_means(x, resamples, rng) - _resampled_means(y, resamples, rng)
    low, high = _interval(stats, level)
    return float(x.mean() - y.mean()), low, high


def permutation_p(a: ArrayLike, b: ArrayLike, resamples: int, rng: np.random.Generator,
                  paired: bool = False) -> float:
    """Two-sided p-value for 'mean(a) - mean(b) is 0' (exact when enumeration is small)."""
    if paired:
        diffs = _clean(np.asarray(a, dtype=np.float64) - np.asarray(b, dtype=np.float64))
        return _sign_flip_p(diffs, resamples, rng)
    x, y = _clean(a), _clean(b)
    if x.size == 0 or y.size == 0:
        return math.nan
    pooled = np.concatenate([x, y])
    observed = abs(x.mean() - y.mean())
    n, k = pooled.size, x.size
    if math.comb(n, k) <= resamples:
        hits = total = 0
        for chosen in itertools.combinations(range(n), k):
            mask = np.zeros(n, dtype=bool)
            mask[list(chosen)] = True
            hits += abs(pooled[mask].mean() - pooled[~mask].mean()) >= observed - TOLERANCE
            total += 1
        return hits / total
    hits = 0
    for start in range(0, resamples, CHUNK):
        size = min(CHUNK, resamples - start)
        keys = rng.random((size, n))
        order = np.argsort(keys, axis=1)
        shuffled = pooled[order]
        diff = np.abs(shuffled[:, :k].mean(axis=1) - shuffled[:, k:].mean(axis=1))
        hits += int((diff >= observed - TOLERANCE).sum())
    return (hits + 1) / (resamples + 1)


def _sign_flip_p(diffs: FloatArray, resamples: int, rng: np.random.Generator) -> float:
    if diffs.size == 0:
        return math.nan
    observed = abs(diffs.mean())
    n = diffs.size
    if 2 ** n <= resamples:
        signs = np.array(list(itertools.product((1.0, -1.0), repeat=n)))
        means = np.abs((signs * diffs).mean(axis=1))
        return float((means >= observed - TOLERANCE).mean())
    hits = 0
    for start in range(0, resamples, CHUNK):
        size = min(CHUNK, resamples - start)
        signs = rng.choice(np.array([1.0, -1.0]), size=(size, n))
        hits += int((np.abs((signs * diffs).mean(axis=1)) >= observed - TOLERANCE).sum())
    return (hits + 1) / (resamples + 1)
