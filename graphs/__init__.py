"""How a negotiation flows: LangGraph state, stage nodes, routing and per-actor views.

`RunConfig` is plain pydantic; the graph itself is imported on first use, so commands that
only read configs (`--help`, `scenario validate`, `analyze`) do not pay for importing LangGraph.
"""

from typing import Any

from treatylab.graphs.config import RunConfig

__all__ = ["RunConfig", "build_graph", "recursion_limit"]


def __getattr__(name: str) -> Any:
    if name in ("build_graph", "recursion_limit"):
        from treatylab.graphs import builder

        return getattr(builder, name)
    raise AttributeError(f"module 'treatylab.graphs' has no attribute {name!r}")
