"""SQLite checkpointing: a run that dies mid-negotiation resumes where it stopped."""

from __future__ import annotations

import pytest

from treatylab.agents.backends.base import Backend, TurnResult
from treatylab.agents.backends.heuristic import HeuristicBackend
from treatylab.agents.transcript import dumps_jsonl
from treatylab.agents.views import View
from treatylab.graphs import RunConfig
from tests.conftest import heuristic_backends, run


class CrashAtRound(Backend):
    """Stands for a process killed mid-run: raises at a given bargaining round, once."""

    def __init__(self, round_: int) -> None:
        self.round = round_
        self.inner = HeuristicBackend()
        self.calls = 0

    async def aact(self, view: View) -> TurnResult:
        self.calls += 1
        if view.stage == "bargain" and view.round == self.round:
            raise RuntimeError("simulated crash")
        return await self.inner.aact(view)


def test_interrupted_run_resumes_to_the_same_transcript(flagship, tmp_path):
    config = RunConfig(mediator="formulative", seed=7)
    reference = run(flagship, config)
    checkpoint = tmp_path / "episode.sqlite"
    crashing = heuristic_backends(flagship)
    crashing["borealis"] = CrashAtRound(3)
    with pytest.raises(RuntimeError, match="simulated crash"):
        run(flagship, config, backends=crashing, checkpoint=checkpoint)
    assert checkpoint.exists()
    counter = heuristic_backends(flagship)
    resumed_backend = CrashAtRound(round_=-1)
    counter["aurelia"] = resumed_backend
    resumed = run(flagship, config, backends=counter, checkpoint=checkpoint)
    assert dumps_jsonl(resumed.events) == dumps_jsonl(reference.events)
    assert resumed.result == reference.result
    # aurelia's earlier turns came from the checkpoint, not from new calls.
    full = sum(1 for e in reference.events if e.actor == "aurelia" and e.kind in ("delegate_move", "vote", "compliance"))
    assert resumed_backend.calls < full


def test_finished_checkpoint_is_reread_not_rerun(tiny, tmp_path):
    config = RunConfig(seed=1)
    checkpoint = tmp_path / "done.sqlite"
    first = run(tiny, config, checkpoint=checkpoint)
    backends = heuristic_backends(tiny)
    probe = CrashAtRound(round_=-1)
    backends["alpha"] = probe
    again = run(tiny, config, backends=backends, checkpoint=checkpoint)
    assert probe.calls == 0
    assert dumps_jsonl(again.events) == dumps_jsonl(first.events)
