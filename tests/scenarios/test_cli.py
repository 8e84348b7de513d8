"""`treatylab scenario ...`: exit codes and output, through the real entry point where it matters."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from treatylab.scenarios import library_ids, load
from treatylab.scenarios.loader import LIBRARY_DIR
from treatylab.evals.scenario_check import check
from treatylab.cli_scenario import scenario_app
from tests.scenarios.support import FIXTURES, LLM_DELIBERATION, treatylab
from tests.scenarios.test_fixtures import BROKEN

runner = CliRunner()


def test_validate_reports_every_broken_file_and_exits_2() -> None:
    broken = sorted(FIXTURES / f"{stem}.yaml" for stem in BROKEN)
    result = treatylab("scenario", "validate", str(FIXTURES / "tiny-valid.yaml"), *map(str, broken))
    assert result.returncode == 2
    assert "Traceback" not in result.stdout + result.stderr
    assert result.stdout.splitlines() == [f"ok {FIXTURES / 'tiny-valid.yaml'}"]
    for path in broken:  # all files checked, not just the first failure
        for line in BROKEN[path.stem]:
            assert f"error: {path}: {line}" in result.stderr
    assert f"error: {len(broken)} of {len(broken) + 1} scenario file(s) failed validation" in result.stderr


def test_new_output_validates_unchanged(tmp_path: Path) -> None:
    result = runner.invoke(scenario_app, ["new", "baltic-compact"])
    assert result.exit_code == 0
    path = tmp_path / "baltic-compact.yaml"
    path.write_text(result.stdout, encoding="utf-8")
    checked = treatylab("scenario", "validate", str(path), *library_ids())
    assert checked.returncode == 0, checked.stderr
    assert checked.stdout.splitlines()[0] == f"ok {path}"
    assert len(checked.stdout.splitlines()) == 1 + len(library_ids())


def test_new_refuses_to_overwrite(tmp_path: Path) -> None:
    target = tmp_path / "x.yaml"
    assert runner.invoke(scenario_app, ["new", "x", "--out", str(target)]).exit_code == 0
    again = runner.invoke(scenario_app, ["new", "x", "--out", str(target)])
    assert again.exit_code != 0 and "already exists" in str(again.exception)


def test_list_shows_every_library_scenario() -> None:
    result = runner.invoke(scenario_app, ["list"], env={"COLUMNS": "160"})
    assert result.exit_code == 0
    for scenario_id in library_ids():
        assert scenario_id in result.stdout
    assert "0 (none, by design)" in result.stdout


def test_check_json() -> None:
    result = runner.invoke(scenario_app, ["check", "island-compact", "--json"])
    assert result.exit_code == 0
    report = json.loads(result.stdout)
    assert report["zone_of_agreement"] == 133
    assert report["nash"]["utilities"] == {"meridia": 63.0, "kaitonia": 67.0}
    assert report["trivially_solved"] is False


def test_check_text_names_the_nash_package() -> None:
    result = runner.invoke(scenario_app, ["check", "ardent-valley"], env={"COLUMNS": "160"})
    assert result.exit_code == 0
    assert "zone of agreement: 0 packages" in result.stdout
    assert "Nash package: none" in result.stdout


def test_show_puts_briefs_under_a_confidential_heading() -> None:
    result = runner.invoke(scenario_app, ["show", "northern-shield"], env={"COLUMNS": "160"})
    assert result.exit_code == 0
    head, _, confidential = result.stdout.partition("CONFIDENTIAL")
    brief = "0.9 billion credits"  # from aurelia's private brief
    assert brief in confidential and brief not in head
    hidden = runner.invoke(scenario_app, ["show", "northern-shield", "--no-private"])
    assert "CONFIDENTIAL" not in hidden.stdout and brief not in hidden.stdout


def test_schema_prints_the_shipped_file() -> None:
    result = runner.invoke(scenario_app, ["schema"])
    assert result.stdout == (LIBRARY_DIR / "scenario.schema.json").read_text(encoding="utf-8")


def test_import_writes_a_valid_scenario(tmp_path: Path) -> None:
    out = tmp_path / "radar.yaml"
    result = runner.invoke(scenario_app, ["import", "--from", "llm-deliberation",
                                          str(LLM_DELIBERATION), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert load(out).party_ids() == ["mod", "towns", "fishers"]


def test_import_refuses_an_unknown_format() -> None:
    result = runner.invoke(scenario_app, ["import", "--from", "negotiation-arena", "x"])
    assert result.exit_code != 0
    assert "unknown format" in str(result.exception)


def test_list_columns_and_figures() -> None:
    result = runner.invoke(scenario_app, ["list"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    header = next(line for line in result.stdout.splitlines() if " id " in line)
    cells = [cell.strip() for cell in header.strip("┃ ").split("┃")]
    assert cells[:5] == ["id", "parties", "issues", "packages", "ZOA"]
    rows = {line.split("│")[1].strip(): [c.strip() for c in line.split("│")[2:6]]
            for line in result.stdout.splitlines() if line.startswith("│")}
    assert rows["island-compact"] == ["2", "6", "972", "133"]
    assert rows["concord-council"] == ["7", "6", "216", "14"]
    assert rows["sarn-guardian"] == ["7", "6", "972", "25"]
    assert rows["northern-shield"] == ["5", "6", "1296", "107"]


@pytest.mark.parametrize("scenario_id", library_ids())
def test_check_reports_on_every_library_scenario(scenario_id: str) -> None:
    scenario = load(scenario_id)
    report = check(scenario)
    result = runner.invoke(scenario_app, ["check", scenario_id], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert f"zone of agreement: {report.zone_of_agreement} packages" in out
    if scenario.no_agreement_expected:
        assert report.zone_of_agreement == 0
        assert "Nash package: none" in out
    else:
        assert report.zone_of_agreement > 0 and report.nash is not None
        assert "Nash package: " + ", ".join(f"{k}={v}" for k, v in report.nash.package.items()) in out
    for pid in scenario.party_ids():
        assert f"{pid}'s favourite" in out
    assert "trivially solved: no" in out
    assert "warning:" not in out


def test_check_prints_warnings_for_an_issue_nobody_cares_about(tmp_path: Path) -> None:
    data = yaml.safe_load((FIXTURES / "duo.yaml").read_text(encoding="utf-8"))
    data["issues"].append({"id": "flag", "title": "Flag", "options": [
        {"id": "blue", "label": "Blue"}, {"id": "green", "label": "Green"}]})
    for table in data["utilities"].values():
        table["flag"] = {"blue": 0, "green": 0}
    path = tmp_path / "duo-flag.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    result = runner.invoke(scenario_app, ["check", str(path)], env={"COLUMNS": "300"})
    assert result.exit_code == 0, result.output
    assert "warning: issues.flag: every party scores all its options equally" in result.stdout
