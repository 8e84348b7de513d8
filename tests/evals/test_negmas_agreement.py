"""The frontier, Nash and Kalai-Smorodinsky packages agree with negmas on random spaces.

negmas is a test-only dependency. Packages are compared through their utility vectors
(negmas keeps one package per tied vector; the evaluator keeps the lowest index).
"""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pytest
from tests.evals.support import from_tables, random_tables

from treatylab.evals import OutcomeSpace

negmas = pytest.importorskip("negmas")
from negmas import kalai_points, ks_points, make_issue, nash_points, pareto_frontier  # noqa: E402
from negmas.preferences import LinearAdditiveUtilityFunction  # noqa: E402

SEEDS = range(24)


def _negmas_setup(space: OutcomeSpace, reserved: list[float]):
    issues = [make_issue(list(opts), name) for name, opts in zip(space.issue_ids, space.option_ids)]
    ufuns = [
        LinearAdditiveUtilityFunction(
            values={name: {o: float(t[j, p]) for j, o in enumerate(opts)}
                    for name, opts, t in zip(space.issue_ids, space.option_ids, space.tables)},
            weights={name: 1.0 for name in space.issue_ids},
            issues=issues,
            reserved_value=r,
        )
        for p, r in enumerate(reserved)
    ]
    outcomes = list(itertools.product(*space.option_ids))
    return ufuns, outcomes


def _space(seed: int) -> tuple[OutcomeSpace, list[float]]:
    rng = np.random.default_rng(1000 + seed)
    n_parties = int(rng.integers(2, 5))
    n_issues = int(rng.integers(2, 5))
    n_options = int(rng.integers(2, 6 if n_issues < 4 else 5))
    tables = random_tables(rng, n_parties, n_issues, n_options, levels=6)
    reserved = [float(v) for v in rng.integers(15, 55, size=n_parties)]
    return OutcomeSpace.build(from_tables(tables, reserved)), reserved


def _vectors(rows) -> set[tuple[float, ...]]:
    return {tuple(float(v) for v in row) for row in rows}


@pytest.mark.parametrize("seed", SEEDS)
def test_agrees_with_negmas(seed: int) -> None:
    space, reserved = _space(seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ufuns, outcomes = _negmas_setup(space, [float("-inf")] * len(reserved))
        full, _ = pareto_frontier(ufuns, outcomes=outcomes)
        assert _vectors(full) == _vectors(space.utilities[space.pareto_indices])

        ufuns, outcomes = _negmas_setup(space, reserved)
        frontier, _ = pareto_frontier(ufuns, outcomes=outcomes)
        nash = nash_points(ufuns, frontier, outcomes=outcomes)
        ks = ks_points(ufuns, frontier, outcomes=outcomes)
        kalai = kalai_points(ufuns, frontier, outcomes=outcomes)
    if not frontier:
        assert space.nash_index() is None and space.kalai_smorodinsky_index() is None
        return
    assert tuple(space.utilities[space.nash_index()].tolist()) in _vectors(u for u, _ in nash)
    ks_mine = tuple(space.utilities[space.kalai_smorodinsky_index()].tolist())
    assert ks_mine in _vectors(u for u, _ in ks)
    egal = tuple(space.utilities[space.egalitarian_index()].tolist())
    assert egal in _vectors(u for u, _ in kalai)


def test_seeds_cover_two_to_four_parties_and_nonempty_bargaining_sets() -> None:
    spaces = [_space(seed)[0] for seed in SEEDS]
    assert {len(s.party_ids) for s in spaces} == {2, 3, 4}
    assert sum(s.nash_index() is not None for s in spaces) >= 12
