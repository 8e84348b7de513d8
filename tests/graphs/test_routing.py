"""Routing: deadlock ends in breakdown; a rejected text returns to bargaining once."""

from __future__ import annotations

from treatylab.agents.actions import Vote
from treatylab.agents.backends.base import Backend, TurnResult
from treatylab.agents.backends.heuristic import HeuristicBackend
from treatylab.agents.views import View
from treatylab.graphs import RunConfig
from treatylab.graphs.protocol import RETRY_ROUNDS
from tests.conftest import heuristic_backends, run


class RejectingVoter(Backend):
    """A delegation that votes down the first `times` texts put to signature, else baseline."""

    name = "rejecting-voter"

    def __init__(self, times: int) -> None:
        self.times = times
        self.inner = HeuristicBackend()

    async def aact(self, view: View) -> TurnResult:
        if view.expected == "vote" and self.times > 0:
            self.times -= 1
            return TurnResult(action=Vote(decision="reject", statement="Not this text."))
        return await self.inner.aact(view)


def _no_zone(tiny):
    parties = [p.model_copy(update={"reservation": 99.0}) for p in tiny.parties]
    # Delegates restate their favourites here; only record the stall (tests/graphs/test_stall.py).
    rules = tiny.rules.model_copy(update={"on_stall": "continue"})
    return tiny.model_copy(update={"parties": parties, "rules": rules})


def test_deadlock_ends_in_breakdown_at_the_round_limit(tiny):
    scenario = _no_zone(tiny)
    episode = run(scenario, RunConfig(mediator="formulative", seed=1))
    assert episode.result["outcome"] == "breakdown"
    outcome = [e for e in episode.events if e.kind == "outcome"]
    assert len(outcome) == 1 and "round limit" in outcome[0].payload.reason
    rounds = {e.round for e in episode.events if e.stage == "bargain"}
    assert max(rounds) == scenario.rules.max_rounds
    assert not any(e.stage in ("draft", "finalize", "implement") for e in episode.events)


def test_rejection_returns_to_bargaining_once_then_signs(tiny):
    backends = heuristic_backends(tiny)
    backends["alpha"] = RejectingVoter(times=1)
    episode = run(tiny, RunConfig(mediator="formulative", seed=1), backends=backends)
    results = [e.payload.result for e in episode.events if e.kind == "outcome"]
    assert results == ["rejected", "agreement"]
    rejected_at = next(e.seq for e in episode.events if e.kind == "outcome")
    assert any(e.stage == "bargain" and e.seq > rejected_at for e in episode.events)
    assert episode.result["outcome"] == "agreement"


def test_second_rejection_breaks_down(tiny):
    backends = heuristic_backends(tiny)
    backends["alpha"] = RejectingVoter(times=5)
    episode = run(tiny, RunConfig(mediator="formulative", seed=1), backends=backends)
    results = [e.payload.result for e in episode.events if e.kind == "outcome"]
    assert results == ["rejected", "rejected", "breakdown"]
    assert "twice" in [e for e in episode.events if e.kind == "outcome"][-1].payload.reason
    assert episode.result["outcome"] == "breakdown"


def test_retry_is_bounded_by_extra_rounds(tiny):
    backends = heuristic_backends(tiny)
    backends["alpha"] = RejectingVoter(times=1)
    episode = run(tiny, RunConfig(mediator="none", seed=2), backends=backends)
    first_rejection = next(e for e in episode.events if e.kind == "outcome")
    last_round = max(e.round for e in episode.events if e.stage == "bargain")
    assert last_round <= first_rejection.round + RETRY_ROUNDS
