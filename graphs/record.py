"""The public record, derived from the transcript: positions, pending proposals, texts.

Everything here reads only public events, so a record can be put in anyone's view. Private
and caucus events are filtered by `visible_to`, the single rule of information isolation.
"""

from __future__ import annotations

from treatylab.agents.actions import Package
from treatylab.agents.transcript import (
    MEDIATOR,
    CaucusEvent,
    DelegateMoveEvent,
    Event,
    FailedTurnEvent,
    MediatorMoveEvent,
    MonitoringEvent,
    OutcomeEvent,
    ShockEvent,
    VoteEvent,
)
from treatylab.agents.views import Candidate, PartyPosition, PendingProposal, PublicRecord, RecentEvent
from treatylab.graphs.protocol import candidate_ref, proposal_ref
from treatylab.scenarios.schema import RedLine, Scenario

HIDDEN_KINDS = ("usage", "trust_report")


def visible_to(event: Event, viewer: str) -> bool:
    """Public to all; private to its actor; caucus to its actor and the mediator."""
    if event.visibility == "public":
        return True
    if event.visibility == "private":
        return event.actor == viewer
    to = getattr(event.payload, "to", MEDIATOR)  # a mediator's caucus goes to one party
    return event.actor == viewer or viewer == MEDIATOR or to == viewer


def describe(event: Event) -> str:
    if isinstance(event, (DelegateMoveEvent, MediatorMoveEvent)):
        return event.payload.statement
    if isinstance(event, VoteEvent):
        return f"{event.payload.decision}: {event.payload.statement}"
    if isinstance(event, ShockEvent):
        return event.payload.public
    if isinstance(event, OutcomeEvent):
        return f"{event.payload.result}: {event.payload.reason}"
    if isinstance(event, MonitoringEvent):
        caught = ", ".join(event.payload.detected) or "no defection detected"
        return f"period {event.payload.period}: {caught}"
    if isinstance(event, FailedTurnEvent):
        return f"failed turn: {event.payload.error}"
    return getattr(event.payload, "text", None) or getattr(event.payload, "statement", "")


def recent(events: list[Event], viewer: str, k: int) -> list[RecentEvent]:
    seen = [e for e in events if visible_to(e, viewer) and e.kind not in HIDDEN_KINDS]
    tail = seen[-k:] if k else []
    return [
        RecentEvent(seq=e.seq, stage=e.stage, round=e.round, actor=e.actor, kind=e.kind,
                    text=describe(e))
        for e in tail
    ]


def _count(table: dict[str, dict[str, int]], package: Package) -> None:
    for issue, option in package.items():
        row = table.setdefault(issue, {})
        row[option] = row.get(option, 0) + 1


def bargain_offers(events: list[Event]) -> dict[str, tuple[str, Package]]:
    """Every tabled offer by ref -> (proposer, package): delegate proposals and mediator texts."""
    offers: dict[str, tuple[str, Package]] = {}
    for event in events:
        if event.stage != "bargain":
            continue
        if isinstance(event, DelegateMoveEvent) and event.payload.proposal is not None:
            offers[proposal_ref(event.round, event.actor)] = (event.actor, event.payload.proposal.package)
        elif isinstance(event, MediatorMoveEvent) and event.payload.single_text is not None:
            offers[proposal_ref(event.round, MEDIATOR)] = (MEDIATOR, event.payload.single_text)
    return offers


