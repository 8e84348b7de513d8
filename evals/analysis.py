"""A scenario's outcome space at a glance, and optionally one package in it (`treatylab analyze`).

`analyze_scenario` gathers what an analyst or a teacher wants before (or after) a negotiation:
how many packages there are, how many are efficient and acceptable to all, where the classic
bargaining solutions lie, and how a given package measures against them.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from treatylab.evals.burden import BurdenReference, burden_equity
from treatylab.evals.metric import MetricResult
from treatylab.evals.outcome_space import OutcomeSpace
from treatylab.evals.package_analysis import PackageAnalysis, analyze_package
from treatylab.evals.sovereignty import sovereignty_preservation
from treatylab.scenarios.schema import Scenario


class Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class SolutionPoint(Record):
    index: int
    package: dict[str, str]
    utilities: dict[str, float]


class PackageReport(Record):
    """One package: its outcome-space measures and its treaty metrics."""

    analysis: PackageAnalysis
    burden_equity: MetricResult
    sovereignty_preservation: MetricResult


class SpaceReport(Record):
    """The JSON document of `treatylab analyze --json` (keys in docs/metrics.md)."""

    scenario: str
    parties: list[str]
    issues: list[str]
    packages: int
    reservations: dict[str, float]
    frontier_size: int = Field(description="Exact Pareto frontier of the whole space.")
    feasible_frontier_size: int = Field(description="Frontier of the red-line-respecting packages.")
    individually_rational_size: int
    zone_of_agreement_size: int = Field(description="Feasible and strictly above every BATNA.")
    deals_under_rule_size: int = Field(
        description="Packages that pass the scenario's own decision rule: the parties at or "
        "above their reservation whose red lines the package respects number at least the "
        "rule's required signatories, veto parties among them.")
    required_signatories: int = Field(description="Signatures the decision rule needs.")
    solutions: dict[str, SolutionPoint | None]
    favourites: dict[str, SolutionPoint]
    package: PackageReport | None = None


def _point(space: OutcomeSpace, index: int | None) -> SolutionPoint | None:
    if index is None:
        return None
    row = space.utilities[index]
    return SolutionPoint(index=index, package=space.package(index),
                         utilities={p: float(v) for p, v in zip(space.party_ids, row)})


def analyze_scenario(
    scenario: Scenario,
    package: dict[str, str] | None = None,
    *,
    burden_reference: BurdenReference = "capacity",
    reservations: dict[str, float] | None = None,
) -> SpaceReport:
    """Frontier sizes, solution packages, favourites, and the package's measures if given.

    Raises:
        KeyError: `package` misses an issue or names an unknown issue or option.
    """
    space = OutcomeSpace.build(scenario, reservations)
    report = None
    if package is not None:
        report = PackageReport(
            analysis=analyze_package(space, package),
            burden_equity=burden_equity(scenario, package, burden_reference),
            sovereignty_preservation=sovereignty_preservation(scenario, package),
        )
    return SpaceReport(
        scenario=scenario.id,
        parties=space.party_ids,
        issues=space.issue_ids,
        packages=space.n_packages,
        reservations={p: float(r) for p, r in zip(space.party_ids, space.reservations)},
        frontier_size=int(space.pareto_indices.size),
        feasible_frontier_size=int(space.feasible_pareto_indices.size),
        individually_rational_size=int(space.individually_rational().sum()),
        zone_of_agreement_size=int(space.zone_of_agreement().sum()),
        deals_under_rule_size=int(space.deals_under_rule().sum()),
        required_signatories=space.required_signatories,
        solutions={name: _point(space, i) for name, i in space.solution_indices().items()},
        favourites={p: _point(space, space.favourite_index(p)) for p in space.party_ids},
        package=report,
    )
