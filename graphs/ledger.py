"""The public record kept incrementally: each event is read once, not once per view.

`graphs.record.public_record` derives the record from the whole transcript; called for every
actor of every layer, that makes an episode quadratic in its rounds. A `Ledger` folds the
events in as they are appended and keeps exactly the state those functions compute (positions,
offers, texts, critics, rankings, shocks, each viewer's last k visible events, notes, trust,
questions, caucus), so a view costs the same at round 34 as at round 6. The shared part of the
record is built once per layer and copied into each viewer's view.

`ledger_for(scenario, events, k)` finds the ledger of a transcript by the identity of its
event objects (an episode parses each event once, so a later list extends an earlier one) and
rebuilds one from scratch for any other list. tests/graphs/test_isolation.py checks the
incremental record against the batch one on whole episodes.
"""

from __future__ import annotations

import weakref
from collections import deque
from typing import Any

from treatylab.agents.actions import Package
from treatylab.agents.transcript import (
    MEDIATOR,
    CaucusEvent,
    DelegateMoveEvent,
    Event,
    MediatorMoveEvent,
    MonitoringEvent,
    OutcomeEvent,
    ShockEvent,
    TrustReportEvent,
)
from treatylab.agents.views import (
    Candidate,
    Message,
    PartyPosition,
    PartyPublic,
    PendingProposal,
    PublicRecord,
    RecentEvent,
)
from treatylab.graphs.protocol import candidate_ref, proposal_ref
from treatylab.graphs.record import HIDDEN_KINDS, describe, visible_to
from treatylab.scenarios.schema import RedLine, Scenario

NOTES_KEPT = 3


def _count(table: dict[str, dict[str, int]], package: Package) -> None:
    for issue, option in package.items():
        row = table.setdefault(issue, {})
        row[option] = row.get(option, 0) + 1


class _Position:
    """A party's revealed preferences, mutable while events arrive."""

    def __init__(self) -> None:
        self.latest: Package | None = None
        self.previous: Package | None = None
        self.option_counts: dict[str, dict[str, int]] = {}
        self.accepted: dict[str, dict[str, int]] = {}
        self.declared_red_lines: list[RedLine] = []
        self.commitments: list[str] = []
        self.proposals_made = 0

    def frozen(self) -> PartyPosition:
        return PartyPosition(
            latest=self.latest, previous=self.previous,
            option_counts={i: dict(row) for i, row in self.option_counts.items()},
            accepted={i: dict(row) for i, row in self.accepted.items()},
            declared_red_lines=list(self.declared_red_lines), commitments=list(self.commitments),
            proposals_made=self.proposals_made)


