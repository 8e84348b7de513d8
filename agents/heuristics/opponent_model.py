"""Frequency opponent model (after Hindriks & Tykhonov's and the ANAC frequency models).

What a party keeps proposing it values; an issue on which it never moves it weighs heavily.
Estimates are on 0..1 and come only from what the party revealed in public: proposals,
acceptances and declared red lines.
"""

from __future__ import annotations

import numpy as np

from treatylab.agents.heuristics.packages import PackageGrid
from treatylab.agents.views import PartyPosition

ACCEPT_WEIGHT = 0.5


def option_values(position: PartyPosition, grid: PackageGrid) -> dict[str, dict[str, float]]:
    """Estimated issue-weighted value per option; uniform when nothing was revealed."""
    raw: dict[str, dict[str, float]] = {}
    weights: dict[str, float] = {}
    for k, issue_id in enumerate(grid.issue_ids):
        counts = position.option_counts.get(issue_id, {})
        accepted = position.accepted.get(issue_id, {})
        freq = {
            option: counts.get(option, 0) + ACCEPT_WEIGHT * accepted.get(option, 0)
            for option in grid.option_ids[k]
        }
        top = max(freq.values())
        total = sum(freq.values())
        raw[issue_id] = {option: (1.0 + f) / (1.0 + top) for option, f in freq.items()}
        # Concentrated frequencies (the party never moves) mean a heavy issue.
        weights[issue_id] = (1.0 + top) / (1.0 + total) if total else 1.0
    for line in position.declared_red_lines:
        for option in line.forbid:
            if option in raw.get(line.issue, {}):
                raw[line.issue][option] = 0.0
    norm = sum(weights.values()) or 1.0
    return {
        issue_id: {option: weights[issue_id] / norm * value for option, value in row.items()}
        for issue_id, row in raw.items()
    }


def estimate(position: PartyPosition, grid: PackageGrid) -> np.ndarray:
    """Estimated utility (0..1) of every package for the party behind `position`."""
    return grid.score(option_values(position, grid))
