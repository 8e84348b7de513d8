"""Shuttle diplomacy: the mediator's confidential messages to one party during bargaining.

A mediator of any strategy may, in any bargaining round, send one party a message in
confidence (`MediatorAction.caucus_with` / `caucus_message`). It is recorded as a `caucus`
event addressed to that party (`graphs.record.visible_to`: its actor, the mediator and the
addressee only), shown in the party's next bargaining view as a message from
`CAUCUS_SENDER`, and the party may answer through `to_mediator`, which only the mediator
reads. One party at a time: one caucus per mediator turn.
"""

from __future__ import annotations

from treatylab.agents.mediators.caucus import CAUCUS_SENDER
from treatylab.agents.transcript import MEDIATOR, CaucusEvent, Event
from treatylab.agents.views import Message


def caucus_messages(events: list[Event], party_id: str, stage: str, round_: int) -> list[Message]:
    """The mediator's caucus messages to `party_id` from the previous bargaining round."""
    if stage != "bargain":
        return []
    found: list[Message] = []
    for event in reversed(events):  # newest first: stop once past the previous round
        if event.stage != "bargain" or event.round < round_ - 1:
            break
        if (isinstance(event, CaucusEvent) and event.actor == MEDIATOR
                and event.payload.to == party_id and event.round == round_ - 1):
            found.append(Message(sender=CAUCUS_SENDER, text=event.payload.text))
    return found[::-1]
