"""One compiled graph per process: runs without a checkpointer share it, each with its own
Episode bound to its context, and get the transcripts a graph compiled for them would give."""

from __future__ import annotations

import asyncio
import json

import pytest

from treatylab.backends import make_backends
from treatylab.graphs import RunConfig, build_graph, recursion_limit
from treatylab.graphs.builder import shared_graph
from treatylab.graphs.episode import CurrentEpisode, Episode, bound_episode
from treatylab.runner import run_episode
from treatylab.scenarios import load


def _transcript(run) -> list[str]:
    return [json.dumps(event.model_dump(mode="json"), sort_keys=True) for event in run.events]


def test_runs_without_a_checkpointer_compile_the_graph_once() -> None:
    scenario = load("northern-shield")
    shared_graph.cache_clear()
    for seed in (1, 2):
        asyncio.run(run_episode(scenario, RunConfig(mediator="formulative", seed=seed)))
    info = shared_graph.cache_info()
    assert (info.misses, info.hits) == (1, 1)


@pytest.mark.parametrize("scenario_id,mediator", [("northern-shield", "formulative"),
                                                  ("ardent-valley", "none")])
def test_the_shared_graph_gives_the_transcript_of_a_graph_compiled_for_the_run(
        scenario_id: str, mediator: str) -> None:
    scenario = load(scenario_id)
    config = RunConfig(mediator=mediator, seed=3)
    shared = asyncio.run(run_episode(scenario, config))

    async def own_graph() -> dict:
        graph = build_graph(scenario, config, make_backends(scenario, config))
        return await graph.ainvoke({"events": []}, {"recursion_limit": recursion_limit(scenario)})

    state = asyncio.run(own_graph())
    own = [json.dumps(event, sort_keys=True) for event in state["events"]]
    assert len(own) > 40
    assert _transcript(shared) == own


def test_concurrent_episodes_in_one_process_each_see_their_own_episode() -> None:
    """Different scenarios and seeds interleaved on one event loop, through the one graph."""
    runs = [(load("northern-shield"), RunConfig(mediator="formulative", seed=1)),
            (load("ardent-valley"), RunConfig(mediator="none", seed=2)),
            (load("northern-shield"), RunConfig(mediator="formulative", seed=5))]
    alone = [_transcript(asyncio.run(run_episode(s, c))) for s, c in runs]

    async def together() -> list:
        return await asyncio.gather(*(run_episode(s, c) for s, c in runs))

    interleaved = [_transcript(run) for run in asyncio.run(together())]
    assert interleaved == alone
    assert alone[0] != alone[2]  # the seeds matter, so a mix-up would show


def test_the_shared_graph_outside_an_episode_says_what_to_do() -> None:
    with pytest.raises(RuntimeError, match="inside `with bound_episode"):
        CurrentEpisode().scenario


def test_a_bound_episode_is_released_on_exit() -> None:
    scenario = load("northern-shield")
    config = RunConfig(mediator="formulative", seed=1)
    episode = Episode(scenario=scenario, config=config,
                      backends=make_backends(scenario, config))
    with bound_episode(episode):
        assert CurrentEpisode().scenario is scenario
        assert CurrentEpisode().parties == scenario.party_ids()
    with pytest.raises(RuntimeError):
        CurrentEpisode().config
