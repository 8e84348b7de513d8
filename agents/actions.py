"""Typed actions every backend returns, whatever produced them (baseline policy, LLM, person).

Actions are frozen records. Their shape is checked by pydantic; their meaning against the
negotiation (legal ids, full packages, pending proposal refs) is checked by `agents.validation`
against the actor's view, so an LLM output that names an unknown option becomes a repair
re-ask or a failed-turn event, never a corrupted negotiation.
"""

from __future__ import annotations

from typing import Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Field

Package = dict[str, str]
"""One option id per issue id: a full package is the only thing that can be agreed."""

UnitFloat = Annotated[float, Field(ge=0.0, le=1.0)]


class Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Proposal(Record):
    proposer: str
    package: Package = Field(description="One option id for every issue id.")
    rationale: str = ""


class DeclaredRedLine(Record):
    issue: str
    forbid: list[str] = Field(min_length=1)


class Commitment(Record):
    """A public promise to accept `option` on `issue` in any final package."""

    issue: str
    option: str
    text: str = ""


ResponseDecision = Literal["accept", "reject"]


class DelegateAction(Record):
    kind: Literal["delegate_action"] = "delegate_action"
    statement: str
    proposal: Proposal | None = None
    responses: dict[str, ResponseDecision] = Field(
        default_factory=dict, description="Answer per pending proposal ref."
    )
    declared_red_lines: list[DeclaredRedLine] = Field(default_factory=list)
    commitments: list[Commitment] = Field(default_factory=list)
    priorities: list[str] = Field(
        default_factory=list, description="Issue ids, most important first (stated priorities)."
    )
    ranking: list[str] = Field(
        default_factory=list, description="Candidate refs, best first, when the mediator asks."
    )
    trust: dict[str, UnitFloat] = Field(default_factory=dict)
    private_note: str = Field(default="", description="Never shown to other delegates.")
    to_mediator: str | None = Field(default=None, description="Caucus: the mediator alone reads it.")


MediatorMove = Literal["summarize", "propose_text", "caucus", "set_deadline", "call_vote", "pass"]


class MediatorAction(Record):
    kind: Literal["mediator_action"] = "mediator_action"
    statement: str
    move: MediatorMove
    single_text: Package | None = None
    questions: list[str] = Field(default_factory=list)
    candidates: list[Package] = Field(
        default_factory=list, description="Texts put to the delegates for ranking."
    )
    deadline_round: int | None = None
    compensation: dict[str, float] = Field(
        default_factory=dict, description="Points from the mediator budget, per party."
    )
    caucus_with: str | None = Field(default=None, description=(
        "A party to send `caucus_message` to in confidence (shuttle diplomacy); only that "
        "party and the mediator ever see it, and the party may answer through to_mediator."))
    caucus_message: str = ""
    private_note: str = ""


VoteDecision = Literal["sign", "sign_with_reservations", "reject"]


class Vote(Record):
    kind: Literal["vote"] = "vote"
    decision: VoteDecision
    reservations: list[str] = Field(
        default_factory=list, description="Issue ids the party signs with reservations on."
    )
    statement: str = ""


class ComplianceAction(Record):
    kind: Literal["compliance"] = "compliance"
    comply: bool
    statement: str = ""


Action = Annotated[
    Union[DelegateAction, MediatorAction, Vote, ComplianceAction], Field(discriminator="kind")
]

ExpectedAction = Literal["delegate_action", "mediator_action", "vote", "compliance"]

ACTION_TYPES: dict[str, type[Record]] = {
    "delegate_action": DelegateAction,
    "mediator_action": MediatorAction,
    "vote": Vote,
    "compliance": ComplianceAction,
}
