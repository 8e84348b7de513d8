"""Durability: periods survived, breaches and disputes, on hand-built implementation records."""

from __future__ import annotations

import pytest

from treatylab.agents.transcript import event_from_dict
from treatylab.evals.durability import durability
from treatylab.scenarios import load


@pytest.fixture(scope="module")
def shield():
    scenario = load("northern-shield")
    return scenario.model_copy(update={"rules": scenario.rules.model_copy(update={"implementation_periods": 4})})


def _events(result: str, periods: dict[int, tuple[list[str], list[str]]]):
    """periods: period -> (defectors, detected)."""
    drafts = [{"stage": "finalize", "round": 3, "actor": "protocol", "kind": "outcome",
               "visibility": "public", "payload": {"result": result}}]
    for period, (defectors, detected) in sorted(periods.items()):
        for party in ("aurelia", "borealis"):
            drafts.append({"stage": "implement", "round": period, "actor": party, "kind": "compliance",
                           "visibility": "private",
                           "payload": {"comply": party not in defectors, "statement": ""}})
        drafts.append({"stage": "implement", "round": period, "actor": "protocol", "kind": "monitoring",
                       "visibility": "public", "payload": {"period": period, "detected": detected}})
    return [event_from_dict({**d, "seq": i}) for i, d in enumerate(drafts)]


def test_full_compliance_survives_every_period(shield):
    result = durability(shield, _events("agreement", {p: ([], []) for p in range(1, 5)}))
    assert result.value == 1.0
    assert result.components["periods_survived"] == 4 and result.components["failed_at"] is None
    assert result.components["defections"] == 0


def test_an_undetected_defection_ends_the_agreement(shield):
    result = durability(shield, _events("agreement", {1: ([], []), 2: ([], []), 3: (["aurelia"], []),
                                                      4: ([], [])}))
    assert result.value == pytest.approx(2 / 4)
    assert result.components["failed_at"] == 3
    assert (result.components["defections"], result.components["undetected"]) == (1, 1)


def test_a_detected_defection_resolved_next_period_is_contained(shield):
    result = durability(shield, _events("agreement", {1: (["borealis"], ["borealis"]), 2: ([], []),
                                                      3: ([], []), 4: ([], [])}))
    assert result.value == 1.0
    c = result.components
    assert (c["detected"], c["disputes_raised"], c["disputes_resolved"]) == (1, 1, 1)


def test_a_repeated_defection_after_a_dispute_fails_the_agreement(shield):
    result = durability(shield, _events("agreement", {1: (["borealis"], ["borealis"]),
                                                      2: (["borealis"], ["borealis"]),
                                                      3: ([], []), 4: ([], [])}))
    assert result.value == pytest.approx(1 / 4)
    c = result.components
    assert c["failed_at"] == 2 and c["disputes_raised"] == 2 and c["disputes_resolved"] == 1


def test_no_agreement_no_durability(shield):
    result = durability(shield, _events("breakdown", {}))
    assert result.value is None and result.notes


def test_durability_is_in_every_scorecard(flagship):
    from treatylab.graphs import RunConfig
    from tests.conftest import run

    episode = run(flagship, RunConfig(mediator="formulative", seed=2))
    assert episode.result["outcome"] == "agreement"
    score = episode.result["scores"]["durability"]
    assert 0.0 <= score["value"] <= 1.0
    assert score["components"]["periods"] == flagship.rules.implementation_periods


def test_survival_curve_per_strategy():
    import pandas as pd

    from treatylab.evals.durability import survival_curve
    from treatylab.evals.report import survival_plot

    frame = pd.DataFrame({
        "status": ["done"] * 4, "mediator": ["a", "a", "b", "b"],
        "agreement": [True, True, True, False],
        "durability.periods_survived": [3, 1, 2, None], "durability.periods": [3, 3, 3, None],
    })
    curve = survival_curve(frame, "mediator")
    assert curve.loc["a"].tolist() == [1.0, 1.0, 0.5, 0.5]
    assert curve.loc["b"].tolist() == [0.5, 0.5, 0.5, 0.0]
    assert "data:image/png;base64," in survival_plot(frame, "mediator")
    assert survival_curve(frame.drop(columns=["durability.periods_survived"]), "mediator") is None
