"""Shuttle caucuses: formulative and manipulative mediators meet a stalled critic alone."""

from __future__ import annotations

import pytest

from treatylab.agents.actions import MediatorAction
from treatylab.agents.mediators import get
from treatylab.agents.mediators.caucus import shuttle_partner
from treatylab.agents.validation import problems
from tests.agents.mediators.conftest import mediator_view


def _text(scenario):
    return {issue.id: issue.option_ids()[0] for issue in scenario.issues}


@pytest.mark.parametrize("strategy", ["formulative", "manipulative"])
def test_stalled_critics_are_met_one_at_a_time(shield, strategy):
    a, b, c = shield.party_ids()[:3]
    view = mediator_view(shield, strategy, round_=4, single_text=_text(shield),
                         text_critics=[a, b, c], text_rejections={a: 3, b: 2, c: 1})
    # c rejected once only: not stalled. a (3) before b (2), rotating by round: 4 % 2 -> a.
    assert shuttle_partner(view) == a
    action = get(strategy).decide(view)
    assert action.caucus_with == a and action.caucus_message
    later = view.model_copy(update={"round": 5})
    assert shuttle_partner(later) == b
    assert problems(view, action) == []


@pytest.mark.parametrize("strategy", ["formulative", "manipulative"])
def test_no_caucus_while_talks_move(shield, strategy):
    a = shield.party_ids()[0]
    view = mediator_view(shield, strategy, round_=3, single_text=_text(shield),
                         text_critics=[a], text_rejections={a: 1})
    assert get(strategy).decide(view).caucus_with is None


def test_a_caucus_must_name_one_party_and_say_something(shield):
    view = mediator_view(shield, "facilitative", round_=2)
    bad = MediatorAction(statement="x", move="pass", caucus_with="atlantis", caucus_message="hello")
    empty = MediatorAction(statement="x", move="pass", caucus_with=shield.party_ids()[0])
    assert any("caucus_with" in p for p in problems(view, bad))
    assert any("caucus_message" in p for p in problems(view, empty))
