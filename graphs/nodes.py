"""Stage nodes: small functions of (state) -> update, closed over one Episode.

Routing and the wiring live in graphs.builder; here each node does one
step of the protocol: collect a stage's turns, check consensus, fire shocks, count votes,
monitor compliance, record the outcome.
"""

from __future__ import annotations

from typing import Any

from treatylab.agents.actions import DelegateAction, Vote
from treatylab.agents.backends.heuristic import HeuristicBackend
from treatylab.agents.backends.human import HumanSeat
from treatylab.agents.heuristics.seeding import rng
from treatylab.agents.heuristics.verification import verification_strength
from treatylab.agents.transcript import MEDIATOR, PROTOCOL, ComplianceEvent
from treatylab.agents.views import DelegateView, MediatorView
from treatylab.graphs import views
from treatylab.graphs.episode import Episode
from treatylab.graphs.events import number, turn_events
from treatylab.graphs.protocol import RETRY_ROUNDS, passes, returns_to_bargaining
from treatylab.graphs.record import bargain_offers
from treatylab.graphs.stall import detect as detect_stall
from treatylab.graphs.turns import collect, single_turn, stage_round

State = dict[str, Any]


def _protocol_event(stage: str, round_: int, kind: str, payload: dict[str, Any],
                    actor: str = PROTOCOL) -> dict[str, Any]:
    return {"stage": stage, "round": round_, "actor": actor, "kind": kind,
            "visibility": "public", "payload": payload}


# -- views for each stage -------------------------------------------------------------------
def view_for_delegate(episode: Episode, state: State, party: str, stage: str) -> DelegateView:
    expected = {"finalize": "vote", "implement": "compliance"}.get(stage, "delegate_action")
    return views.delegate_view(
        episode.scenario, episode.config, episode.events(state), party, stage=stage,
        round_=stage_round(stage, state), expected=expected,  # type: ignore[arg-type]
        draft=state.get("draft"), period=int(state.get("period", 0)),
        agreement=state.get("draft") if stage == "implement" else None,
    )


def mediator_view(episode: Episode, state: State, stage: str) -> MediatorView:
    return views.mediator_view(
        episode.scenario, episode.config, episode.events(state), stage=stage,
        round_=stage_round(stage, state), oracle=episode.strategy.oracle, draft=state.get("draft"),
    )


# -- collectors ----------------------------------------------------------------------------
def collect_stage(episode: Episode, stage: str, actors_of: Any) -> Any:
    async def node(state: State) -> State:
        events, _ = collect(episode, state, stage, actors_of(episode, state))
        return {"events": events, "stage": stage}
    return node


def mediator_step(episode: Episode, stage: str) -> Any:
    async def node(state: State) -> State:
        view = mediator_view(episode, state, stage)
        events, _ = await single_turn(episode, state, stage, MEDIATOR, view)
        return {"events": events, "stage": stage}
    return node


# -- bargaining ----------------------------------------------------------------------------
def bargain_start(episode: Episode) -> Any:
    async def node(state: State) -> State:
        round_ = int(state.get("round", 0)) + 1
        limit = int(state.get("round_limit") or episode.scenario.rules.max_rounds)
        fired = [s for s in episode.scenario.shocks if s.at_round == round_]
        drafts = [_protocol_event("bargain", round_, "shock", {"id": s.id, "public": s.public})
                  for s in fired]
        return {"events": number(drafts, len(state.get("events", []))), "round": round_,
                "round_limit": limit, "stage": "bargain"}
    return node


def _consensus(episode: Episode, state: State, results: dict[str, Any],
               new_events: list[dict[str, Any]]) -> dict[str, Any] | None:
    """A tabled offer every required party accepted, or one package all parties proposed."""
    offers = bargain_offers(episode.events({"events": state.get("events", []) + new_events}))
    support: dict[str, set[str]] = {}
    for party, result in results.items():
        if isinstance(result.action, DelegateAction):
            for ref, answer in result.action.responses.items():
                if answer == "accept" and ref in offers:
                    support.setdefault(ref, set()).add(party)
    carried = sorted(ref for ref, parties in support.items() if passes(episode.scenario, parties))
    if carried:
        # The mediator's text first, then the widest support; remaining ties by the chair's
        # seeded draw, so no party wins ties by the spelling of its id.
        draw = rng(episode.config.seed, "consensus", state["round"]).permutation(len(carried))
        order = {ref: int(draw[i]) for i, ref in enumerate(carried)}
        best = min(carried, key=lambda ref: (not ref.endswith(MEDIATOR), -len(support[ref]), order[ref]))
        return {"ref": best, "package": offers[best][1], "supporters": sorted(support[best])}
    proposed = [r.action.proposal.package for r in results.values()
                if isinstance(r.action, DelegateAction) and r.action.proposal is not None]
    if len(proposed) == len(episode.parties) and all(p == proposed[0] for p in proposed):
        return {"ref": f"r{state['round']}-all", "package": proposed[0], "supporters": episode.parties}
    return None


def bargain_collect(episode: Episode) -> Any:
    async def node(state: State) -> State:
        events, results = collect(episode, state, "bargain", episode.parties)
        consensus = _consensus(episode, state, results, events)
        update: State = {"events": events, "consensus": consensus}
        if consensus is None:
            update.update(_stall(episode, state, events))
        elif consensus:
            update["draft"] = consensus["package"]
        return update
    return node