def positions(scenario: Scenario, events: list[Event]) -> dict[str, PartyPosition]:
    offers = bargain_offers(events)
    state: dict[str, dict] = {
        pid: {"latest": None, "previous": None, "option_counts": {}, "accepted": {},
              "declared_red_lines": [], "commitments": [], "proposals_made": 0}
        for pid in scenario.party_ids()
    }
    for event in events:
        if not isinstance(event, DelegateMoveEvent) or event.actor not in state:
            continue
        row = state[event.actor]
        move = event.payload
        if move.proposal is not None and event.stage == "bargain":
            row["previous"], row["latest"] = row["latest"], move.proposal.package
            _count(row["option_counts"], move.proposal.package)
            row["proposals_made"] += 1
        for ref, answer in move.responses.items():
            if answer == "accept" and ref in offers:
                _count(row["accepted"], offers[ref][1])
        for line in move.declared_red_lines:
            declared = RedLine(issue=line.issue, forbid=list(line.forbid))
            if declared not in row["declared_red_lines"]:
                row["declared_red_lines"].append(declared)
        for promise in move.commitments:
            item = f"{promise.issue}={promise.option}"
            if item not in row["commitments"]:
                row["commitments"].append(item)
    return {pid: PartyPosition(**row) for pid, row in state.items()}


def pending(events: list[Event], round_: int) -> list[PendingProposal]:
    """Offers tabled in the previous bargaining round: the ones to answer now."""
    previous = max((e.round for e in events if e.stage == "bargain" and e.round < round_), default=0)
    out = []
    for ref, (proposer, package) in bargain_offers(events).items():
        if ref.startswith(f"r{previous}-") and previous:
            out.append(PendingProposal(ref=ref, proposer=proposer, round=previous, package=package))
    return sorted(out, key=lambda p: (p.proposer != MEDIATOR, p.ref))


def public_record(scenario: Scenario, events: list[Event], viewer: str, round_: int,
                  draft: Package | None, k: int) -> PublicRecord:
    mediator_moves = [e for e in events if isinstance(e, MediatorMoveEvent)]
    single_text = next((e.payload.single_text for e in reversed(mediator_moves)
                        if e.payload.single_text is not None and e.stage == "bargain"), None)
    candidates: list[Candidate] = []
    if mediator_moves and mediator_moves[-1].payload.candidates:
        last = mediator_moves[-1]
        candidates = [Candidate(ref=candidate_ref(last.round, i), package=package)
                      for i, package in enumerate(last.payload.candidates)]
    deadline = next((e.payload.deadline_round for e in reversed(mediator_moves)
                     if e.payload.deadline_round is not None), None)
    compensation = next((e.payload.compensation for e in reversed(mediator_moves)
                         if e.payload.compensation), {})
    text_rejections: dict[str, int] = {}
    critics: dict[str, list[str]] = {}
    for event in events:
        if isinstance(event, DelegateMoveEvent):
            for ref, answer in event.payload.responses.items():
                if answer == "reject" and ref.endswith(f"-{MEDIATOR}"):
                    text_rejections[event.actor] = text_rejections.get(event.actor, 0) + 1
                    critics.setdefault(ref, []).append(event.actor)
    latest_text_ref = next((proposal_ref(e.round, MEDIATOR) for e in reversed(mediator_moves)
                            if e.payload.single_text is not None and e.stage == "bargain"), "")
    refs = {candidate.ref for candidate in candidates}
    rankings = {e.actor: list(e.payload.ranking) for e in events
                if isinstance(e, DelegateMoveEvent) and e.payload.ranking
                and set(e.payload.ranking) <= refs}
    return PublicRecord(
        positions=positions(scenario, events),
        pending=pending(events, round_) if round_ else [],
        single_text=single_text,
        candidates=candidates,
        deadline_round=deadline,
        compensation=compensation,
        draft=draft,
        rejected=[e.payload.package for e in events
                  if isinstance(e, OutcomeEvent) and e.payload.result == "rejected" and e.payload.package],
        text_rejections=text_rejections,
        text_critics=sorted(critics.get(latest_text_ref, [])),
        rankings=rankings,
        shocks=[e.payload.public for e in events if isinstance(e, ShockEvent)],
        recent=recent(events, viewer, k),
    )


def caucus_for_mediator(events: list[Event]) -> list[tuple[str, str]]:
    return [(e.actor, e.payload.text) for e in events if isinstance(e, CaucusEvent)]
