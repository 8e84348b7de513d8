"""`treatylab run` and `show` as a user calls them: files, bytes, keys, ranges, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import ROOT

FLAGSHIP = str(ROOT / "scenarios" / "northern-shield.yaml")


def treatylab(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "treatylab.cli", *args], capture_output=True,
                          text=True, timeout=300, cwd=cwd)


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory):
    base = tmp_path_factory.mktemp("runs")
    for name in ("A", "B"):
        proc = treatylab("run", FLAGSHIP, "--seed", "7", "--out", str(base / name))
        assert proc.returncode == 0, proc.stderr
    return base, proc


def test_two_runs_are_byte_identical(two_runs):
    base, _ = two_runs
    for name in ("transcript.jsonl", "result.json"):
        assert (base / "A" / name).read_bytes() == (base / "B" / name).read_bytes()


def test_result_has_the_documented_shape_and_ranges(two_runs):
    base, _ = two_runs
    result = json.loads((base / "A" / "result.json").read_text())
    assert result["outcome"] in ("agreement", "breakdown")
    assert set(result["package"]) == {"burden", "spending", "command", "basing", "verification", "disputes"}
    assert 1 <= result["rounds"] <= 6
    scores = result["scores"]
    for key in ("trust", "sovereignty_preservation", "burden_equity"):
        assert 0.0 <= scores[key]["value"] <= 1.0
        assert scores[key]["components"]
    assert 0.0 <= scores["nash_ratio"] <= 1.0
    assert isinstance(scores["pareto_optimal"], bool)
    assert set(scores["utilities"]) == {"aurelia", "borealis", "corvinia", "dalmora", "estvia"}
    manifest = json.loads((base / "A" / "manifest.json").read_text())
    assert manifest["seed"] == 7 and len(manifest["scenario"]["sha256"]) == 64
    assert manifest["prompt_templates"]


def test_progress_shows_every_stage_and_a_scorecard(two_runs):
    _, proc = two_runs
    for title in ("Preparation", "Opening statements", "Clarifying", "Bargaining", "Drafting",
                  "Finalisation", "Implementation", "Scorecard"):
        assert title in proc.stdout


def test_show_renders_a_finished_run(two_runs):
    base, _ = two_runs
    proc = treatylab("show", str(base / "A"), "--private")
    assert proc.returncode == 0
    assert "(private)" in proc.stdout and "Scorecard" in proc.stdout


@pytest.mark.parametrize("args, message", [
    (["run", "no-such-scenario"], "no library scenario with that id"),
    (["run", FLAGSHIP, "--mediator", "bogus"], "unknown strategy"),
    (["run", FLAGSHIP, "--delegate", "atlantis=heuristic"], "unknown party"),
    (["run", FLAGSHIP, "--delegate", "aurelia"], "expected PARTY=BACKEND"),
    (["show", "/nonexistent/run"], "not a finished run folder"),
])
def test_bad_input_exits_2_with_a_line_that_says_what_to_fix(args, message, tmp_path):
    proc = treatylab(*args, cwd=tmp_path)
    assert proc.returncode == 2
    assert message in proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout


def test_burden_reference_benefit_changes_only_the_burden_score(two_runs, tmp_path):
    base, _ = two_runs
    proc = treatylab("run", FLAGSHIP, "--seed", "7", "--burden-reference", "benefit", "--out", str(tmp_path / "C"), "-q")
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "C" / "transcript.jsonl").read_bytes() == (base / "A" / "transcript.jsonl").read_bytes()
    capacity = json.loads((base / "A" / "result.json").read_text())["scores"]
    benefit = json.loads((tmp_path / "C" / "result.json").read_text())["scores"]
    assert capacity["burden_equity"]["parameters"] == {"reference": "capacity"}
    assert benefit["burden_equity"]["parameters"] == {"reference": "benefit"}
    # Total-variation distance from the benefit shares, by hand from the flagship's figures.
    shares = benefit["burden_equity"]["components"]["shares"]
    reference = {p["id"]: p["benefit"] for p in yaml.safe_load(Path(FLAGSHIP).read_text())["parties"]}
    assert benefit["burden_equity"]["components"]["reference_shares"] == pytest.approx(reference)
    tv = 0.5 * sum(abs(shares[p] - reference[p]) for p in reference)
    assert benefit["burden_equity"]["value"] == pytest.approx(1 - tv)
    assert {k: v for k, v in benefit.items() if k != "burden_equity"} == \
        {k: v for k, v in capacity.items() if k != "burden_equity"}
    bad = treatylab("run", FLAGSHIP, "--burden-reference", "gdp", "--out", str(tmp_path / "D"))
    assert bad.returncode == 2 and "burden_reference" in bad.stderr and "Traceback" not in bad.stderr
