"""The shipped library: every scenario validates, is negotiable, and is not trivially solved."""

from __future__ import annotations

import pytest

from treatylab.scenarios import library_ids, library_paths, load
from treatylab.evals.scenario_check import check
from treatylab.scenarios.tooling import SCHEMA_COMMENT

# id: (parties, packages, zone of agreement, zone after shocks, Nash utilities in party order)
EXPECTED: dict[str, tuple[int, int, int, int, tuple[float, ...] | None]] = {
    "ardent-valley": (3, 972, 0, 0, None),
    "concord-council": (7, 216, 14, 17, (55, 70, 62, 79, 91, 76, 57)),
    "fennmark-accession": (4, 729, 77, 83, (69, 72, 66, 72)),
    "island-compact": (2, 972, 133, 169, (63, 67)),
    "kivara-mandate": (5, 729, 70, 65, (55, 66, 83, 86, 61)),
    "northern-shield": (5, 1296, 107, 141, (68, 69, 72, 58, 62)),
    "sarn-guardian": (7, 972, 25, 24, (52, 83, 62, 52, 75, 90, 83)),
    "strategic-limits": (4, 972, 74, 69, (66, 59, 73, 56)),
    "trident-partnership": (3, 729, 61, 74, (74, 81, 64)),
}


def test_library_is_the_expected_nine() -> None:
    assert library_ids() == sorted(EXPECTED)


def test_library_covers_the_required_shapes() -> None:
    scenarios = [load(i) for i in library_ids()]
    assert any(len(s.parties) == 2 for s in scenarios)  # bilateral
    seven_by_majority = [s.id for s in scenarios
                         if len(s.parties) == 7 and s.rules.decision_rule == "qualified_majority"]
    assert seven_by_majority == ["sarn-guardian"]
    assert any(s.rules.veto_parties for s in scenarios)
    assert [s.id for s in scenarios if s.no_agreement_expected] == ["ardent-valley"]


# The cases the library must cover: id -> (alliance type, parties, issues it must negotiate)
COVERAGE: dict[str, tuple[str, int | None, set[str]]] = {
    "northern-shield": ("defense_pact", None, {"burden", "spending"}),  # flagship
    "fennmark-accession": ("defense_pact", None, {"timeline", "basing", "spending"}),
    "trident-partnership": ("limited_partnership", None, {"tech_scope", "export_controls", "infosec"}),
    "island-compact": ("defense_pact", 2, {"host_support", "footprint"}),
    "concord-council": ("political_military", 7, {"non_interference", "exercises", "counter_terrorism"}),
    "sarn-guardian": ("limited_partnership", 7, {"mandate", "command", "common_funding"}),
    "strategic-limits": ("arms_control", None, {"ceiling", "inspections", "challenge", "withdrawal"}),
    "kivara-mandate": ("peacekeeping", None, {"troops", "command", "roe", "exit"}),
    "ardent-valley": ("peacekeeping", 3, {"ceasefire", "decommissioning", "verification"}),
}


@pytest.mark.parametrize("scenario_id", sorted(COVERAGE))
def test_library_covers_the_required_cases(scenario_id: str) -> None:
    alliance_type, parties, issues = COVERAGE[scenario_id]
    scenario = load(scenario_id)
    assert scenario.alliance_type == alliance_type
    assert parties is None or len(scenario.parties) == parties
    assert issues <= set(scenario.issue_ids())


def test_regional_organisation_decides_by_consensus_and_the_coalition_by_majority() -> None:
    # Two distinct scenarios: consensus among seven, and seven under a qualified majority.
    regional = load("concord-council")
    assert regional.alliance_type == "political_military" and len(regional.parties) == 7
    assert regional.rules.decision_rule == "unanimity"
    assert "consensus" in regional.summary and "majority" not in regional.summary
    coalition = load("sarn-guardian")
    assert coalition.id != regional.id and len(coalition.parties) == 7
    assert coalition.rules.decision_rule == "qualified_majority"
    assert coalition.rules.majority_threshold == pytest.approx(0.7)  # five of seven
    assert coalition.rules.veto_parties == []
    funding = coalition.issue("common_funding")
    assert all(option.burden_shares for option in funding.options)


def test_accession_needs_every_member_and_arms_control_has_veto_powers() -> None:
    accession = load("fennmark-accession")
    assert accession.rules.decision_rule == "unanimity"  # every member ratifies: each can veto
    arms = load("strategic-limits")
    assert arms.rules.decision_rule == "qualified_majority"
    assert arms.rules.veto_parties == ["orlan", "severa"]


@pytest.mark.parametrize("path", library_paths(), ids=lambda p: p.stem)
def test_scenario_file_is_complete(path) -> None:
    scenario = load(path)
    assert path.read_text(encoding="utf-8").splitlines()[0] == SCHEMA_COMMENT
    assert scenario.id == path.stem
    assert scenario.inspired_by and scenario.background.strip()
    assert "illustrative" in scenario.sources
    assert all(p.persona and p.private_brief for p in scenario.parties)
    assert sum(1 for p in scenario.parties if p.red_lines) >= 2
    assert any(s.at_round and s.reservation_delta for s in scenario.shocks)
    assert any(s.at_period and s.defection_temptation for s in scenario.shocks)
    assert scenario.package_count() <= 20_000


@pytest.mark.parametrize("scenario_id", sorted(EXPECTED))
def test_outcome_space_numbers(scenario_id: str) -> None:
    parties, packages, zone, after, nash = EXPECTED[scenario_id]
    report = check(load(scenario_id))
    assert (report.parties, report.packages) == (parties, packages)
    assert report.zone_of_agreement == zone
    assert report.zone_after_shocks == after
    if nash is None:
        assert report.nash is None
    else:
        assert report.nash is not None
        assert tuple(report.nash.utilities.values()) == pytest.approx(nash)
    assert not report.trivially_solved
    assert report.warnings == []
    assert all(fav.utilities[pid] == pytest.approx(100) for pid, fav in report.favourites.items())


@pytest.mark.parametrize("scenario_id", [i for i in sorted(EXPECTED) if i != "ardent-valley"])
def test_nash_package_is_nobodys_favourite(scenario_id: str) -> None:
    report = check(load(scenario_id))
    assert report.nash is not None
    assert max(report.nash.utilities.values()) < 100
    assert all(fav.index != report.nash.index for fav in report.favourites.values())


def test_no_agreement_case_is_documented() -> None:
    scenario = load("ardent-valley")
    assert scenario.no_agreement_expected
    assert "no zone of agreement" in scenario.summary.lower()
    assert "no zone of agreement" in scenario.sources.lower()
