"""Wire models: the JSON shapes an LLM answers with, and their conversion to domain actions.

OpenAI strict structured outputs refuse free-form objects (`additionalProperties`), so the
domain's dicts travel as lists of pairs: a package is a list of {issue, option}, responses a list
of {ref, decision}, trust a list of {party, value}. Every field is required (nullable where the
domain has an optional value), so one schema per action kind is valid in strict mode and the
request body stays the same for every turn of that kind.

`from_wire` checks what the wire shape cannot (an issue named twice, a trust value above 1) and
raises `WireProblems` with sentences usable in a repair re-ask; meaning (legal ids, full
packages) is checked afterwards by `agents.validation` against the view. Free text (statements,
rationales, notes, questions) longer than `MAX_TEXT_CHARS` is cut, with a note saying so at the
cut: every later prompt quotes public statements, so one 5 MB statement must not reach them.
"""

from __future__ import annotations

import copy
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from treatylab.agents.actions import (
    Action,
    Commitment,
    ComplianceAction,
    DeclaredRedLine,
    DelegateAction,
    ExpectedAction,
    MediatorAction,
    MediatorMove,
    Package,
    Proposal,
    ResponseDecision,
    Vote,
    VoteDecision,
)
from treatylab.prompts import render


MAX_TEXT_CHARS = 4000
"""The longest free-text field an LLM answer may carry into the transcript and later prompts."""


def _text(value: str) -> str:
    """`value`, or its first MAX_TEXT_CHARS characters and a note that the rest was cut."""
    if len(value) <= MAX_TEXT_CHARS:
        return value
    note = render("common/cut_note.j2", rest=len(value) - MAX_TEXT_CHARS, cap=MAX_TEXT_CHARS)
    return value[:MAX_TEXT_CHARS] + " " + note


def problem(kind: str, **params: object) -> str:
    """A repair sentence from prompts/common/problem.j2 (prompt text lives in prompts/)."""
    return render("common/problem.j2", kind=kind, params=params)


def _opt_text(value: str | None) -> str | None:
    return None if value is None else _text(value)


