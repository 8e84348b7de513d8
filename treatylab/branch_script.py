"""The parent's turns, read back from its transcript: a backend that answers as recorded.

Every turn of a finished run left its events in the transcript (agents.transcript, graphs.events):
a public move, a private note, a caucus message, a trust report, a failed turn, usage. Put
together again they give the TurnResult the backend returned, so the graph replays the
parent's negotiation with no model, no cassette and no network. `treatylab.branch` uses this
for the prefix of a what-if branch.
"""

from __future__ import annotations

from typing import Any

from treatylab.agents.actions import ComplianceAction, DelegateAction, MediatorAction, Vote
from treatylab.agents.backends.base import Backend, TurnResult
from treatylab.agents.transcript import PROTOCOL, Event
from treatylab.agents.views import View

TurnKey = tuple[str, int, str]  # (stage, round, actor)
TURN_KINDS = {"delegate_move", "private_note", "caucus", "trust_report", "mediator_move", "vote",
              "compliance", "failed_turn", "usage"}


class PastTheRecording(LookupError):
    """The graph asked for a turn the parent never played."""


def _payload(event: Event) -> dict[str, Any]:
    return event.payload.model_dump(mode="json")


def _result(events: list[Event]) -> TurnResult:
    kinds = {e.kind: e for e in events}
    usage = [e.payload for e in events if e.kind == "usage"]
    failure = kinds["failed_turn"].payload if "failed_turn" in kinds else None
    action: Any = None
    if "mediator_move" in kinds:
        data = _payload(kinds["mediator_move"])
        caucus = kinds.get("caucus")
        if caucus is not None:
            data.update(caucus_with=caucus.payload.to, caucus_message=caucus.payload.text)
        if "private_note" in kinds:
            data["private_note"] = kinds["private_note"].payload.text
        action = MediatorAction.model_validate(data)
    elif "vote" in kinds:
        action = Vote.model_validate(_payload(kinds["vote"]))
    elif "compliance" in kinds:
        action = ComplianceAction.model_validate(_payload(kinds["compliance"]))
    elif kinds.keys() & {"delegate_move", "private_note", "caucus", "trust_report"}:
        data = _payload(kinds["delegate_move"]) if "delegate_move" in kinds else {"statement": ""}
        if "private_note" in kinds:
            data["private_note"] = kinds["private_note"].payload.text
        if "caucus" in kinds:
            data["to_mediator"] = kinds["caucus"].payload.text
        if "trust_report" in kinds:
            data["trust"] = dict(kinds["trust_report"].payload.trust)
        action = DelegateAction.model_validate(data)
    return TurnResult(action=action, failure=failure, usage=usage)


def recorded_turns(events: list[Event]) -> dict[TurnKey, TurnResult]:
    """Every actor's turn of the run, by (stage, round, actor)."""
    grouped: dict[TurnKey, list[Event]] = {}
    for event in events:
        if event.actor == PROTOCOL or event.kind not in TURN_KINDS:
            continue
        grouped.setdefault((event.stage, event.round, event.actor), []).append(event)
    return {key: _result(group) for key, group in grouped.items()}


class ScriptedBackend(Backend):
    """Answers each of one actor's turns with what that actor did in the recording."""

    name = "scripted"

    def __init__(self, actor: str, turns: dict[TurnKey, TurnResult]) -> None:
        self.actor = actor
        self.turns = turns

    async def aact(self, view: View) -> TurnResult:
        key = (view.stage, view.round, self.actor)
        if key in self.turns:
            return self.turns[key]
        if getattr(view, "expected", "delegate_action") == "delegate_action" and view.stage == "prepare":
            return TurnResult(action=DelegateAction(statement=""))  # a turn that left no event
        raise PastTheRecording(f"the recording has no turn of {self.actor} at {view.stage} round {view.round}")
