"""Hand-computed flags, gap, Nash ratio, advantages and distances of single packages."""

from __future__ import annotations

import math

import numpy as np
import pytest
from tests.evals.support import build_scenario, from_tables
from tests.evals.test_outcome_space import THREE_TABLE, TWO, TWO_R

from treatylab.evals import OutcomeSpace, analyze_package


@pytest.fixture
def three() -> OutcomeSpace:
    return OutcomeSpace.build(from_tables([THREE_TABLE.astype(float)], [10, 10, 10]))


def test_dominated_package_has_gap_and_zero_ratio(three: OutcomeSpace) -> None:
    result = analyze_package(three, {"i0": "o0"})  # (70, 0, 10), dominated by o3
    assert not result.strictly_pareto_optimal and not result.weakly_pareto_optimal
    # normalised: minima (10,0,10), spans (90,100,90); o0 -> (.667,0,0), o3 -> (1,.4,.222)
    assert result.pareto_gap == pytest.approx(2 / 9)
    assert result.individually_rational == {"p0": True, "p1": False, "p2": True}
    assert not result.feasible and result.nash_ratio == 0.0
    assert result.advantage["p1"] == pytest.approx(-10 / 90)


def test_frontier_package_ratio_advantage_and_distance(three: OutcomeSpace) -> None:
    result = analyze_package(three, {"i0": "o3"})  # (100, 40, 30)
    assert result.strictly_pareto_optimal and result.weakly_pareto_optimal
    assert result.pareto_gap == 0.0
    assert result.nash_ratio == pytest.approx(54000 / 63000)
    assert result.advantage == pytest.approx({"p0": 1.0, "p1": 30 / 90, "p2": 20 / 90})
    # to Nash o1: normalised (1, .4, 2/9) vs (1/9, .8, 1)
    expected = math.sqrt((8 / 9) ** 2 + 0.4 ** 2 + (7 / 9) ** 2)
    assert result.distances["nash"] == pytest.approx(expected)
    assert result.distances["egalitarian"] == 0.0  # o3 is the egalitarian package
    assert result.solutions["nash"] == {"i0": "o1"}


def test_weakly_but_not_strictly_optimal() -> None:
    space = OutcomeSpace.build(build_scenario(TWO, TWO_R))
    result = analyze_package(space, {"x": "x2", "y": "y0"})  # (70, 80) under (70, 90)
    assert result.weakly_pareto_optimal and not result.strictly_pareto_optimal
    assert result.pareto_gap == 0.0
    assert result.nash_ratio == pytest.approx(30 * 60 / 2100)


def test_gap_of_an_interior_package() -> None:
    space = OutcomeSpace.build(build_scenario(TWO, TWO_R))
    result = analyze_package(space, {"x": "x1", "y": "y1"})  # (40, 60)
    # normalised (0, .5); best common gain is against 5 (70,90) -> (.5, .875): min .375
    assert result.pareto_gap == pytest.approx(0.375)
    assert not result.weakly_pareto_optimal


def test_red_line_crossing_is_named_and_infeasible() -> None:
    scenario = build_scenario(TWO, TWO_R, red_lines={"a": {"y": ["y2"]}})
    space = OutcomeSpace.build(scenario)
    result = analyze_package(space, {"x": "x1", "y": "y2"})
    assert [(c.party, c.issue, c.option) for c in result.red_lines_crossed] == [("a", "y", "y2")]
    assert result.strictly_pareto_optimal  # optimality is judged on the whole space
    assert not result.feasible and result.nash_ratio == 0.0


def test_ratio_is_one_when_every_feasible_product_is_zero() -> None:
    # r equal to the only rational utilities: the single IR package has zero gains.
    tables = [np.array([[100.0, 0.0], [0.0, 100.0], [50.0, 50.0]])]
    space = OutcomeSpace.build(from_tables(tables, [50, 50]))
    assert space.nash_index() == 2
    assert analyze_package(space, {"i0": "o2"}).nash_ratio == 1.0
    assert analyze_package(space, {"i0": "o0"}).nash_ratio == 0.0


def test_result_is_a_frozen_record(three: OutcomeSpace) -> None:
    result = analyze_package(three, {"i0": "o2"})
    with pytest.raises(Exception):
        result.pareto_gap = 1.0  # type: ignore[misc]
    assert type(result).model_validate_json(result.model_dump_json()) == result
