"""Exactness of the nondominance passes against an independent brute force.

The grid pass (`_grid_nondominated`) only runs on 10^5 rows and more inside `nondominated`,
so it is called directly here with several level counts, on inputs small enough for an
O(n^2) check: ties, coordinates shared by many rows, integer utilities, N = 2..7.
"""

from __future__ import annotations

import numpy as np
import pytest

from treatylab.evals._pareto import (
    _grid_nondominated,
    _sum_ordered_nondominated,
    _unique_rows,
    nondominated,
)


def brute_force(points: np.ndarray) -> np.ndarray:
    """Row i survives unless some other row is >= on every column and > on one."""
    keep = np.ones(points.shape[0], dtype=bool)
    for i, row in enumerate(points):
        ge = np.all(points >= row, axis=1)
        gt = np.any(points > row, axis=1)
        keep[i] = not np.any(ge & gt)
    return keep


def random_unique(rng: np.random.Generator, n: int, parties: int, kind: str) -> np.ndarray:
    if kind == "integer":  # few values per axis: many ties
        raw = rng.integers(0, 6, size=(n, parties)).astype(np.float64)
    elif kind == "anticorrelated":  # near constant sum: most rows survive
        raw = np.round(rng.dirichlet(np.ones(parties), size=n) * 40)
    elif kind == "float32":
        raw = rng.random((n, parties)).astype(np.float32)
        raw[:, 0] = np.round(raw[:, 0] * 4) / 4  # one axis with heavy duplication
    else:
        raw = rng.random((n, parties))
    unique, _ = _unique_rows(raw)
    return unique


CASES = [(seed, parties, kind) for seed in range(4) for parties in range(2, 8)
         for kind in ("integer", "anticorrelated", "float32", "uniform")]


@pytest.mark.parametrize(("seed", "parties", "kind"), CASES)
def test_passes_equal_brute_force(seed: int, parties: int, kind: str) -> None:
    rng = np.random.default_rng(1000 * seed + 10 * parties)
    n = int(rng.integers(50, 2500))
    points = random_unique(rng, n, parties, kind)
    rng.shuffle(points)  # callers' row order is arbitrary
    expected = brute_force(points)
    assert np.array_equal(_sum_ordered_nondominated(points), expected)
    for levels in (2, 3, 5):
        assert np.array_equal(_grid_nondominated(points, levels), expected), levels
    assert np.array_equal(nondominated(points), expected)


def test_hand_computed_case() -> None:
    points = np.array([
        [3.0, 1.0, 2.0],  # survives
        [1.0, 3.0, 2.0],  # survives
        [3.0, 1.0, 1.0],  # dominated by row 0 (ties on two axes)
        [2.0, 2.0, 2.0],  # survives
        [1.0, 1.0, 1.0],  # dominated by all of rows 0, 1, 3
        [2.0, 2.0, 1.0],  # dominated by row 3
        [0.0, 0.0, 3.0],  # survives: best on the last axis
    ])
    expected = [True, True, False, True, False, False, True]
    assert brute_force(points).tolist() == expected
    assert _sum_ordered_nondominated(points).tolist() == expected
    for levels in (2, 3, 4):
        assert _grid_nondominated(points, levels).tolist() == expected


def test_grid_equals_sum_ordered_on_medium_minkowski_sum() -> None:
    """A 5-party sum of three issues' option sets (the shape frontier_packages feeds in),
    30,000-odd unique rows with a large frontier: both passes give the same mask."""
    rng = np.random.default_rng(7)
    tables = [np.round(rng.dirichlet(np.ones(5), size=32) * 30) for _ in range(3)]
    sums = (tables[0][:, None, None, :] + tables[1][None, :, None, :]
            + tables[2][None, None, :, :]).reshape(-1, 5)
    points, _ = _unique_rows(sums)
    assert points.shape[0] > 10_000
    reference = _sum_ordered_nondominated(points)
    assert 1_000 < int(reference.sum()) < points.shape[0]
    for levels in (2, 3):
        assert np.array_equal(_grid_nondominated(points, levels), reference)


def test_large_inputs_take_the_grid_path_and_agree() -> None:
    """Above GRID_MIN_ROWS `nondominated` uses the grid; it must match the old pass."""
    rng = np.random.default_rng(3)
    points, _ = _unique_rows(np.round(rng.dirichlet(np.ones(4), size=120_000) * 60))
    points = np.vstack([points, rng.random((120_000 - points.shape[0] + 5, 4)) * 10])
    points, _ = _unique_rows(points)
    assert points.shape[0] >= 100_000
    assert np.array_equal(nondominated(points), _sum_ordered_nondominated(points))
