"""Outcome spaces shared per process: same content and reservations, same object; a changed
scenario or other reservations, another one; and scores identical to a fresh build."""

from __future__ import annotations

import asyncio

from treatylab.evals import evaluate, space_cache
from treatylab.evals.outcome_space import OutcomeSpace
from treatylab.evals.space_cache import shared_space
from treatylab.graphs import RunConfig
from treatylab.runner import run_episode
from treatylab.scenarios import load


def test_the_same_content_gives_the_same_space() -> None:
    space_cache.clear()
    first = shared_space(load("northern-shield"))
    assert shared_space(load("northern-shield")) is first  # loaded again: same content
    assert shared_space(load("northern-shield"), {}) is first
    other = shared_space(load("northern-shield"), {"aurelia": 10.0})
    assert other is not first and other.reservations.tolist() != first.reservations.tolist()


def test_an_edited_scenario_misses_the_cache() -> None:
    scenario = load("northern-shield")
    edited = scenario.model_copy(update={"title": scenario.title + " (edited)"})
    assert shared_space(edited) is not shared_space(scenario)


def test_scores_are_those_of_a_fresh_build() -> None:
    scenario = load("northern-shield")
    run = asyncio.run(run_episode(scenario, RunConfig(mediator="formulative", seed=2)))
    space_cache.clear()
    cold = evaluate(scenario, run.events).model_dump(mode="json")
    warm = evaluate(load("northern-shield"), run.events).model_dump(mode="json")
    assert warm == cold
    fresh = OutcomeSpace.build(scenario, reservations=cold["reservations"])
    assert cold["frontier_size"] == int(fresh.pareto_indices.size) > 0


def test_the_cache_is_bounded() -> None:
    space_cache.clear()
    scenario = load("northern-shield")
    party = scenario.party_ids()[0]
    for k in range(space_cache.MAX_ENTRIES + 3):
        shared_space(scenario, {party: float(k)})
    assert len(space_cache._spaces) == space_cache.MAX_ENTRIES
