"""Tooling behaviour: schema file, scaffold, YAML round trip, triviality and authoring warnings."""

from __future__ import annotations

import copy

import pytest
import yaml

from treatylab.scenarios import ScenarioError, Scenario, load, parse
from treatylab.evals.scenario_check import check
from treatylab.scenarios.loader import LIBRARY_DIR
from treatylab.scenarios.tooling import (
    SCHEMA_COMMENT,
    indifferent_issues,
    reservations_after_shocks,
    scaffold,
    scenario_yaml,
    schema_text,
)
from tests.scenarios.support import FIXTURES


def _variant(path, edit) -> Scenario:
    """A fixture loaded as a dict, edited, and parsed back (scenarios are frozen)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    edit(data)
    return parse(yaml.safe_dump(data), source="variant")


def test_schema_file_is_up_to_date() -> None:
    shipped = (LIBRARY_DIR / "scenario.schema.json").read_text(encoding="utf-8")
    assert shipped == schema_text(), "regenerate: treatylab scenario schema > scenarios/scenario.schema.json"


def test_schema_line_points_editors_at_the_shipped_schema() -> None:
    # every library file and every generated file starts with the yaml-language-server line,
    # and its relative path resolves, from the library folder, to the schema printed by
    # `treatylab scenario schema`
    assert SCHEMA_COMMENT.startswith("# yaml-language-server: $schema=")
    target = LIBRARY_DIR / SCHEMA_COMMENT.split("$schema=", 1)[1]
    assert target.resolve() == (LIBRARY_DIR / "scenario.schema.json").resolve()
    assert target.read_text(encoding="utf-8") == schema_text()
    assert scaffold("my-pact").splitlines()[0] == SCHEMA_COMMENT
    assert scenario_yaml(load("island-compact")).splitlines()[0] == SCHEMA_COMMENT


def test_scaffold_validates_unchanged_and_checks_clean() -> None:
    scenario = parse(scaffold("my-pact"), source="scaffold")
    assert scenario.id == "my-pact" and scenario.title == "My Pact"
    report = check(scenario)
    assert report.zone_of_agreement == 6
    assert not report.trivially_solved and report.warnings == []


def test_scaffold_refuses_an_id_that_is_not_kebab_case() -> None:
    with pytest.raises(ScenarioError) as caught:
        scaffold("My Pact")
    assert caught.value.problems == ["My Pact: id: expected kebab-case (lower-case letters, "
                                     "digits and '-', starting with a letter or digit)"]


@pytest.mark.parametrize("scenario_id", ["northern-shield", "concord-council"])
def test_yaml_round_trip(scenario_id: str) -> None:
    scenario = load(scenario_id)
    assert parse(scenario_yaml(scenario)) == scenario


def test_nash_on_a_favourite_is_trivial() -> None:
    report = check(load(FIXTURES / "tiny-valid.yaml"))
    assert report.nash is not None and report.nash.utilities["gamma"] == 100
    assert report.trivially_solved
    assert report.trivial_reasons == ["the Nash package is gamma's favourite package"]
    assert report.warnings[-1].startswith("trivially solved: ")


def test_common_favourite_in_the_zone_is_trivial() -> None:
    def same_taste(data: dict) -> None:
        data["parties"][1]["red_lines"] = []
        data["utilities"]["guest"] = copy.deepcopy(data["utilities"]["host"])

    report = check(_variant(FIXTURES / "duo.yaml", same_taste))
    assert report.trivial_reasons == [
        "the Nash package is host's favourite package",
        "the Nash package is guest's favourite package",
        "the zone of agreement holds a package that is every party's favourite"]


def test_issue_nobody_cares_about_is_flagged() -> None:
    def add_flag_issue(data: dict) -> None:
        data["issues"].append({"id": "flag", "title": "Flag", "options": [
            {"id": "blue", "label": "Blue"}, {"id": "green", "label": "Green"}]})
        for table in data["utilities"].values():
            table["flag"] = {"blue": 0, "green": 0}

    scenario = _variant(FIXTURES / "duo.yaml", add_flag_issue)
    assert indifferent_issues(scenario) == ["flag"]
    assert check(scenario).warnings == [
        "issues.flag: every party scores all its options equally; nobody cares about this "
        "issue (drop it or give someone a preference)"]


def test_missing_zone_is_flagged_unless_expected() -> None:
    def raise_reservations(data: dict) -> None:
        for party in data["parties"]:
            party["reservation"] = 90

    scenario = _variant(FIXTURES / "duo.yaml", raise_reservations)
    report = check(scenario)
    assert report.zone_of_agreement == 0 and report.nash is None
    assert report.warnings[0].startswith("no zone of agreement")
    assert check(scenario.model_copy(update={"no_agreement_expected": True})).warnings == []


def test_reservations_after_shocks_add_up_and_clip() -> None:
    assert reservations_after_shocks(load("northern-shield")) == {
        "aurelia": 48, "borealis": 41, "corvinia": 46, "dalmora": 36, "estvia": 32}
    scenario = _variant(FIXTURES / "duo.yaml",
                        lambda d: d["shocks"][0]["reservation_delta"].update(host=90))
    assert reservations_after_shocks(scenario)["host"] == 100
