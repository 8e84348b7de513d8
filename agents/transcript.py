"""The transcript: an ordered list of typed events, saved as JSONL with sorted keys.

Events are a tagged union on `kind`. Visibility decides who may ever see an event in a view:
`public` events reach everyone, `private` ones only their actor, `caucus` ones their actor and
the mediator. Researchers read everything; delegates never read another party's private or
caucus events (graphs.views enforces this, tests check it with canary strings).
"""

from __future__ import annotations

import json
from typing import Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from treatylab.agents.actions import (
    Commitment,
    ComplianceAction,
    DeclaredRedLine,
    MediatorAction,
    Package,
    Proposal,
    ResponseDecision,
    Vote,
)

Stage = Literal["prepare", "open", "clarify", "bargain", "draft", "finalize", "implement"]
STAGES: tuple[Stage, ...] = ("prepare", "open", "clarify", "bargain", "draft", "finalize", "implement")
Visibility = Literal["public", "private", "caucus"]
MEDIATOR = "mediator"
PROTOCOL = "protocol"


class Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class DelegateMove(Record):
    """The public part of a DelegateAction."""

    statement: str
    proposal: Proposal | None = None
    responses: dict[str, ResponseDecision] = Field(default_factory=dict)
    declared_red_lines: list[DeclaredRedLine] = Field(default_factory=list)
    commitments: list[Commitment] = Field(default_factory=list)
    priorities: list[str] = Field(default_factory=list)
    ranking: list[str] = Field(default_factory=list)


class NotePayload(Record):
    text: str


class CaucusPayload(Record):
    text: str
    to: str = MEDIATOR


class TrustPayload(Record):
    trust: dict[str, float]


class ShockPayload(Record):
    id: str
    public: str


class MonitoringPayload(Record):
    """What verification revealed in one implementation period (public)."""

    period: int
    detected: list[str] = Field(default_factory=list, description="Parties caught defecting.")
    dispute: str | None = Field(default=None, description="How the dispute mechanism handled it.")


class FailedTurnPayload(Record):
    expected: str
    error: str
    attempts: int


class UsagePayload(Record):
    model: str
    prompt_tokens: int = 0
    completion_tokens: int = 0
    latency_ms: float = 0.0
    attempt: int = 1
    repair: bool = False
    error: str | None = None


class OutcomePayload(Record):
    result: Literal["agreement", "breakdown", "rejected"]
    package: Package | None = None
    reason: str = ""
    signatories: list[str] = Field(default_factory=list)


class StallPayload(Record):
    """The protocol found bargaining going round in circles (see graphs.stall)."""

    reason: Literal["no_new_proposal", "restated", "accepted_while_talking"]
    rounds: int = Field(description="Consecutive rounds the stall has lasted when detected.")
    action: Literal["vote", "end", "continue"]
    package: Package | None = Field(default=None, description="The text put to the vote.")
    supporters: list[str] = Field(default_factory=list)


class EventBase(Record):
    seq: int
    stage: Stage
    round: int = Field(description="Bargaining round; implementation period in 'implement'; else 0.")
    actor: str
    visibility: Visibility


class DelegateMoveEvent(EventBase):
    kind: Literal["delegate_move"] = "delegate_move"
    payload: DelegateMove


class NoteEvent(EventBase):
    kind: Literal["private_note"] = "private_note"
    payload: NotePayload


class CaucusEvent(EventBase):
    kind: Literal["caucus"] = "caucus"
    payload: CaucusPayload


class TrustReportEvent(EventBase):
    kind: Literal["trust_report"] = "trust_report"
    payload: TrustPayload


class MediatorMoveEvent(EventBase):
    kind: Literal["mediator_move"] = "mediator_move"
    payload: MediatorAction


class VoteEvent(EventBase):
    kind: Literal["vote"] = "vote"
    payload: Vote


class ComplianceEvent(EventBase):
    kind: Literal["compliance"] = "compliance"
    payload: ComplianceAction


class MonitoringEvent(EventBase):
    kind: Literal["monitoring"] = "monitoring"
    payload: MonitoringPayload


class ShockEvent(EventBase):
    kind: Literal["shock"] = "shock"
    payload: ShockPayload


class FailedTurnEvent(EventBase):
    kind: Literal["failed_turn"] = "failed_turn"
    payload: FailedTurnPayload


class UsageEvent(EventBase):
    kind: Literal["usage"] = "usage"
    payload: UsagePayload


class OutcomeEvent(EventBase):
    kind: Literal["outcome"] = "outcome"
    payload: OutcomePayload


class StallEvent(EventBase):
    kind: Literal["stall"] = "stall"
    payload: StallPayload


Event = Annotated[
    Union[
        DelegateMoveEvent, NoteEvent, CaucusEvent, TrustReportEvent, MediatorMoveEvent,
        VoteEvent, ComplianceEvent, MonitoringEvent, ShockEvent, FailedTurnEvent, UsageEvent,
        OutcomeEvent, StallEvent,
    ],
    Field(discriminator="kind"),
]

EVENTS = TypeAdapter(list[Event])
EVENT = TypeAdapter(Event)


def event_from_dict(data: dict[str, object]) -> Event:
    return EVENT.validate_python(data)


def events_from_dicts(items: list[dict[str, object]]) -> list[Event]:
    return EVENTS.validate_python(items)


def event_to_dict(event: Event) -> dict[str, object]:
    return event.model_dump(mode="json")


TIMING_FIELDS = ("latency_ms",)
"""Measured, never reproduced: kept in memory and in timings.jsonl, never in transcript.jsonl."""


def _without_timings(event: Event) -> dict[str, object]:
    data = event_to_dict(event)
    if isinstance(event, UsageEvent):
        data["payload"] = {k: v for k, v in data["payload"].items() if k not in TIMING_FIELDS}  # type: ignore[union-attr]
    return data


def dumps_jsonl(events: list[Event]) -> str:
    """One event per line, keys sorted, so two runs compare byte for byte with `cmp`.

    Wall-clock figures (a call's latency) are left out: two runs or two replays of one
    cassette never measure the same latency, and the transcript promises `cmp` equality.
    `timing_records` gives them for timings.jsonl.
    """
    return "".join(
        json.dumps(_without_timings(event), sort_keys=True, ensure_ascii=False) + "\n"
        for event in events
    )


def timing_records(events: list[Event]) -> list[dict[str, object]]:
    """One record per LLM call: where it happened (seq, stage, round, actor, attempt) and how long."""
    return [
        {"seq": e.seq, "stage": e.stage, "round": e.round, "actor": e.actor,
         "attempt": e.payload.attempt, "repair": e.payload.repair, "latency_ms": e.payload.latency_ms}
        for e in events if isinstance(e, UsageEvent)
    ]


def loads_jsonl(text: str) -> list[Event]:
    return [event_from_dict(json.loads(line)) for line in text.splitlines() if line.strip()]
