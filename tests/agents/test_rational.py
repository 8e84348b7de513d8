"""Rational baselines: near the deadline any rational text is accepted; nothing below it is signed."""

from __future__ import annotations

import itertools

import pytest

from treatylab.agents.heuristics.delegate import decide_delegate, decide_vote
from treatylab.agents.heuristics.rational import deals_mask
from treatylab.agents.heuristics.packages import grid_for
from treatylab.agents.views import PendingProposal
from treatylab.graphs import RunConfig
from treatylab.graphs import views as view_builder
from treatylab.graphs.protocol import passes
from treatylab.scenarios import load


@pytest.fixture(scope="module")
def shield():
    return load("northern-shield")


def _utility(scenario, party, package):
    return sum(scenario.utilities[party][i][o] for i, o in package.items())


def _clean(scenario, party, package):
    return not any(package.get(l.issue) in l.forbid for l in scenario.party(party).red_lines)


def _text_near_reservation(scenario, party, low, high):
    """A red-line-free package worth between low and high points above the reservation."""
    r = scenario.party(party).reservation
    ids = [issue.id for issue in scenario.issues]
    for combo in itertools.product(*[issue.option_ids() for issue in scenario.issues]):
        package = dict(zip(ids, combo))
        if _clean(scenario, party, package) and r + low <= _utility(scenario, party, package) < r + high:
            return package
    raise AssertionError("no such package")


def _view(scenario, party, round_, stage="bargain", **record):
    config = RunConfig(mediator="formulative", seed=1)
    expected = "vote" if stage == "finalize" else "delegate_action"
    view = view_builder.delegate_view(scenario, config, [], party, stage=stage, round_=round_,
                                      expected=expected, draft=record.pop("draft", None))
    return view.model_copy(update={"record": view.record.model_copy(update=record)})


def test_closing_rounds_accept_a_rational_text_the_aspiration_refuses(shield):
    party = "aurelia"
    text = _text_near_reservation(shield, party, 0.0, 3.0)
    pending = [PendingProposal(ref="r1-mediator", proposer="mediator", round=1, package=text)]
    early = decide_delegate(_view(shield, party, 2, pending=pending))
    late = decide_delegate(_view(shield, party, shield.rules.max_rounds, pending=pending))
    assert early.responses == {"r1-mediator": "reject"}
    assert late.responses == {"r1-mediator": "accept"}


def test_below_reservation_or_across_a_red_line_is_never_accepted(shield):
    party = "aurelia"
    below = _text_near_reservation(shield, party, -6.0, -0.5)
    pending = [PendingProposal(ref="r5-mediator", proposer="mediator", round=5, package=below)]
    late = decide_delegate(_view(shield, party, shield.rules.max_rounds, pending=pending))
    assert late.responses == {"r5-mediator": "reject"}
    liner = next(p for p in shield.parties if p.red_lines)
    line = liner.red_lines[0]
    best = {i: max(row, key=row.get) for i, row in shield.utilities[liner.id].items()}
    crossing = {**best, line.issue: line.forbid[0]}
    pending = [PendingProposal(ref="r5-mediator", proposer="mediator", round=5, package=crossing)]
    late = decide_delegate(_view(shield, liner.id, shield.rules.max_rounds, pending=pending))
    assert late.responses == {"r5-mediator": "reject"}


def test_vote_signs_exactly_the_texts_at_or_above_reservation(shield):
    party = "aurelia"
    above = _text_near_reservation(shield, party, 0.0, 2.0)
    below = _text_near_reservation(shield, party, -4.0, -0.01)
    assert decide_vote(_view(shield, party, 6, stage="finalize", draft=above)).decision != "reject"
    assert decide_vote(_view(shield, party, 6, stage="finalize", draft=below)).decision == "reject"


@pytest.mark.parametrize("scenario_id", ["northern-shield", "sarn-guardian", "concord-council"])
def test_deals_under_the_rule_match_brute_force(scenario_id):
    scenario = load(scenario_id)
    grid = grid_for(list(scenario.issues))
    mask = deals_mask(scenario)
    expected = []
    for index in range(len(grid)):
        package = grid.package(index)
        willing = {p.id for p in scenario.parties
                   if _utility(scenario, p.id, package) >= p.reservation and _clean(scenario, p.id, package)}
        expected.append(bool(passes(scenario, willing)))
    assert mask.tolist() == expected
    assert 0 < mask.sum() < len(grid)
