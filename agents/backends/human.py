"""The human seat: a person answers for one delegation.

A HumanSeat never acts by itself. The graph routes its turns to a node that raises a LangGraph
interrupt carrying the view; whoever drives the run (the terminal prompt of `treatylab run
--delegate PARTY=human`, a notebook, a test) answers with an action, which is validated like
any backend's output.
"""

from __future__ import annotations

from treatylab.agents.backends.base import Backend, TurnResult
from treatylab.agents.backends.registry import BackendKind, BackendSettings, Role, register_backend
from treatylab.agents.views import View


class HumanSeat(Backend):
    name = "human"

    async def aact(self, view: View) -> TurnResult:
        raise RuntimeError("a human seat acts through the graph's interrupt node, not aact()")


class HumanSettings(BackendSettings):
    """A person needs no settings; the graph's interrupt node hands them the view."""


def _build(settings: HumanSettings, role: Role) -> Backend:
    return HumanSeat()


KIND = register_backend(BackendKind(kind="human", settings=HumanSettings, build=_build,
                                    roles=("delegate",), usage="human"))
