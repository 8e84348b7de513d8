"""Backends: one interface (`Backend.aact(view) -> TurnResult`), several implementations."""

from treatylab.agents.backends.base import Backend, TurnResult
from treatylab.agents.backends.heuristic import HeuristicBackend

__all__ = ["Backend", "HeuristicBackend", "TurnResult"]
