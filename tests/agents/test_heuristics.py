"""Baseline policy numbers: concession curve, frequency model, red lines never crossed."""

from __future__ import annotations

import math

import numpy as np
import pytest

from treatylab.agents.heuristics.concession import EXPONENTS, target_utility
from treatylab.agents.heuristics.opponent_model import option_values
from treatylab.agents.heuristics.packages import PackageGrid
from treatylab.agents.views import PartyPosition
from treatylab.graphs import RunConfig
from treatylab.scenarios.schema import Issue, Option, RedLine
from tests.conftest import run


def test_concession_curve_hand_computed():
    # r = 40, 6 rounds; round 4 -> t = 3/5. Linear: 40 + 60 * (1 - 0.6) = 64.
    assert target_utility(1.0, 40, 4, 6) == pytest.approx(64.0)
    # Boulware e = 0.35: 40 + 60 * (1 - 0.6 ** (1 / 0.35)).
    assert target_utility(EXPONENTS["boulware"], 40, 4, 6) == pytest.approx(
        40 + 60 * (1 - 0.6 ** (1 / 0.35)))
    assert target_utility(2.5, 40, 1, 6) == 100.0
    assert target_utility(2.5, 40, 6, 6) == 40.0
    # Boulware concedes less than linear, which concedes less than conceder, mid-way.
    mid = [target_utility(EXPONENTS[s], 40, 3, 6) for s in ("boulware", "linear", "conceder")]
    assert mid[0] > mid[1] > mid[2]


def _issues():
    return [Issue(id="a", title="A", options=[Option(id="x", label="X"), Option(id="y", label="Y")]),
            Issue(id="b", title="B", options=[Option(id="p", label="P"), Option(id="q", label="Q"),
                                              Option(id="r", label="R")])]


def test_frequency_model_hand_computed():
    grid = PackageGrid(_issues())
    position = PartyPosition(option_counts={"a": {"x": 3}, "b": {"p": 1, "q": 2}})
    values = option_values(position, grid)
    # Issue a: top 3, total 3 -> weight (1+3)/(1+3) = 1; issue b: top 2, total 3 -> 3/4.
    wa, wb = 1.0 / 1.75, 0.75 / 1.75
    assert values["a"]["x"] == pytest.approx(wa * 1.0)
    assert values["a"]["y"] == pytest.approx(wa * 1 / 4)
    assert values["b"]["q"] == pytest.approx(wb * 1.0)
    assert values["b"]["p"] == pytest.approx(wb * 2 / 3)
    assert values["b"]["r"] == pytest.approx(wb * 1 / 3)


def test_declared_red_line_zeroes_the_estimate():
    grid = PackageGrid(_issues())
    position = PartyPosition(declared_red_lines=[RedLine(issue="b", forbid=["r"])])
    assert option_values(position, grid)["b"]["r"] == 0.0


def test_grid_enumerates_every_package_once():
    grid = PackageGrid(_issues())
    packages = {tuple(sorted(grid.package(i).items())) for i in range(len(grid))}
    assert len(grid) == 6 == len(packages)
    assert all(grid.index_of(grid.package(i)) == i for i in range(len(grid)))
    scores = grid.score({"a": {"x": 10, "y": 0}, "b": {"p": 1, "q": 2, "r": 3}})
    assert sorted(scores.tolist()) == [1, 2, 3, 11, 12, 13]


@pytest.mark.parametrize("mediator", ["none", "facilitative", "formulative"])
def test_no_delegate_ever_proposes_or_signs_across_its_red_lines(flagship, mediator):
    episode = run(flagship, RunConfig(mediator=mediator, seed=5))
    for event in episode.events:
        if event.kind == "delegate_move" and event.payload.proposal and event.stage == "bargain":
            assert not flagship.violated_red_lines(event.actor, event.payload.proposal.package)
        if event.kind == "vote" and event.payload.decision != "reject":
            package = episode.result["package"] or next(
                e.payload.package for e in episode.events if e.kind == "outcome" and e.payload.package)
            assert not flagship.violated_red_lines(event.actor, package)


def test_agreement_is_individually_rational_for_signatories(flagship):
    episode = run(flagship, RunConfig(mediator="formulative", seed=7))
    package = episode.result["package"]
    assert package is not None
    for party in flagship.parties:
        assert flagship.utility(party.id, package) >= party.reservation + min(
            0.0, sum(s.reservation_delta.get(party.id, 0.0) for s in flagship.shocks))
    assert math.isfinite(float(np.sum([flagship.utility(p, package) for p in flagship.party_ids()])))
