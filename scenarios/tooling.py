"""Scenario tooling: validation reports, outcome-space checks, the library table, the schema.

Every function here is pure and returns pydantic records, so `treatylab scenario ...` only
prints them and tests assert on their fields. The outcome-space numbers (zone of agreement,
Nash package, favourites) come from `evals.outcome_space.OutcomeSpace`: one implementation of
the package matrix for the whole project, so a check here and a score in a result agree.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import yaml
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field

from treatylab.scenarios.loader import ScenarioError, json_schema, library_paths, load
from treatylab.scenarios.schema import DecisionRule, Scenario

if TYPE_CHECKING:
    from treatylab.evals.outcome_space import OutcomeSpace

SCHEMA_COMMENT = "# yaml-language-server: $schema=./scenario.schema.json"
BEST = 100.0
TOLERANCE = 1e-9


class Report(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class FileValidation(Report):
    """The outcome of validating one file: ok, or one 'file: field: expected' line per fault."""

    source: str
    ok: bool
    scenario_id: str | None = None
    problems: list[str] = Field(default_factory=list)


class PackageReport(Report):
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
    nash: PackageReport | None = Field(description="Max product of gains over reservations among "
                                       "individually rational, red-line-free packages.")
    favourites: dict[str, PackageReport]
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


# -- validation ---------------------------------------------------------------------------
def validate_file(path: str | Path) -> FileValidation:
    """Load one file (or library id) and collect its problems instead of raising."""
    try:
        scenario = load(path)
    except ScenarioError as exc:
        return FileValidation(source=str(path), ok=False, problems=exc.problems)
    return FileValidation(source=str(path), ok=True, scenario_id=scenario.id)


# -- outcome-space checks -----------------------------------------------------------------
def _space(scenario: Scenario, reservations: dict[str, float] | None = None) -> OutcomeSpace:
    from treatylab.evals.outcome_space import OutcomeSpace  # evals depends on scenarios, not the reverse

    return OutcomeSpace.build(scenario, reservations=reservations)


def _package_report(space: OutcomeSpace, index: int) -> PackageReport:
    row = space.utilities[index]
    return PackageReport(
        index=int(index),
        package=space.package(int(index)),
        utilities={pid: round(float(row[k]), 6) for k, pid in enumerate(space.party_ids)},
    )


def reservations_after_shocks(scenario: Scenario) -> dict[str, float]:
    """Reservations once every bargaining shock has fired (deltas add up, clipped to 0..100)."""
    values = {party.id: party.reservation for party in scenario.parties}
    for shock in scenario.shocks:
        if shock.at_round is None:
            continue
        for pid, delta in shock.reservation_delta.items():
            values[pid] = min(BEST, max(0.0, values[pid] + delta))
    return values


def indifferent_issues(scenario: Scenario) -> list[str]:
    """Issues on which every party scores all options the same: nothing to negotiate there."""
    out: list[str] = []
    for issue in scenario.issues:
        if all(len(set(scenario.utilities[pid][issue.id].values())) <= 1
               for pid in scenario.party_ids()):
            out.append(issue.id)
    return out


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


# -- text forms ---------------------------------------------------------------------------
def schema_text() -> str:
    """The JSON Schema exactly as shipped in scenarios/scenario.schema.json."""
    return json.dumps(json_schema(), indent=2, sort_keys=True) + "\n"


class _BlockDumper(yaml.SafeDumper):
    """Writes multi-line strings (backgrounds, briefs) as literal blocks people can edit."""


def _str_representer(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_BlockDumper.add_representer(str, _str_representer)


def scenario_yaml(scenario: Scenario) -> str:
    """A scenario as YAML in field order, defaults left out, with the schema comment on top."""
    data = scenario.model_dump(mode="json", exclude_defaults=True)
    data = {"schema_version": scenario.schema_version, **data}
    body = yaml.dump(data, Dumper=_BlockDumper, sort_keys=False, allow_unicode=True, width=100)
    return f"{SCHEMA_COMMENT}\n{body}"


def scaffold(scenario_id: str) -> str:
    """A commented, valid starter file (see scenarios.scaffold)."""
    from treatylab.scenarios.scaffold import scaffold_text

    return scaffold_text(scenario_id)


def import_llm_deliberation(directory: str | Path, scenario_id: str | None = None) -> Scenario:
    """A scorable game folder of the LLM-Deliberation benchmark as a Scenario."""
    from treatylab.scenarios.llm_deliberation import import_game

    return import_game(Path(directory), scenario_id=scenario_id)
