"""Oracle baseline: the Nash package by brute force over the true utilities."""

from __future__ import annotations

import itertools
import math

import pytest

from treatylab.agents.mediators import get
from treatylab.agents.views import OracleInfo
from tests.agents.mediators.conftest import mediator_view


def brute_force_nash(scenario) -> tuple[dict[str, str], float]:
    best, best_product = None, -1.0
    ids = [issue.id for issue in scenario.issues]
    for combo in itertools.product(*[issue.option_ids() for issue in scenario.issues]):
        package = dict(zip(ids, combo))
        if any(package[l.issue] in l.forbid for p in scenario.parties for l in p.red_lines):
            continue
        gains = [sum(scenario.utilities[p.id][i][o] for i, o in package.items()) - p.reservation
                 for p in scenario.parties]
        if min(gains) < 0:
            continue
        product = math.prod(gains)
        if product > best_product:
            best, best_product = package, product
    return best, best_product


def test_oracle_view_and_nash_text(shield) -> None:
    view = mediator_view(shield, "oracle", round_=1, oracle=True)
    assert isinstance(view.oracle, OracleInfo)
    action = get("oracle").decide(view)
    expected, product = brute_force_nash(shield)
    assert product > 0
    assert action.move == "propose_text" and action.single_text == expected


def test_oracle_skips_texts_voted_down(shield) -> None:
    expected, _ = brute_force_nash(shield)
    view = mediator_view(shield, "oracle", round_=3, oracle=True, rejected=[expected])
    text = get("oracle").decide(view).single_text
    assert text is not None and text != expected


def test_oracle_without_zone_of_agreement_tables_least_infeasible(shield) -> None:
    view = mediator_view(shield, "oracle", round_=1, oracle=True)
    info = view.oracle.model_copy(update={"reservations": {p: 99.0 for p in view.oracle.reservations}})
    action = get("oracle").decide(view.model_copy(update={"oracle": info}))
    assert "no package leaves every delegation above its alternative" in action.statement


def test_oracle_agrees_with_the_evaluators_nash_point() -> None:
    """An independent implementation: evals.OutcomeSpace's Nash point on every library scenario."""
    from treatylab import scenarios
    from treatylab.evals import OutcomeSpace

    for scenario_id in scenarios.library_ids():
        scenario = scenarios.load(scenario_id)
        space = OutcomeSpace.build(scenario)
        index = space.nash_index()
        view = mediator_view(scenario, "oracle", round_=1, oracle=True)
        action = get("oracle").decide(view)
        if index is None:
            assert "no package leaves every delegation" in action.statement
            continue
        gains = {p.id: sum(scenario.utilities[p.id][i][o] for i, o in action.single_text.items()) - p.reservation
                 for p in scenario.parties}
        expected = {p.id: sum(scenario.utilities[p.id][i][o] for i, o in space.package(index).items()) - p.reservation
                    for p in scenario.parties}
        assert math.prod(gains.values()) == pytest.approx(math.prod(expected.values())), scenario_id
