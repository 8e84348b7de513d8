"""Scenario tooling: validation reports, shock arithmetic, the schema, YAML and importers.

Every function here is pure and returns pydantic records, so `treatylab scenario ...` only
prints them and tests assert on their fields. The outcome-space checks (zone of agreement,
Nash package, favourites, the library table) need the package matrix, so they live in
`treatylab.evals.scenario_check`: the scenario package never imports evals.
"""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field

from treatylab.scenarios.loader import ScenarioError, json_schema, load
from treatylab.scenarios.schema import Scenario

SCHEMA_COMMENT = "# yaml-language-server: $schema=./scenario.schema.json"
BEST = 100.0


class Report(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class FileValidation(Report):
    """The outcome of validating one file: ok, or one 'file: field: expected' line per fault."""

    source: str
    ok: bool
    scenario_id: str | None = None
    problems: list[str] = Field(default_factory=list)


# -- validation ---------------------------------------------------------------------------
def validate_file(path: str | Path) -> FileValidation:
    """Load one file (or library id) and collect its problems instead of raising."""
    try:
        scenario = load(path)
    except ScenarioError as exc:
        return FileValidation(source=str(path), ok=False, problems=exc.problems)
    return FileValidation(source=str(path), ok=True, scenario_id=scenario.id)


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
