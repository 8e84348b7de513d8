"""Build each actor's view from the scenario and the transcript: the isolation boundary.

A delegate's view holds the public background, its own brief (and nobody else's), the public
record and messages addressed to it. The mediator's view holds the public record and the
caucus messages; true utilities only for an oracle strategy. Nothing else reaches a backend.
Everything read from the transcript comes from its `graphs.ledger.Ledger`, which reads each
event once, so building a view costs the same late in a long negotiation as early on.
"""

from __future__ import annotations

import math

from treatylab.agents.actions import ExpectedAction, Package
from treatylab.agents.heuristics.concession import EXPONENTS
from treatylab.agents.heuristics.seeding import derive_seed, rng
from treatylab.agents.transcript import MEDIATOR, Event
from treatylab.agents.views import (
    DelegateView,
    Implementation,
    MediatorView,
    Message,
    OracleInfo,
    OwnBrief,
    fence_nonce,
)
from treatylab.graphs.config import RunConfig
from treatylab.graphs.shuttle import caucus_messages
from treatylab.graphs.ledger import Ledger, ledger_for
from treatylab.scenarios.schema import Scenario


def _common(scenario: Scenario, config: RunConfig, ledger: Ledger, viewer: str,
            stage: str, round_: int, expected: ExpectedAction, draft: Package | None) -> dict:
    return {
        "scenario_id": scenario.id,
        "title": scenario.title,
        "alliance_type": scenario.alliance_type,
        "background": scenario.background,
        "rules": scenario.rules,
        "parties": ledger.parties_public,
        "issues": list(scenario.issues),
        "fence": fence_nonce(config.seed, scenario.id, viewer),
        "stage": stage,
        "round": round_,
        "seed": derive_seed(config.seed, viewer, stage, round_),
        "expected": expected,
        "record": (ledger.implementation_record(viewer) if stage == "implement"
                   else ledger.record(viewer, round_ if stage == "bargain" else 0, draft)),
    }


def concession_exponent(seed: int, party_id: str, style: str) -> float:
    """Each episode draws how firm a delegation is, around its style (log-normal, sd 0.25)."""
    base = EXPONENTS[style]
    return round(base * math.exp(0.25 * float(rng(seed, party_id, "exponent").standard_normal())), 4)


def current_reservation(scenario: Scenario, party_id: str, fired: set[str]) -> float:
    delta = sum(s.reservation_delta.get(party_id, 0.0) for s in scenario.shocks if s.id in fired)
    return min(100.0, max(0.0, scenario.party(party_id).reservation + delta))


def _latest_trust(scenario: Scenario, party_id: str, ledger: Ledger) -> dict[str, float]:
    if party_id in ledger.trust:
        return dict(ledger.trust[party_id])
    return {p: scenario.initial_trust_of(party_id, p) for p in scenario.party_ids() if p != party_id}


def _messages(ledger: Ledger, stage: str) -> list[Message]:
    """The mediator's questions of the current stage, addressed to every delegate."""
    return [Message(sender=MEDIATOR, text=q) for q in ledger.questions.get(stage, [])]


def delegate_view(scenario: Scenario, config: RunConfig, events: list[Event], party_id: str, *,
                  stage: str, round_: int, expected: ExpectedAction, draft: Package | None = None,
                  drafting: bool = False, period: int = 0,
                  agreement: Package | None = None) -> DelegateView:
    ledger = ledger_for(scenario, events, config.recent_events)
    party = scenario.party(party_id)
    temptation = 0.0
    implementation = None
    if stage == "implement" and agreement is not None:
        temptation = min(1.0, sum(s.defection_temptation.get(party_id, 0.0)
                                  for s in scenario.shocks if s.at_period == period))
        detected = sorted(ledger.detected)
        implementation = Implementation(period=period, periods=scenario.rules.implementation_periods,
                                        agreement=agreement, detected_so_far=detected)
    own = OwnBrief(
        persona=party.persona,
        private_brief=party.private_brief,
        style=party.style,
        concession_exponent=concession_exponent(config.seed, party_id, party.style),
        reservation=current_reservation(scenario, party_id, ledger.fired),
        utilities=scenario.utilities[party_id],
        red_lines=list(party.red_lines),
        notes=list(ledger.notes[party_id]),
        trust=_latest_trust(scenario, party_id, ledger),
        defection_temptation=temptation,
    )
    return DelegateView(
        **_common(scenario, config, ledger, party_id, stage, round_, expected, draft),
        party_id=party_id,
        mediator=config.mediator,
        drafting=drafting,
        own=own,
        messages=_messages(ledger, stage) + caucus_messages(events, party_id, stage, round_),
        implementation=implementation,
    )


def mediator_view(scenario: Scenario, config: RunConfig, events: list[Event], *, stage: str,
                  round_: int, oracle: bool, draft: Package | None = None) -> MediatorView:
    ledger = ledger_for(scenario, events, config.recent_events)
    oracle_info = None
    if oracle:
        oracle_info = OracleInfo(
            utilities=scenario.utilities,
            reservations={p: current_reservation(scenario, p, ledger.fired) for p in scenario.party_ids()},
            red_lines={p.id: list(p.red_lines) for p in scenario.parties},
        )
    return MediatorView(
        **_common(scenario, config, ledger, MEDIATOR, stage, round_, "mediator_action", draft),
        strategy=config.mediator,
        caucus=list(ledger.caucus),
        budget=scenario.mediator_budget,
        oracle=oracle_info,
    )
