"""Caucuses: asking delegations in confidence, and reading what they confided.

A caucus is a `move="caucus"` with questions; delegations answer through `to_mediator`, which
only the mediator reads (the view's `caucus`). The manipulative and generate-rank-aggregate
mediators hold one in the clarify stage, before any text exists, because that is when
parties say most freely what is decisive for them.

A heuristic mediator cannot understand prose, so it reads confidences by keyword: an issue
whose title and one of whose option labels both appear in a party's message is taken as that
party's confided demand on the issue (the longest matching label wins). Anything else in the
message is ignored, so a message in other words simply yields no demand. LLM mediators read
the messages themselves.
"""

from __future__ import annotations

from treatylab import prompts
from treatylab.agents.actions import MediatorAction
from treatylab.agents.views import MediatorView


def hold(view: MediatorView) -> MediatorAction:
    """The clarify-stage caucus: restate the issues and ask for confidences."""
    statement = prompts.render("heuristic/mediator_caucus.j2",
                               issues=[issue.title for issue in view.issues])
    questions = prompts.render_lines("heuristic/mediator_caucus_questions.j2")
    return MediatorAction(statement=statement, move="caucus", questions=questions)


def confided_demands(view: MediatorView) -> dict[str, dict[str, str]]:
    """Per party, the options it confided it needs ({issue: option}), read by keyword."""
    demands: dict[str, dict[str, str]] = {}
    parties = {party.id for party in view.parties}
    for message in view.caucus:
        if message.sender not in parties:
            continue
        text = message.text.lower()
        for issue in view.issues:
            if issue.title.lower() not in text:
                continue
            labels = [o for o in issue.options if o.label.lower() in text]
            if labels:
                best = max(labels, key=lambda o: (len(o.label), o.id))
                demands.setdefault(message.sender, {})[issue.id] = best.id
    return demands
