"""Whole episodes: what each new strategy does shows in the transcript."""

from __future__ import annotations

import asyncio

from treatylab import scenarios
from treatylab.agents.heuristics.seeding import derive_seed, rng
from treatylab.agents.mediators.leverage import compensation_paid
from treatylab.agents.mediators.schulze import schulze
from treatylab.agents.transcript import DelegateMoveEvent, MediatorMoveEvent
from treatylab.graphs import RunConfig
from treatylab.runner import run_episode


def episode(strategy: str, seed: int = 1, scenario: str = "northern-shield"):  # noqa: ANN201
    return asyncio.run(run_episode(scenarios.load(scenario), RunConfig(mediator=strategy, seed=seed))).events


def moves(events) -> list[MediatorMoveEvent]:  # noqa: ANN001
    return [e for e in events if isinstance(e, MediatorMoveEvent)]


def test_generate_rank_aggregate_episode() -> None:
    events = episode("generate-rank-aggregate")
    assert not [e for e in events if e.kind == "failed_turn"]
    mediator = moves(events)
    assert mediator[0].stage == "clarify" and mediator[0].payload.move == "caucus"
    assert any(e.kind == "caucus" for e in events)
    tabled = next(m for m in mediator if m.payload.move == "call_vote")
    assert len(tabled.payload.candidates) == 4
    refs = [f"r{tabled.round}-c{i + 1}" for i in range(4)]
    ballots = {e.actor: e.payload.ranking for e in events
               if isinstance(e, DelegateMoveEvent) and e.round == tabled.round + 1 and e.payload.ranking}
    assert len(ballots) == 5 and all(sorted(b) == sorted(refs) for b in ballots.values())
    winner = next(m for m in mediator if m.stage == "bargain" and m.round == tabled.round + 1)
    seed = derive_seed(1, "mediator", "bargain", tabled.round + 1)
    count = schulze([ballots[p] for p in sorted(ballots)], refs, rng(seed, "schulze"))
    assert winner.payload.move == "propose_text"
    assert winner.payload.single_text == tabled.payload.candidates[refs.index(count.winner)]


def test_manipulative_episode_uses_deadline_and_budget() -> None:
    for seed in range(4):
        events = episode("manipulative", seed)
        bargain = [m for m in moves(events) if m.stage == "bargain"]
        assert bargain[0].payload.move == "set_deadline" and bargain[0].payload.deadline_round == 4
        rejected: set[str] = set()
        for move in bargain:  # delegates answer the previous text before the mediator moves
            rejected |= {e.actor for e in events if isinstance(e, DelegateMoveEvent) and e.round == move.round
                         and any(a == "reject" and r.endswith("-mediator") for r, a in e.payload.responses.items())}
            assert sum(move.payload.compensation.values()) <= 12.0
            assert set(move.payload.compensation) <= rejected
        paid = compensation_paid(events)
        assert sum(paid.values()) <= 12.0
        assert not [e for e in events if e.kind == "failed_turn"]


def test_oracle_episode_tables_one_text() -> None:
    events = episode("oracle")
    texts = {tuple(sorted(m.payload.single_text.items())) for m in moves(events)
             if m.stage == "bargain" and m.payload.single_text}
    # The Nash package moves only when a shock changes reservations (one shock here).
    assert 1 <= len(texts) <= 2
