"""The new strategies negotiate identically behind the simulator's HTTP endpoint.

Candidates, rankings, deadlines and compensation cross the LLM wire format and the
simulator's view parsing; the mediator's moves must come back exactly as in process.
"""

from __future__ import annotations

import asyncio

import pytest

from treatylab import scenarios
from treatylab.graphs import RunConfig
from treatylab.runner import run_episode
from treatylab.simulator import MODEL_ID, start_simulator


def _moves(run) -> list[dict]:  # noqa: ANN001
    return [e.payload.model_dump() for e in run.events if e.kind == "mediator_move"]


@pytest.mark.parametrize(("scenario_id", "strategy"), [
    ("northern-shield", "manipulative"), ("island-compact", "generate-rank-aggregate")])
def test_simulator_parity(scenario_id: str, strategy: str) -> None:
    scenario = scenarios.load(scenario_id)
    local = asyncio.run(run_episode(scenario, RunConfig(mediator=strategy, seed=2)))
    spec = f"openai:{MODEL_ID}"
    with start_simulator() as sim:
        remote = asyncio.run(run_episode(scenario, RunConfig(
            mediator=strategy, seed=2, base_url=sim.base_url, default_backend=spec, mediator_backend=spec)))
    assert not [e for e in remote.events if e.kind == "failed_turn"]
    assert _moves(remote) == _moves(local)
    assert remote.result["package"] == local.result["package"]
    if strategy == "manipulative":
        assert any(m["compensation"] for m in _moves(remote))
    else:
        assert any(m["candidates"] for m in _moves(remote))