class Ledger:
    """Everything views need from the transcript, updated one event at a time."""

    def __init__(self, scenario: Scenario, k: int) -> None:
        self.k = k
        self.count = 0
        self.last: Event | None = None
        self.party_ids = scenario.party_ids()
        self.parties_public = [PartyPublic(id=p.id, name=p.name, capacity=p.capacity,
                                           benefit=p.benefit, persona=p.persona)
                               for p in scenario.parties]
        self.positions = {pid: _Position() for pid in self.party_ids}
        self.offers: dict[str, tuple[str, Package]] = {}
        self.offers_by_round: dict[int, dict[str, tuple[str, Package]]] = {}
        self.bargain_rounds: set[int] = set()
        self.single_text: Package | None = None
        self.latest_text_ref = ""
        self.candidates: list[Candidate] = []
        self.deadline: int | None = None
        self.compensation: dict[str, float] = {}
        self.text_rejections: dict[str, int] = {}
        self.critics: dict[str, list[str]] = {}
        self.rankings: dict[str, list[list[str]]] = {}
        self.rejected: list[Package] = []
        self.shocks: list[str] = []
        self.fired: set[str] = set()
        self.recent: dict[str, deque[RecentEvent]] = {
            v: deque(maxlen=k or 1) for v in [*self.party_ids, MEDIATOR]}
        self.notes: dict[str, deque[str]] = {p: deque(maxlen=NOTES_KEPT) for p in self.party_ids}
        self.trust: dict[str, dict[str, float]] = {}
        self.questions: dict[str, list[str]] = {}
        self.detected: set[str] = set()
        self.caucus: list[Message] = []
        self._shared: tuple[int, dict[str, Any]] | None = None

    # -- folding events in ----------------------------------------------------------------
    def extend(self, events: list[Event]) -> None:
        for event in events[self.count:]:
            self._add(event)
        self.count = len(events)
        self.last = events[-1] if events else None

    def _add(self, event: Event) -> None:
        if event.stage == "bargain":
            self.bargain_rounds.add(event.round)
        if isinstance(event, DelegateMoveEvent):
            self._delegate_move(event)
        elif isinstance(event, MediatorMoveEvent):
            self._mediator_move(event)
        elif isinstance(event, ShockEvent):
            self.shocks.append(event.payload.public)
            self.fired.add(event.payload.id)
        elif isinstance(event, OutcomeEvent):
            if event.payload.result == "rejected" and event.payload.package:
                self.rejected.append(event.payload.package)
        elif isinstance(event, TrustReportEvent):
            self.trust[event.actor] = dict(event.payload.trust)
        elif isinstance(event, MonitoringEvent):
            self.detected.update(event.payload.detected)
        elif isinstance(event, CaucusEvent):
            self.caucus.append(Message(sender=event.actor, text=event.payload.text))
        if event.kind == "private_note" and event.actor in self.notes:
            self.notes[event.actor].append(event.payload.text)
        if event.kind not in HIDDEN_KINDS and self.k:
            item = RecentEvent(seq=event.seq, stage=event.stage, round=event.round,
                               actor=event.actor, kind=event.kind, text=describe(event))
            for viewer, window in self.recent.items():
                if visible_to(event, viewer):
                    window.append(item)

    def _table(self, ref: str, proposer: str, round_: int, package: Package) -> None:
        self.offers[ref] = (proposer, package)
        self.offers_by_round.setdefault(round_, {})[ref] = (proposer, package)

    def _delegate_move(self, event: DelegateMoveEvent) -> None:
        move = event.payload
        if event.stage == "bargain" and move.proposal is not None:
            self._table(proposal_ref(event.round, event.actor), event.actor, event.round,
                        move.proposal.package)
        for ref, answer in move.responses.items():
            if answer == "reject" and ref.endswith(f"-{MEDIATOR}"):
                self.text_rejections[event.actor] = self.text_rejections.get(event.actor, 0) + 1
                self.critics.setdefault(ref, []).append(event.actor)
        if move.ranking:
            self.rankings.setdefault(event.actor, []).append(list(move.ranking))
        row = self.positions.get(event.actor)
        if row is None:
            return
        if move.proposal is not None and event.stage == "bargain":
            row.previous, row.latest = row.latest, move.proposal.package
            _count(row.option_counts, move.proposal.package)
            row.proposals_made += 1
        for ref, answer in move.responses.items():
            if answer == "accept" and ref in self.offers:
                _count(row.accepted, self.offers[ref][1])
        for line in move.declared_red_lines:
            declared = RedLine(issue=line.issue, forbid=list(line.forbid))
            if declared not in row.declared_red_lines:
                row.declared_red_lines.append(declared)
        for promise in move.commitments:
            item = f"{promise.issue}={promise.option}"
            if item not in row.commitments:
                row.commitments.append(item)

    def _mediator_move(self, event: MediatorMoveEvent) -> None:
        move = event.payload
        self.questions[event.stage] = list(move.questions)
        if event.stage == "bargain" and move.single_text is not None:
            self._table(proposal_ref(event.round, MEDIATOR), MEDIATOR, event.round, move.single_text)
            self.single_text = move.single_text
            self.latest_text_ref = proposal_ref(event.round, MEDIATOR)
        self.candidates = [Candidate(ref=candidate_ref(event.round, i), package=package)
                           for i, package in enumerate(move.candidates)]
        if move.deadline_round is not None:
            self.deadline = move.deadline_round
        if move.compensation:
            self.compensation = dict(move.compensation)

    # -- reading ----------------------------------------------------------------------------
    def _rankings(self) -> dict[str, list[str]]:
        refs = {candidate.ref for candidate in self.candidates}
        out: dict[str, list[str]] = {}
        for actor, history in self.rankings.items():
            match = next((r for r in reversed(history) if set(r) <= refs), None)
            if match is not None:
                out[actor] = match
        return out

    def shared(self) -> dict[str, Any]:
        """The viewer-independent record fields, built once per transcript length."""
        if self._shared is None or self._shared[0] != self.count:
            fields = {
                "positions": {pid: row.frozen() for pid, row in self.positions.items()},
                "single_text": self.single_text,
                "candidates": list(self.candidates),
                "deadline_round": self.deadline,
                "compensation": dict(self.compensation),
                "rejected": list(self.rejected),
                "text_rejections": dict(self.text_rejections),
                "text_critics": sorted(self.critics.get(self.latest_text_ref, [])),
                "rankings": self._rankings(),
                "shocks": list(self.shocks),
            }
            self._shared = (self.count, fields)
        return self._shared[1]

    def pending(self, round_: int) -> list[PendingProposal]:
        """Offers tabled in the previous bargaining round: the ones to answer now."""
        previous = max((r for r in self.bargain_rounds if r < round_), default=0)
        if not round_ or not previous:
            return []
        out = [PendingProposal(ref=ref, proposer=proposer, round=previous, package=package)
               for ref, (proposer, package) in self.offers_by_round.get(previous, {}).items()]
        return sorted(out, key=lambda p: (p.proposer != MEDIATOR, p.ref))

    def implementation_record(self, viewer: str) -> PublicRecord:
        """The record once the treaty is signed: shocks and recent events, no bargaining state.

        Positions, offers and texts no longer bear on complying with a fixed agreement (it is
        in the view's `implementation`), and would be most of every implementation prompt.
        """
        recent = list(self.recent[viewer]) if self.k else []
        return PublicRecord(shocks=list(self.shocks), recent=recent)

    def record(self, viewer: str, round_: int, draft: Package | None) -> PublicRecord:
        recent = list(self.recent[viewer]) if self.k else []
        return PublicRecord(**self.shared(), pending=self.pending(round_), draft=draft,
                            recent=recent)


_LEDGERS: dict[int, Ledger] = {}


def ledger_for(scenario: Scenario, events: list[Event], k: int) -> Ledger:
    """The ledger of this transcript, brought up to date with `events`."""
    if not events:
        return Ledger(scenario, k)
    key = id(events[0])
    ledger = _LEDGERS.get(key)
    fits = (ledger is not None and ledger.k == k and ledger.party_ids == scenario.party_ids()
            and ledger.count <= len(events)
            and (ledger.count == 0 or events[ledger.count - 1] is ledger.last))
    if not fits:
        ledger = Ledger(scenario, k)
        if key not in _LEDGERS:
            weakref.finalize(events[0], _LEDGERS.pop, key, None)
        _LEDGERS[key] = ledger
    assert ledger is not None
    ledger.extend(events)
    return ledger
