"""Diverse candidate texts: the 'generate' step of generate-rank-aggregate.

Candidates are the top packages by the Nash product of the parties' revealed-preference
estimates (the frequency opponent model, as the formulative mediator uses), with two
additions: an option a party confided it needs (see `caucus`) raises that party's estimate,
and candidates must differ from one another on at least `min_distance` issues, so the
delegations rank real alternatives rather than near-copies of one package.
"""

from __future__ import annotations

import numpy as np

from treatylab.agents.actions import Package
from treatylab.agents.heuristics.opponent_model import estimate
from treatylab.agents.heuristics.packages import PackageGrid, grid_for
from treatylab.agents.heuristics.seeding import rng
from treatylab.agents.mediators.caucus import confided_demands
from treatylab.agents.views import MediatorView

CONFIDED_BONUS = 0.15  # on the 0..1 estimate scale, per confided option a package keeps
FLOOR = 0.05  # keeps the log of an estimate finite


def nash_scores(view: MediatorView, grid: PackageGrid) -> tuple[np.ndarray, np.ndarray]:
    """(log Nash product of estimates, allowed mask): declared red lines and voted-down texts out."""
    demands = confided_demands(view)
    log_product = np.zeros(len(grid))
    lines = []
    for party_id, position in sorted(view.record.positions.items()):
        value = estimate(position, grid)
        for issue_id, option in sorted(demands.get(party_id, {}).items()):
            value = value + CONFIDED_BONUS * grid.matches({issue_id: option})
        log_product += np.log(value + FLOOR)
        lines.extend(position.declared_red_lines)
    allowed = ~grid.forbidden(lines)
    for rejected in view.record.rejected:
        allowed[grid.index_of(rejected)] = False
    if not allowed.any():
        allowed[:] = True
    return log_product, allowed


def diverse_top(view: MediatorView, k: int, min_distance: int) -> list[Package]:
    """Up to `k` packages, best first, each differing from the others on >= `min_distance` issues."""
    grid = grid_for(view.issues)
    scores, allowed = nash_scores(view, grid)
    noise = rng(view.seed, "candidates").random(len(grid)) * 1e-9
    ranked = np.argsort(-np.where(allowed, scores + noise, -np.inf), kind="stable")
    chosen: list[int] = []
    for index in ranked[: max(64 * k, 256)]:
        if not allowed[index]:
            break
        codes = grid.codes[index]
        if all(int((grid.codes[c] != codes).sum()) >= min_distance for c in chosen):
            chosen.append(int(index))
            if len(chosen) == k:
                break
    return [grid.package(i) for i in chosen]
