"""A scenario's outcome space at a glance, and optionally one package in it (`treatylab analyze`).

`analyze_scenario` gathers what an analyst or a teacher wants before (or after) a negotiation:
how many packages there are, how many are efficient and acceptable to all, where the classic
bargaining solutions lie, and how a given package measures against them.
"""

from __future__ import annotations

from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    model_serializer,
    model_validator,
)

from treatylab.evals.burden import BurdenReference
from treatylab.evals.metric import MetricResult
from treatylab.evals.outcome_space import OutcomeSpace
from treatylab.evals.package_analysis import PackageAnalysis, analyze_package
from treatylab.evals.registry import MetricContext, run_metrics
from treatylab.scenarios.schema import Scenario


class Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class SolutionPoint(Record):
    index: int
    package: dict[str, str]
    utilities: dict[str, float]


class PackageScores(Record):
    """One package: its outcome-space measures and every registered metric that scores a
    package without a transcript (burden equity, sovereignty preservation, ...), by name.
    On the wire the metrics are flat keys beside `analysis`."""

    analysis: PackageAnalysis
    metrics: dict[str, MetricResult] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _gather_metrics(cls, data: Any) -> Any:
        if isinstance(data, dict) and "metrics" not in data:
            data = dict(data)
            data["metrics"] = {k: data.pop(k) for k in list(data) if k not in cls.model_fields}
        return data

    @model_serializer(mode="wrap")
    def _flatten_metrics(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        out = handler(self)
        metrics = out.pop("metrics", {})
        return {**out, **metrics}

    def __getattr__(self, name: str) -> Any:
        metrics = self.__dict__.get("metrics")
        if metrics is not None and name in metrics:
            return metrics[name]
        return super().__getattr__(name)  # type: ignore[misc]


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
    package: PackageScores | None = None


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
        context = MetricContext(scenario=scenario, package=package, transcript=False,
                                reservations=reservations or {})
        report = PackageScores(
            analysis=analyze_package(space, package),
            metrics=run_metrics(context, {"burden_equity": {"reference": burden_reference}}),
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
