"""The LLM-Deliberation importer on a small game folder in that benchmark's format."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from scenarios import ScenarioError, parse
from scenarios.tooling import check, import_llm_deliberation, scenario_yaml
from tests.scenarios.support import LLM_DELIBERATION


@pytest.fixture(scope="module")
def imported():
    return import_llm_deliberation(LLM_DELIBERATION)


def test_structure_and_roles(imported) -> None:
    assert imported.id == "coastal-radar"
    assert imported.party_ids() == ["mod", "towns", "fishers"]
    assert [p.name for p in imported.parties] == ["Ministry of Defence", "Coastal Towns",
                                                  "Fishing Cooperative"]
    assert imported.rules.veto_parties == ["mod", "towns"]  # p1 and p2
    assert imported.rules.lead_party == "mod"
    assert imported.rules.decision_rule == "qualified_majority"
    assert imported.rules.majority_threshold == pytest.approx(2 / 3, abs=1e-6)


def test_issues_and_options_from_the_instructions(imported) -> None:
    assert imported.issue_ids() == ["radar_site", "compensation", "fishing_restrictions"]
    site = imported.issue("radar_site")
    assert [(o.id, o.label) for o in site.options] == [
        ("a1", "A1: headland"), ("a2", "A2: island"), ("a3", "A3: harbour")]
    assert imported.issue("compensation").option("b1").label == "B1: $20 million"


def test_points_and_thresholds_are_rescaled_to_100(imported) -> None:
    # mod: best 30 + 25 + 25 = 80, so x1.25; threshold 40 -> 50
    assert imported.utilities["mod"]["radar_site"] == {"a1": 37.5, "a2": 25.0, "a3": 0.0}
    assert imported.party("mod").reservation == 50
    # towns already total 100: unchanged
    assert imported.utilities["towns"]["compensation"] == {"b1": 45, "b2": 25, "b3": 0}
    assert imported.party("towns").reservation == 50
    # fishers: best 55, x100/55; threshold 20 -> 36.3636
    assert imported.party("fishers").reservation == pytest.approx(36.3636)
    for pid in imported.party_ids():
        best = sum(max(imported.utilities[pid][i].values()) for i in imported.issue_ids())
        assert best == pytest.approx(100, abs=1e-9)


def test_private_texts_become_briefs(imported) -> None:
    assert imported.party("fishers").private_brief.startswith("You represent the Fishing")
    assert "Radar Site" in imported.background


def test_imported_scenario_round_trips_and_checks(imported) -> None:
    assert parse(scenario_yaml(imported)) == imported
    report = check(imported)
    assert report.zone_of_agreement == 1
    assert report.nash is not None and report.nash.package == {
        "radar_site": "a1", "compensation": "b2", "fishing_restrictions": "c2"}
    assert report.warnings == []  # fishers are indifferent on compensation, the others are not


def test_a_game_without_instructions_still_imports(tmp_path: Path) -> None:
    game = tmp_path / "bare_game"
    shutil.copytree(LLM_DELIBERATION, game)
    (game / "global_instructions.txt").unlink()
    scenario = import_llm_deliberation(game, scenario_id="bare")
    assert scenario.id == "bare"
    assert scenario.issue_ids() == ["issue_a", "issue_b", "issue_c"]
    assert scenario.issue("issue_a").option("a1").label == "A1"


def test_mismatched_score_files_are_refused(tmp_path: Path) -> None:
    game = tmp_path / "broken_game"
    shutil.copytree(LLM_DELIBERATION, game)
    (game / "scores_files" / "towns.txt").write_text("0, 15\n45, 25, 0\n10, 35\n50\n")
    with pytest.raises(ScenarioError) as caught:
        import_llm_deliberation(game)
    assert caught.value.problems == [
        f"{game}: scores_files/towns.txt: issues and option counts [2, 3, 2] differ from the "
        "first agent's [3, 3, 2]"]


def test_missing_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="expected a game folder"):
        import_llm_deliberation(tmp_path / "nowhere")
