"""No mediator: the parties negotiate directly and the lead party drafts the text."""

from __future__ import annotations

from treatylab.agents.actions import MediatorAction
from treatylab.agents.mediators.base import MediatorStrategy, register
from treatylab.agents.views import MediatorView


@register
class NoMediator(MediatorStrategy):
    name = "none"
    description = "Unmediated: the lead party drafts."
    acts = False

    def decide(self, view: MediatorView) -> MediatorAction:
        return MediatorAction(statement="", move="pass")
