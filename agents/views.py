"""What an actor is allowed to see: the only input any backend gets.

A view is built by graphs.views from the state and is everything an actor's policy may use,
so the same view gives the same action in process, behind the simulator's HTTP endpoint, or in
a prompt. Views are bounded (a structured summary of positions plus the last k public events)
so prompts do not grow with the length of the negotiation.
"""

from __future__ import annotations

import hashlib
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from treatylab.agents.actions import ExpectedAction, Package
from treatylab.agents.transcript import Stage
from treatylab.scenarios.schema import Issue, MediatorBudget, RedLine, Rules


class Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class PartyPublic(Record):
    id: str
    name: str
    capacity: float
    benefit: float
    persona: str


class PendingProposal(Record):
    ref: str = Field(description="Answer it by this ref in `responses`.")
    proposer: str
    round: int
    package: Package


class Candidate(Record):
    ref: str
    package: Package


class PartyPosition(Record):
    """A party's revealed preferences so far: the input of a frequency opponent model."""

    latest: Package | None = None
    previous: Package | None = None
    option_counts: dict[str, dict[str, int]] = Field(default_factory=dict)
    accepted: dict[str, dict[str, int]] = Field(
        default_factory=dict, description="Options counted in packages the party accepted."
    )
    declared_red_lines: list[RedLine] = Field(default_factory=list)
    commitments: list[str] = Field(default_factory=list, description="'issue=option' promises.")
    proposals_made: int = 0


class RecentEvent(Record):
    seq: int
    stage: Stage
    round: int
    actor: str
    kind: str
    text: str


class PublicRecord(Record):
    """Fields in the order a prompt sends them: what changes least first.

    A party's consecutive prompts then share a longer prefix (providers cache it): shocks and
    rejected texts only grow, positions change once a round, pending and recent every turn.
    """

    shocks: list[str] = Field(default_factory=list, description="Public text of fired shocks.")
    rejected: list[Package] = Field(default_factory=list, description="Texts voted down.")
    deadline_round: int | None = None
    compensation: dict[str, float] = Field(default_factory=dict)
    text_rejections: dict[str, int] = Field(
        default_factory=dict, description="Per party: how often it rejected the mediator's text."
    )
    text_critics: list[str] = Field(
        default_factory=list, description="Parties that rejected the mediator's latest text."
    )
    positions: dict[str, PartyPosition] = Field(
        default_factory=dict, description="Empty in the implementation stage: bargaining is over.")
    rankings: dict[str, list[str]] = Field(
        default_factory=dict, description="Per party: its public ranking of the current candidates."
    )
    single_text: Package | None = None
    candidates: list[Candidate] = Field(default_factory=list)
    draft: Package | None = Field(default=None, description="The text on the table to sign.")
    pending: list[PendingProposal] = Field(default_factory=list)
    recent: list[RecentEvent] = Field(default_factory=list)


class Message(Record):
    sender: str
    text: str


class OwnBrief(Record):
    """The delegate's own confidential material: never in anyone else's view."""

    persona: str
    private_brief: str
    style: Literal["boulware", "linear", "conceder"]
    concession_exponent: float = Field(
        default=1.0, gt=0.0, description="This episode's draw around the style's exponent."
    )
    utilities: dict[str, dict[str, float]]
    red_lines: list[RedLine]
    # the per-turn fields, least changing first (see PublicRecord)
    reservation: float = Field(description="Current BATNA after shocks.")
    defection_temptation: float = Field(default=0.0, description="Implement stage only.")
    trust: dict[str, float] = Field(default_factory=dict, description="Its latest trust report.")
    notes: list[str] = Field(default_factory=list)


class Implementation(Record):
    period: int
    periods: int
    agreement: Package
    detected_so_far: list[str] = Field(default_factory=list)


def fence_nonce(seed: int, scenario_id: str, viewer: str) -> str:
    """The nonce of one actor's prompt fences for one episode (see docs/prompts.md).

    Derived from the episode seed, which no view carries (views hold per-turn seeds derived
    from it), so no party can compute another party's fence; stable over the episode, so a
    party's prompts keep a long shared prefix and replay byte for byte.
    """
    digest = hashlib.sha256(f"treatylab-prompt-fence|{seed}|{scenario_id}|{viewer}".encode())
    return digest.hexdigest()[:16]


class ViewCommon(Record):
    scenario_id: str
    title: str
    alliance_type: str
    background: str
    rules: Rules
    parties: list[PartyPublic]
    issues: list[Issue]
    fence: str = Field(default="", description="Nonce of this actor's prompt fences; '' derives one.")
    stage: Stage
    round: int
    seed: int = Field(description="Seed of this turn, derived from the episode seed.")
    expected: ExpectedAction
    record: PublicRecord


class DelegateView(ViewCommon):
    role: Literal["delegate"] = "delegate"
    party_id: str
    mediator: str = Field(default="none", description="Mediator strategy, 'none' if unmediated.")
    drafting: bool = Field(default=False, description="True for the party asked to draft the text.")
    own: OwnBrief
    messages: list[Message] = Field(default_factory=list, description="Addressed to it.")
    implementation: Implementation | None = None


class OracleInfo(Record):
    """True preferences: given only to an oracle mediator, a baseline."""

    utilities: dict[str, dict[str, dict[str, float]]]
    reservations: dict[str, float]
    red_lines: dict[str, list[RedLine]]


class MediatorView(ViewCommon):
    role: Literal["mediator"] = "mediator"
    strategy: str
    caucus: list[Message] = Field(default_factory=list, description="Addressed to the mediator.")
    budget: MediatorBudget | None = None
    oracle: OracleInfo | None = None


View = DelegateView | MediatorView
