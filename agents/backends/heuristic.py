"""The heuristic backend: deterministic baseline policies, in process.

It wraps `agents.policy.decide`, a pure function of the view (the turn seed is in the view), so
the simulator can serve the very same policy over HTTP and both give the same negotiation.
"""

from __future__ import annotations

from agents import validation
from agents.backends.base import Backend, TurnResult
from agents.policy import decide
from agents.transcript import FailedTurnPayload
from agents.views import View


class HeuristicBackend(Backend):
    name = "heuristic"

    async def aact(self, view: View) -> TurnResult:
        return self.act(view)

    def act(self, view: View) -> TurnResult:
        action = decide(view)
        found = validation.problems(view, action)
        if found:  # a policy bug must not corrupt the negotiation either
            failure = FailedTurnPayload(expected=view.expected, error="; ".join(found), attempts=1)
            return TurnResult(failure=failure)
        return TurnResult(action=action)
