"""The exported graph (langgraph.json) loads and shows the seven stages' nodes."""

from __future__ import annotations

import json

from tests.conftest import ROOT


def test_langgraph_json_points_at_a_compiled_graph():
    config = json.loads((ROOT / "langgraph.json").read_text())
    path, _, attribute = config["graphs"]["negotiation"].partition(":")
    assert path == "./graphs/studio.py" and attribute == "graph"
    from treatylab.graphs.studio import graph

    nodes = set(graph.get_graph().nodes)
    for stage in ("prepare", "open", "clarify", "bargain", "draft", "finalize", "implement"):
        assert f"{stage}_turn" in nodes
    assert {"bargain_collect", "breakdown", "evaluate"} <= nodes
