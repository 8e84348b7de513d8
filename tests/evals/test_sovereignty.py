"""Sovereignty preservation per party, with issue weights, reservations and red lines."""

from __future__ import annotations

import pytest

from treatylab.evals import sovereignty_preservation
from tests.evals.support import build_scenario

POINTS = {
    # a: ranges cmd 20, base 40; b: cmd 50 (b has no cost on base, so only cmd counts)
    "a": {"cmd": {"nat": 30, "int": 10}, "base": {"none": 40, "perm": 0},
          "money": {"lo": 30, "hi": 0}},
    "b": {"cmd": {"nat": 0, "int": 50}, "base": {"none": 0, "perm": 30},
          "money": {"lo": 0, "hi": 20}},
}
FIELDS = {
    ("cmd", "int"): {"sovereignty_cost": {"a": 0.6, "b": 0.2}},
    ("base", "perm"): {"sovereignty_cost": {"a": 0.5}},
}
AGREED = {"cmd": "int", "base": "perm", "money": "lo"}


def _scenario(**kwargs):
    return build_scenario(POINTS, {"a": 10, "b": 10}, option_fields=FIELDS, **kwargs)


def test_weighted_by_utility_range() -> None:
    result = sovereignty_preservation(_scenario(), AGREED)
    per_party = result.components["per_party"]
    assert per_party["a"] == pytest.approx(1 - (20 / 60 * 0.6 + 40 / 60 * 0.5))
    assert per_party["b"] == pytest.approx(0.8)
    assert result.value == pytest.approx((per_party["a"] + 0.8) / 2)
    assert result.components["min"] == pytest.approx(per_party["a"])


def test_reservations_halve_the_cost_on_named_issues() -> None:
    result = sovereignty_preservation(_scenario(), AGREED, {"a": ["base"]})
    assert result.components["per_party"]["a"] == pytest.approx(1 - (0.2 + 2 / 3 * 0.25))
    assert result.parameters == {"reservation_discount": 0.5}


def test_red_line_gives_zero_and_is_listed() -> None:
    scenario = _scenario(red_lines={"b": {"base": ["none"]}})
    result = sovereignty_preservation(scenario, {"cmd": "nat", "base": "none", "money": "lo"})
    assert result.components["per_party"] == {"a": 1.0, "b": 0.0}
    assert result.components["red_line_violations"] == [
        {"party": "b", "issue": "base", "option": "none"}]
    assert result.value == pytest.approx(0.5)


def test_party_without_stated_costs_is_not_measured() -> None:
    fields = {("base", "perm"): {"sovereignty_cost": {"a": 0.5}}}
    scenario = build_scenario(POINTS, {"a": 10, "b": 10}, option_fields=fields)
    result = sovereignty_preservation(scenario, AGREED)
    assert result.components["per_party"] == {"a": 0.5, "b": None}
    assert result.value == 0.5 and result.components["min"] == 0.5


def test_null_without_costs_or_agreement() -> None:
    plain = build_scenario(POINTS, {"a": 10, "b": 10})
    assert sovereignty_preservation(plain, AGREED).value is None
    assert sovereignty_preservation(_scenario(), None).value is None
