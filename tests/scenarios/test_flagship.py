"""northern-shield, the flagship: the shape other packages and the demo rely on."""

from __future__ import annotations

import pytest

from treatylab.scenarios import Scenario, load
from treatylab.evals.scenario_check import check


@pytest.fixture(scope="module")
def ns() -> Scenario:
    return load("northern-shield")


def test_shape_and_rules(ns: Scenario) -> None:
    assert len(ns.parties) == 5 and len(ns.issues) == 6
    assert ns.issue_ids() == ["burden", "spending", "command", "basing", "verification", "disputes"]
    assert all(3 <= len(issue.options) <= 4 for issue in ns.issues)
    rules = ns.rules
    assert (rules.max_rounds, rules.decision_rule, rules.lead_party,
            rules.implementation_periods) == (6, "unanimity", "aurelia", 3)
    assert ns.mediator_budget is not None and ns.mediator_budget.points > 0


def test_issue_attributes(ns: Scenario) -> None:
    assert all(o.burden_shares for o in ns.issue("burden").options)
    assert ns.issue("burden").option_ids() == ["equal", "gdp_proportional",
                                               "benefit_proportional", "capped_hybrid"]
    assert ns.issue("burden").option("gdp_proportional").burden_shares == {
        p.id: p.capacity for p in ns.parties}
    assert all(len(o.sovereignty_cost) == 5 for o in ns.issue("command").options)
    for issue_id in ("verification", "disputes"):
        values = [o.trust_value for o in ns.issue(issue_id).options]
        assert None not in values and values == sorted(values)


def test_parties_and_shocks(ns: Scenario) -> None:
    assert sum(1 for p in ns.parties if p.red_lines) >= 2
    assert all(35 <= p.reservation <= 55 for p in ns.parties)
    assert {p.style for p in ns.parties} == {"boulware", "linear", "conceder"}
    assert any(s.at_round and s.reservation_delta for s in ns.shocks)
    assert any(s.at_period and s.defection_temptation for s in ns.shocks)
    assert set(ns.initial_trust) == set(ns.party_ids())


def test_zone_is_reasonably_sized_and_nash_is_a_compromise(ns: Scenario) -> None:
    report = check(ns)
    assert 0.02 <= report.zone_share <= 0.15
    assert report.nash is not None
    assert report.nash.package == {
        "burden": "benefit_proportional", "spending": "pct_2_0", "command": "coordinated",
        "basing": "permanent", "verification": "peer_review",
        "disputes": "council_arbitration_5y"}
    assert report.nash.utilities == {"aurelia": 68, "borealis": 69, "corvinia": 72,
                                     "dalmora": 58, "estvia": 62}
