"""Burden equity, Theil, weighted Gini and the exploitation indicator, by hand."""

from __future__ import annotations

import math

import pytest

from treatylab.evals import burden_equity
from tests.evals.support import build_scenario

POINTS = {
    p: {"pay": {"p1": 50, "p2": 0, "p3": 20}, "aux": {"q1": 50, "q2": 0}} for p in "abc"
}
FIELDS = {
    ("pay", "p1"): {"burden_shares": {"a": 0.4, "b": 0.4, "c": 0.2}},
    ("pay", "p2"): {"burden_shares": {"a": 0.5, "b": 0.3, "c": 0.2}},
    ("aux", "q1"): {"burden_shares": {"a": 0.6, "b": 0.2, "c": 0.2}},
}
CAPACITY = {"a": 0.5, "b": 0.3, "c": 0.2}
BENEFIT = {"a": 0.2, "b": 0.3, "c": 0.5}


def _scenario(capacity: dict[str, float] = CAPACITY):
    return build_scenario(POINTS, {p: 10 for p in "abc"}, capacity=capacity, benefit=BENEFIT,
                          option_fields=FIELDS)


def test_one_issue_against_capacity() -> None:
    result = burden_equity(_scenario(), {"pay": "p1", "aux": "q2"})
    assert result.value == pytest.approx(0.9)  # TV = (0.1 + 0.1 + 0) / 2
    c = result.components
    assert c["theil"] == pytest.approx(0.4 * math.log(0.8) + 0.4 * math.log(0.4 / 0.3))
    # burden/capacity: a .8, c 1.0, b 1.333; Lorenz X .5 .7 1, Y .4 .6 1 -> 1 - .88
    assert c["gini"] == pytest.approx(0.12)
    # capacity ranks (3,2,1), ratio ranks (1,3,2): rho = 1 - 6*6/(3*8)
    assert c["exploitation"] == pytest.approx(-0.5)
    assert result.parameters == {"reference": "capacity"}
    assert c["issues"] == ["pay"]


def test_benefit_reference() -> None:
    result = burden_equity(_scenario(), {"pay": "p1", "aux": "q2"}, reference="benefit")
    assert result.value == pytest.approx(0.7)  # TV = (.2 + .1 + .3) / 2
    assert result.parameters == {"reference": "benefit"}
    assert result.components["exploitation"] == pytest.approx(-0.5)  # always capacity


def test_shares_of_several_issues_are_averaged() -> None:
    # (.4,.4,.2) and (.6,.2,.2) average to (.5,.3,.2) = capacity: perfectly proportional
    result = burden_equity(_scenario(), {"pay": "p1", "aux": "q1"})
    assert result.value == pytest.approx(1.0)
    assert result.components["theil"] == pytest.approx(0.0, abs=1e-12)
    assert result.components["gini"] == pytest.approx(0.0, abs=1e-12)
    assert result.components["exploitation"] is None  # burden/capacity is constant
    assert result.components["issues"] == ["pay", "aux"]


def test_zero_capacity_party_that_pays() -> None:
    scenario = _scenario({"a": 0.6, "b": 0.4, "c": 0.0})
    result = burden_equity(scenario, {"pay": "p2", "aux": "q2"})
    assert result.value == pytest.approx(1 - 0.5 * (0.1 + 0.1 + 0.2))
    assert result.components["theil"] is None  # infinite: c pays with no capacity
    # ratios b .75, a .833, c inf; X .4 1 1, Y .3 .8 1 -> 1 - (.4*.3 + .6*1.1)
    assert result.components["gini"] == pytest.approx(0.22)


def test_null_without_agreement_or_shares() -> None:
    assert burden_equity(_scenario(), None).value is None
    result = burden_equity(_scenario(), {"pay": "p3", "aux": "q2"})
    assert result.value is None
    assert result.notes == ["no agreed option carries burden_shares"]
