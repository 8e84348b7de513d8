"""Exactness of the nondominance passes against an independent brute force.

The grid pass (`_grid_nondominated`) only runs on 10^4 rows and more inside `nondominated`,
so it is called directly here with several level counts, on inputs small enough for an
O(n^2) check: ties, coordinates shared by many rows, integer utilities, N = 2..7.
"""

from __future__ import annotations

import numpy as np
import pytest

from treatylab.evals import _pareto
from treatylab.evals._pareto import (
    _column_extremes,
    _grid_nondominated,
    _order_codes,
    _pack_codes,
    _row_keys,
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
    # the unpacked bound test and the member-rank tables (used when codes are wide)
    assert np.array_equal(_grid_nondominated(points, 3, pack=False), expected)
    assert np.array_equal(_grid_nondominated(points, 3, table_words=0), expected)
    assert np.array_equal(nondominated(points), expected)


@pytest.mark.parametrize("kind", ["integer", "wide_integer", "float", "negative"])
def test_order_codes_keep_order_and_ties(kind: str) -> None:
    rng = np.random.default_rng(5)
    raw = {"integer": rng.integers(0, 30, size=(400, 4)).astype(np.float64),
           "wide_integer": rng.integers(0, 10**6, size=(400, 4)).astype(np.float64),
           "float": np.round(rng.random((400, 4)), 2),
           "negative": rng.integers(-50, 3, size=(400, 4)) * 0.5}[kind]
    codes, sizes = _order_codes(raw)
    assert codes.shape == (4, 400) and codes.min() >= 0
    for p in range(4):
        assert codes[p].max() == sizes[p] - 1
        a, b = raw[:, p][:, None], raw[:, p][None, :]
        ca, cb = codes[p][:, None], codes[p][None, :]
        assert np.array_equal(a < b, ca < cb) and np.array_equal(a == b, ca == cb)
    if kind == "integer":  # small integer span: value - min, not dense ranks
        assert np.array_equal(codes[0], raw[:, 0] - raw[:, 0].min())


def test_packed_bound_test_equals_columnwise_comparison() -> None:
    rng = np.random.default_rng(11)
    sizes = [255, 7, 255, 1, 255, 255, 255]  # 5 x 9 + 4 + 2 = 51 bits
    codes = np.stack([rng.integers(0, s, size=5000) for s in sizes]).astype(np.int32)
    packing = _pack_codes(codes, sizes)
    assert packing is not None
    packed, guards, shifts = packing
    dead = np.uint64(~guards & 0xFFFF_FFFF_FFFF_FFFF)
    for _ in range(50):
        top = np.array([rng.integers(0, s) for s in sizes])
        word = np.uint64(guards | sum(int(t) << sh for t, sh in zip(top, shifts)))
        fits = ((word - packed) & np.uint64(guards)) == np.uint64(guards)
        assert np.array_equal(fits, np.all(codes <= top[:, None], axis=0))
        assert not (((word - np.array([dead])) & np.uint64(guards)) == np.uint64(guards))[0]
    assert _pack_codes(codes, [256] * 7) is None  # 7 x 10 bits do not fit


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
    assert np.array_equal(_grid_nondominated(points, 3, pack=False), reference)
    assert np.array_equal(_grid_nondominated(points, 3, table_words=0), reference)


def test_large_inputs_take_the_grid_path_and_agree() -> None:
    """Above GRID_MIN_ROWS `nondominated` uses the grid; it must match the old pass."""
    rng = np.random.default_rng(3)
    points, _ = _unique_rows(np.round(rng.dirichlet(np.ones(4), size=120_000) * 60))
    points = np.vstack([points, rng.random((120_000 - points.shape[0] + 5, 4)) * 10])
    points, _ = _unique_rows(points)
    assert points.shape[0] >= 100_000
    assert np.array_equal(nondominated(points), _sum_ordered_nondominated(points))


@pytest.mark.parametrize("kind", ["integer", "float", "huge"])
def test_unique_rows_by_value_on_both_paths(kind: str) -> None:
    """Integer rows go through int64 keys, others through bytes; both list each distinct row
    once, with an inverse that rebuilds the input, and -0.0 counts as 0.0."""
    rng = np.random.default_rng(9)
    raw = rng.integers(-3, 4, size=(3000, 5)).astype(np.float64)
    if kind == "float":
        raw = raw / 4 + 0.1
    elif kind == "huge":  # a span product above 2^62: keys do not apply
        raw[:, 0] *= 2.0**40
        raw[:, 1] *= 2.0**30
    raw[::7, 2] = -0.0
    raw[1::7, 2] = 0.0
    assert (_row_keys(raw) is not None) == (kind == "integer")
    unique, inverse = _unique_rows(raw)
    assert np.array_equal(unique[inverse], raw)  # -0.0 == 0.0 in value
    expected = {tuple(row) for row in (raw + 0.0).tolist()}
    assert len(expected) == unique.shape[0] == len({tuple(r) for r in unique.tolist()})


def _full_space_frontier(tables: list[np.ndarray], allowed: list[np.ndarray] | None) -> np.ndarray:
    """Frontier indices by filtering the whole (sub-box of the) package matrix directly."""
    grids = np.meshgrid(*[np.arange(t.shape[0]) for t in tables], indexing="ij")
    digits = [g.ravel() for g in grids]
    matrix = sum(t[d] for t, d in zip(tables, digits))
    inside = np.ones(matrix.shape[0], dtype=bool)
    if allowed is not None:
        for mask, d in zip(allowed, digits):
            inside &= mask[d]
    unique, inverse = _unique_rows(matrix[inside])
    keep = _sum_ordered_nondominated(unique)[inverse]
    return np.flatnonzero(inside)[keep]


@pytest.mark.parametrize("grid_from", [2, 10_000_000])
@pytest.mark.parametrize("seed", range(3))
def test_frontier_packages_equal_a_direct_filter(
    seed: int, grid_from: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue-by-issue sums, the grid pass at every stage (grid_from = 2) or never, and the
    path expansion list exactly the packages a direct filter of the whole space finds:
    duplicated options, tied sums, options dominated within their issue, red-line boxes."""
    monkeypatch.setattr(_pareto, "GRID_MIN_ROWS", grid_from)
    rng = np.random.default_rng(seed)
    n_parties = 3 + seed
    tables = [rng.integers(0, 5, size=(int(rng.integers(3, 8)), n_parties)).astype(np.float64)
              for _ in range(4)]
    tables[1][1] = tables[1][0]  # a duplicated option
    tables[2][0] = tables[2].max(axis=0)  # an option dominating the rest of its issue
    expected = _full_space_frontier(tables, None)
    assert np.array_equal(_pareto.frontier_packages(tables), expected)
    allowed = [rng.random(t.shape[0]) < 0.7 for t in tables]
    for mask in allowed:
        mask[0] = True
    assert np.array_equal(_pareto.frontier_packages(tables, allowed),
                          _full_space_frontier(tables, allowed))


@pytest.mark.parametrize("m", [1, 7, 8, 9, 1000, 1003])
def test_column_extremes_equal_numpy(m: int) -> None:
    rng = np.random.default_rng(m)
    points = np.ascontiguousarray(rng.normal(size=(m, 7)) * 100)
    low, high = _column_extremes(points)
    assert np.array_equal(low, points.min(axis=0)) and np.array_equal(high, points.max(axis=0))
