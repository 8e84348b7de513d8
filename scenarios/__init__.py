"""The scenario library: YAML files, their schema (version 1) and the loader."""

from treatylab.scenarios.loader import (
    ScenarioError,
    json_schema,
    library_ids,
    library_paths,
    load,
    parse,
    resolve,
    scenario_hash,
)
from treatylab.scenarios.schema import Issue, Option, Party, RedLine, Rules, Scenario, Shock

__all__ = [
    "Issue", "Option", "Party", "RedLine", "Rules", "Scenario", "ScenarioError", "Shock",
    "json_schema", "library_ids", "library_paths", "load", "parse", "resolve", "scenario_hash",
]
