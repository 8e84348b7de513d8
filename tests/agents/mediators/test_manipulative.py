"""Manipulative mediator: deadlines, compensation within budget, targeted at rejecters."""

from __future__ import annotations

from treatylab.agents.actions import MediatorAction
from treatylab.agents.heuristics.delegate import decide_delegate, decide_vote
from treatylab.agents.mediators import get, leverage
from treatylab.agents.transcript import MediatorMoveEvent, OutcomePayload, OutcomeEvent
from treatylab.agents.validation import problems
from treatylab.agents.views import PendingProposal
from tests.agents.mediators.conftest import delegate_view, mediator_view

TEXT = {"burden": "gdp_proportional", "spending": "pct_2_0", "command": "coordinated",
        "basing": "rotational", "verification": "peer_review", "disputes": "council_arbitration_5y"}


def test_clarify_holds_a_caucus(shield) -> None:
    action = get("manipulative").decide(mediator_view(shield, "manipulative", stage="clarify", round_=0))
    assert action.move == "caucus" and len(action.questions) == 2


def test_first_round_sets_a_deadline_without_compensation(shield) -> None:
    view = mediator_view(shield, "manipulative", round_=1)
    action = get("manipulative").decide(view)
    assert action.move == "set_deadline"
    assert action.deadline_round == 4  # two thirds of six rounds
    assert action.single_text is not None and action.compensation == {}
    assert problems(view, action) == []


def test_passed_deadline_becomes_final_at_the_round_limit(shield) -> None:
    view = mediator_view(shield, "manipulative", round_=4, deadline_round=4)
    assert leverage.deadline(view) == (6, True)
    assert leverage.deadline(mediator_view(shield, "manipulative", round_=3, deadline_round=4)) == (4, False)


def test_compensation_targets_rejecters_escalates_and_fits_the_budget(shield) -> None:
    one = mediator_view(shield, "manipulative", round_=2, single_text=TEXT,
                        text_rejections={"aurelia": 1, "corvinia": 1}, text_critics=["aurelia", "corvinia"])
    offer = leverage.offer(one, TEXT, {})
    # One rejection each: a third of the 12-point budget, split equally, in half points.
    assert offer == {"aurelia": 2.0, "corvinia": 2.0}
    two = mediator_view(shield, "manipulative", round_=3, single_text=TEXT, compensation=offer,
                        text_rejections={"aurelia": 2, "corvinia": 1}, text_critics=["aurelia"])
    # Two thirds (8 points) by pressure 2:1; corvinia keeps at least what it was offered.
    raised = leverage.offer(two, TEXT, {"corvinia": {"command": "national"}})
    assert raised == {"aurelia": 4.0, "corvinia": 4.0}  # corvinia's unmet confided demand adds 1
    three = mediator_view(shield, "manipulative", round_=4, compensation=raised,
                          text_rejections={"aurelia": 5, "borealis": 4, "corvinia": 3})
    capped = leverage.offer(three, TEXT, {})
    assert sum(capped.values()) <= 12.0 and set(capped) == {"aurelia", "borealis", "corvinia"}
    action = get("manipulative").decide(three)
    assert problems(three, action) == []
    assert sum(action.compensation.values()) <= 12.0


def test_no_budget_no_compensation(shield) -> None:
    view = mediator_view(shield, "manipulative", round_=3, text_rejections={"aurelia": 2})
    view = view.model_copy(update={"budget": None})
    assert leverage.offer(view, TEXT, {}) == {}


def test_delegate_counts_compensation_on_the_mediators_text(shield) -> None:
    # Aurelia (boulware) in round 2 aims high; the text alone falls short of its target.
    pending = [PendingProposal(ref="r1-mediator", proposer="mediator", round=1, package=TEXT)]
    bare = delegate_view(shield, "aurelia", round_=2, pending=pending, single_text=TEXT)
    assert decide_delegate(bare).responses["r1-mediator"] == "reject"
    paid = delegate_view(shield, "aurelia", round_=2, pending=pending, single_text=TEXT,
                         compensation={"aurelia": 60.0})
    assert decide_delegate(paid).responses["r1-mediator"] == "accept"
    # Compensation is attached to the text: another package gains nothing from it.
    other = dict(TEXT, spending="pct_2_5")
    elsewhere = delegate_view(shield, "aurelia", round_=2, pending=pending, single_text=other,
                              compensation={"aurelia": 60.0})
    assert decide_delegate(elsewhere).responses["r1-mediator"] == "reject"


def test_vote_counts_compensation(shield) -> None:
    from treatylab.graphs import RunConfig
    from treatylab.graphs import views as builder

    view = builder.delegate_view(shield, RunConfig(mediator="manipulative"), [], "aurelia",
                                 stage="finalize", round_=4, expected="vote", draft=TEXT)
    low = dict(TEXT, command="national")  # 0+10+0+10+6+8 = 34 points, under Aurelia's 48
    plain = view.model_copy(update={"record": view.record.model_copy(update={"draft": low})})
    assert decide_vote(plain).decision == "reject"
    paid = view.model_copy(update={"record": view.record.model_copy(
        update={"draft": low, "single_text": low, "compensation": {"aurelia": 100.0}})})
    assert decide_vote(paid).decision == "sign"


def test_deadline_shortens_the_delegates_horizon(shield) -> None:
    from treatylab.agents.heuristics.delegate import _horizon

    assert _horizon(delegate_view(shield, "aurelia")) == 6
    assert _horizon(delegate_view(shield, "aurelia", deadline_round=4)) == 4


def test_compensation_paid_only_when_its_text_is_agreed() -> None:
    move = MediatorMoveEvent(seq=1, stage="bargain", round=3, actor="mediator", visibility="public",
                             payload=MediatorAction(statement="", move="propose_text", single_text=TEXT,
                                                    compensation={"aurelia": 2.5}))
    agreed = OutcomeEvent(seq=2, stage="finalize", round=4, actor="protocol", visibility="public",
                          payload=OutcomePayload(result="agreement", package=TEXT))
    other = OutcomeEvent(seq=2, stage="finalize", round=4, actor="protocol", visibility="public",
                         payload=OutcomePayload(result="agreement", package=dict(TEXT, burden="equal")))
    assert leverage.compensation_paid([move, agreed]) == {"aurelia": 2.5}
    assert leverage.compensation_paid([move, other]) == {}
    broke = OutcomeEvent(seq=2, stage="bargain", round=6, actor="protocol", visibility="public",
                         payload=OutcomePayload(result="breakdown"))
    assert leverage.compensation_paid([move, broke]) == {}
