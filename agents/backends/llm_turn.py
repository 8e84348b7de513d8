"""One LLM turn as a plan, without I/O: ask, validate, repair, retry, give up.

`plan_turn` is a generator: it yields `Call` (one chat request to make) or `Pause` (a backoff
to sleep) and is sent back a `CallOutcome`. The async and sync drivers of the OpenAI backend
only perform the I/O, so both paths follow the same rules, and the rules are testable without a
server:

- an answer that is not usable (malformed JSON, schema violation, refusal, truncation, or an
  action that fails `agents.validation`) gets a repair re-ask quoting the problems, at most
  `max_repairs` times; then the turn is a failed turn;
- a transient error (429, 5xx, timeout, connection) is retried with the same messages, at most
  `max_retries` times, with exponential backoff (no jitter, so a recorded run replays); then the
  turn is a failed turn;
- every HTTP call yields one `UsagePayload`, successful or not.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel

from treatylab.agents import validation
from treatylab.agents.backends.prompting import Message, initial_messages, repair_messages
from treatylab.agents.backends.wire import WireProblems, from_wire
from treatylab.agents.backends.base import TurnResult
from treatylab.agents.transcript import FailedTurnPayload, UsagePayload
from treatylab.agents.views import DelegateView, View

OutcomeKind = Literal["answer", "unusable", "transient", "refused_request"]


@dataclass(frozen=True)
class Call:
    messages: list[Message]
    attempt: int
    """1 for the first try of these messages, 2.. for retries after transient errors."""
    repair: bool


@dataclass(frozen=True)
class Pause:
    seconds: float


@dataclass(frozen=True)
class CallOutcome:
    """What one HTTP call produced, classified by the driver.

    - answer: a parsed wire model in `wire`;
    - unusable: the reply came but cannot be used (`problems` say why, `content` is the raw text);
    - transient: worth retrying (429, 5xx, timeout, connection error);
    - refused_request: the endpoint refused the request itself (4xx): neither retry nor repair.
    """

    kind: OutcomeKind
    usage: UsagePayload
    wire: BaseModel | None = None
    content: str = ""
    problems: list[str] = field(default_factory=list)
    retry_after_s: float | None = None


@dataclass(frozen=True)
class TurnSettings:
    max_repairs: int = 2
    max_retries: int = 3
    backoff_base_s: float = 0.5
    backoff_cap_s: float = 8.0


def backoff_seconds(settings: TurnSettings, retry: int, hint: float | None) -> float:
    """The server's hint (Retry-After) when given, else base * 2^(retry-1), capped."""
    if hint is not None:
        return max(0.0, min(hint, settings.backoff_cap_s))
    return min(settings.backoff_cap_s, settings.backoff_base_s * 2 ** (retry - 1))


Plan = Generator[Call | Pause, CallOutcome | None, TurnResult]


def _call_with_retries(messages: list[Message], repair: bool, settings: TurnSettings,
                       usage: list[UsagePayload]) -> Generator[Call | Pause, CallOutcome | None, CallOutcome]:
    attempt = 1
    while True:
        outcome = yield Call(messages=messages, attempt=attempt, repair=repair)
        assert outcome is not None, "the driver must send a CallOutcome for every Call"
        usage.append(outcome.usage)
        if outcome.kind != "transient" or attempt > settings.max_retries:
            return outcome
        yield Pause(backoff_seconds(settings, attempt, outcome.retry_after_s))
        attempt += 1


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
    """The whole turn; returns the TurnResult the graph records."""
    messages = initial_messages(view)
    usage: list[UsagePayload] = []
    repairs = 0
    answers = 0
    while True:
        outcome = yield from _call_with_retries(messages, repairs > 0, settings, usage)
        if outcome.kind in ("transient", "refused_request"):
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
        messages = messages + repair_messages(view, outcome.content, problems)


def _failed(view: View, error: str, answers: int, usage: list[UsagePayload],
            repairs: int) -> TurnResult:
    failure = FailedTurnPayload(expected=view.expected, error=error, attempts=max(answers, 1))
    return TurnResult(failure=failure, usage=usage, repairs=repairs)
