"""Stall detection: talks that go round in circles, or restate a deal already made.

The protocol, not the agents, decides when bargaining ends. Besides consensus and the round
limit it ends (or forces a decision on) bargaining that has stopped moving:

- **no new proposal**: k consecutive rounds in which no delegation tabled any package;
- **restated**: k consecutive rounds in which every package tabled had been tabled before
  (the same packages restated), k being the scenario's `rules.stall_rounds`;
- **accepted while talking**: every party has proposed or accepted one and the same package,
  under whatever refs, and yet no offer carried the round ("AI theatre": the deal is made and
  the talk goes on).

What follows is the scenario's `rules.on_stall`: `vote` puts the best-supported text to the
vote (draft, then finalize), `end` ends bargaining as a breakdown, `continue` only records it.
The best-supported text is the package the most parties proposed or accepted in the stalled
rounds; ties go to the mediator's latest text, then to a seeded draw. Rounds are counted
afresh after a text is voted down and after each stall.
"""

from __future__ import annotations

import json
from typing import Any

from treatylab.agents.actions import Package
from treatylab.agents.heuristics.seeding import rng
from treatylab.agents.transcript import MEDIATOR, DelegateMoveEvent, Event, MediatorMoveEvent, OutcomeEvent, StallEvent
from treatylab.scenarios.schema import Scenario

Key = str


def _key(package: Package) -> Key:
    return json.dumps(package, sort_keys=True)


def _since_reset(events: list[Event]) -> list[Event]:
    """Bargaining events after the last voted-down text or recorded stall."""
    start = 0
    for i, event in enumerate(events):
        if isinstance(event, StallEvent) or (isinstance(event, OutcomeEvent) and event.payload.result == "rejected"):
            start = i + 1
    return [e for e in events[start:] if e.stage == "bargain"]


def _rounds(events: list[Event]) -> dict[int, dict[str, Any]]:
    """Per round: packages delegates tabled, the mediator's text, who supported which package."""
    rounds: dict[int, dict[str, Any]] = {}
    offers: dict[str, Package] = {}
    for event in events:
        row = rounds.setdefault(event.round, {"tabled": [], "text": None, "support": {}})
        if isinstance(event, DelegateMoveEvent):
            move = event.payload
            if move.proposal is not None:
                package = move.proposal.package
                offers[f"r{event.round}-{event.actor}"] = package
                row["tabled"].append(_key(package))
                row["support"].setdefault(_key(package), set()).add(event.actor)
            for ref, answer in move.responses.items():
                if answer == "accept" and ref in offers:
                    row["support"].setdefault(_key(offers[ref]), set()).add(event.actor)
        elif isinstance(event, MediatorMoveEvent) and event.payload.single_text is not None:
            offers[f"r{event.round}-{MEDIATOR}"] = event.payload.single_text
            row["text"] = _key(event.payload.single_text)
    return rounds


def _streak(rounds: dict[int, dict[str, Any]], current: int) -> tuple[int, bool]:
    """(consecutive stale rounds ending at `current`, whether none of them tabled anything)."""
    seen: set[Key] = set()
    stale: dict[int, bool] = {}
    empty: dict[int, bool] = {}
    for r in sorted(rounds):
        tabled = set(rounds[r]["tabled"])
        stale[r] = r > min(rounds) and tabled <= seen
        empty[r] = not tabled
        seen |= tabled
        if rounds[r]["text"]:
            seen.add(rounds[r]["text"])
    streak, r = 0, current
    while stale.get(r):
        streak, r = streak + 1, r - 1
    return streak, all(empty.get(current - i, False) for i in range(streak))


def _best_supported(rounds: dict[int, dict[str, Any]], window: list[int], rejected: set[Key],
                    seed: int, current: int) -> tuple[Key, set[str]] | None:
    support: dict[Key, set[str]] = {}
    for r in window:
        for key, parties in rounds[r]["support"].items():
            if key not in rejected:
                support.setdefault(key, set()).update(parties)
    if not support:
        return None
    text = next((rounds[r]["text"] for r in sorted(rounds, reverse=True) if rounds[r]["text"]), None)
    keys = sorted(support)
    draw = rng(seed, "stall", current).permutation(len(keys))
    best = min(range(len(keys)), key=lambda i: (-len(support[keys[i]]), keys[i] != text, int(draw[i])))
    return keys[best], support[keys[best]]


def detect(scenario: Scenario, events: list[Event], current: int, seed: int) -> dict[str, Any] | None:
    """The stall payload for bargaining round `current` (events include that round), or None."""
    rules = scenario.rules
    rejected = {_key(e.payload.package) for e in events
                if isinstance(e, OutcomeEvent) and e.payload.result == "rejected" and e.payload.package}
    rounds = _rounds(_since_reset(events))
    if current not in rounds:
        return None
    parties = set(scenario.party_ids())
    window = [r for r in sorted(rounds) if r <= current]
    pooled: dict[Key, set[str]] = {}
    for r in window:
        for key, who in rounds[r]["support"].items():
            pooled.setdefault(key, set()).update(who)
    settled = sorted(k for k, who in pooled.items() if parties <= who and k not in rejected)
    if settled:
        return _payload("accepted_while_talking", 1, rules.on_stall, settled[0], pooled[settled[0]])
    streak, empty = _streak(rounds, current)
    if streak < rules.stall_rounds:
        return None
    last = window[-streak:]
    best = _best_supported(rounds, last, rejected, seed, current)
    if best is None and rules.on_stall == "vote":
        best = _best_supported(rounds, window, rejected, seed, current)
    reason = "no_new_proposal" if empty else "restated"
    if best is None:
        return _payload(reason, streak, "end" if rules.on_stall == "vote" else rules.on_stall, None, set())
    return _payload(reason, streak, rules.on_stall, best[0], best[1])


def _payload(reason: str, rounds: int, action: str, key: Key | None, supporters: set[str]) -> dict[str, Any]:
    return {"reason": reason, "rounds": rounds, "action": action,
            "package": json.loads(key) if key and action == "vote" else None,
            "supporters": sorted(supporters)}
