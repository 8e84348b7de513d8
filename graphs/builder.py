"""Build the negotiation graph: the flow of the seven stages, readable from this file alone.

    prepare ─▶ open ─▶ clarify ─▶ bargain ⟲ (mediator each round, shocks) ─▶ draft ─▶ finalize
                                    │ round limit                                    │ rejected once
                                    ▼                                                ▼
                                 breakdown                                        bargain
    finalize (signed) ─▶ implement ⟲ (periods, monitoring) ─▶ evaluate ─▶ END

Delegates of a stage act in parallel (one Send each) and a collector appends their events in
party order. Loops are bounded by the scenario's round limit and implementation periods.
Every node and router is a coroutine: under `ainvoke` LangGraph would otherwise hop to a
worker thread for each sync one, which shows as latency between LLM-call layers.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph

from treatylab.agents.backends.base import Backend
from treatylab.agents.transcript import MEDIATOR
from treatylab.graphs import nodes
from treatylab.graphs.config import RunConfig
from treatylab.graphs.episode import CurrentEpisode, Episode
from treatylab.graphs.human import human_node, human_node_name
from treatylab.graphs.protocol import returns_to_bargaining
from treatylab.graphs.state import NegotiationState
from treatylab.graphs.turns import fan_out, turn_node, turn_node_name
from treatylab.scenarios.schema import Scenario

State = dict[str, Any]
FAN_STAGES = ("prepare", "open", "clarify", "bargain", "draft", "finalize", "implement")


def _all_parties(episode: Episode, state: State) -> list[str]:
    return episode.parties


def _commenters(episode: Episode, state: State) -> list[str]:
    """Everyone but the lead party when it drafted the text itself."""
    if episode.mediated:
        return episode.parties
    return [p for p in episode.parties if p != episode.scenario.lead_party_id()]


def _fan(episode: Episode, stage: str) -> Any:
    actors = _commenters if stage == "draft" else _all_parties
    return fan_out(episode, stage, lambda ep, st, party: nodes.view_for_delegate(ep, st, party, stage), actors)


# -- routing --------------------------------------------------------------------------------
def after_open(episode: Episode) -> Any:
    fan = _fan(episode, "clarify")

    async def route(state: State) -> Any:
        return "clarify_mediator" if episode.mediated else await fan(state)
    return route


def after_bargain(episode: Episode) -> Any:
    async def route(state: State) -> str:
        if state.get("consensus"):
            return "draft"
        if int(state["round"]) >= int(state["round_limit"]):
            return "breakdown"
        return "bargain_mediator" if episode.mediated else "bargain_start"
    return route


def after_finalize(episode: Episode) -> Any:
    async def route(state: State) -> str:
        if state.get("outcome") == "agreement":
            return "implement_start" if episode.scenario.rules.implementation_periods else "evaluate"
        return "bargain_start" if returns_to_bargaining(int(state.get("rejections", 0))) else "breakdown"
    return route


def after_implement(episode: Episode) -> Any:
    async def route(state: State) -> str:
        done = int(state["period"]) >= episode.scenario.rules.implementation_periods
        return "evaluate" if done else "implement_start"
    return route


# -- the graph ------------------------------------------------------------------------------
def build_graph(scenario: Scenario, config: RunConfig, backends: dict[str, Backend],
                checkpointer: Any = None) -> CompiledStateGraph:
    """A graph bound to one episode (for checkpointed runs, Studio and tests)."""
    return _compile(Episode(scenario=scenario, config=config, backends=backends), checkpointer)


@lru_cache(maxsize=1)
def shared_graph() -> CompiledStateGraph:
    """The graph compiled once per process, for runs without a checkpointer.

    The flow does not depend on the scenario, config or backends (nodes read those when they
    run), so one compiled graph serves every episode; each run binds its Episode with
    `graphs.episode.bound_episode` around the invocation.
    """
    return _compile(CurrentEpisode(), None)


def _compile(episode: Any, checkpointer: Any) -> CompiledStateGraph:
    """The graph over `episode`: an Episode, or a CurrentEpisode read only when nodes run."""
    graph = StateGraph(NegotiationState)
    for stage in FAN_STAGES:
        graph.add_node(turn_node_name(stage), turn_node(episode))
        graph.add_node(human_node_name(stage), human_node())
    graph.add_node("prepare_collect", nodes.collect_stage(episode, "prepare", _all_parties))
    graph.add_node("open_collect", nodes.collect_stage(episode, "open", _all_parties))
    graph.add_node("clarify_mediator", nodes.mediator_step(episode, "clarify"))
    graph.add_node("clarify_collect", nodes.collect_stage(episode, "clarify", _all_parties))
    graph.add_node("bargain_start", nodes.bargain_start(episode))
    graph.add_node("bargain_collect", nodes.bargain_collect(episode))
    graph.add_node("bargain_mediator", nodes.mediator_step(episode, "bargain"))
    graph.add_node("draft", nodes.drafter(episode))
    graph.add_node("draft_collect", nodes.collect_stage(episode, "draft", _commenters))
    graph.add_node("finalize_collect", nodes.finalize_collect(episode))
    graph.add_node("implement_start", nodes.implement_start(episode))
    graph.add_node("implement_collect", nodes.implement_collect(episode))
    graph.add_node("breakdown", nodes.breakdown(episode))
    graph.add_node("evaluate", nodes.evaluate(episode))

    def turn(stage: str) -> list[str]:
        return [turn_node_name(stage), human_node_name(stage)]

    def collects(stage: str, collector: str) -> None:
        for name in turn(stage):
            graph.add_edge(name, collector)

    graph.add_conditional_edges(START, _fan(episode, "prepare"), turn("prepare"))
    collects("prepare", "prepare_collect")
    graph.add_conditional_edges("prepare_collect", _fan(episode, "open"), turn("open"))
    collects("open", "open_collect")
    graph.add_conditional_edges("open_collect", after_open(episode), ["clarify_mediator", *turn("clarify")])
    graph.add_conditional_edges("clarify_mediator", _fan(episode, "clarify"), turn("clarify"))
    collects("clarify", "clarify_collect")
    graph.add_edge("clarify_collect", "bargain_start")
    graph.add_conditional_edges("bargain_start", _fan(episode, "bargain"), turn("bargain"))
    collects("bargain", "bargain_collect")
    graph.add_conditional_edges("bargain_collect", after_bargain(episode),
                                ["draft", "breakdown", "bargain_mediator", "bargain_start"])
    graph.add_edge("bargain_mediator", "bargain_start")
    graph.add_conditional_edges("draft", _fan(episode, "draft"), turn("draft"))
    collects("draft", "draft_collect")
    graph.add_conditional_edges("draft_collect", _fan(episode, "finalize"), turn("finalize"))
    collects("finalize", "finalize_collect")
    graph.add_conditional_edges("finalize_collect", after_finalize(episode),
                                ["implement_start", "evaluate", "bargain_start", "breakdown"])
    graph.add_conditional_edges("implement_start", _fan(episode, "implement"), turn("implement"))
    collects("implement", "implement_collect")
    graph.add_conditional_edges("implement_collect", after_implement(episode),
                                ["evaluate", "implement_start"])
    graph.add_edge("breakdown", "evaluate")
    graph.add_edge("evaluate", END)
    return graph.compile(checkpointer=checkpointer)


def recursion_limit(scenario: Scenario) -> int:
    """A limit LangGraph never reaches: the protocol's own bounds end every episode first."""
    rules = scenario.rules
    steps_per_round = 4
    return 40 + steps_per_round * (rules.max_rounds + 4) + 3 * rules.implementation_periods + 20


__all__ = ["MEDIATOR", "build_graph", "recursion_limit", "shared_graph"]
