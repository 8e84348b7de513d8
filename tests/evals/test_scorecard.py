"""evaluate(): the whole scorecard from a hand-written transcript and from a real episode."""

from __future__ import annotations

import asyncio

import pytest

from treatylab.evals import Scorecard, evaluate
from tests.evals.support import EventLog, build_scenario
from tests.evals.test_outcome_space import TWO, TWO_R
from tests.evals.test_trust import AGREED, FIELDS, transcript

SHOCKS = [{"id": "crisis", "at_round": 2, "public": "...", "reservation_delta": {"a": -15}}]


def _scenario():
    fields = dict(FIELDS)
    fields[("x", "x2")] = {"burden_shares": {"a": 0.7, "b": 0.3},
                           "sovereignty_cost": {"a": 0.5, "b": 0.0}}
    return build_scenario(TWO, TWO_R, option_fields=fields, shocks=SHOCKS,
                          capacity={"a": 0.6, "b": 0.4})


def test_agreement_scorecard() -> None:
    log = transcript()
    log.usage("a", 100, 20).usage("b", 50, 10, repair=True).failed("b", 2)
    card = evaluate(_scenario(), log.events)
    assert card.outcome == "agreement" and card.package == AGREED
    assert card.signatories == ["a", "b"] and card.rounds == 3
    assert card.utilities == {"a": 80.0, "b": 70.0} and card.payoffs == card.utilities
    assert card.individually_rational == {"a": True, "b": True}
    assert card.pareto_optimal is True and card.pareto_gap == 0.0
    assert card.nash_ratio == pytest.approx(40 * 50 / 2100)  # Nash is (70, 90)
    assert card.frontier_size == 5
    assert card.burden_equity.value == pytest.approx(0.9)  # TV(.7/.3, .6/.4) = .1
    # a: only x has costs (weight 1), cost .5; b: cost 0 on x
    assert card.sovereignty_preservation.components["per_party"] == {"a": 0.5, "b": 1.0}
    assert card.trust.value == pytest.approx((0.6 + 0.6 + 0.5 + 0.5 + 0.5 + 0.65 + 0.75) / 7)
    p = card.process
    assert (p.llm_calls, p.repairs, p.prompt_tokens, p.completion_tokens) == (2, 1, 150, 30)
    assert p.total_tokens == 180 and p.failed_turns_by_actor == {"b": 1}
    assert p.compliance_periods == 2 and p.cost is None


def test_sign_with_reservations_discounts_sovereignty_cost() -> None:
    log = transcript()
    log.vote("a", "sign_with_reservations", ["x"])  # a later vote replaces a's first
    card = evaluate(_scenario(), log.events)
    assert card.sovereignty_preservation.components["per_party"]["a"] == pytest.approx(0.75)


def test_fired_shocks_move_reservations() -> None:
    log = EventLog().shock("crisis", 2)
    log.move("a", 2, AGREED).move("b", 2, AGREED)
    log.vote("a", "sign").vote("b", "sign").outcome("agreement", AGREED, ["a", "b"])
    card = evaluate(_scenario(), log.events)
    assert card.reservations == {"a": 25.0, "b": 20.0}
    assert card.advantage["a"] == pytest.approx((80 - 25) / (100 - 25))


def test_breakdown_scorecard_is_null_where_nothing_was_agreed() -> None:
    log = EventLog().move("a", 1, AGREED).outcome("breakdown", stage="bargain")
    card = evaluate(_scenario(), log.events)
    assert card.outcome == "breakdown" and card.package is None and card.signatories == []
    assert card.utilities is None and card.payoffs == {"a": 40.0, "b": 20.0}
    assert card.pareto_optimal is None and card.nash_ratio is None and card.pareto_gap is None
    assert card.burden_equity.value is None and card.burden_equity.notes == ["no agreement"]
    assert card.sovereignty_preservation.value is None and card.trust.value is None


def test_rejected_text_is_not_an_agreement() -> None:
    log = EventLog().vote("a", "reject").vote("b", "sign").outcome("rejected", AGREED, ["b"])
    assert evaluate(_scenario(), log.events).outcome == "breakdown"


def test_real_episode_scores_match_and_round_trip(flagship) -> None:
    from treatylab.graphs import RunConfig
    from treatylab.runner import run_episode

    run = asyncio.run(run_episode(flagship, RunConfig(mediator="formulative", seed=3)))
    card = evaluate(flagship, run.events)
    assert card.model_dump(mode="json")["outcome"] == run.result["outcome"]
    assert Scorecard.model_validate_json(card.model_dump_json()) == card
    assert evaluate(flagship, run.events) == card  # pure: same input, same card
    for metric in (card.trust, card.burden_equity, card.sovereignty_preservation):
        assert metric.value is None or 0.0 <= metric.value <= 1.0
    if card.outcome == "agreement":
        assert card.nash_ratio is not None and 0.0 <= card.nash_ratio <= 1.0
