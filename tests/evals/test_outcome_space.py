"""Hand-computed 2- and 3-party outcome spaces: frontier, solution points, masks."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from tests.evals.support import build_scenario, from_tables, random_tables

from treatylab.evals import OutcomeSpace

# Two parties, issues x (3 options) and y (3 options); index = 3 * x + y.
#   0 (x0,y0) 90,60   1 (x0,y1) 70,20   2 (x0,y2) 100,50
#   3 (x1,y0) 60,100  4 (x1,y1) 40,60   5 (x1,y2) 70,90
#   6 (x2,y0) 70,80   7 (x2,y1) 50,40   8 (x2,y2) 80,70
TWO = {
    "a": {"x": {"x0": 70, "x1": 40, "x2": 50}, "y": {"y0": 20, "y1": 0, "y2": 30}},
    "b": {"x": {"x0": 20, "x1": 60, "x2": 40}, "y": {"y0": 40, "y1": 0, "y2": 30}},
}
TWO_R = {"a": 40.0, "b": 20.0}

# Three parties, one issue of five options; r = 10 for all.
#   o0 (70,0,10)  o1 (20,80,100)  o2 (50,50,20)  o3 (100,40,30)  o4 (10,100,100)
THREE_TABLE = np.array([[70, 0, 10], [20, 80, 100], [50, 50, 20], [100, 40, 30], [10, 100, 100]])


@pytest.fixture
def two() -> OutcomeSpace:
    return OutcomeSpace.build(build_scenario(TWO, TWO_R))


@pytest.fixture
def three() -> OutcomeSpace:
    return OutcomeSpace.build(from_tables([THREE_TABLE.astype(float)], [10, 10, 10]))


def test_matrix_matches_scenario_utility_in_product_order(two: OutcomeSpace) -> None:
    scenario = build_scenario(TWO, TWO_R)
    for index, combo in enumerate(itertools.product(["x0", "x1", "x2"], ["y0", "y1", "y2"])):
        package = dict(zip(["x", "y"], combo))
        assert two.package(index) == package
        assert two.index_of(package) == index
        assert two.utilities[index].tolist() == [scenario.utility(p, package) for p in "ab"]
    assert two.utilities.dtype == np.float32  # integer points: float32 is exact


def test_index_of_names_what_is_wrong(two: OutcomeSpace) -> None:
    with pytest.raises(KeyError, match="missing issue 'y'"):
        two.index_of({"x": "x0"})
    with pytest.raises(KeyError, match="unknown option 'z9' of issue 'y'"):
        two.index_of({"x": "x0", "y": "z9"})
    with pytest.raises(KeyError, match="unknown issue"):
        two.index_of({"x": "x0", "y": "y0", "w": "w0"})


def test_two_party_frontier_and_points(two: OutcomeSpace) -> None:
    # 1, 4, 7 are dominated by 0 (90,60); 6 (70,80) by 5 (70,90).
    assert np.flatnonzero(two.pareto_mask()).tolist() == [0, 2, 3, 5, 8]
    # gains from d = (40, 20): Nash products 0:50*40=2000 2:60*30=1800 3:20*80=1600
    # 5:30*70=2100 8:40*50=2000.
    assert two.nash_index() == 5
    # KS spreads with spans (60, 80): 0:.333 2:.625 3:.667 5:.375 8:|40/60-50/80|=.0417
    assert two.kalai_smorodinsky_index() == 8
    # sums 150 90 150 160 100 160 150 90 150: 3 and 5 tie at 160, lowest index wins.
    assert two.utilitarian_index() == 3
    # min gains: 0 and 8 both 40, sorted gains (40,50) tie again: lowest index.
    assert two.egalitarian_index() == 0
    assert two.favourite_index("a") == 2
    assert two.favourite_index("b") == 3


def test_two_party_masks(two: OutcomeSpace) -> None:
    assert two.individually_rational().all()  # every package gives a >= 40 and b >= 20
    # strictly above r: 1 (b = 20) and 4 (a = 40) sit on the reservation.
    assert two.zone_of_agreement().astype(int).tolist() == [1, 0, 1, 1, 0, 1, 1, 1, 1]


def test_red_lines_restrict_nash_and_ks_but_not_the_frontier() -> None:
    space = OutcomeSpace.build(build_scenario(TWO, TWO_R, red_lines={"a": {"y": ["y2"]}}))
    assert space.red_line_ok().astype(int).tolist() == [1, 1, 0, 1, 1, 0, 1, 1, 0]
    assert np.flatnonzero(space.pareto_mask()).tolist() == [0, 2, 3, 5, 8]
    assert space.feasible_pareto_indices.tolist() == [0, 3, 6]
    # feasible frontier: Nash 0:2000 3:1600 6:30*60=1800; KS spreads 0:.333 3:.667 6:.25
    assert space.nash_index() == 0
    assert space.kalai_smorodinsky_index() == 6
    assert space.zone_of_agreement().astype(int).tolist() == [1, 0, 0, 1, 0, 0, 1, 1, 0]


def test_three_party_points(three: OutcomeSpace) -> None:
    assert three.pareto_mask().astype(int).tolist() == [0, 1, 1, 1, 1]  # o3 dominates o0
    # gains (d = 10 each): o1 10*70*90=63000, o2 40*40*10=16000, o3 90*30*20=54000, o4 0
    assert three.nash_index() == 1
    # KS spreads over span 90: o1 80/90, o2 30/90, o3 70/90, o4 90/90
    assert three.kalai_smorodinsky_index() == 2
    assert three.utilitarian_index() == 4  # sums 80 200 120 170 210
    assert three.egalitarian_index() == 3  # min gains -10 10 10 20 0
    assert three.individually_rational().astype(int).tolist() == [0, 1, 1, 1, 1]


def test_reservation_override_and_no_bargaining_set() -> None:
    scenario = build_scenario(TWO, TWO_R)
    space = OutcomeSpace.build(scenario, reservations={"a": 95.0})
    assert space.reservations.tolist() == [95.0, 20.0]
    # only package 2 (100, 50) clears a = 95: it is Nash and KS.
    assert space.nash_index() == 2 and space.kalai_smorodinsky_index() == 2
    none = OutcomeSpace.build(scenario, reservations={"a": 99.0, "b": 99.0})
    assert none.nash_index() is None and none.kalai_smorodinsky_index() is None
    assert not none.zone_of_agreement().any()
    with pytest.raises(ValueError, match="unknown party"):
        OutcomeSpace.build(scenario, reservations={"zz": 1.0})


def test_disagreement_point_uses_the_minimum_when_the_reservation_is_below_it() -> None:
    # p2's worst package gives 10 > r = 0, so gains are measured from 10 (negmas's rule).
    space = OutcomeSpace.build(from_tables([THREE_TABLE.astype(float)], [10, 10, 0]))
    assert space.disagreement.tolist() == [10.0, 10.0, 10.0]
    assert space.minima.tolist() == [10.0, 0.0, 10.0]


def test_non_dyadic_points_use_float64() -> None:
    tables = [np.array([[33.3, 0.0], [0.0, 66.7]]), np.array([[66.7, 0.0], [0.0, 33.3]])]
    space = OutcomeSpace.build(from_tables(tables, [0, 0]))
    assert space.utilities.dtype == np.float64


def test_frontier_matches_brute_force_on_random_spaces() -> None:
    rng = np.random.default_rng(7)
    for _ in range(15):
        n_parties, n_issues, n_options = (int(v) for v in rng.integers(2, 5, size=3))
        space = OutcomeSpace.build(from_tables(
            random_tables(rng, n_parties, n_issues, n_options, levels=4), [0] * n_parties))
        u = space.utilities.astype(float)
        ge = np.all(u[None, :, :] >= u[:, None, :], axis=2)
        gt = np.any(u[None, :, :] > u[:, None, :], axis=2)
        brute = ~np.any(ge & gt, axis=1)  # [i, j]: j weakly dominates i
        assert np.array_equal(space.pareto_mask(), brute)


def test_reservation_thresholds_stay_exact_with_float32_utilities() -> None:
    # u_a = 40.296875 (= 10316/256) is exact in float32; a reservation a hair above or below
    # it must not be rounded onto it.
    tables = [np.array([[40.296875, 0.0], [0.0, 100.0]]), np.array([[59.703125, 0.0], [0.0, 0.0]])]
    scenario = from_tables(tables, [0, 0])
    above = OutcomeSpace.build(scenario, {"p0": 40.296875 + 1e-9, "p1": 0.0})
    assert above.utilities.dtype == np.float32
    assert above.individually_rational().tolist() == [True, False, True, False]
    below = OutcomeSpace.build(scenario, {"p0": 40.296875 - 1e-9, "p1": -1.0})
    assert below.zone_of_agreement().tolist() == [True, True, True, False]


def test_matrix_is_column_major_with_the_same_rows() -> None:
    """Columns are contiguous (whole-space scans go party by party); rows read as before."""
    tables = random_tables(np.random.default_rng(4), 3, 3, 4)
    space = OutcomeSpace.build(from_tables(tables, [0.0, 0.0, 0.0]))
    assert space.utilities.flags.f_contiguous and space.utilities.shape == (64, 3)
    for index, combo in enumerate(itertools.product(range(4), range(4), range(4))):
        expected = sum(t[o] for t, o in zip(tables, combo))
        assert space.utilities[index].tolist() == expected.astype(space.utilities.dtype).tolist()
