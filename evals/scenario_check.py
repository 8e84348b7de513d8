"""Outcome-space checks of a scenario: zone of agreement, Nash package, favourites, triviality.

What `treatylab scenario check` and `scenario list` report. They need the package matrix
(`OutcomeSpace`), so they live in evals, above scenarios: the scenario package itself never
imports evals (tests/packaging/test_layers.py). One implementation of the matrix for the whole
project, so a check here and a score in a result agree.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field

from treatylab.evals.outcome_space import OutcomeSpace
from treatylab.scenarios.loader import library_paths, load
from treatylab.scenarios.schema import DecisionRule, Scenario
from treatylab.scenarios.tooling import indifferent_issues, reservations_after_shocks

TOLERANCE = 1e-9

__all__ = ["LibraryRow", "ScenarioCheck", "SolutionPackage", "check", "library_table"]


class Report(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class SolutionPackage(Report):
    """One package (one option per issue) with every party's utility for it."""

    index: int
    package: dict[str, str]
    utilities: dict[str, float]


class ScenarioCheck(Report):
    """What `treatylab scenario check` reports: is the scenario negotiable, and not trivially so."""

    id: str
    title: str
    parties: int
    issues: int
    packages: int
    decision_rule: DecisionRule
    veto_parties: list[str]
    zone_of_agreement: int = Field(description="Packages every party strictly prefers to its "
                                   "reservation and that cross no red line.")
    zone_share: float = Field(description="zone_of_agreement / packages")
    zone_after_shocks: int = Field(description="Zone of agreement once every bargaining shock's "
                                   "reservation_delta has fired.")
    deals_under_rule: int = Field(description="Packages that pass the scenario's own decision "
                                  "rule: the parties at or above their reservation whose red "
                                  "lines the package respects number at least "
                                  "required_signatories, every veto party among them.")
    required_signatories: int = Field(description="Signatures the decision rule needs.")
    nash: SolutionPackage | None = Field(description="Max product of gains over reservations among "
                                       "individually rational, red-line-free packages.")
    favourites: dict[str, SolutionPackage]
    no_agreement_expected: bool
    trivially_solved: bool
    trivial_reasons: list[str] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)


class LibraryRow(Report):
    id: str
    title: str
    alliance_type: str
    parties: int
    issues: int
    packages: int
    decision_rule: DecisionRule
    veto_parties: list[str]
    zone_of_agreement: int
    no_agreement_expected: bool


def _space(scenario: Scenario, reservations: dict[str, float] | None = None) -> OutcomeSpace:
    return OutcomeSpace.build(scenario, reservations=reservations)


def _package_report(space: OutcomeSpace, index: int) -> SolutionPackage:
    row = space.utilities[index]
    return SolutionPackage(
        index=int(index),
        package=space.package(int(index)),
        utilities={pid: round(float(row[k]), 6) for k, pid in enumerate(space.party_ids)},
    )


def _triviality(space: OutcomeSpace, nash: int | None, zone: NDArray[np.bool_]) -> list[str]:
    reasons: list[str] = []
    best = space.utilities.max(axis=0)
    if nash is not None:
        for k, pid in enumerate(space.party_ids):
            if space.utilities[nash, k] >= best[k] - TOLERANCE:
                reasons.append(f"the Nash package is {pid}'s favourite package")
    everyones = (space.utilities >= best - TOLERANCE).all(axis=1) & zone
    if everyones.any():
        reasons.append("the zone of agreement holds a package that is every party's favourite")
    return reasons


def check(scenario: Scenario) -> ScenarioCheck:
    """Zone of agreement, Nash package, favourites, triviality and authoring warnings."""
    space = _space(scenario)
    zone = space.zone_of_agreement()
    nash = space.nash_index()
    after = int(_space(scenario, reservations_after_shocks(scenario)).zone_of_agreement().sum())
    reasons = _triviality(space, nash, zone)
    warnings = [f"issues.{issue_id}: every party scores all its options equally; nobody cares "
                "about this issue (drop it or give someone a preference)"
                for issue_id in indifferent_issues(scenario)]
    size = int(zone.sum())
    if size == 0 and not scenario.no_agreement_expected:
        warnings.append("no zone of agreement: no package beats every reservation without crossing "
                        "a red line; lower reservations, or set no_agreement_expected: true")
    if size > 0 and scenario.no_agreement_expected:
        warnings.append(f"no_agreement_expected is true but {size} packages are in the zone of "
                        "agreement")
    if reasons:
        warnings.append("trivially solved: " + "; ".join(reasons))
    return ScenarioCheck(
        id=scenario.id, title=scenario.title, parties=len(scenario.parties),
        issues=len(scenario.issues), packages=scenario.package_count(),
        decision_rule=scenario.rules.decision_rule, veto_parties=list(scenario.rules.veto_parties),
        zone_of_agreement=size, zone_share=round(size / scenario.package_count(), 6),
        zone_after_shocks=after,
        deals_under_rule=int(space.deals_under_rule().sum()),
        required_signatories=space.required_signatories,
        nash=None if nash is None else _package_report(space, nash),
        favourites={pid: _package_report(space, space.favourite_index(pid))
                    for pid in space.party_ids},
        no_agreement_expected=scenario.no_agreement_expected,
        trivially_solved=bool(reasons), trivial_reasons=reasons, warnings=warnings,
    )


def library_table(paths: list[Path] | None = None) -> list[LibraryRow]:
    """One row per library scenario (or per given file), in id order."""
    rows: list[LibraryRow] = []
    for path in paths if paths is not None else library_paths():
        scenario = load(path)
        rows.append(LibraryRow(
            id=scenario.id, title=scenario.title, alliance_type=scenario.alliance_type,
            parties=len(scenario.parties), issues=len(scenario.issues),
            packages=scenario.package_count(), decision_rule=scenario.rules.decision_rule,
            veto_parties=list(scenario.rules.veto_parties),
            zone_of_agreement=int(_space(scenario).zone_of_agreement().sum()),
            no_agreement_expected=scenario.no_agreement_expected,
        ))
    return rows
