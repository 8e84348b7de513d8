"""The exported graph (langgraph.json) loads and shows the seven stages' nodes."""

from __future__ import annotations

import json

from tests.conftest import ROOT


def test_langgraph_json_points_at_a_compiled_graph():
    config = json.loads((ROOT / "langgraph.json").read_text())
    path, _, attribute = config["graphs"]["negotiation"].partition(":")
    assert path == "./graphs/studio.py" and attribute == "make_graph"
    from treatylab.graphs.studio import graph

    nodes = set(graph.get_graph().nodes)
    for stage in ("prepare", "open", "clarify", "bargain", "draft", "finalize", "implement"):
        assert f"{stage}_turn" in nodes
    assert {"bargain_collect", "breakdown", "evaluate"} <= nodes


async def test_the_factory_builds_the_graph_a_thread_chooses():
    from treatylab.graphs import RunConfig
    from treatylab.graphs.studio import make_graph
    from treatylab.runner import run_episode
    from treatylab.scenarios import load

    chosen = {"configurable": {"scenario": "island-compact", "mediator": "facilitative",
                               "seed": 3, "thread_id": "t-1"}}
    graph = make_graph(chosen)
    assert make_graph(chosen) is graph  # compiled once per choice
    state = await graph.ainvoke({}, {"recursion_limit": 10_000})
    cli = await run_episode(load("island-compact"), RunConfig(mediator="facilitative", seed=3))
    assert state["outcome"] == cli.result["outcome"]
    assert state["scores"]["package"] == cli.result["package"]
    assert len(state["events"]) == len(cli.events)
