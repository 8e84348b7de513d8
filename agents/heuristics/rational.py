"""Individual rationality: the floor under every baseline delegate's concessions.

A delegate concedes by its style (see `concession`), but a rational delegate never lets an
agreement slip that beats what it gets without one, and never signs one that does not. Near
the deadline (the last `CLOSING_ROUNDS` rounds of its horizon) it therefore accepts any text
worth at least its current reservation (after shocks, with any compensation attached) that
crosses none of its red lines; at the vote it signs exactly those texts.

`deals_mask` is the same test applied to every party and every package at once: the packages
whose willing signatories carry the scenario's decision rule (the deals under the rule), the
set on which the rational baselines are expected to reach agreement.
"""

from __future__ import annotations

import numpy as np

from treatylab.agents.actions import Package
from treatylab.agents.heuristics.packages import grid_for
from treatylab.agents.views import DelegateView
from treatylab.scenarios.schema import Scenario

CLOSING_ROUNDS = 2  # rounds before the horizon in which the floor replaces the aspiration
EPS = 1e-9


def crosses_red_line(view: DelegateView, package: Package) -> bool:
    return any(package.get(line.issue) in line.forbid for line in view.own.red_lines)


def closing(view: DelegateView, horizon: int) -> bool:
    """Whether the delegate is in the closing rounds before its horizon (or past it)."""
    return view.round > horizon - CLOSING_ROUNDS


def rational(view: DelegateView, value: float) -> bool:
    """A text worth `value` to the delegate beats (or equals) its current reservation."""
    return value >= view.own.reservation - EPS


def willing(scenario: Scenario) -> np.ndarray:
    """(parties x packages) True where the party would sign: at/above reservation, no red line."""
    grid = grid_for(list(scenario.issues))
    rows = []
    for party in scenario.parties:
        score = grid.score(scenario.utilities[party.id])
        rows.append((score >= party.reservation - EPS) & ~grid.forbidden(list(party.red_lines)))
    return np.stack(rows)


def deals_mask(scenario: Scenario) -> np.ndarray:
    """True for packages that the parties willing to sign carry under the decision rule."""
    ok = willing(scenario)
    weights = 1 << np.arange(ok.shape[0], dtype=np.int64)
    codes = (ok * weights[:, None]).sum(axis=0)
    parties = scenario.party_ids()
    verdict = {int(c): _passes(scenario, frozenset(p for k, p in enumerate(parties) if int(c) >> k & 1))
               for c in np.unique(codes)}
    return np.array([verdict[int(c)] for c in codes], dtype=bool)


def _passes(scenario: Scenario, signatories: frozenset[str]) -> bool:
    from treatylab.scenarios.decision_rule import passes

    return bool(passes(scenario, set(signatories)))
