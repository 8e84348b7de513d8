"""The flagship negotiation as a module-level graph, for `langgraph dev` (see langgraph.json).

Heuristic backends and the formulative mediator: it runs offline in LangGraph Studio.
"""

from __future__ import annotations

from treatylab.agents.backends.heuristic import HeuristicBackend
from treatylab.agents.transcript import MEDIATOR
from treatylab.graphs.builder import build_graph
from treatylab.graphs.config import RunConfig
from treatylab.scenarios import load

_scenario = load("northern-shield")
_backends = {party: HeuristicBackend() for party in [*_scenario.party_ids(), MEDIATOR]}
graph = build_graph(_scenario, RunConfig(mediator="formulative", seed=7), _backends)
