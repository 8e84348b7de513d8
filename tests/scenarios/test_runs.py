"""Every library scenario negotiates to the end with heuristic delegates and the formulative mediator."""

from __future__ import annotations

import pytest

from treatylab.agents.transcript import MEDIATOR
from treatylab.graphs import RunConfig
from treatylab.scenarios import library_ids, load
from tests.conftest import run


@pytest.mark.parametrize("scenario_id", library_ids())
def test_formulative_heuristic_run_finishes(scenario_id: str) -> None:
    scenario = load(scenario_id)
    episode = run(scenario, RunConfig(mediator="formulative", seed=0))
    outcomes = [e for e in episode.events if e.kind == "outcome"]
    assert len(outcomes) == 1, "exactly one outcome per finished episode"
    assert episode.result["outcome"] in ("agreement", "breakdown")
    assert episode.result["scenario"] == scenario_id and episode.result["mediator"] == "formulative"
    assert any(e.kind == "mediator_move" and e.actor == MEDIATOR for e in episode.events)
    if scenario.no_agreement_expected:
        assert episode.result["outcome"] == "breakdown"
        assert episode.result["package"] is None
        assert outcomes[0].payload.signatories == []
    elif episode.result["outcome"] == "agreement":
        package = episode.result["package"]
        assert set(package) == set(scenario.issue_ids())
        for pid in outcomes[0].payload.signatories:
            assert not scenario.violated_red_lines(pid, package)


def test_the_no_agreement_case_breaks_down_whatever_the_seed() -> None:
    scenario = load("ardent-valley")
    for seed in (1, 2, 3):
        episode = run(scenario, RunConfig(mediator="formulative", seed=seed))
        assert episode.result["outcome"] == "breakdown", seed


def test_the_decision_rule_decides_who_must_sign() -> None:
    # concord-council adopts its charter by consensus: an agreement carries all seven names.
    consensus = run(load("concord-council"), RunConfig(mediator="formulative", seed=0))
    outcome = next(e for e in consensus.events if e.kind == "outcome").payload
    assert consensus.result["outcome"] == "agreement"
    assert sorted(outcome.signatories) == sorted(load("concord-council").party_ids())
    # sarn-guardian enters into force with five of seven: seed 2 is carried by six, with
    # Valdoria (whose reservation the agreed package does not meet) outside the coalition.
    scenario = load("sarn-guardian")
    majority = run(scenario, RunConfig(mediator="formulative", seed=2))
    outcome = next(e for e in majority.events if e.kind == "outcome").payload
    assert majority.result["outcome"] == "agreement"
    assert outcome.reason == "signed under qualified_majority"
    assert sorted(outcome.signatories) == ["castellon", "hesperia", "ilvana", "qasiri",
                                           "sundara", "tavira"]
    package = majority.result["package"]
    assert scenario.utility("valdoria", package) < scenario.party("valdoria").reservation
