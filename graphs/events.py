"""Turn a backend's TurnResult into transcript events, split by visibility.

A DelegateAction becomes a public move plus private note, caucus message and trust report as
separate events, so that visibility is a property of a whole event and views can filter on it.
"""

from __future__ import annotations

from typing import Any

from treatylab.agents.actions import ComplianceAction, DelegateAction, MediatorAction, Vote
from treatylab.agents.backends.base import TurnResult
from treatylab.agents.transcript import (
    CaucusPayload,
    DelegateMove,
    Event,
    NotePayload,
    TrustPayload,
    event_from_dict,
    event_to_dict,
)

Unnumbered = dict[str, Any]  # an event before the collector gives it its `seq` (not a treaty draft)


def _event(stage: str, round_: int, actor: str, kind: str, visibility: str, payload: Any) -> Unnumbered:
    if hasattr(payload, "model_dump"):
        payload = payload.model_dump(mode="json")
    return {"stage": stage, "round": round_, "actor": actor, "kind": kind,
            "visibility": visibility, "payload": payload}


def _delegate(stage: str, round_: int, actor: str, action: DelegateAction) -> list[Unnumbered]:
    out: list[Unnumbered] = []
    if stage != "prepare":
        move = DelegateMove(
            statement=action.statement, proposal=action.proposal, responses=action.responses,
            declared_red_lines=action.declared_red_lines, commitments=action.commitments,
            priorities=action.priorities, ranking=action.ranking,
        )
        out.append(_event(stage, round_, actor, "delegate_move", "public", move))
    if action.private_note:
        out.append(_event(stage, round_, actor, "private_note", "private",
                          NotePayload(text=action.private_note)))
    if action.to_mediator:
        out.append(_event(stage, round_, actor, "caucus", "caucus",
                          CaucusPayload(text=action.to_mediator)))
    if action.trust:
        out.append(_event(stage, round_, actor, "trust_report", "private",
                          TrustPayload(trust=dict(action.trust))))
    return out


def turn_events(stage: str, round_: int, actor: str, result: TurnResult) -> list[Unnumbered]:
    action = result.action
    out: list[Unnumbered] = []
    if isinstance(action, DelegateAction):
        out = _delegate(stage, round_, actor, action)
    elif isinstance(action, MediatorAction):
        public = action.model_copy(update={"private_note": "", "caucus_with": None, "caucus_message": ""})
        out.append(_event(stage, round_, actor, "mediator_move", "public", public))
        if action.caucus_with is not None:  # shuttle: one party, in confidence
            out.append(_event(stage, round_, actor, "caucus", "caucus",
                              CaucusPayload(text=action.caucus_message, to=action.caucus_with)))
        if action.private_note:
            out.append(_event(stage, round_, actor, "private_note", "private",
                              NotePayload(text=action.private_note)))
    elif isinstance(action, Vote):
        out.append(_event(stage, round_, actor, "vote", "public", action))
    elif isinstance(action, ComplianceAction):
        out.append(_event(stage, round_, actor, "compliance", "private", action))
    if result.failure is not None:
        out.append(_event(stage, round_, actor, "failed_turn", "public", result.failure))
    for usage in result.usage:
        out.append(_event(stage, round_, actor, "usage", "private", usage))
    return out


def number(drafts: list[Unnumbered], start: int) -> list[dict[str, Any]]:
    """Give drafts their sequence numbers and validate them as events."""
    numbered = []
    for offset, draft in enumerate(drafts):
        event = event_from_dict({**draft, "seq": start + offset})
        numbered.append(event_to_dict(event))
    return numbered


def parse(events: list[dict[str, Any]]) -> list[Event]:
    return [event_from_dict(item) for item in events]
