"""Leverage: deadlines and compensation, the manipulative mediator's tools, and their cost.

Deadline. The mediator announces a round by which it wants agreement (two thirds of the way
through the round limit); once that round has passed it sets a final deadline at the round
limit. A baseline delegate takes a mediator's deadline as its own concession horizon.

Compensation. Points from the scenario's `mediator_budget`, attached to the mediator's text:
a party that accepts the text and sees it agreed receives them (the baseline delegate adds
them to the text's utility). Offers go to the parties that rejected the mediator's texts, in
proportion to their pressure (how often they rejected, plus one when the text misses what
they confided in caucus), and escalate with the most persistent rejection: a third of the
budget after one rejection, two thirds after two, all of it after three. Offers are not
withdrawn (the public record keeps the latest offer), so each new offer carries the old ones
forward and never lowers a party's points. Amounts are rounded down to half points, so the
total never exceeds the budget.

`compensation_paid` is the accounting used in results: what the mediator owes when the
agreed package is its text with an offer attached.
"""

from __future__ import annotations

import math

from treatylab.agents.actions import Package
from treatylab.agents.transcript import Event, MediatorMoveEvent, OutcomeEvent
from treatylab.agents.views import MediatorView

DEADLINE_SHARE = 2 / 3
ESCALATION_STEPS = 3
STEP = 0.5


def deadline(view: MediatorView) -> tuple[int | None, bool]:
    """(the deadline to announce, whether it is new this turn)."""
    limit = view.rules.max_rounds
    current = view.record.deadline_round
    if current is None:
        return max(2, min(limit, math.ceil(limit * DEADLINE_SHARE))), True
    # A text tabled now is answered next round: a deadline before that has passed.
    if current <= view.round and current < limit:
        return limit, True
    return current, False


def offer(view: MediatorView, text: Package, demands: dict[str, dict[str, str]]) -> dict[str, float]:
    """Compensation per party attached to `text` (empty without a budget or a rejection)."""
    budget = view.budget.points if view.budget else 0.0
    if budget <= 0:
        return {}
    pressure: dict[str, float] = {}
    for party_id, count in sorted(view.record.text_rejections.items()):
        if count <= 0:
            continue
        unmet = any(text.get(issue) != option for issue, option in demands.get(party_id, {}).items())
        pressure[party_id] = count + (1.0 if unmet else 0.0)
    if not pressure:
        return dict(view.record.compensation)
    escalation = min(1.0, max(view.record.text_rejections.values()) / ESCALATION_STEPS)
    total = budget * escalation
    weight = sum(pressure.values())
    previous = view.record.compensation
    out = {p: max(previous.get(p, 0.0), total * w / weight) for p, w in pressure.items()}
    for party_id, points in previous.items():
        out.setdefault(party_id, points)
    scale = min(1.0, budget / sum(out.values())) if sum(out.values()) else 1.0
    rounded = {p: math.floor(points * scale / STEP) * STEP for p, points in sorted(out.items())}
    return {p: points for p, points in rounded.items() if points > 0}


def compensation_paid(events: list[Event]) -> dict[str, float]:
    """Points the mediator pays: its standing offer, if the agreed package is its latest text."""
    outcome = next((e for e in reversed(events) if isinstance(e, OutcomeEvent)), None)
    if outcome is None or outcome.payload.result != "agreement":
        return {}
    moves = [e for e in events if isinstance(e, MediatorMoveEvent) and e.stage == "bargain"]
    text = next((e.payload.single_text for e in reversed(moves) if e.payload.single_text), None)
    offered = next((e.payload.compensation for e in reversed(moves) if e.payload.compensation), {})
    if text is None or outcome.payload.package != text:
        return {}
    return dict(sorted(offered.items()))
