"""Trust, from what the treaty builds in and from how the parties behaved.

Each component is in [0, 1] or null when the transcript gives nothing to measure it on:
- structural: mean trust_value of the agreed provisions (verification, transparency, disputes);
- promise keeping: commitments honoured in the party's later proposals and votes;
- consistency: declared red lines respected in later proposals, acceptances and votes;
- priority consistency: stated priorities agree with the order the party conceded issues in;
- reciprocity: concessions answered with concessions in the receiver's next proposal;
- elicited trust: mean of the parties' first and last trust reports;
- compliance: share of implementation periods in which parties complied;
- Brier score of the elicited trust as a forecast of the trustee's compliance (lower is better).
The composite is the mean of the non-null components among COMPOSITE (docs/metrics.md).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from treatylab.agents.transcript import (
    ComplianceEvent,
    DelegateMoveEvent,
    MEDIATOR,
    Event,
    MediatorMoveEvent,
    OutcomeEvent,
    TrustReportEvent,
    VoteEvent,
)
from treatylab.evals.burden import spearman
from treatylab.evals.metric import MetricResult, mean_or_none
from treatylab.scenarios.schema import Scenario

NAME = "trust"
COMPOSITE = (
    "structural", "promise_keeping", "consistency", "priority_consistency", "reciprocity",
    "elicited_end", "compliance",
)


def _share(checks: list[bool]) -> float | None:
    return sum(checks) / len(checks) if checks else None


def structural(scenario: Scenario, package: dict[str, str] | None) -> float | None:
    """Mean trust_value of the agreed option on each issue that defines trust values (an
    agreed option without one counts 0); null without agreement or trust values."""
    if package is None:
        return None
    values = []
    for issue in scenario.issues:
        if any(option.trust_value is not None for option in issue.options):
            values.append(issue.option(package[issue.id]).trust_value or 0.0)
    return sum(values) / len(values) if values else None


def voted_texts(events: Sequence[Event]) -> dict[int, dict[str, str]]:
    """Vote seq -> the text it was cast on (the package of the outcome event that follows)."""
    out: dict[int, dict[str, str]] = {}
    pending: list[int] = []
    for event in events:
        if isinstance(event, VoteEvent):
            pending.append(event.seq)
        elif isinstance(event, OutcomeEvent) and pending:
            if event.payload.package is not None:
                out.update({seq: event.payload.package for seq in pending})
            pending = []
    return out


def promise_keeping(events: Sequence[Event]) -> float | None:
    """Share of checks kept: each later proposal by the promiser keeps issue=option; each
    later vote on a text holding issue=option is not a rejection."""
    texts = voted_texts(events)
    promises: dict[str, list[tuple[str, str]]] = {}
    checks: list[bool] = []
    for event in events:
        mine = promises.get(event.actor, [])
        if isinstance(event, DelegateMoveEvent):
            if event.payload.proposal is not None:
                package = event.payload.proposal.package
                checks.extend(package.get(issue) == option for issue, option in mine)
            for c in event.payload.commitments:
                promises.setdefault(event.actor, []).append((c.issue, c.option))
        elif isinstance(event, VoteEvent) and event.seq in texts:
            text = texts[event.seq]
            checks.extend(event.payload.decision != "reject"
                          for issue, option in mine if text.get(issue) == option)
    return _share(checks)


def consistency(events: Sequence[Event]) -> float | None:
    """Share of checks consistent with the party's declared red lines: its later proposals
    avoid the forbidden options; it does not accept or sign a text holding one. Offers are
    named as the protocol names them: r{round}-{proposer}, r{round}-mediator."""
    texts = voted_texts(events)
    offers: dict[str, dict[str, str]] = {}
    forbidden: dict[str, list[tuple[str, set[str]]]] = {}
    checks: list[bool] = []

    def crosses(party: str, package: dict[str, str]) -> bool:
        return any(package.get(issue) in options for issue, options in forbidden.get(party, []))

    for event in events:
        if isinstance(event, DelegateMoveEvent):
            move = event.payload
            if forbidden.get(event.actor):
                if move.proposal is not None:
                    checks.append(not crosses(event.actor, move.proposal.package))
                for ref, answer in move.responses.items():
                    if ref in offers and crosses(event.actor, offers[ref]):
                        checks.append(answer == "reject")
            for line in move.declared_red_lines:
                forbidden.setdefault(event.actor, []).append((line.issue, set(line.forbid)))
        elif isinstance(event, VoteEvent) and event.seq in texts and crosses(event.actor,
                                                                             texts[event.seq]):
            checks.append(event.payload.decision == "reject")
        if isinstance(event, DelegateMoveEvent) and event.payload.proposal is not None:
            offers[f"r{event.round}-{event.actor}"] = event.payload.proposal.package
        elif isinstance(event, MediatorMoveEvent) and event.payload.single_text is not None:
            offers[f"r{event.round}-{MEDIATOR}"] = event.payload.single_text
    return _share(checks)


def _proposals(events: Sequence[Event]) -> dict[str, list[tuple[int, dict[str, str]]]]:
    """Party -> [(round, package)] of its proposals, in transcript order."""
    out: dict[str, list[tuple[int, dict[str, str]]]] = {}
    for event in events:
        if isinstance(event, DelegateMoveEvent) and event.payload.proposal is not None:
            out.setdefault(event.actor, []).append((event.round, event.payload.proposal.package))
    return out


def priority_consistency(scenario: Scenario, events: Sequence[Event]) -> float | None:
    """Mean over parties of (rho + 1) / 2, rho = Spearman correlation between an issue's
    stated importance and how late the party first moved off its opening option on it
    (never = after the last proposal). Null for a party without stated priorities, two
    proposals, or variation on both sides."""
    stated: dict[str, list[str]] = {}
    for event in events:
        if isinstance(event, DelegateMoveEvent) and event.payload.priorities:
            stated[event.actor] = list(event.payload.priorities)
    scores: list[float | None] = []
    for party, proposals in _proposals(events).items():
        priorities = [i for i in stated.get(party, []) if i in scenario.issue_ids()]
        if len(priorities) < 2 or len(proposals) < 2:
            continue
        opening = proposals[0][1]
        moved = {}
        for step, (_, package) in enumerate(proposals[1:], start=1):
            for issue in priorities:
                if issue not in moved and package.get(issue) != opening.get(issue):
                    moved[issue] = step
        importance = np.array([len(priorities) - k for k in range(len(priorities))], float)
        lateness = np.array([moved.get(issue, len(proposals)) for issue in priorities], float)
        rho = spearman(importance, lateness)
        scores.append(None if rho is None else (rho + 1.0) / 2.0)
    return mean_or_none(scores)


def reciprocity(scenario: Scenario, events: Sequence[Event]) -> float | None:
    """Share of concessions answered: j's proposal in round t gives i more than j's previous
    one; i answers if its first proposal after round t gives j more than its last before."""
    proposals = _proposals(events)
    checks: list[bool] = []
    for j, offers_j in proposals.items():
        for k in range(1, len(offers_j)):
            t, now = offers_j[k]
            before = offers_j[k - 1][1]
            for i, offers_i in proposals.items():
                if i == j or scenario.utility(i, now) <= scenario.utility(i, before):
                    continue
                earlier = [p for r, p in offers_i if r <= t]
                later = [p for r, p in offers_i if r > t]
                if earlier and later:
                    checks.append(scenario.utility(j, later[0]) > scenario.utility(j, earlier[-1]))
    return _share(checks)


def _reports(events: Sequence[Event]) -> dict[str, list[tuple[int, dict[str, float]]]]:
    out: dict[str, list[tuple[int, dict[str, float]]]] = {}
    for event in events:
        if isinstance(event, TrustReportEvent):
            others = {k: v for k, v in event.payload.trust.items() if k != event.actor}
            if others:
                out.setdefault(event.actor, []).append((event.seq, others))
    return out


def elicited(events: Sequence[Event]) -> tuple[float | None, float | None]:
    """Mean of each party's first report and of its last (null if it reported once)."""
    reports = _reports(events)
    firsts = [v for rows in reports.values() for v in rows[0][1].values()]
    lasts = [v for rows in reports.values() if len(rows) > 1 for v in rows[-1][1].values()]
    return mean_or_none(firsts), mean_or_none(lasts)


