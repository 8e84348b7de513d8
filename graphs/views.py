"""Build each actor's view from the scenario and the transcript: the isolation boundary.

A delegate's view holds the public background, its own brief (and nobody else's), the public
record and messages addressed to it. The mediator's view holds the public record and the
caucus messages; true utilities only for an oracle strategy. Nothing else reaches a backend.
"""

from __future__ import annotations

import math

from treatylab.agents.actions import ExpectedAction, Package
from treatylab.agents.heuristics.concession import EXPONENTS
from treatylab.agents.heuristics.seeding import derive_seed, rng
from treatylab.agents.transcript import MEDIATOR, Event, MediatorMoveEvent, MonitoringEvent, ShockEvent, TrustReportEvent
from treatylab.agents.views import (
    DelegateView,
    Implementation,
    MediatorView,
    Message,
    OracleInfo,
    OwnBrief,
    PartyPublic,
)
from treatylab.graphs.config import RunConfig
from treatylab.graphs.record import caucus_for_mediator, public_record, visible_to
from treatylab.scenarios.schema import Scenario


def _common(scenario: Scenario, config: RunConfig, events: list[Event], viewer: str,
            stage: str, round_: int, expected: ExpectedAction, draft: Package | None) -> dict:
    return {
        "scenario_id": scenario.id,
        "title": scenario.title,
        "alliance_type": scenario.alliance_type,
        "background": scenario.background,
        "rules": scenario.rules,
        "parties": [PartyPublic(id=p.id, name=p.name, capacity=p.capacity, benefit=p.benefit,
                                persona=p.persona) for p in scenario.parties],
        "issues": list(scenario.issues),
        "stage": stage,
        "round": round_,
        "seed": derive_seed(config.seed, viewer, stage, round_),
        "expected": expected,
        "record": public_record(scenario, events, viewer, round_ if stage == "bargain" else 0,
                                draft, config.recent_events),
    }


def concession_exponent(seed: int, party_id: str, style: str) -> float:
    """Each episode draws how firm a delegation is, around its style (log-normal, sd 0.25)."""
    base = EXPONENTS[style]
    return round(base * math.exp(0.25 * float(rng(seed, party_id, "exponent").standard_normal())), 4)


def current_reservation(scenario: Scenario, party_id: str, events: list[Event]) -> float:
    fired = {e.payload.id for e in events if isinstance(e, ShockEvent)}
    delta = sum(s.reservation_delta.get(party_id, 0.0) for s in scenario.shocks if s.id in fired)
    return min(100.0, max(0.0, scenario.party(party_id).reservation + delta))


def _latest_trust(scenario: Scenario, party_id: str, events: list[Event]) -> dict[str, float]:
    for event in reversed(events):
        if isinstance(event, TrustReportEvent) and event.actor == party_id:
            return dict(event.payload.trust)
    return {p: scenario.initial_trust_of(party_id, p) for p in scenario.party_ids() if p != party_id}


def _messages(events: list[Event], stage: str) -> list[Message]:
    """The mediator's questions of the current stage, addressed to every delegate."""
    for event in reversed(events):
        if isinstance(event, MediatorMoveEvent) and event.stage == stage:
            return [Message(sender=MEDIATOR, text=q) for q in event.payload.questions]
    return []


def delegate_view(scenario: Scenario, config: RunConfig, events: list[Event], party_id: str, *,
                  stage: str, round_: int, expected: ExpectedAction, draft: Package | None = None,
                  drafting: bool = False, period: int = 0,
                  agreement: Package | None = None) -> DelegateView:
    party = scenario.party(party_id)
    temptation = 0.0
    implementation = None
    if stage == "implement" and agreement is not None:
        temptation = min(1.0, sum(s.defection_temptation.get(party_id, 0.0)
                                  for s in scenario.shocks if s.at_period == period))
        detected = sorted({p for e in events if isinstance(e, MonitoringEvent) for p in e.payload.detected})
        implementation = Implementation(period=period, periods=scenario.rules.implementation_periods,
                                        agreement=agreement, detected_so_far=detected)
    own_notes = [e.payload.text for e in events
                 if e.kind == "private_note" and e.actor == party_id and visible_to(e, party_id)]
    own = OwnBrief(
        persona=party.persona,
        private_brief=party.private_brief,
        style=party.style,
        concession_exponent=concession_exponent(config.seed, party_id, party.style),
        reservation=current_reservation(scenario, party_id, events),
        utilities=scenario.utilities[party_id],
        red_lines=list(party.red_lines),
        notes=own_notes[-3:],
        trust=_latest_trust(scenario, party_id, events),
        defection_temptation=temptation,
    )
    return DelegateView(
        **_common(scenario, config, events, party_id, stage, round_, expected, draft),
        party_id=party_id,
        mediator=config.mediator,
        drafting=drafting,
        own=own,
        messages=_messages(events, stage),
        implementation=implementation,
    )


def mediator_view(scenario: Scenario, config: RunConfig, events: list[Event], *, stage: str,
                  round_: int, oracle: bool, draft: Package | None = None) -> MediatorView:
    oracle_info = None
    if oracle:
        oracle_info = OracleInfo(
            utilities=scenario.utilities,
            reservations={p: current_reservation(scenario, p, events) for p in scenario.party_ids()},
            red_lines={p.id: list(p.red_lines) for p in scenario.parties},
        )
    return MediatorView(
        **_common(scenario, config, events, MEDIATOR, stage, round_, "mediator_action", draft),
        strategy=config.mediator,
        caucus=[Message(sender=s, text=t) for s, t in caucus_for_mediator(events)],
        budget=scenario.mediator_budget,
        oracle=oracle_info,
    )
