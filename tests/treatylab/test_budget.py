"""Spending caps on one episode: real openai SDK calls to the simulator, refused before a call."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from treatylab.budget import BudgetExceeded, Caps, EpisodeMeter
from treatylab.prices import load_prices
from treatylab.runner import run_episode
from treatylab.scenarios import load
from treatylab.simulator import start_simulator
from tests.treatylab.llm_helpers import negotiation, sim_config

import subprocess
import sys


def treatylab(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "treatylab.cli", *args], capture_output=True,
                          text=True, timeout=120)


@pytest.fixture(scope="module")
def sim():
    with start_simulator() as server:
        yield server


@pytest.fixture(scope="module")
def island():
    return load("island-compact")


@pytest.fixture(scope="module")
def uncapped(sim, island):
    return asyncio.run(run_episode(island, sim_config(sim.base_url, seed=3)))


def _usage(run) -> list:
    return [e.payload for e in run.events if e.kind == "usage"]


def test_uncapped_episode_records_cost_zero_for_the_simulator(uncapped) -> None:
    assert uncapped.result["status"] == "done"
    assert len(_usage(uncapped)) > 10
    assert uncapped.result["cost_usd"] == 0.0  # treatylab-sim is priced 0 in the shipped table
    assert uncapped.result["budget"] is None
    assert uncapped.manifest["prices"]["source"] == "treatylab/data/prices.yaml"


def test_token_cap_refuses_the_call_that_would_pass_it(sim, island, uncapped, tmp_path: Path) -> None:
    total = sum(u.prompt_tokens + u.completion_tokens for u in _usage(uncapped))
    cap = total // 2
    capped = asyncio.run(run_episode(island, sim_config(sim.base_url, seed=3, max_tokens=cap),
                                     out_dir=tmp_path / "run"))
    result = json.loads((tmp_path / "run" / "result.json").read_text())
    assert result["status"] == "budget"
    assert result["outcome"] is None and result["scores"] == {}
    stop = result["budget"]
    assert stop["cap"] == "max_tokens" and stop["limit"] == cap
    spent, refused = stop["spent"]["tokens"], stop["refused"]
    # the refused call would have passed the cap (with the parallel calls then in flight);
    # what was spent stays under it
    assert refused["spent_tokens"] <= spent <= cap
    assert cap < refused["spent_tokens"] + refused["in_flight_tokens"] + refused["estimated_tokens"]
    recorded = sum(u.prompt_tokens + u.completion_tokens for u in _usage(capped))
    assert 0 < recorded <= spent
    # what finished is kept, and it is the start of the same negotiation
    kept = negotiation(capped.events)
    assert kept and kept == negotiation(uncapped.events)[: len(kept)]
    assert len(_usage(capped)) < len(_usage(uncapped))


def test_call_cap_counts_http_attempts(sim, island) -> None:
    run = asyncio.run(run_episode(island, sim_config(sim.base_url, seed=3, max_calls=7)))
    assert run.result["status"] == "budget"
    assert run.result["budget"]["cap"] == "max_calls"
    assert run.result["budget"]["spent"]["calls"] == 7
    assert len(_usage(run)) <= 7


def test_cost_cap_with_a_price_file_and_the_cli(sim, tmp_path: Path) -> None:
    prices = tmp_path / "prices.yaml"
    prices.write_text("models:\n  - {pattern: 'treatylab-sim*', input: 100.0, output: 400.0}\n")
    out = tmp_path / "cli"
    result = treatylab("run", "island-compact", "--model", "treatylab-sim",
                       "--base-url", sim.base_url, "--mediator", "formulative",
                       "--seed", "3", "--out", str(out), "--record-mode", "off",
                       "--max-cost", "5", "--prices", str(prices), "-q")
    assert result.returncode == 5, result.stderr
    assert "budget:" in result.stderr and "--max-cost" in result.stderr
    document = json.loads((out / "result.json").read_text())
    assert document["status"] == "budget" and document["budget"]["cap"] == "max_cost"
    assert 0 < document["cost_usd"] <= document["budget"]["spent"]["cost_usd"] <= 5
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["prices"]["source"] == str(prices)


def test_cost_cap_on_an_unpriced_model_is_refused_before_anything_runs(tmp_path: Path) -> None:
    result = treatylab("run", "island-compact", "--model", "mystery-model",
                       "--base-url", "http://127.0.0.1:9/v1", "--max-cost", "1",
                       "--out", str(tmp_path / "x"), "--record-mode", "off")
    assert result.returncode == 2, result.stderr
    assert "mystery-model" in result.stderr and "--prices" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "x" / "result.json").exists()


def test_meter_reserves_for_parallel_calls() -> None:
    meter = EpisodeMeter(Caps(max_tokens=1000), load_prices())
    messages = [{"role": "user", "content": "x" * 1600}]  # 400 prompt + 256 completion estimate
    meter.admit("treatylab-sim", messages)
    with pytest.raises(BudgetExceeded) as refused:
        meter.admit("treatylab-sim", messages)  # 656 + 656 > 1000, though nothing is settled yet
    assert refused.value.stop.cap == "max_tokens"
    assert meter.calls == 1
