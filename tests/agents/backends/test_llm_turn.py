"""The turn plan without I/O: repairs, retries, failed turns, usage per call."""

from __future__ import annotations

import pytest

from treatylab.agents.backends.failures import FailureRecord, InfrastructureFailure
from treatylab.agents.backends.llm_turn import (
    EXCERPT_CHARS,
    Call,
    CallOutcome,
    Pause,
    TurnSettings,
    backoff_seconds,
    plan_turn,
)
from treatylab.agents.backends.wire import to_wire
from treatylab.agents.policy import decide
from treatylab.agents.transcript import UsagePayload
from tests.agents.backends.conftest import delegate_view


def _usage(call: Call, error: str | None = None) -> UsagePayload:
    return UsagePayload(model="m", attempt=call.attempt, repair=call.repair, error=error)


def drive(view, settings, outcomes):
    """Feed scripted outcomes (functions of the Call) to the plan; return result and steps."""
    plan = plan_turn(view, settings)
    steps, reply = [], None
    script = iter(outcomes)
    while True:
        try:
            step = plan.send(reply)
        except StopIteration as done:
            return done.value, steps
        steps.append(step)
        reply = None if isinstance(step, Pause) else next(script)(step)


def good(view):
    return lambda call: CallOutcome("answer", _usage(call), wire=to_wire(decide(view)))


def unusable(call):
    return CallOutcome("unusable", _usage(call, "unusable answer: x"), content="{oops",
                       problems=["statement: required field is missing"])


BOOM = FailureRecord(kind="http_status", message="http://h/v1 answered HTTP 500", fix="retry",
                     http_status=500, endpoint="http://h/v1")


def transient(call):
    return CallOutcome("transient", _usage(call, "http 500: boom"), retry_after_s=None,
                       failure=BOOM)


def test_first_answer_valid() -> None:
    view = delegate_view()
    result, steps = drive(view, TurnSettings(), [good(view)])
    assert result.action == decide(view) and result.failure is None
    assert result.repairs == 0 and len(result.usage) == 1


def test_repair_quotes_problems_then_succeeds() -> None:
    view = delegate_view()
    result, steps = drive(view, TurnSettings(), [unusable, good(view)])
    assert result.action == decide(view) and result.repairs == 1
    repair_call = steps[1]
    assert repair_call.repair and repair_call.messages[2]["content"] == "{oops"
    assert "statement: required field is missing" in repair_call.messages[3]["content"]
    assert [u.repair for u in result.usage] == [False, True]


def test_illegal_action_is_repaired_and_flagged_in_usage() -> None:
    view = delegate_view()
    bad = to_wire(decide(view)).model_copy(update={"responses": []})
    bad = bad.model_copy(update={"ranking": ["no-such-candidate"]})
    illegal = lambda call: CallOutcome("answer", _usage(call), wire=bad)  # noqa: E731
    result, _ = drive(view, TurnSettings(), [illegal, good(view)])
    assert result.repairs == 1 and result.action is not None
    assert result.usage[0].error.startswith("invalid action: ranking")


def test_persistent_problems_end_in_a_failed_turn() -> None:
    view = delegate_view()
    result, _ = drive(view, TurnSettings(max_repairs=2), [unusable] * 3)
    assert result.action is None and result.failure is not None
    assert result.failure.attempts == 3 and result.repairs == 2
    assert "no valid answer after 3 attempts" in result.failure.error
    assert len(result.usage) == 3


def test_transient_errors_are_retried_with_backoff_then_stop_the_episode() -> None:
    view = delegate_view()
    settings = TurnSettings(max_retries=2, backoff_base_s=0.5)
    steps: list = []
    plan = plan_turn(view, settings)
    reply = None
    with pytest.raises(InfrastructureFailure) as caught:
        while True:
            step = plan.send(reply)
            steps.append(step)
            reply = None if isinstance(step, Pause) else transient(step)
    assert [s.seconds for s in steps if isinstance(s, Pause)] == [0.5, 1.0]
    assert [s.attempt for s in steps if isinstance(s, Call)] == [1, 2, 3]
    record = caught.value.record
    assert (record.kind, record.http_status, record.attempts) == ("http_status", 500, 3)
    assert (record.actor, record.stage, record.round) == ("aurelia", "bargain", 2)
    assert [u.attempt for u in caught.value.usage] == [1, 2, 3]


def test_an_infrastructure_outcome_is_not_retried() -> None:
    view = delegate_view()
    dead = lambda call: CallOutcome("infrastructure", _usage(call, "http 401"),  # noqa: E731
                                    failure=BOOM.model_copy(update={"http_status": 401}))
    with pytest.raises(InfrastructureFailure) as caught:
        drive(view, TurnSettings(max_retries=3), [dead])
    assert caught.value.record.attempts == 1 and caught.value.record.http_status == 401


def test_a_repair_quotes_a_bounded_excerpt_of_a_long_answer() -> None:
    view = delegate_view()
    huge = lambda call: CallOutcome("unusable", _usage(call, "x"), content="y" * 100_000,  # noqa: E731
                                    problems=["the answer is not valid JSON"])
    oversize = lambda call: CallOutcome("unusable", _usage(call, "x"), oversize=True,  # noqa: E731
                                        problems=["too long"])
    result, steps = drive(view, TurnSettings(max_repairs=2), [huge, oversize, good(view)])
    calls = [s for s in steps if isinstance(s, Call)]
    quoted = calls[1].messages[2]["content"]
    assert len(quoted) < EXCERPT_CHARS + 100 and quoted.startswith("y" * EXCERPT_CHARS)
    assert quoted.endswith(f"[... {100_000 - EXCERPT_CHARS} more characters not quoted]")
    assert calls[2].messages[4]["content"].startswith("(an answer longer than")
    assert result.action == decide(view) and result.repairs == 2


def test_retry_then_success_keeps_the_same_messages() -> None:
    view = delegate_view()
    result, steps = drive(view, TurnSettings(), [transient, good(view)])
    calls = [s for s in steps if isinstance(s, Call)]
    assert calls[0].messages == calls[1].messages and result.action is not None
    assert [u.attempt for u in result.usage] == [1, 2]


def test_backoff_prefers_the_server_hint_and_is_capped() -> None:
    settings = TurnSettings(backoff_base_s=1, backoff_cap_s=4)
    assert backoff_seconds(settings, 1, 0.02) == 0.02
    assert backoff_seconds(settings, 5, None) == 4
    assert backoff_seconds(settings, 2, 100) == 4