def _stall(episode: Episode, state: State, new_events: list[dict[str, Any]]) -> State:
    """A `stall` event and its consequence (see graphs.stall), or nothing."""
    round_ = int(state["round"])
    events = episode.events({"events": state.get("events", []) + new_events})
    found = detect_stall(episode.scenario, events, round_, episode.config.seed)
    if found is None:
        return {}
    new_events = new_events + number([_protocol_event("bargain", round_, "stall", found)],
                                     len(state.get("events", [])) + len(new_events))
    update: State = {"events": new_events}
    if found["action"] == "vote":
        update["consensus"] = {"ref": f"r{round_}-stall", "package": found["package"],
                               "supporters": found["supporters"], "stall": True}
        update["draft"] = found["package"]
    elif found["action"] == "end":
        update["round_limit"] = round_
    return update


# -- drafting and signature -----------------------------------------------------------------
def drafter(episode: Episode) -> Any:
    async def node(state: State) -> State:
        if episode.mediated:
            view: DelegateView | MediatorView = mediator_view(episode, state, "draft")
            actor = MEDIATOR
        else:
            actor = episode.scenario.lead_party_id()
            view = view_for_delegate(episode, state, actor, "draft").model_copy(update={"drafting": True})
        if isinstance(episode.backends[actor], HumanSeat):
            # Drafting is clerical (the text is the agreed package): the clerk drafts for a person.
            result = await HeuristicBackend().aact(view)
            drafts = turn_events("draft", stage_round("draft", state), actor, result)
            return {"events": number(drafts, len(state.get("events", []))), "stage": "draft"}
        events, _ = await single_turn(episode, state, "draft", actor, view)
        return {"events": events, "stage": "draft"}
    return node


def finalize_collect(episode: Episode) -> Any:
    async def node(state: State) -> State:
        events, results = collect(episode, state, "finalize", episode.parties)
        signed = {p for p, r in results.items()
                  if isinstance(r.action, Vote) and r.action.decision != "reject"}
        round_ = int(state["round"])
        if passes(episode.scenario, signed):
            payload = {"result": "agreement", "package": state["draft"], "signatories": sorted(signed),
                       "reason": f"signed under {episode.scenario.rules.decision_rule}"}
            outcome: str | None = "agreement"
            update: State = {}
        else:
            refused = sorted(set(episode.parties) - signed)
            payload = {"result": "rejected", "package": state["draft"], "signatories": sorted(signed),
                       "reason": f"not carried; refused by {', '.join(refused)}"}
            outcome = None
            rejections = int(state.get("rejections", 0)) + 1
            limit = round_ + RETRY_ROUNDS
            if (state.get("consensus") or {}).get("stall"):  # a stall vote costs no rounds
                limit = max(limit, int(state.get("round_limit") or 0))
            update = {"rejections": rejections, "draft": None, "consensus": None,
                      "round_limit": limit}
        drafts = [_protocol_event("finalize", round_, "outcome", payload)]
        events += number(drafts, len(state.get("events", [])) + len(events))
        return {**update, "events": events, "outcome": outcome, "stage": "finalize"}
    return node


def breakdown(episode: Episode) -> Any:
    async def node(state: State) -> State:
        stalled = [e for e in episode.events(state) if e.kind == "stall"]
        if not returns_to_bargaining(int(state.get("rejections", 0))):
            reason = "the text was voted down twice"  # REJECTIONS_RETURNED + 1 times
        elif stalled and stalled[-1].payload.action == "end" and stalled[-1].round == state.get("round"):
            reason = f"bargaining stalled ({stalled[-1].payload.reason.replace('_', ' ')})"
        else:
            reason = f"no consensus within the round limit ({state.get('round_limit')})"
        stage = str(state.get("stage", "bargain"))
        drafts = [_protocol_event(stage, stage_round(stage, state), "outcome",
                                  {"result": "breakdown", "reason": reason})]
        return {"events": number(drafts, len(state.get("events", []))), "outcome": "breakdown"}
    return node


# -- implementation ------------------------------------------------------------------------
def implement_start(episode: Episode) -> Any:
    async def node(state: State) -> State:
        period = int(state.get("period", 0)) + 1
        fired = [s for s in episode.scenario.shocks if s.at_period == period]
        drafts = [_protocol_event("implement", period, "shock", {"id": s.id, "public": s.public})
                  for s in fired]
        return {"events": number(drafts, len(state.get("events", []))), "period": period,
                "stage": "implement"}
    return node


def implement_collect(episode: Episode) -> Any:
    async def node(state: State) -> State:
        events, _ = collect(episode, state, "implement", episode.parties)
        period = int(state["period"])
        strength = verification_strength(list(episode.scenario.issues), state["draft"])
        defectors = [e["actor"] for e in events if e["kind"] == ComplianceEvent.model_fields["kind"].default
                     and not e["payload"]["comply"]]
        detected = [p for p in defectors
                    if rng(episode.config.seed, "monitor", period, p).random() < strength]
        dispute = None
        if detected:
            dispute = (f"Verification found non-compliance by {', '.join(detected)}; "
                       "the matter goes to the agreed dispute mechanism.")
        drafts = [_protocol_event("implement", period, "monitoring",
                                  {"period": period, "detected": detected, "dispute": dispute})]
        events += number(drafts, len(state.get("events", [])) + len(events))
        return {"events": events}
    return node


def evaluate(episode: Episode) -> Any:
    async def node(state: State) -> State:
        from treatylab.evals import evaluate as score

        card = score(episode.scenario, episode.events(state),
                     burden_reference=episode.config.burden_reference)
        return {"scores": card.model_dump(mode="json")}
    return node
