"""Where one package stands in its outcome space: rationality, efficiency, fairness.

`analyze_package` answers the questions an analyst asks of an agreement: does every party do
better than its BATNA, could everyone have done better (Pareto gap), how far is it from the
Nash bargaining product, and how close is it to each reference solution.
"""

from __future__ import annotations

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from treatylab.evals.outcome_space import OutcomeSpace


class RedLineCrossing(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    party: str
    issue: str
    option: str


class PackageAnalysis(BaseModel):
    """The outcome-space measures of one package (formulas in docs/metrics.md)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    package: dict[str, str]
    index: int = Field(description="Mixed-radix package index, first issue most significant.")
    utilities: dict[str, float]
    reservations: dict[str, float]
    individually_rational: dict[str, bool] = Field(description="u_i >= r_i per party.")
    red_lines_crossed: list[RedLineCrossing]
    feasible: bool = Field(description="Individually rational for all and no red line crossed.")
    weakly_pareto_optimal: bool = Field(
        description="No package is strictly better for every party."
    )
    strictly_pareto_optimal: bool = Field(
        description="No package is at least as good for all and better for one (the frontier)."
    )
    pareto_gap: float = Field(
        description="max_o min_i (ũ_i(o) - ũ_i(a)) on min-max normalised utilities; 0 on the "
        "frontier, > 0 when every party could gain at once."
    )
    nash_ratio: float | None = Field(
        description="prod(u-d) / prod at the Nash package, in [0, 1]; 0 if infeasible; null "
        "when there is no Nash package."
    )
    advantage: dict[str, float | None] = Field(
        description="(u_i - r_i) / (max_i - r_i); negative below the BATNA; null if max_i <= r_i."
    )
    distances: dict[str, float | None] = Field(
        description="Euclidean distance on normalised utilities to each solution package."
    )
    solutions: dict[str, dict[str, str] | None] = Field(
        description="The solution packages the distances refer to."
    )


def red_line_crossings(space: OutcomeSpace, package: dict[str, str]) -> list[RedLineCrossing]:
    """Every (party, issue, option) where the package takes an option the party forbids."""
    return [
        RedLineCrossing(party=party, issue=issue, option=package[issue])
        for party in space.party_ids
        for issue, forbidden in sorted(space.red_lines.get(party, {}).items())
        if package.get(issue) in forbidden
    ]


def _pareto_flags(space: OutcomeSpace, u: np.ndarray) -> tuple[bool, bool, float]:
    """Weak / strict optimality and the gap, from the frontier alone (any dominator of a
    package is itself dominated by, or is, a frontier package)."""
    frontier = space.utilities[space.pareto_indices].astype(np.float64)
    at_least = np.all(frontier >= u, axis=1)
    strictly = bool(np.any(at_least & np.any(frontier > u, axis=1)))
    all_better = bool(np.any(np.all(frontier > u, axis=1)))
    diff = space.normalised(frontier) - space.normalised(u[None, :])
    gap = float(diff.min(axis=1).max())
    return not all_better, not strictly, max(gap, 0.0)


def _nash_ratio(space: OutcomeSpace, index: int, feasible: bool) -> float | None:
    nash = space.nash_index()
    if nash is None:
        return None
    if not feasible:
        return 0.0
    best = float(space.nash_product(np.array([nash]))[0])
    if best <= 0.0:
        return 1.0  # every feasible package has product 0: all tie with the Nash package
    mine = float(space.nash_product(np.array([index]))[0])
    return float(min(max(mine / best, 0.0), 1.0))


def analyze_package(space: OutcomeSpace, package: dict[str, str]) -> PackageAnalysis:
    """Analyse one full package of `space`.

    Args:
        space: the outcome space of the scenario.
        package: {issue_id: option_id}, one option per issue.

    Raises:
        KeyError: the package misses an issue or names an unknown issue or option.
    """
    index = space.index_of(package)
    u = space.utilities[index].astype(np.float64)
    r = space.reservations
    crossings = red_line_crossings(space, package)
    rational = {p: bool(u[i] >= r[i]) for i, p in enumerate(space.party_ids)}
    feasible = all(rational.values()) and bool(space.red_line_ok()[index])
    weak, strict, gap = _pareto_flags(space, u)
    span = space.maxima - r
    advantage = {p: (float((u[i] - r[i]) / span[i]) if span[i] > 0 else None)
                 for i, p in enumerate(space.party_ids)}
    here = space.normalised(u[None, :])[0]
    distances: dict[str, float | None] = {}
    solutions: dict[str, dict[str, str] | None] = {}
    for name, sol in space.solution_indices().items():
        if sol is None:
            distances[name], solutions[name] = None, None
            continue
        there = space.normalised(space.utilities[sol][None, :])[0]
        distances[name] = float(np.linalg.norm(here - there))
        solutions[name] = space.package(sol)
    return PackageAnalysis(
        package={i: package[i] for i in space.issue_ids},
        index=index,
        utilities={p: float(u[i]) for i, p in enumerate(space.party_ids)},
        reservations={p: float(r[i]) for i, p in enumerate(space.party_ids)},
        individually_rational=rational,
        red_lines_crossed=crossings,
        feasible=feasible,
        weakly_pareto_optimal=weak,
        strictly_pareto_optimal=strict,
        pareto_gap=gap,
        nash_ratio=_nash_ratio(space, index, feasible),
        advantage=advantage,
        distances=distances,
        solutions=solutions,
    )
