"""Exact decision rules: "n-1 of n, veto parties among them" for n = 2..12, the importer's
rule, and the count of deals under the rule against a brute force over the game's scores."""

from __future__ import annotations

import itertools
from fractions import Fraction
from pathlib import Path

import pytest

from treatylab.graphs.protocol import passes
from treatylab.scenarios import ScenarioError, parse
from treatylab.evals.scenario_check import check
from treatylab.scenarios.tooling import import_llm_deliberation, scenario_yaml
from treatylab.evals.analysis import analyze_scenario
from tests.scenarios.support import LLM_DELIBERATION


def _game(folder: Path, n: int) -> Path:
    """A game folder in the benchmark's format with n agents: p1, p2, then players."""
    folder.mkdir()
    roles = ["p1", "p2"] + ["player"] * (n - 2)
    (folder / "config.txt").write_text(
        "".join(f"Agent {k},agent{k},{role},cooperative,gpt-4\n" for k, role in enumerate(roles)),
        encoding="utf-8")
    scores = folder / "scores_files"
    scores.mkdir()
    for k in range(n):
        (scores / f"agent{k}.txt").write_text(f"{10 + k}, 0\n0, 20\n15\n", encoding="utf-8")
    return folder


@pytest.mark.parametrize("n", range(2, 13))
def test_imported_rule_passes_with_exactly_n_minus_1_veto_parties_among_them(n, tmp_path) -> None:
    scenario = import_llm_deliberation(_game(tmp_path / f"game{n}", n))
    ids = scenario.party_ids()
    veto = set(scenario.rules.veto_parties)
    assert veto == {"agent0", "agent1"}
    all_but_one = set(ids[:-1]) if n > 2 else set(ids)
    assert passes(scenario, all_but_one)  # the rounded 0.857143 of 6/7 failed here
    assert scenario.rules.threshold() == Fraction(n - 1, n)
    assert passes(scenario, set(ids))
    if n > 3:
        assert not passes(scenario, all_but_one - {ids[-2]})  # n-2 signatures: too few
    # dropping a veto party fails however many others sign
    assert not passes(scenario, set(ids) - {"agent1"})
    # the written YAML reloads to the same exact rule
    again = parse(scenario_yaml(scenario))
    assert again.rules.threshold() == Fraction(n - 1, n)


@pytest.mark.parametrize("n", range(2, 13))
def test_fraction_and_min_signatories_are_exact_for_every_n(n) -> None:
    from treatylab.scenarios.schema import Rules

    by_share = Rules(decision_rule="qualified_majority", majority_threshold=f"{n - 1}/{n}")
    by_count = Rules(decision_rule="qualified_majority", min_signatories=max(1, n - 1))
    assert by_share.required_signatories(n) == max(1, n - 1)
    assert by_count.required_signatories(n) == max(1, n - 1)
    # the old rounded float is more than (n-1)/n for these n: read as written, it needs all
    rounded = Rules(decision_rule="qualified_majority", majority_threshold=round((n - 1) / n, 6))
    expected = n if Fraction(repr(round((n - 1) / n, 6))) > Fraction(n - 1, n) else n - 1
    assert rounded.required_signatories(n) == max(1, expected)


def test_old_float_thresholds_still_load() -> None:
    from treatylab.scenarios.schema import Rules

    assert Rules(decision_rule="qualified_majority", majority_threshold=0.75).threshold() == Fraction(3, 4)
    assert Rules(decision_rule="qualified_majority", majority_threshold=0.7).required_signatories(7) == 5
    assert Rules().required_signatories(4) == 4  # unanimity by default


@pytest.mark.parametrize("bad", ["7/6", "0/3", "abc", "1/0", True, float("nan"), -0.5, 1.5])
def test_bad_thresholds_are_refused(bad) -> None:
    from pydantic import ValidationError

    from treatylab.scenarios.schema import Rules

    with pytest.raises(ValidationError):
        Rules(decision_rule="qualified_majority", majority_threshold=bad)


def _brute_force_deals(game: Path) -> int:
    """Count deals as the benchmark does, from the raw score files: a deal passes when at
    least n-1 agents score it at or above their threshold, p1 and p2 among them."""
    agents = [line.split(",") for line in (game / "config.txt").read_text().splitlines() if line]
    tables, thresholds, roles = {}, {}, {}
    for fields in agents:
        name, role = fields[1].strip(), fields[2].strip()
        lines = (game / "scores_files" / f"{name}.txt").read_text().split("\n")
        lines = [line for line in lines if line.strip()]
        tables[name] = [[float(x) for x in line.split(",")] for line in lines[:-1]]
        thresholds[name] = float(lines[-1])
        roles[name] = role
    n = len(tables)
    sizes = [len(row) for row in next(iter(tables.values()))]
    count = 0
    for deal in itertools.product(*(range(k) for k in sizes)):
        happy = {a for a, rows in tables.items()
                 if sum(rows[i][o] for i, o in enumerate(deal)) >= thresholds[a]}
        vetoes = {a for a, r in roles.items() if r in ("p1", "p2")}
        if len(happy) >= n - 1 and vetoes <= happy:
            count += 1
    return count


def test_deals_under_rule_of_the_fixture_game_match_a_brute_force_count() -> None:
    expected = _brute_force_deals(LLM_DELIBERATION)
    scenario = import_llm_deliberation(LLM_DELIBERATION)
    report = check(scenario)
    assert expected == 7  # the fixture's own number, so a change of fixture is noticed
    assert report.deals_under_rule == expected
    assert report.required_signatories == 2
    assert analyze_scenario(scenario).deals_under_rule_size == expected
    # more than the unanimous zone: the rule really is all but one
    assert report.deals_under_rule > report.zone_of_agreement


def test_min_signatories_is_checked_against_the_parties() -> None:
    from tests.conftest import FIXTURES

    text = (FIXTURES / "scenarios" / "tiny-valid.yaml").read_text(encoding="utf-8")
    import yaml

    data = yaml.safe_load(text)
    data.setdefault("rules", {})["min_signatories"] = 9
    with pytest.raises(ScenarioError) as err:
        parse(yaml.safe_dump(data), source="tiny.yaml")
    assert any("rules.min_signatories" in line for line in err.value.problems)
