"""Stall detection: restated packages end bargaining within k rounds; a settled deal goes to the vote."""

from __future__ import annotations

import pytest

from treatylab.agents.actions import DelegateAction, Proposal
from treatylab.agents.backends.base import Backend, TurnResult
from treatylab.agents.backends.heuristic import HeuristicBackend
from treatylab.agents.transcript import MEDIATOR
from treatylab.agents.views import View
from treatylab.graphs import RunConfig
from tests.conftest import run


class Restater(Backend):
    """Tables the same package every bargaining round and rejects everything; else baseline."""

    name = "restater"

    def __init__(self, package: dict[str, str]) -> None:
        self.package = package
        self.inner = HeuristicBackend()

    async def aact(self, view: View) -> TurnResult:
        if view.stage == "bargain" and view.role == "delegate":
            responses = {p.ref: "reject" for p in view.record.pending}
            action = DelegateAction(statement="We restate our proposal.", responses=responses,
                                    proposal=Proposal(proposer=view.party_id, package=self.package))
            return TurnResult(action=action)
        return await self.inner.aact(view)


class Scripted(Backend):
    """Per bargaining round: a package to table and refs to accept."""

    name = "scripted"

    def __init__(self, script: dict[int, tuple[dict[str, str], list[str]]]) -> None:
        self.script = script
        self.inner = HeuristicBackend()

    async def aact(self, view: View) -> TurnResult:
        if view.stage == "bargain" and view.role == "delegate" and view.round in self.script:
            package, accepts = self.script[view.round]
            responses = {p.ref: ("accept" if p.ref in accepts else "reject") for p in view.record.pending}
            return TurnResult(action=DelegateAction(
                statement="Scripted.", responses=responses,
                proposal=Proposal(proposer=view.party_id, package=package)))
        return await self.inner.aact(view)


def _favourite(scenario, party):
    return {i: max(row, key=row.get) for i, row in scenario.utilities[party].items()}


def _with_rules(scenario, **rules):
    return scenario.model_copy(update={"rules": scenario.rules.model_copy(update=rules)})


def _restaters(scenario):
    backends: dict[str, Backend] = {p: Restater(_favourite(scenario, p)) for p in scenario.party_ids()}
    backends[MEDIATOR] = HeuristicBackend()
    return backends


@pytest.mark.parametrize("k", [1, 2, 3])
def test_restated_packages_end_bargaining_within_k_rounds(tiny, k):
    scenario = _with_rules(tiny, max_rounds=12, stall_rounds=k, on_stall="end")
    episode = run(scenario, RunConfig(mediator="none", seed=4), backends=_restaters(scenario))
    stalls = [e for e in episode.events if e.kind == "stall"]
    assert len(stalls) == 1
    stall = stalls[0].payload
    assert stall.reason == "restated" and stall.rounds == k and stall.action == "end"
    # Round 1 tables the packages; from round 2 on they are only restated: the stall starts at
    # round 2 and bargaining ends k rounds into it, far before the round limit of 12.
    assert stalls[0].round == 1 + k
    bargain_rounds = {e.round for e in episode.events if e.stage == "bargain"}
    assert max(bargain_rounds) == 1 + k
    assert episode.result["outcome"] == "breakdown"
    outcome = [e for e in episode.events if e.kind == "outcome"][-1]
    assert "stalled" in outcome.payload.reason


def test_a_stall_puts_the_best_supported_text_to_the_vote(tiny):
    scenario = _with_rules(tiny, max_rounds=12, stall_rounds=2, on_stall="vote")
    episode = run(scenario, RunConfig(mediator="none", seed=4), backends=_restaters(scenario))
    stall = next(e for e in episode.events if e.kind == "stall")
    assert stall.round == 3 and stall.payload.action == "vote"
    assert stall.payload.package in [_favourite(scenario, p) for p in scenario.party_ids()]
    votes = [e for e in episode.events if e.kind == "vote"]
    assert votes and all(e.round == 3 for e in votes[: len(scenario.parties)])
    first = next(e for e in episode.events if e.kind == "outcome")
    assert first.payload.package == stall.payload.package


def test_continue_records_the_stall_and_talks_go_on(tiny):
    scenario = _with_rules(tiny, max_rounds=6, stall_rounds=2, on_stall="continue")
    episode = run(scenario, RunConfig(mediator="none", seed=4), backends=_restaters(scenario))
    stalls = [e.round for e in episode.events if e.kind == "stall"]
    # Counting starts afresh after each stall: round 4 tables the packages again, rounds 5-6
    # restate them, so the second stall comes at round 6.
    assert stalls == [3, 6]
    assert max(e.round for e in episode.events if e.stage == "bargain") == 6


def test_every_party_accepting_one_text_while_talking_goes_to_the_vote(tiny):
    scenario = _with_rules(tiny, max_rounds=8, stall_rounds=3, on_stall="vote")
    alpha, beta, gamma = scenario.party_ids()
    deal = {"burden": "capacity", "command": "national", "verification": "inspections"}
    other = {"burden": "equal", "command": "integrated", "verification": "inspections"}
    third = {"burden": "capacity", "command": "integrated", "verification": "inspections"}
    backends: dict[str, Backend] = {
        # Alpha tables the deal in round 1, then talks about something else.
        alpha: Scripted({1: (deal, []), 2: (third, []), 3: (third, [])}),
        # Beta and Gamma accept Alpha's round-1 text in round 2 but keep proposing.
        beta: Scripted({1: (other, []), 2: (other, [f"r1-{alpha}"])}),
        gamma: Scripted({1: (other, []), 2: (other, [f"r1-{alpha}"])}),
        MEDIATOR: HeuristicBackend(),
    }
    episode = run(scenario, RunConfig(mediator="none", seed=2), backends=backends)
    stall = next(e for e in episode.events if e.kind == "stall")
    assert stall.round == 2 and stall.payload.reason == "accepted_while_talking"
    assert stall.payload.package == deal and stall.payload.supporters == sorted([alpha, beta, gamma])


def test_baseline_talks_that_keep_moving_do_not_stall(flagship):
    episode = run(flagship, RunConfig(mediator="formulative", seed=0))
    assert not [e for e in episode.events if e.kind == "stall"]
    assert episode.result["outcome"] == "agreement"
