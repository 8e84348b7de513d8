"""A sweep killed with SIGKILL part-way resumes to exactly one row per episode, nothing damaged."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd

from treatylab.agents.transcript import loads_jsonl

SPEC = {"name": "killed", "scenarios": ["northern-shield", "island-compact", "trident-partnership"],
        "mediators": ["formulative", "generate-rank-aggregate"], "seeds": 3}
EXPECTED = 3 * 2 * 3


def _start(path: Path, out: Path) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "treatylab.cli", "sweep", str(path), "--out", str(out),
                             "--concurrency", "2", "--quiet"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _finished(out: Path) -> list[Path]:
    return sorted(out.glob("episodes/*/result.json"))


def test_sigkill_then_resume(spec_file, tmp_path: Path) -> None:
    path = spec_file(**SPEC)
    out = tmp_path / "out"
    process = _start(path, out)
    deadline = time.monotonic() + 240
    while len(_finished(out)) < 4:
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the sweep made no progress"
        time.sleep(0.05)
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    time.sleep(1.0)  # orphaned pool workers notice their parent is gone and exit
    before = {p.parent.name: p.stat().st_mtime_ns for p in _finished(out)}
    assert 4 <= len(before) < EXPECTED

    again = subprocess.run([sys.executable, "-m", "treatylab.cli", "sweep", str(path), "--out", str(out),
                            "--concurrency", "2", "--quiet"], capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stderr
    assert f"{len(before)} already finished" in again.stderr

    frame = pd.read_parquet(out / "results.parquet")
    assert len(frame) == EXPECTED and frame["episode_id"].is_unique
    assert set(frame["status"]) == {"done"}
    folders = sorted((out / "episodes").iterdir())
    assert len(folders) == EXPECTED
    for folder in folders:
        assert sorted(p.name for p in folder.iterdir()) == ["manifest.json", "result.json", "transcript.jsonl"]
        json.loads((folder / "result.json").read_text(encoding="utf-8"))
        json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        events = loads_jsonl((folder / "transcript.jsonl").read_text(encoding="utf-8"))
        assert events[-1].seq == len(events) - 1
    # Episodes finished before the kill were kept, not run again.
    assert {name: (out / "episodes" / name / "result.json").stat().st_mtime_ns for name in before} == before
    assert not [p for p in out.rglob(".*") if p.name != ".lock"]
