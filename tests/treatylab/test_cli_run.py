"""`treatylab run` and `show` as a user calls them: files, bytes, keys, ranges, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

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
