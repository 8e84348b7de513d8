"""Whole episodes through the real openai SDK and the simulator over loopback HTTP."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from treatylab.agents import mediators
from treatylab.graphs import RunConfig
from treatylab.scenarios import load
from treatylab.runner import run_episode
from treatylab.simulator import FAULT_KINDS, start_simulator
from tests.conftest import FIXTURES
from tests.treatylab.llm_helpers import SIM, counts, negotiation, sim_config

pytestmark = pytest.mark.usefixtures("offline_env")
TINY = str(FIXTURES / "scenarios" / "tiny-valid.yaml")


@pytest.fixture
def offline_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL"):
        monkeypatch.delenv(name, raising=False)


def _scores(result: dict) -> dict:
    return {key: result[key] for key in ("outcome", "package", "rounds", "scores")}


@pytest.mark.parametrize("mediator", mediators.available())
def test_simulator_run_negotiates_like_the_in_process_policy(flagship, mediator: str) -> None:
    with start_simulator() as sim:
        llm = asyncio.run(run_episode(flagship, sim_config(sim.base_url, mediator=mediator, seed=4)))
    heuristic = asyncio.run(run_episode(flagship, RunConfig(mediator=mediator, seed=4)))
    assert negotiation(llm.events) == negotiation(heuristic.events)
    assert _scores(llm.result) == _scores(heuristic.result)
    assert any(e.kind == "usage" for e in llm.events)


def test_mixed_run_one_delegation_on_the_simulator(flagship) -> None:
    party = flagship.party_ids()[1]
    with start_simulator() as sim:
        config = RunConfig(mediator="formulative", seed=2, base_url=sim.base_url,
                           delegates={party: SIM})
        mixed = asyncio.run(run_episode(flagship, config))
        assert sim.stats["requests"] > 0
    heuristic = asyncio.run(run_episode(flagship, RunConfig(mediator="formulative", seed=2)))
    assert {e.actor for e in mixed.events if e.kind == "usage"} == {party}
    assert negotiation(mixed.events) == negotiation(heuristic.events)
    assert _scores(mixed.result) == _scores(heuristic.result)


def test_every_fault_kind_at_30_percent_still_ends_with_a_result() -> None:
    scenario = load(TINY)
    seen: set[str] = set()
    for seed in range(1, 9):
        if seen == set(FAULT_KINDS) and seed > 3:
            break
        with start_simulator(fault_rate=0.3, seed=seed, hang_s=2) as sim:
            # transient faults past the retries would stop the episode (status failed): with
            # four retries five transient faults in a row (p = 0.11^5 per call) never happen here
            config = sim_config(sim.base_url, seed=seed, timeout_s=0.3, max_retries=4)
            run = asyncio.run(run_episode(scenario, config))
            seen |= {key.removeprefix("fault:") for key in sim.stats if key.startswith("fault:")}
        assert run.result["outcome"] in ("agreement", "breakdown", "rejected")
        expected = counts(run.events)
        assert expected["repairs"] > 0
        assert run.result["process"]["repairs"] == expected["repairs"]
        assert run.result["process"]["failed_turns"] == expected["failed_turns"]
    assert seen == set(FAULT_KINDS)


def test_persistent_faults_give_failed_turns_and_the_episode_goes_on() -> None:
    scenario = load(TINY)
    with start_simulator(fault_rate=1.0, faults=["schema"]) as sim:
        config = RunConfig(mediator="none", seed=1, base_url=sim.base_url,
                           delegates={"beta": SIM}, max_repairs=1)
        run = asyncio.run(run_episode(scenario, config))
    failed = [e for e in run.events if e.kind == "failed_turn"]
    assert failed and all(e.actor == "beta" for e in failed)
    assert all(e.payload.attempts == 2 for e in failed)
    assert {e.stage for e in run.events} >= {"prepare", "open", "clarify", "bargain"}
    assert run.result["process"]["failed_turns"] == len(failed)
