"""A dead endpoint in a sweep gives `failed` rows, not breakdowns; compare leaves them out."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd

from treatylab.simulator import MODEL_ID


CANARY = "sk-canary-in-a-sweep-url-7731"


def test_dead_endpoint_episodes_are_failed_rows_that_compare_leaves_out(spec_file, tmp_path: Path) -> None:
    path = spec_file(scenarios=["northern-shield"], mediators=["formulative"], seeds=2,
                     delegates=[{"name": "dead", "model": MODEL_ID, "base_url": f"http://user:{CANARY}@127.0.0.1:9/v1?api-key={CANARY}"},
                                {"name": "heuristic"}])
    out = tmp_path / "out"
    env = {"OPENAI_API_KEY": "sk-unused-0000", "PATH": "/usr/bin:/bin"}
    swept = subprocess.run([sys.executable, "-m", "treatylab.cli", "sweep", str(path), "--out", str(out),
                            "--quiet", "--concurrency", "2"], capture_output=True, text=True, timeout=300, env=env)
    assert swept.returncode == 0, swept.stderr
    assert "2 failed" in swept.stderr, swept.stderr
    frame = pd.read_parquet(out / "results.parquet")
    assert sorted(frame["status"]) == ["done", "done", "failed", "failed"]
    assert not (frame[frame["status"] == "failed"]["outcome"] == "breakdown").any()
    from treatylab.evals.experiments import compare

    table = compare(frame, by="delegates", resamples=200)
    assert table.episodes == 2 and table.excluded == 2
    dead = frame.loc[frame["status"] == "failed", "delegates"].iloc[0]
    assert dead not in table.groups  # never averaged in as a breakdown
    assert table.left_out == {dead: {"failed": 2}}
    compared = subprocess.run([sys.executable, "-m", "treatylab.cli", "compare", str(out), "--by", "delegates"],
                              capture_output=True, text=True, timeout=120, env=env)
    assert compared.returncode == 0, compared.stderr
    assert "2 episode(s) not done are left out" in compared.stdout
    assert f"delegates {dead}: 2 failed" in compared.stdout
    # a key written into the spec's base URL reaches no file of the sweep and no output
    leaked = [p for p in out.rglob("*") if p.is_file() and CANARY.encode() in p.read_bytes()]
    assert leaked == []
    assert CANARY not in swept.stdout + swept.stderr + compared.stdout + compared.stderr


def test_a_spec_change_reruns_exactly_the_changed_episodes(spec_file, tmp_path: Path) -> None:
    out = tmp_path / "out"
    command = [sys.executable, "-m", "treatylab.cli", "sweep", "--out", str(out), "--quiet"]
    first = spec_file(scenarios=["northern-shield"], mediators=["formulative", "facilitative"], seeds=1)
    done = subprocess.run([*command[:4], str(first), *command[4:]], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    before = {p.parent.name: p.stat().st_mtime_ns for p in out.glob("episodes/*/result.json")}
    assert len(before) == 2
    # the same two episodes under a changed config, plus one new seed (new, not "changed")
    import yaml

    spec = yaml.safe_load(first.read_text())
    spec["config"] = {"burden_reference": "benefit", "deadline_s": 120}
    first.write_text(yaml.safe_dump(spec))
    again = subprocess.run([*command[:4], str(first), *command[4:]], capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr
    assert "2 finished episode(s) re-run" in again.stderr, again.stderr
    after = {p.parent.name: p.stat().st_mtime_ns for p in out.glob("episodes/*/result.json")}
    assert set(after) == set(before) and all(after[k] != before[k] for k in before)
    third = subprocess.run([*command[:4], str(first), *command[4:]], capture_output=True, text=True, timeout=300)
    assert "re-run" not in third.stderr and "2 already finished" in third.stderr
