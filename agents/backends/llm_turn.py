"""One LLM turn as a plan, without I/O: ask, validate, repair, retry, give up.

`plan_turn` is a generator over the shared structured-chat call (`agents.backends.chat_call`):
it yields `Call` (one chat request) or `Pause` (a backoff) and is sent back a `CallOutcome`.
The drivers there (`run_async`, `run_sync`) only perform the I/O, so both paths follow the
same rules, and the rules are testable without a server:

- an answer that is not usable (malformed JSON, schema violation, refusal, truncation, over
  the response-size cap, or an action that fails `agents.validation`) gets a repair re-ask
  quoting the problems and at most `EXCERPT_CHARS` of the answer, at most `max_repairs`
  times; then the turn is a failed turn and the negotiation goes on;
- a transient error (429, 5xx, timeout, connection refused) is retried with the same
  messages, at most `max_retries` times, with bounded exponential backoff; after that, or at
  once for a failure no retry fixes (401/403/404, no URL scheme, DNS, TLS, a 200 that is not
  a chat completion), `InfrastructureFailure` is raised: the endpoint failed, not the
  negotiator, and the episode stops;
- a request the endpoint refuses (another 4xx) fails the turn without retry or repair;
- every HTTP call yields one `UsagePayload`, successful or not.
"""

from __future__ import annotations

from collections.abc import Generator

from treatylab.agents import validation
from treatylab.agents.backends.base import TurnResult
from treatylab.agents.backends.chat_call import (
    MAX_RESPONSE_BYTES,
    Call,
    CallOutcome,
    Pause,
    TurnSettings,
    Where,
    backoff_seconds,
    retry_plan,
)
from treatylab.agents.backends.prompting import initial_messages, repair_messages
from treatylab.agents.backends.wire import WIRE_MODELS, WireProblems, from_wire
from treatylab.agents.transcript import FailedTurnPayload, UsagePayload
from treatylab.agents.views import DelegateView, View
from treatylab.prompts import render

__all__ = ["Call", "CallOutcome", "Pause", "TurnSettings", "backoff_seconds", "excerpt",
           "plan_turn", "where_of"]

EXCERPT_CHARS = 2000
"""A repair re-ask quotes at most this much of the unusable answer (a 5 MB answer must not
be echoed back in every re-ask)."""

Plan = Generator[Call | Pause, CallOutcome | None, TurnResult]


def where_of(view: View) -> Where:
    actor = view.party_id if isinstance(view, DelegateView) else "mediator"
    return Where(actor=actor, stage=view.stage, round=view.round)


def excerpt(outcome: CallOutcome) -> str:
    """The part of an unusable answer a repair re-ask quotes back."""
    if outcome.oversize:
        return render("common/excerpt.j2", oversize=True, cap=MAX_RESPONSE_BYTES)
    content = outcome.content
    if len(content) <= EXCERPT_CHARS:
        return content
    note = render("common/excerpt.j2", oversize=False, rest=len(content) - EXCERPT_CHARS)
    return content[:EXCERPT_CHARS] + "\n" + note


def answer_problems(view: View, outcome: CallOutcome) -> tuple[object | None, list[str]]:
    """The action an answer stands for, or the problems that make it unusable."""
    if outcome.kind != "answer" or outcome.wire is None:
        return None, outcome.problems or ["no usable answer"]
    proposer = view.party_id if isinstance(view, DelegateView) else ""
    try:
        action = from_wire(outcome.wire, proposer)
    except WireProblems as exc:
        return None, exc.problems
    return action, validation.problems(view, action)


def plan_turn(view: View, settings: TurnSettings) -> Plan:
    """The whole turn; returns the TurnResult the graph records.

    Raises:
        InfrastructureFailure: (from `retry_plan`) the endpoint cannot answer at all.
    """
    messages = initial_messages(view)
    schema, where = WIRE_MODELS[view.expected], where_of(view)
    usage: list[UsagePayload] = []
    repairs = 0
    answers = 0
    while True:
        call = Call(messages=messages, schema=schema, seed=view.seed, repair=repairs > 0)
        outcome = yield from retry_plan(call, settings, where, usage)
        if outcome.kind == "refused_request":
            tries = outcome.usage.attempt
            error = f"{outcome.usage.error or 'request failed'} (after {tries} tr{'ies' if tries > 1 else 'y'})"
            return _failed(view, error, answers, usage, repairs)
        answers += 1
        action, problems = answer_problems(view, outcome)
        if not problems:
            return TurnResult(action=action, usage=usage, repairs=repairs)
        if usage[-1].error is None:  # parsed, but not a legal action for this view
            usage[-1] = usage[-1].model_copy(update={"error": "invalid action: " + problems[0]})
        if repairs >= settings.max_repairs:
            error = f"no valid answer after {answers} attempt{'s' if answers > 1 else ''}: " + "; ".join(problems)
            return _failed(view, error, answers, usage, repairs)
        repairs += 1
        messages = messages + repair_messages(view, excerpt(outcome), problems)


def _failed(view: View, error: str, answers: int, usage: list[UsagePayload],
            repairs: int) -> TurnResult:
    failure = FailedTurnPayload(expected=view.expected, error=error, attempts=max(answers, 1))
    return TurnResult(failure=failure, usage=usage, repairs=repairs)
