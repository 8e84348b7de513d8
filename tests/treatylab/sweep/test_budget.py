"""Sweep budgets and the dry run: LLM episodes through the real SDK against the simulator."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

from treatylab.errors import UserError
from treatylab.prices import load_prices
from treatylab.simulator import MODEL_ID, start_simulator
from treatylab.sweep import run_sweep
from treatylab.sweep.spec import load_spec

PRICES = "models:\n  - {pattern: 'treatylab-sim*', input: 1.0, output: 4.0}\n"


def _spec(folder: Path, base_url: str, budget: dict | None) -> Path:
    spec = {"name": "spend", "scenarios": ["island-compact"], "mediators": ["formulative", "oracle"],
            "seeds": 2, "delegates": [{"name": "sim", "model": MODEL_ID, "base_url": base_url}]}
    if budget is not None:
        spec["budget"] = budget
    path = folder / "spec.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    return path


def test_cost_budget_stops_launching_and_resumes_when_raised(tmp_path: Path) -> None:
    prices_file = tmp_path / "prices.yaml"
    prices_file.write_text(PRICES)
    prices = load_prices(prices_file)
    out = tmp_path / "out"
    with start_simulator() as sim:
        def sweep(budget: float):
            path = _spec(tmp_path, sim.base_url, {"max_cost": budget})
            return asyncio.run(run_sweep(path, out=out, concurrency=1, workers=1,
                                         show_progress=False, prices=prices))

        first = sweep(0.25)
        table = pd.read_parquet(out / "results.parquet")
        costs = table.loc[table.status == "done", "cost_usd"].tolist()
        assert first.done == len(costs) >= 1 and first.held == 4 - first.done >= 1
        # episodes run one at a time: each started while the spend was under the budget,
        # and the last one reached it
        assert sum(costs[:-1]) < 0.25 <= sum(costs) == pytest.approx(first.cost_usd)
        assert "sweep budget of $0.25" in first.budget_reason
        assert list(table.status) == ["done"] * first.done + ["pending"] * first.held

        again = sweep(0.25)  # same budget: the spend on disk already reached it
        assert (again.skipped, again.done, again.held) == (first.done, 0, first.held)

        raised = sweep(5.0)
    assert (raised.skipped, raised.done, raised.held) == (first.done, first.held, 0)
    table = pd.read_parquet(out / "results.parquet")
    assert list(table.status) == ["done"] * 4
    assert table.episode_id.is_unique
    assert table.cost_usd.notna().all() and (table.cost_usd > 0).all()
    expected = table.prompt_tokens * 1.0 / 1e6 + table.completion_tokens * 4.0 / 1e6
    assert table.cost_usd.round(6).tolist() == expected.round(6).tolist()


def test_per_episode_caps_in_the_spec_config(tmp_path: Path) -> None:
    with start_simulator() as sim:
        path = _spec(tmp_path, sim.base_url, None)
        data = yaml.safe_load(path.read_text())
        data.update(mediators=["formulative"], seeds=1, config={"max_calls": 5})
        path.write_text(yaml.safe_dump(data))
        summary = asyncio.run(run_sweep(path, out=tmp_path / "o", concurrency=1, workers=1,
                                        show_progress=False))
    assert (summary.done, summary.stopped) == (1, 1)
    row = pd.read_parquet(tmp_path / "o" / "results.parquet").iloc[0]
    assert row.status == "budget" and row.budget_cap == "max_calls"
    assert row.llm_calls <= 5 and row.cost_usd == 0.0  # the shipped table prices the simulator at 0


def test_bad_budget_names_the_field(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump({"name": "x", "scenarios": ["island-compact"], "mediators": ["oracle"],
                                    "seeds": 1, "budget": {"max_dollars": 3}}))
    with pytest.raises(UserError) as error:
        load_spec(path)
    assert "budget.max_dollars: unknown field" in str(error.value)
    assert "max_cost" in str(error.value)


def test_dry_run_estimates_without_running(tmp_path: Path) -> None:
    prices_file = tmp_path / "prices.yaml"
    prices_file.write_text(PRICES)
    path = _spec(tmp_path, "http://127.0.0.1:9/v1", {"max_cost": 0.5})  # nothing listens there
    out = tmp_path / "never"
    done = subprocess.run([sys.executable, "-m", "treatylab.cli", "sweep", str(path), "--dry-run",
                           "--out", str(out), "--prices", str(prices_file)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    text = " ".join(done.stdout.split())
    assert "4 episodes (4 with LLM seats), 4 to run" in text
    # island-compact: 2 delegate seats x 16 calls + the mediator's 9 = 41 calls per episode
    assert "estimate: 164 LLM calls" in text
    assert "exceeds the sweep budget of $0.5" in text
    assert not out.exists()
