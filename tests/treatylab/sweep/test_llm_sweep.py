"""LLM sweeps through the real openai SDK against the simulator: shards, cassettes, replay."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pandas as pd

from treatylab.simulator import MODEL_ID, start_simulator
from treatylab.sweep import run_sweep
from treatylab.sweep.shards import split


def test_split_slots() -> None:
    assert split(32, 2) == [16, 16]
    assert split(5, 2) == [3, 2]
    assert split(3, 3) == [1, 1, 1]


def test_llm_sweep_matches_heuristic_and_replays_from_cassettes(spec_file, tmp_path: Path) -> None:
    fields = {"scenarios": ["island-compact"], "mediators": ["formulative", "oracle"], "seeds": 1}
    heuristic = asyncio.run(run_sweep(spec_file(**fields), out=tmp_path / "h", concurrency=1,
                                      show_progress=False))
    assert heuristic.done == 2
    cassettes = tmp_path / "cassettes"
    with start_simulator() as sim:
        path = spec_file(**fields, delegates=[{"name": "sim", "model": MODEL_ID, "base_url": sim.base_url}])
        recorded = asyncio.run(run_sweep(path, out=tmp_path / "rec", concurrency=4, cassette_dir=cassettes,
                                         show_progress=False))
        sharded = asyncio.run(run_sweep(path, out=tmp_path / "live", concurrency=4, workers=2,
                                        show_progress=False))
    assert (recorded.done, sharded.done) == (2, 2)
    assert sorted(p.name for p in cassettes.iterdir()) == [
        "island-compact--sim--formulative--s0.yaml", "island-compact--sim--oracle--s0.yaml"]
    replayed = asyncio.run(run_sweep(path, out=tmp_path / "replay", concurrency=2, cassette_dir=cassettes,
                                     record_mode="replay", show_progress=False))
    assert replayed.done == 2
    for name in ("formulative", "oracle"):
        episode = f"island-compact--sim--{name}--s0"
        live = pd.read_parquet(tmp_path / "live" / "results.parquet").set_index("episode_id")
        twin = pd.read_parquet(tmp_path / "h" / "results.parquet").set_index("episode_id")
        # The simulator answers with the baseline policies: same negotiation as in process.
        assert live.loc[episode, "package"] == twin.loc[f"island-compact--heuristic--{name}--s0", "package"]
        assert live.loc[episode, "llm_calls"] > 0 and live.loc[episode, "tokens"] > 0
        for folder in ("rec", "replay"):
            assert (tmp_path / folder / "episodes" / episode / "transcript.jsonl").exists()
        recorded_moves = _moves(tmp_path / "rec" / "episodes" / episode / "transcript.jsonl")
        assert recorded_moves == _moves(tmp_path / "replay" / "episodes" / episode / "transcript.jsonl")


def _moves(path: Path) -> list[str]:
    """The transcript without usage events (their latency differs between live and replay)."""
    return [line for line in path.read_text(encoding="utf-8").splitlines() if '"kind": "usage"' not in line]
