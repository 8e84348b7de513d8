"""The one interface every backend implements: a view in, a validated turn out.

A backend owns its retries and repairs, so the graph never sees malformed output: it gets
either a validated action or a failed turn with the reason, plus the usage of every call made.
"""

from __future__ import annotations

import asyncio
from abc import ABC, abstractmethod

from pydantic import BaseModel, ConfigDict, Field

from treatylab.agents.actions import Action
from treatylab.agents.transcript import FailedTurnPayload, UsagePayload
from treatylab.agents.views import View


class TurnResult(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    action: Action | None = None
    failure: FailedTurnPayload | None = None
    usage: list[UsagePayload] = Field(default_factory=list)
    repairs: int = 0


class Backend(ABC):
    """Async first (the graph runs with ainvoke); `act` is the sync convenience."""

    name: str = "backend"

    @abstractmethod
    async def aact(self, view: View) -> TurnResult: ...

    def act(self, view: View) -> TurnResult:
        return asyncio.run(self.aact(view))

    async def aclose(self) -> None:
        """Release connections; a no-op for in-process backends."""
