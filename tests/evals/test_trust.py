"""Every trust component on one hand-written transcript (numbers worked out in comments).

Scenario TWO (a, b; issues x, y): {x0,y2} = (100, 50), {x2,y2} = (80, 70),
{x1,y0} = (60, 100), {x2,y0} = (70, 80). Trust values on y: y0 .2, y2 .6.
"""

from __future__ import annotations

import pytest

from treatylab.evals import trust
from treatylab.evals.trust import (
    brier,
    compliance,
    consistency,
    elicited,
    priority_consistency,
    promise_keeping,
    reciprocity,
    structural,
)
from tests.evals.support import EventLog, build_scenario
from tests.evals.test_outcome_space import TWO, TWO_R

AGREED = {"x": "x2", "y": "y2"}
FIELDS = {("y", "y0"): {"trust_value": 0.2}, ("y", "y2"): {"trust_value": 0.6}}


def scenario():
    return build_scenario(TWO, TWO_R, option_fields=FIELDS)


def transcript() -> EventLog:
    log = EventLog()
    log.trust("a", {"b": 0.4}).trust("b", {"a": 0.6})
    log.move("a", 1, {"x": "x0", "y": "y2"}, commitments=[("y", "y2")],
             red_lines=[("x", ["x1"])], priorities=["x", "y"])
    log.move("b", 1, {"x": "x1", "y": "y0"}, commitments=[("x", "x1")], priorities=["y", "x"])
    log.move("a", 2, {"x": "x2", "y": "y2"}, responses={"r1-b": "reject"})
    log.move("b", 2, {"x": "x2", "y": "y0"}, responses={"r1-a": "reject"},
             red_lines=[("y", ["y2"])])
    log.move("a", 3, AGREED, responses={"r2-b": "accept"})
    log.move("b", 3, AGREED, responses={"r2-a": "accept"})
    log.vote("a", "sign").vote("b", "sign_with_reservations", ["x"])
    log.outcome("agreement", AGREED, ["a", "b"])
    log.trust("a", {"b": 0.8}, stage="finalize").trust("b", {"a": 0.5}, stage="finalize")
    log.comply("a", 1, True).comply("b", 1, False).comply("a", 2, True).comply("b", 2, True)
    return log


def test_structural() -> None:
    assert structural(scenario(), AGREED) == pytest.approx(0.6)  # only y defines trust values
    assert structural(scenario(), None) is None
    assert structural(build_scenario(TWO, TWO_R), AGREED) is None


def test_promise_keeping() -> None:
    # a (y=y2): proposals r2, r3 and its vote keep it (3); b (x=x1): proposals r2, r3 break
    # it (2); b's vote is on a text without x1, so it is no test.
    assert promise_keeping(transcript().events) == pytest.approx(3 / 5)


def test_consistency() -> None:
    # a forbids x1: proposals r2, r3 avoid it, and it rejects r1-b which holds x1 (3 of 3).
    # b forbids y2 at r2: proposes it at r3, accepts r2-a holding it, signs it (0 of 3).
    assert consistency(transcript().events) == pytest.approx(0.5)


def test_priority_consistency() -> None:
    # a ranks x over y but moves x first (rho -1 -> 0); b ranks y over x and moves x at
    # step 1, y at step 2 (rho +1 -> 1).
    assert priority_consistency(scenario(), transcript().events) == pytest.approx(0.5)


def test_reciprocity() -> None:
    # a's r2 proposal gives b 70 > 50; b's next (r3) gives a 80 > 70: answered.
    # b's r2 proposal gives a 70 > 60; a's r3 gives b 70, not more than 70: unanswered.
    # b's r3 concession has no later proposal of a to answer it.
    assert reciprocity(scenario(), transcript().events) == pytest.approx(0.5)


def test_elicited_compliance_and_brier() -> None:
    events = transcript().events
    assert elicited(events) == pytest.approx((0.5, 0.65))
    assert compliance(events) == pytest.approx(0.75)
    # forecasts: b on a .5 (complies twice: .25, .25); a on b .8 (defects .64, complies .04)
    assert brier(events) == pytest.approx((0.25 + 0.64 + 0.25 + 0.04) / 4)


def test_composite_is_the_mean_of_the_non_null_components() -> None:
    result = trust(scenario(), transcript().events, AGREED)
    c = result.components
    assert c["elicited_change"] == pytest.approx(0.15)
    assert result.value == pytest.approx((0.6 + 0.6 + 0.5 + 0.5 + 0.5 + 0.65 + 0.75) / 7)
    assert "structural" in str(result.parameters["composite"])


def test_empty_transcript_has_no_trust_score() -> None:
    result = trust(build_scenario(TWO, TWO_R), [], None)
    assert result.value is None
    assert all(v is None for v in result.components.values())
