"""Running a sweep: one folder and one row per episode, resume skips, failures recorded."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pandas as pd

import treatylab.runner
from treatylab.sweep import run_sweep

SPEC = {"scenarios": ["northern-shield", "island-compact"], "mediators": ["formulative", "manipulative"],
        "seeds": 2}


def run(path: Path, out: Path, concurrency: int = 1):  # noqa: ANN201
    return asyncio.run(run_sweep(path, out=out, concurrency=concurrency, show_progress=False))


def test_sweep_writes_one_row_per_episode_and_resumes(spec_file, tmp_path: Path) -> None:
    path = spec_file(**SPEC)
    out = tmp_path / "out"
    summary = run(path, out)
    assert (summary.total, summary.done, summary.failed, summary.skipped) == (8, 8, 0, 0)
    frame = pd.read_parquet(out / "results.parquet")
    assert len(frame) == 8 and frame["episode_id"].is_unique
    assert set(frame["status"]) == {"done"}
    assert {"agreement", "rounds", "tokens", "compensation_paid", "wall_s"} <= set(frame.columns)
    assert frame.loc[frame["mediator"] == "formulative", "compensation_paid"].eq(0).all()
    first = frame.set_index("episode_id")
    for episode_id in first.index:
        folder = out / "episodes" / episode_id
        result = json.loads((folder / "result.json").read_text())
        manifest = json.loads((folder / "manifest.json").read_text())
        assert manifest["sweep"]["episode_id"] == episode_id
        assert result["mediator"] == first.loc[episode_id, "mediator"]
    stamps = {p: p.stat().st_mtime_ns for p in out.glob("episodes/*/result.json")}
    again = run(path, out)
    assert (again.skipped, again.done, again.failed) == (8, 0, 0)
    assert {p: p.stat().st_mtime_ns for p in out.glob("episodes/*/result.json")} == stamps
    pd.testing.assert_frame_equal(pd.read_parquet(out / "results.parquet"), frame)


def test_failed_episode_is_recorded_and_retried(spec_file, tmp_path: Path, monkeypatch) -> None:
    path = spec_file(**SPEC)
    out = tmp_path / "out"
    real = treatylab.runner.run_episode

    async def flaky(scenario, config, **kwargs):  # noqa: ANN001, ANN202
        if scenario.id == "island-compact" and config.mediator == "manipulative" and config.seed == 1:
            raise RuntimeError("endpoint refused the connection")
        return await real(scenario, config, **kwargs)

    monkeypatch.setattr(treatylab.runner, "run_episode", flaky)
    summary = run(path, out)
    assert (summary.done, summary.failed) == (7, 1)
    frame = pd.read_parquet(out / "results.parquet").set_index("episode_id")
    failed = frame.loc["island-compact--heuristic--manipulative--s1"]
    assert failed["status"] == "failed" and failed["failure_type"] == "RuntimeError"
    assert failed["failure"] == "endpoint refused the connection"
    folder = out / "episodes" / "island-compact--heuristic--manipulative--s1"
    assert sorted(p.name for p in folder.iterdir()) == ["failure.json"]
    monkeypatch.setattr(treatylab.runner, "run_episode", real)
    retry = run(path, out)
    assert (retry.skipped, retry.done, retry.failed) == (7, 1, 0)
    assert not (folder / "failure.json").exists() and (folder / "result.json").exists()
    assert set(pd.read_parquet(out / "results.parquet")["status"]) == {"done"}


def test_process_pool_matches_in_process(spec_file, tmp_path: Path) -> None:
    path = spec_file(**SPEC)
    run(path, tmp_path / "serial", concurrency=1)
    run(path, tmp_path / "pool", concurrency=2)
    for transcript in (tmp_path / "serial").glob("episodes/*/transcript.jsonl"):
        twin = tmp_path / "pool" / transcript.relative_to(tmp_path / "serial")
        assert twin.read_bytes() == transcript.read_bytes()
    serial = pd.read_parquet(tmp_path / "serial" / "results.parquet").drop(columns=["wall_s"])
    pool = pd.read_parquet(tmp_path / "pool" / "results.parquet").drop(columns=["wall_s"])
    pd.testing.assert_frame_equal(serial, pool)


def test_second_sweep_on_the_same_folder_is_refused(spec_file, tmp_path: Path) -> None:
    import pytest

    from treatylab.errors import UserError
    from treatylab.sweep.store import sweep_lock

    with sweep_lock(tmp_path / "out"), pytest.raises(UserError, match="another sweep is writing"):
        run(spec_file(**SPEC), tmp_path / "out")
