"""Manipulative mediator: a single negotiating text plus leverage (power mediation).

It formulates its text as the formulative mediator does (the revealed-preference Nash
package, revised on critique) and adds the manipulator's tools (Touval & Zartman): a
deadline, and compensation from the scenario's `mediator_budget` attached to its text and
offered to the parties that keep rejecting it (see `leverage`). In the clarify stage it holds
a caucus; what parties confide there raises their claim on compensation when the text misses
it. Without a budget it still sets deadlines; its offers are then empty.
"""

from __future__ import annotations

from treatylab import prompts
from treatylab.agents.actions import MediatorAction
from treatylab.agents.heuristics import describe
from treatylab.agents.mediators import caucus, common, leverage
from treatylab.agents.mediators.base import MediatorStrategy, register
from treatylab.agents.views import MediatorView


@register
class Manipulative(MediatorStrategy):
    name = "manipulative"
    description = "Single text with leverage: deadlines and compensation from a budget."

    def decide(self, view: MediatorView) -> MediatorAction:
        if view.stage == "clarify":
            return caucus.hold(view)
        if view.stage == "draft":
            return common.draft(view)
        text = common.revealed_nash_text(view)
        deadline_round, new_deadline = leverage.deadline(view)
        compensation = leverage.offer(view, text, caucus.confided_demands(view))
        statement = prompts.render(
            "heuristic/mediator_manipulative.j2",
            terms=describe.terms(view, text), round=view.round,
            revised=view.record.single_text is not None and view.record.single_text != text,
            deadline=deadline_round, new_deadline=new_deadline,
            final=deadline_round == view.rules.max_rounds,
            offers=[{"party": describe.party_name(view, p), "points": points}
                    for p, points in compensation.items()],
        )
        action = MediatorAction(
            statement=statement, move="set_deadline" if new_deadline else "propose_text",
            single_text=text, deadline_round=deadline_round, compensation=compensation,
        )
        return caucus.shuttle(view, action)  # a stalled critic is also met alone
