"""The viewer's data: one JSON document built from a run folder, embedded in the page.

Everything the page shows is computed here, in Python, from the scenario, transcript and
result (the outcome space through treatylab.evals.outcome_space); the page's script only
lays it out. Private text (notes, caucus messages, briefs) is in the document, marked by
visibility, and the script writes it into the page only when the viewer reveals it.
"""

from __future__ import annotations

from itertools import combinations
from typing import Any

import numpy as np

from treatylab.agents.transcript import (
    MEDIATOR,
    ComplianceEvent,
    DelegateMoveEvent,
    Event,
    FailedTurnEvent,
    MediatorMoveEvent,
    MonitoringEvent,
    OutcomeEvent,
    ShockEvent,
    StallEvent,
    TrustReportEvent,
    VoteEvent,
)
from treatylab.evals.outcome_space import OutcomeSpace
from treatylab.graphs.protocol import proposal_ref
from treatylab.scenarios import Scenario
from treatylab.viewer.scorecard import scorecard_rows

HIDDEN_KINDS = ("usage",)
MAX_CLOUD = 4000  # distinct (u_a, u_b) points drawn per pair, at most


def _points(scenario: Scenario, package: dict[str, str] | None) -> dict[str, float] | None:
    if not package or set(package) != set(scenario.issue_ids()):
        return None
    return {p: round(scenario.utility(p, package), 2) for p in scenario.party_ids()}


def _text(event: Event) -> str:
    payload = event.payload
    if isinstance(event, (DelegateMoveEvent, MediatorMoveEvent)):
        return payload.statement
    if isinstance(event, VoteEvent):
        return payload.statement
    if isinstance(event, ShockEvent):
        return payload.public
    if isinstance(event, OutcomeEvent):
        return payload.reason
    if isinstance(event, MonitoringEvent):
        found = ", ".join(payload.detected) or "no defection detected"
        return f"period {payload.period}: {found}" + (f". {payload.dispute}" if payload.dispute else "")
    if isinstance(event, FailedTurnEvent):
        return f"failed turn after {payload.attempts} attempt(s): {payload.error}"
    if isinstance(event, ComplianceEvent):
        return ("complies" if payload.comply else "defects") + (f": {payload.statement}" if payload.statement else "")
    if isinstance(event, TrustReportEvent):
        return "trust: " + ", ".join(f"{p} {v:.2f}" for p, v in sorted(payload.trust.items()))
    if isinstance(event, StallEvent):
        return f"stall ({payload.reason.replace('_', ' ')}, {payload.rounds} rounds): {payload.action}"
    return getattr(payload, "text", "") or ""


def _event_doc(scenario: Scenario, event: Event) -> dict[str, Any]:
    doc: dict[str, Any] = {"seq": event.seq, "stage": event.stage, "round": event.round,
                           "actor": event.actor, "kind": event.kind, "vis": event.visibility,
                           "text": _text(event)}
    payload = event.payload
    package = None
    if isinstance(event, DelegateMoveEvent):
        if payload.proposal is not None:
            package = payload.proposal.package
        if payload.responses:
            doc["responses"] = dict(payload.responses)
    elif isinstance(event, MediatorMoveEvent):
        doc["move"] = payload.move
        package = payload.single_text
    elif isinstance(event, VoteEvent):
        doc["decision"] = payload.decision
    elif isinstance(event, OutcomeEvent):
        doc["result"] = payload.result
        package = payload.package
    elif isinstance(event, StallEvent):
        package = payload.package
    elif event.kind == "caucus":
        doc["to"] = getattr(payload, "to", MEDIATOR)
    if package:
        doc["package"] = dict(package)
        doc["points"] = _points(scenario, package)
    return doc


def offers(scenario: Scenario, events: list[Event]) -> list[dict[str, Any]]:
    """Every proposal and single text tabled in bargaining, with each party's points."""
    out = []
    for event in events:
        if event.stage != "bargain":
            continue
        package = None
        if isinstance(event, DelegateMoveEvent) and event.payload.proposal is not None:
            package = event.payload.proposal.package
        elif isinstance(event, MediatorMoveEvent) and event.payload.single_text is not None:
            package = event.payload.single_text
        points = _points(scenario, package)
        if points is not None:
            out.append({"seq": event.seq, "round": event.round, "proposer": event.actor,
                        "ref": proposal_ref(event.round, event.actor), "points": points})
    return out


