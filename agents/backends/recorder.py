"""A seat that keeps every view it was given, for checking what an actor saw.

Tests (isolation, prompt layout) and benchmarks (prompt cost) run real episodes and then
look at each actor's views; this wraps a backend (the baseline policy by default) and
records the views in the order the actor received them.
"""

from __future__ import annotations

from treatylab.agents.backends.base import Backend, TurnResult
from treatylab.agents.backends.heuristic import HeuristicBackend
from treatylab.agents.views import View


class ViewRecorder(Backend):
    """`inner`'s answers, with every view kept in `views`."""

    name = "view-recorder"

    def __init__(self, inner: Backend | None = None) -> None:
        self.inner = inner or HeuristicBackend()
        self.views: list[View] = []

    async def aact(self, view: View) -> TurnResult:
        self.views.append(view)
        return await self.inner.aact(view)

    async def aclose(self) -> None:
        await self.inner.aclose()
