"""Facilitative mediator: a communicator that summarises and finds common ground.

It relays and restates, names the issues on which positions already coincide, and never puts
substantive text of its own on the table.
"""

from __future__ import annotations

from treatylab import prompts
from treatylab.agents.actions import MediatorAction
from treatylab.agents.heuristics import describe
from treatylab.agents.mediators import common
from treatylab.agents.mediators.base import MediatorStrategy, register
from treatylab.agents.views import MediatorView


@register
class Facilitative(MediatorStrategy):
    name = "facilitative"
    description = "Summaries and common ground, no substantive text."

    def decide(self, view: MediatorView) -> MediatorAction:
        if view.stage == "clarify":
            return common.clarify(view)
        if view.stage == "draft":
            return common.draft(view)
        agreed = common.common_ground(view)
        open_issues = [issue.title for issue in view.issues if issue.id not in agreed]
        statement = prompts.render(
            "heuristic/mediator_summary.j2",
            agreed=describe.terms(view, agreed),
            open_issues=open_issues,
            round=view.round,
        )
        return MediatorAction(statement=statement, move="summarize",
                              questions=prompts.render_lines(
                                  "heuristic/mediator_summary_questions.j2", open_issues=open_issues))