def reservation_steps(scenario: Scenario, events: list[Event]) -> dict[str, list[list[float]]]:
    """Each party's walk-away over the rounds: [[round, value], ...], stepping at shocks."""
    shocks = {s.id: s for s in scenario.shocks}
    current = {p.id: float(p.reservation) for p in scenario.parties}
    steps = {pid: [[0, value]] for pid, value in current.items()}
    for event in events:
        if isinstance(event, ShockEvent) and event.payload.id in shocks and event.stage == "bargain":
            for party, delta in shocks[event.payload.id].reservation_delta.items():
                current[party] = min(100.0, max(0.0, current[party] + delta))
                steps[party].append([event.round, current[party]])
    return steps


def _front_2d(points: np.ndarray) -> np.ndarray:
    """Upper-right frontier of 2-D points: none has another >= in both and > in one."""
    order = np.lexsort((-points[:, 1], -points[:, 0]))
    best, keep = -np.inf, []
    for i in order:
        if points[i, 1] > best:
            keep.append(i)
            best = points[i, 1]
    return points[sorted(keep, key=lambda k: points[k, 0])]


def outcome_space(scenario: Scenario, reservations: dict[str, float],
                  agreement: dict[str, str] | None) -> dict[str, Any]:
    """Per pair of parties: the cloud of (u_a, u_b), its frontier, the N-party frontier's
    projection; plus the Nash package and the agreement, as points per party."""
    space = OutcomeSpace.build(scenario, reservations=reservations)
    utilities = space.utilities.astype(np.float64)
    frontier = utilities[space.pareto_indices]
    pairs: dict[str, Any] = {}
    for a, b in combinations(range(len(space.party_ids)), 2):
        cloud = np.unique(np.round(utilities[:, [a, b]], 1), axis=0)
        if len(cloud) > MAX_CLOUD:
            cloud = cloud[np.linspace(0, len(cloud) - 1, MAX_CLOUD).astype(int)]
        projected = np.unique(np.round(frontier[:, [a, b]], 1), axis=0)
        key = f"{space.party_ids[a]}|{space.party_ids[b]}"
        pairs[key] = {"cloud": cloud.tolist(), "pareto": projected.tolist(),
                      "front": _front_2d(np.unique(np.round(utilities[:, [a, b]], 1), axis=0)).tolist()}
    nash = space.nash_index()
    nash_package = space.package(nash) if nash is not None else None
    return {"pairs": pairs, "frontier_size": int(len(space.pareto_indices)),
            "packages": int(space.n_packages),
            "nash": {"package": nash_package, "points": _points(scenario, nash_package)},
            "agreement": {"package": agreement, "points": _points(scenario, agreement)}}


def build_document(scenario: Scenario, events: list[Event], result: dict[str, Any],
                   manifest: dict[str, Any], annotations: dict[int, list[str]],
                   *, docs_href: str, parent: dict[str, Any] | None = None) -> dict[str, Any]:
    """The JSON document the page renders (see the module docstring)."""
    scores = result.get("scores") or {}
    reservations = scores.get("reservations") or {p.id: p.reservation for p in scenario.parties}
    agreement = result.get("package") if result.get("outcome") == "agreement" else None
    shown = [e for e in events if e.kind not in HIDDEN_KINDS]
    return {
        "meta": {"title": scenario.title, "scenario": scenario.id, "run_id": result.get("run_id"),
                 "mediator": result.get("mediator") or (manifest.get("config") or {}).get("mediator"),
                 "seed": result.get("seed"), "outcome": result.get("outcome"),
                 "status": result.get("status", "done"), "rounds": result.get("rounds"),
                 "max_rounds": scenario.rules.max_rounds,
                 "backends": _backends(manifest), "recorded_from":
                     (manifest.get("recorded_from") or {}).get("description")},
        "parties": [{"id": p.id, "name": p.name, "reservation": p.reservation, "style": p.style,
                     "brief": p.private_brief} for p in scenario.parties],
        "issues": [{"id": i.id, "title": i.title,
                    "options": [{"id": o.id, "label": o.label} for o in i.options]}
                   for i in scenario.issues],
        "utilities": {p: {i: dict(o) for i, o in u.items()} for p, u in scenario.utilities.items()},
        "events": [_event_doc(scenario, e) for e in shown],
        "offers": offers(scenario, events),
        "reservations": reservation_steps(scenario, events),
        "space": outcome_space(scenario, reservations, agreement),
        "scorecard": scorecard_rows(result, docs_href),
        "payoffs": scores.get("payoffs") or scores.get("utilities") or {},
        "annotations": {str(seq): notes for seq, notes in sorted(annotations.items())},
        "branch": parent,
    }


def _backends(manifest: dict[str, Any]) -> str:
    config = manifest.get("config") or {}
    specs = {config.get("default_backend", "heuristic"), *(config.get("delegates") or {}).values()}
    return ", ".join(sorted(s for s in specs if s))
