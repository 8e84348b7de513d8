"""What-if branches: the prefix replays from the parent's transcript, byte for byte, with no
model call; from the branch point the changed settings decide."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from treatylab.branch import branch_run
from treatylab.demo import DEMO_DIR
from treatylab.graphs import RunConfig
from treatylab.viewer import write_view

from tests.conftest import run

PARTIES = ["aurelia", "borealis", "corvinia", "dalmora", "estvia"]


def _lines(path: Path) -> list[bytes]:
    return path.read_bytes().splitlines(keepends=True)


def _first_of_round(run_dir: Path, round_: int) -> int:
    events = [json.loads(line) for line in _lines(run_dir / "transcript.jsonl")]
    return next(e["seq"] for e in events if e["stage"] == "bargain" and e["round"] == round_)


def test_demo_branch_at_a_bargaining_round(tmp_path: Path) -> None:
    """The demo's seats are LLMs on a loopback endpoint that no longer runs: any model call
    for the prefix would fail the branch, so a finished branch made none."""
    at = _first_of_round(DEMO_DIR, 3)
    out, result, manifest = branch_run(
        DEMO_DIR, at=at, out_dir=tmp_path / "b", mediator="facilitative",
        mediator_backend="heuristic", delegate=[f"{p}=heuristic" for p in PARTIES])
    info = manifest["branch"]
    assert info["at"] == at and info["parent_run_id"] == json.loads((DEMO_DIR / "result.json").read_text())["run_id"]
    assert info["parent"] == str(DEMO_DIR) and info["changes"]["mediator"] == "facilitative"
    parent, branch = _lines(DEMO_DIR / "transcript.jsonl"), _lines(out / "transcript.jsonl")
    assert branch[:at] == parent[:at], "prefix byte-identical"
    assert branch[at:] != parent[at:]
    suffix = [json.loads(line) for line in branch[at:]]
    assert suffix[0]["seq"] == at
    assert not [e for e in suffix if e["kind"] == "usage"], "no LLM call after the branch point either"
    assert result["status"] == "done" and result["mediator"] == "facilitative"
    parent_result = json.loads((DEMO_DIR / "result.json").read_text())
    assert result["package"] != parent_result["package"]
    # the viewer marks the branch point and shows both outcomes
    page = write_view(out, tmp_path / "v.html").read_text(encoding="utf-8")
    assert "What-if branch" in page or '"branch":{' in page
    data = json.loads(page.split('id="run-data">', 1)[1].split("</script>", 1)[0])
    assert data["branch"]["at"] == at
    rows = {row[0]: row[1:] for row in data["branch"]["rows"]}
    assert rows["outcome"] == ["agreement", result["outcome"]]
    spending = next(k for k in rows if k.startswith("National defence-spending"))
    assert rows[spending][0] != rows[spending][1] or rows != {}


def test_heuristic_run_branch_changes_only_the_suffix(tmp_path: Path, flagship) -> None:
    parent_dir = tmp_path / "parent"
    run(flagship, RunConfig(mediator="none", seed=3), scenario_ref="northern-shield", out_dir=parent_dir)
    at = _first_of_round(parent_dir, 2)
    out, result, manifest = branch_run(parent_dir, at=at + 1, out_dir=tmp_path / "b",
                                       mediator="formulative", style=["borealis=conceder"])
    boundary = manifest["branch"]["at"]
    assert boundary <= at + 1 and manifest["branch"]["requested_at"] == at + 1
    parent, branch = _lines(parent_dir / "transcript.jsonl"), _lines(out / "transcript.jsonl")
    assert branch[:boundary] == parent[:boundary]
    kinds = {json.loads(line)["actor"] for line in branch[boundary:]}
    assert "mediator" in kinds, "the formulative mediator acts from the branch point on"
    assert manifest["branch"]["changes"]["styles"] == {"borealis": "conceder"}


def test_cli_branch_refuses_a_seq_out_of_range(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "treatylab.cli", "branch", str(DEMO_DIR), "--at", "99999",
                           "--out", str(tmp_path / "b")], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "--at 99999" in done.stderr and "Traceback" not in done.stderr


def test_branch_that_needs_an_unreachable_llm_fails_with_exit_4(tmp_path: Path) -> None:
    """The demo's seats stay on its recording endpoint, which no longer runs."""
    at = _first_of_round(DEMO_DIR, 3)
    out = tmp_path / "b"
    done = subprocess.run([sys.executable, "-m", "treatylab.cli", "branch", str(DEMO_DIR), "--at", str(at),
                           "--mediator", "facilitative", "--out", str(out)],
                          capture_output=True, text=True, timeout=180)
    assert done.returncode == 4, done.stderr
    assert "could not connect" in done.stderr and "Traceback" not in done.stderr
    result = json.loads((out / "result.json").read_text())
    assert result["status"] == "failed" and result["failure"]["kind"] == "connection"
    assert _lines(out / "transcript.jsonl")[:at] == _lines(DEMO_DIR / "transcript.jsonl")[:at]