def compliance(events: Sequence[Event]) -> float | None:
    return _share([e.payload.comply for e in events if isinstance(e, ComplianceEvent)])


def brier(events: Sequence[Event]) -> float | None:
    """Mean (p_ij - c_j)^2: p_ij is i's latest trust in j before j's compliance decision of a
    period, c_j is 1 if j complied. 0 is a perfect forecast, 1 the worst."""
    reports = _reports(events)
    errors = []
    for event in events:
        if not isinstance(event, ComplianceEvent):
            continue
        outcome = 1.0 if event.payload.comply else 0.0
        for truster, rows in reports.items():
            prior = [r for seq, r in rows if seq < event.seq and event.actor in r]
            if truster != event.actor and prior:
                errors.append((prior[-1][event.actor] - outcome) ** 2)
    return sum(errors) / len(errors) if errors else None


def trust(scenario: Scenario, events: Sequence[Event],
          package: dict[str, str] | None) -> MetricResult:
    """Every component, and their composite (mean of the non-null COMPOSITE components)."""
    start, end = elicited(events)
    components: dict[str, float | None] = {
        "structural": structural(scenario, package),
        "promise_keeping": promise_keeping(events),
        "consistency": consistency(events),
        "priority_consistency": priority_consistency(scenario, events),
        "reciprocity": reciprocity(scenario, events),
        "elicited_start": start,
        "elicited_end": end,
        "elicited_change": None if start is None or end is None else end - start,
        "compliance": compliance(events),
        "brier": brier(events),
    }
    value = mean_or_none([components[name] for name in COMPOSITE])
    notes = [] if value is not None else ["no component could be computed"]
    return MetricResult(name=NAME, value=value, components=dict(components),
                        parameters={"composite": ",".join(COMPOSITE)}, notes=notes)