class WireProblems(ValueError):
    """The answer parsed but cannot become an action; `problems` go into the repair re-ask."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    @classmethod
    def model_json_schema(cls, *args: Any, **kwargs: Any) -> dict[str, Any]:
        """Cached: the SDK asks for the schema on every call, and building it costs ~6 ms.

        A deep copy is returned because the SDK rewrites the schema in place (strict mode).
        """
        key = (cls, args, tuple(sorted(kwargs.items())))
        schema = _SCHEMA_CACHE.get(key)
        if schema is None:
            schema = _without_titles(super().model_json_schema(*args, **kwargs))
            _SCHEMA_CACHE[key] = schema
        return copy.deepcopy(schema)


_SCHEMA_CACHE: dict[Any, dict[str, Any]] = {}


def _without_titles(schema: Any) -> Any:
    """Drop pydantic's generated titles: they repeat the property names and double the size
    of every request's schema (and the SDK's per-request walk over it)."""
    if isinstance(schema, dict):
        return {key: _without_titles(value) for key, value in schema.items()
                if not (key == "title" and isinstance(value, str))}
    if isinstance(schema, list):
        return [_without_titles(item) for item in schema]
    return schema


class Choice(Strict):
    issue: str = Field(description="Issue id.")
    option: str = Field(description="Option id of that issue.")


class PartyValue(Strict):
    party: str = Field(description="Party id.")
    value: float


class WireProposal(Strict):
    package: list[Choice] = Field(description="Exactly one choice for every issue.")
    rationale: str


class WireResponse(Strict):
    ref: str = Field(description="Ref of a pending proposal.")
    decision: ResponseDecision


class WireRedLine(Strict):
    issue: str
    forbid: list[str] = Field(description="Option ids you will never accept.")


class WireCommitment(Strict):
    issue: str
    option: str
    text: str


class WireCandidate(Strict):
    package: list[Choice] = Field(description="Exactly one choice for every issue.")


class WireDelegateAction(Strict):
    statement: str = Field(description="Public statement to all parties.")
    proposal: WireProposal | None = Field(description="A full package you propose, or null.")
    responses: list[WireResponse]
    declared_red_lines: list[WireRedLine]
    commitments: list[WireCommitment]
    priorities: list[str] = Field(description="Issue ids, most important first.")
    ranking: list[str] = Field(description="Candidate refs, best first, when asked to rank.")
    trust: list[PartyValue] = Field(description="Your trust in each other party, 0..1.")
    private_note: str = Field(description="Your own notes; nobody else reads them.")
    to_mediator: str | None = Field(description="Confidential message to the mediator, or null.")


class WireMediatorAction(Strict):
    statement: str = Field(description="Public statement to all parties.")
    move: MediatorMove
    single_text: list[Choice] | None = Field(description="Full package for propose_text, or null.")
    questions: list[str]
    candidates: list[WireCandidate] = Field(description="Texts put to the delegates to rank.")
    deadline_round: int | None
    compensation: list[PartyValue] = Field(description="Budget points offered per party.")
    caucus_with: str | None = Field(description=(
        "Party id to send caucus_message to in confidence during bargaining, or null."))
    caucus_message: str = Field(description="Confidential message for caucus_with only, or empty.")
    private_note: str


class WireVote(Strict):
    decision: VoteDecision
    reservations: list[str] = Field(description="Issue ids you sign with reservations on.")
    statement: str


class WireCompliance(Strict):
    comply: bool
    statement: str


WIRE_MODELS: dict[ExpectedAction, type[Strict]] = {
    "delegate_action": WireDelegateAction,
    "mediator_action": WireMediatorAction,
    "vote": WireVote,
    "compliance": WireCompliance,
}
"""The response_format sent for each expected action kind."""


# -- wire -> domain ------------------------------------------------------------------------

def _package(choices: list[Choice], where: str, out: list[str]) -> Package:
    package: Package = {}
    for choice in choices:
        if choice.issue in package:
            out.append(problem("issue_twice", where=where, issue=choice.issue))
        package[choice.issue] = choice.option
    return package


def _pairs(items: list[PartyValue], where: str, out: list[str], unit: bool) -> dict[str, float]:
    values: dict[str, float] = {}
    for item in items:
        if item.party in values:
            out.append(problem("party_twice", where=where, party=item.party))
        if unit and not 0.0 <= item.value <= 1.0:
            out.append(problem("outside_unit", where=where, value=f"{item.value:g}",
                                party=item.party))
        values[item.party] = item.value
    return values


def _delegate(wire: WireDelegateAction, proposer: str, out: list[str]) -> DelegateAction:
    proposal = None
    if wire.proposal is not None:
        package = _package(wire.proposal.package, "proposal.package", out)
        proposal = Proposal(proposer=proposer, package=package,
                            rationale=_text(wire.proposal.rationale))
    responses: dict[str, ResponseDecision] = {}
    for item in wire.responses:
        if item.ref in responses:
            out.append(problem("answered_twice", ref=item.ref))
        responses[item.ref] = item.decision
    red_lines = []
    for n, line in enumerate(wire.declared_red_lines):
        if not line.forbid:
            out.append(problem("empty_forbid", n=n))
            continue
        red_lines.append(DeclaredRedLine(issue=line.issue, forbid=list(line.forbid)))
    trust = _pairs(wire.trust, "trust", out, unit=True)
    if out:
        raise WireProblems(out)
    return DelegateAction(
        statement=_text(wire.statement),
        proposal=proposal,
        responses=responses,
        declared_red_lines=red_lines,
        commitments=[Commitment(issue=c.issue, option=c.option, text=_text(c.text))
                     for c in wire.commitments],
        priorities=list(wire.priorities),
        ranking=list(wire.ranking),
        trust=trust,
        private_note=_text(wire.private_note),
        to_mediator=_opt_text(wire.to_mediator),
    )


def _mediator(wire: WireMediatorAction, out: list[str]) -> MediatorAction:
    single_text = None
    if wire.single_text is not None:
        single_text = _package(wire.single_text, "single_text", out)
    candidates = [_package(c.package, f"candidates[{n}].package", out)
                  for n, c in enumerate(wire.candidates)]
    compensation = _pairs(wire.compensation, "compensation", out, unit=False)
    if out:
        raise WireProblems(out)
    return MediatorAction(
        statement=_text(wire.statement),
        move=wire.move,
        single_text=single_text,
        questions=[_text(question) for question in wire.questions],
        candidates=candidates,
        deadline_round=wire.deadline_round,
        compensation=compensation,
        caucus_with=wire.caucus_with,
        caucus_message=_text(wire.caucus_message),
        private_note=_text(wire.private_note),
    )


def from_wire(wire: Strict, proposer: str = "") -> Action:
    """The domain action for a parsed wire answer; `proposer` is the acting party's id.

    Raises:
        WireProblems: the answer names something twice or a value is out of range.
    """
    out: list[str] = []
    if isinstance(wire, WireDelegateAction):
        return _delegate(wire, proposer, out)
    if isinstance(wire, WireMediatorAction):
        return _mediator(wire, out)
    if isinstance(wire, WireVote):
        return Vote(decision=wire.decision, reservations=list(wire.reservations),
                    statement=_text(wire.statement))
    if isinstance(wire, WireCompliance):
        return ComplianceAction(comply=wire.comply, statement=_text(wire.statement))
    raise TypeError(f"not a wire model: {type(wire).__name__}")


# -- domain -> wire (the simulator answers with these) --------------------------------------

def _choices(package: Package) -> list[Choice]:
    return [Choice(issue=issue, option=option) for issue, option in package.items()]


def _party_values(values: dict[str, float]) -> list[PartyValue]:
    return [PartyValue(party=party, value=value) for party, value in values.items()]


def to_wire(action: Action) -> Strict:
    """The wire answer that `from_wire` turns back into `action` (a lossless round trip)."""
    if isinstance(action, DelegateAction):
        proposal = None
        if action.proposal is not None:
            proposal = WireProposal(package=_choices(action.proposal.package),
                                    rationale=action.proposal.rationale)
        return WireDelegateAction(
            statement=action.statement,
            proposal=proposal,
            responses=[WireResponse(ref=ref, decision=decision)
                       for ref, decision in action.responses.items()],
            declared_red_lines=[WireRedLine(issue=line.issue, forbid=list(line.forbid))
                                for line in action.declared_red_lines],
            commitments=[WireCommitment(issue=c.issue, option=c.option, text=c.text)
                         for c in action.commitments],
            priorities=list(action.priorities),
            ranking=list(action.ranking),
            trust=_party_values(action.trust),
            private_note=action.private_note,
            to_mediator=action.to_mediator,
        )
    if isinstance(action, MediatorAction):
        return WireMediatorAction(
            statement=action.statement,
            move=action.move,
            single_text=None if action.single_text is None else _choices(action.single_text),
            questions=list(action.questions),
            candidates=[WireCandidate(package=_choices(c)) for c in action.candidates],
            deadline_round=action.deadline_round,
            compensation=_party_values(action.compensation),
            caucus_with=action.caucus_with,
            caucus_message=action.caucus_message,
            private_note=action.private_note,
        )
    if isinstance(action, Vote):
        return WireVote(decision=action.decision, reservations=list(action.reservations),
                        statement=action.statement)
    if isinstance(action, ComplianceAction):
        return WireCompliance(comply=action.comply, statement=action.statement)
    raise TypeError(f"not an action: {type(action).__name__}")

