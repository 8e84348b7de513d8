"""The turn plan without I/O: repairs, retries, failed turns, usage per call."""

from __future__ import annotations

from treatylab.agents.backends.llm_turn import (
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


def transient(call):
    return CallOutcome("transient", _usage(call, "http 500: boom"), retry_after_s=None)


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


def test_transient_errors_are_retried_with_backoff_then_fail() -> None:
    view = delegate_view()
    settings = TurnSettings(max_retries=2, backoff_base_s=0.5)
    result, steps = drive(view, settings, [transient] * 3)
    pauses = [s.seconds for s in steps if isinstance(s, Pause)]
    assert pauses == [0.5, 1.0]
    assert [s.attempt for s in steps if isinstance(s, Call)] == [1, 2, 3]
    assert result.failure is not None and "after 3 tries" in result.failure.error


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
