"""How a negotiation flows: LangGraph state, stage nodes, routing and per-actor views."""

from graphs.builder import build_graph, recursion_limit
from graphs.config import RunConfig

__all__ = ["RunConfig", "build_graph", "recursion_limit"]
