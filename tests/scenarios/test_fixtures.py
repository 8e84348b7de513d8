"""Broken fixtures each yield the problem line that names their fault; the small ones check out."""

from __future__ import annotations

import pytest

from treatylab.scenarios import ScenarioError, load
from treatylab.evals.scenario_check import check
from treatylab.scenarios.tooling import validate_file
from tests.scenarios.support import FIXTURES

# file stem: the problem line(s) after "<file>: "
BROKEN: dict[str, list[str]] = {
    "unknown-issue-red-line": [
        "parties[2].red_lines[0].issue: unknown issue 'verificaton'; "
        "expected one of ['burden', 'command', 'verification']"],
    "unknown-party-utilities": [
        "utilities.gama: unknown party; expected one of ['alpha', 'beta', 'gamma']",
        "utilities.gamma: missing; every party needs a utility table"],
    "utilities-incomplete": [
        "utilities.beta.command.integrated: missing; every option needs points"],
    "best-not-100": [
        "utilities.alpha: best package totals 90; each party's best package must total 100"],
    "shares-not-one": [
        "issues[0].options[1].burden_shares: shares sum to 0.9000; they must sum to 1"],
    "red-line-unknown-option": [
        "parties[2].red_lines[0].forbid: unknown option 'self_reports' of issue 'verification'; "
        "expected one of ['reports', 'inspections']"],
    "duplicate-ids": [
        "shocks: duplicate shock id 'incident'; each shock id must be unique"],
    "yaml-syntax-error": [
        "line 60, column 12: YAML syntax error: expected ',' or '}', but got ':'"],
}


@pytest.mark.parametrize("stem", sorted(BROKEN))
def test_broken_fixture_names_its_fault(stem: str) -> None:
    path = FIXTURES / f"{stem}.yaml"
    with pytest.raises(ScenarioError) as caught:
        load(path)
    assert caught.value.problems == [f"{path}: {line}" for line in BROKEN[stem]]
    report = validate_file(path)
    assert not report.ok and report.problems == caught.value.problems


def test_every_broken_fixture_is_covered() -> None:
    stems = {p.stem for p in FIXTURES.glob("*.yaml")} - {"tiny-valid", "duo"}
    assert stems == set(BROKEN)


def test_tiny_valid_has_a_zone_of_agreement() -> None:
    report = check(load(FIXTURES / "tiny-valid.yaml"))
    assert (report.parties, report.issues, report.packages) == (3, 3, 8)
    assert report.zone_of_agreement == 3


def test_duo_matches_the_hand_computation() -> None:
    """The table in duo.yaml's header comment, checked number by number."""
    report = check(load(FIXTURES / "duo.yaml"))
    assert report.packages == 6
    assert report.zone_of_agreement == 2
    assert report.nash is not None
    assert report.nash.package == {"rent": "low", "troops": "small"}
    assert report.nash.utilities == {"host": 40, "guest": 70}
    assert report.favourites["host"].package == {"rent": "high", "troops": "small"}
    assert report.favourites["guest"].package == {"rent": "low", "troops": "large"}
    assert not report.trivially_solved
