"""The LLM-Deliberation importer on a small game folder in that benchmark's format."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from treatylab.scenarios import ScenarioError, parse
from treatylab.evals.scenario_check import check
from treatylab.scenarios.tooling import import_llm_deliberation, scenario_yaml
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
    assert imported.rules.majority_threshold == "2/3"  # exact: all but one of three
    assert imported.rules.required_signatories(3) == 2


def test_issues_and_options_from_the_instructions(imported) -> None:
    assert imported.issue_ids() == ["radar_site", "compensation", "fishing_restrictions"]
    site = imported.issue("radar_site")
    assert [(o.id, o.label) for o in site.options] == [
        ("a1", "A1: headland"), ("a2", "A2: island"), ("a3", "A3: harbour")]
    # a quoted name right after the colon is text, not a label (`E1: "SportCo" pays ...`)
    assert imported.issue("compensation").option("b1").label == (
        'B1: "Ministry of Defence" pays $20 million to the "Coastal Towns"')
    assert imported.issue("compensation").option("b2").label == "B2: $10 million"
    assert imported.issue("fishing_restrictions").option("c2").label == "C2: seasonal limits"


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
    assert imported.party("fishers").private_brief.startswith(
        "Your confidential information and preferences:\nYou represent the Fishing")
    assert "Radar Site" in imported.background


def test_score_placeholders_in_briefs_are_filled_with_the_party_points(imported) -> None:
    # the benchmark writes `#A1_NUM` / `#A_MAX_NUM` in the instructions and fills them in from
    # the party's score file; here with the rescaled points the scenario holds (mod: x1.25)
    brief = imported.party("mod").private_brief
    assert "Issue A (max score 37.5): A1 (37.5), A2 (25), A3 (0)" in brief
    assert "Issue C (max score 31.25): C1 (31.25), C2 (12.5)" in brief
    assert "Issue B (max score 31.25): B1 (0), B2 (12.5), B3 (31.25)" in brief
    assert "#" not in brief
    assert "Issue B (max score 45): B1 (45), B2 (25), B3 (0)" in imported.party("towns").private_brief
    assert "Issue C (max score 54.55): C1 (0), C2 (54.55)" in imported.party("fishers").private_brief


def test_initial_deal_is_the_lead_party_opening_in_the_background(imported) -> None:
    assert imported.background.endswith(
        "Opening proposal of the original game, put forward by Ministry of Defence: "
        "radar_site=a1, compensation=b2, fishing_restrictions=c1.")


def test_initial_deal_naming_an_unknown_option_is_refused(tmp_path: Path) -> None:
    game = tmp_path / "bad_deal"
    shutil.copytree(LLM_DELIBERATION, game)
    (game / "initial_deal.txt").write_text("A1,B4,C1")
    with pytest.raises(ScenarioError, match="initial_deal.txt: 'B4' is not an option"):
        import_llm_deliberation(game)


# The benchmark's other games write list items and unquoted titles (games game1, game2, game3).
LIST_STYLE = """Based on preliminary discussions, you identified 3 issues that are under negotiation.

- Issue A: "Radar Site"
Three possible sites, each with advantages and disadvantages.
    - A1: The northern headland ==> best coverage, close to the towns.
    - A2: The offshore island ==> good coverage, costly to supply.
	- A3: Next to the fishing harbour ==> poor coverage, cheap.

- Issue B: "Compensation". Three possible payments to the towns.
	- B1: $20 million.
	- B2: $10 million.
	- B3: No compensation.

- Issue C: The fishing restrictions around the station. There are 2 options:
	- C1: Exclusion zone. A permanent 5 km zone.
	- C2: Seasonal limits. Restrictions during exercises only.
"""


def test_list_style_instructions_give_titles_and_labels(tmp_path: Path) -> None:
    game = tmp_path / "list_game"
    shutil.copytree(LLM_DELIBERATION, game)
    (game / "global_instructions.txt").write_text(LIST_STYLE)
    scenario = import_llm_deliberation(game)
    assert scenario.issue_ids() == ["radar_site", "compensation",
                                    "the_fishing_restrictions_around_the_station"]
    assert [o.label for i in scenario.issues for o in i.options] == [
        "A1: The northern headland", "A2: The offshore island", "A3: Next to the fishing harbour",
        "B1: $20 million", "B2: $10 million", "B3: No compensation",
        "C1: Exclusion zone", "C2: Seasonal limits"]


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
