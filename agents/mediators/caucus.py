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
from treatylab.agents.heuristics import describe
from treatylab.agents.views import MediatorView

CAUCUS_SENDER = "mediator (caucus)"  # how a bargaining caucus message reaches its one party
STALL_REJECTIONS = 2  # a party that turned the mediator's text down this often: talks stall


def hold(view: MediatorView) -> MediatorAction:
    """The clarify-stage caucus: restate the issues and ask for confidences."""
    statement = prompts.render("heuristic/mediator_caucus.j2",
                               issues=[issue.title for issue in view.issues])
    questions = prompts.render_lines("heuristic/mediator_caucus_questions.j2")
    return MediatorAction(statement=statement, move="caucus", questions=questions)


def shuttle_partner(view: MediatorView) -> str | None:
    """The party to meet in caucus this round, when talks on the mediator's text stall.

    Stalled: a party rejected the latest text and has now rejected the mediator's texts at
    least `STALL_REJECTIONS` times. Such critics are met one at a time, the most persistent
    first, in rotation by round, so each hears from the mediator in turn.
    """
    critics = sorted((p for p in view.record.text_critics
                      if view.record.text_rejections.get(p, 0) >= STALL_REJECTIONS),
                     key=lambda p: (-view.record.text_rejections.get(p, 0), p))
    if view.stage != "bargain" or not critics:
        return None
    return critics[view.round % len(critics)]


def shuttle(view: MediatorView, action: MediatorAction) -> MediatorAction:
    """`action` plus a confidential message to the stalled party, if talks stall."""
    party = shuttle_partner(view)
    if party is None:
        return action
    message = prompts.render("heuristic/mediator_shuttle.j2", party=describe.party_name(view, party),
                             times=view.record.text_rejections.get(party, 0))
    return action.model_copy(update={"caucus_with": party, "caucus_message": message})


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
