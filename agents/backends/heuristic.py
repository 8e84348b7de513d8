"""The heuristic backend: deterministic baseline policies, in process.

It wraps `agents.policy.decide`, a pure function of the view (the turn seed is in the view), so
the simulator can serve the very same policy over HTTP and both give the same negotiation.
"""

from __future__ import annotations

from treatylab.agents import validation
from treatylab.agents.backends.base import Backend, TurnResult
from treatylab.agents.backends.registry import BackendKind, BackendSettings, Role, register_backend
from treatylab.agents.policy import decide
from treatylab.agents.transcript import FailedTurnPayload
from treatylab.agents.views import View


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


class HeuristicSettings(BackendSettings):
    """The baseline policies take no settings: the turn seed travels in the view."""


def _build(settings: HeuristicSettings, role: Role) -> Backend:
    return HeuristicBackend()


KIND = register_backend(BackendKind(kind="heuristic", settings=HeuristicSettings, build=_build,
                                    usage="heuristic"))
