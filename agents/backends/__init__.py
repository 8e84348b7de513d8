"""Backends: one interface (`Backend.aact(view) -> TurnResult`), several implementations."""

from agents.backends.base import Backend, TurnResult
from agents.backends.heuristic import HeuristicBackend

__all__ = ["Backend", "HeuristicBackend", "TurnResult"]
