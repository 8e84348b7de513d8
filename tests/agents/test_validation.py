"""Actions are checked against the view: every problem is a sentence that names the fix."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from treatylab.agents import validation
from treatylab.agents.actions import Commitment, DelegateAction, MediatorAction, Proposal, Vote
from treatylab.graphs import RunConfig
from treatylab.graphs.views import delegate_view, mediator_view


@pytest.fixture()
def view(tiny):
    return delegate_view(tiny, RunConfig(), [], "alpha", stage="bargain", round_=1,
                         expected="delegate_action")


def test_a_full_legal_package_passes(view, tiny):
    package = {issue.id: issue.options[0].id for issue in tiny.issues}
    action = DelegateAction(statement="ok", proposal=Proposal(proposer="alpha", package=package))
    assert validation.problems(view, action) == []


def test_missing_issue_and_unknown_option_are_named(view, tiny):
    first, second = tiny.issues[0], tiny.issues[1]
    package = {first.id: "no-such-option", second.id: second.options[0].id}
    action = DelegateAction(statement="x", proposal=Proposal(proposer="alpha", package=package))
    found = validation.problems(view, action)
    assert any("no-such-option" in p and first.id in p for p in found)
    assert any(f"missing issue '{tiny.issues[2].id}'" in p for p in found)


def test_responses_must_name_pending_refs_and_proposer_must_be_self(view, tiny):
    package = {issue.id: issue.options[0].id for issue in tiny.issues}
    action = DelegateAction(statement="x", responses={"r9-beta": "accept"},
                            proposal=Proposal(proposer="beta", package=package))
    found = validation.problems(view, action)
    assert any("r9-beta" in p and "not a pending proposal" in p for p in found)
    assert any("own id 'alpha'" in p for p in found)


def test_commitments_and_trust_are_checked(view, tiny):
    action = DelegateAction(statement="x", trust={"alpha": 0.5, "zeta": 0.2},
                            commitments=[Commitment(issue="nope", option="x")])
    found = validation.problems(view, action)
    assert any("unknown issue 'nope'" in p for p in found)
    assert any("'alpha' is not another party" in p for p in found)
    assert any("'zeta' is not another party" in p for p in found)


def test_trust_outside_unit_interval_is_a_shape_error():
    with pytest.raises(ValidationError):
        DelegateAction(statement="x", trust={"beta": 1.5})


def test_wrong_action_kind_for_the_stage(view):
    assert validation.problems(view, Vote(decision="sign")) == [
        "expected a delegate_action answer, got vote"]


def test_mediator_text_needs_a_package_and_budget_is_enforced(tiny):
    mview = mediator_view(tiny, RunConfig(mediator="formulative"), [], stage="bargain",
                          round_=1, oracle=False)
    found = validation.problems(mview, MediatorAction(statement="t", move="propose_text",
                                                      compensation={"alpha": 5.0}))
    assert any("needs a full package" in p for p in found)
    assert any("exceeds the mediator budget" in p for p in found)
