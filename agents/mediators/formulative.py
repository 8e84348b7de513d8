"""Formulative mediator: Raiffa's single negotiating text.

Each round it tables one full text, the package with the largest Nash product over the
preferences the parties have revealed, and revises it on their critiques (rejections raise a
party's weight in the product). When a party keeps rejecting the text it meets that party in
caucus during bargaining (shuttle diplomacy, see `caucus.shuttle`); what the party confides
there raises its estimated utility for the options it named.
"""

from __future__ import annotations

from treatylab import prompts
from treatylab.agents.actions import MediatorAction
from treatylab.agents.heuristics import describe
from treatylab.agents.mediators import caucus, common
from treatylab.agents.mediators.base import MediatorStrategy, register
from treatylab.agents.views import MediatorView


@register
class Formulative(MediatorStrategy):
    name = "formulative"
    description = "Single negotiating text maximising the revealed-preference Nash product."

    def decide(self, view: MediatorView) -> MediatorAction:
        if view.stage == "clarify":
            return common.clarify(view)
        if view.stage == "draft":
            return common.draft(view)
        text = common.revealed_nash_text(view)
        statement = prompts.render(
            "heuristic/mediator_text.j2", terms=describe.terms(view, text), round=view.round,
            revised=view.record.single_text is not None and view.record.single_text != text,
        )
        action = MediatorAction(statement=statement, move="propose_text", single_text=text)
        return caucus.shuttle(view, action)  # talks stalling on the text: meet the critic alone
