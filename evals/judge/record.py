"""What a judge reads: each party's record of one episode, and the chat messages that carry it.

The record is built from the transcript alone (a pure function of scenario and events), so the
same run folder always makes the same requests and a judging cassette replays. It holds each
delegation's public moves (statements, proposals, commitments, declared red lines, answers to
proposals), its votes, and its private notes — labelled as never seen by the others, since good
faith is largely whether public words match private intent, which no structural measure sees.

Like the negotiation prompts, the user prompt carries the record as one line of sorted-key JSON
between fixed markers: a judge model reads it as the authoritative material, and the simulator
parses it back to answer with its deterministic baseline judge (`evals.judge.baseline`).
"""

from __future__ import annotations

import json
from typing import Any

from treatylab.agents.transcript import Event
from treatylab.evals.judge.schema import Criterion
from treatylab.prompts import render
from treatylab.scenarios.schema import Scenario

JUDGE_BEGIN = "<<<TREATYLAB-JUDGE-JSON v1 BEGIN>>>"
JUDGE_END = "<<<TREATYLAB-JUDGE-JSON v1 END>>>"
MARKERS = {"begin": JUDGE_BEGIN, "end": JUDGE_END}


def _package(package: dict[str, str] | None) -> list[dict[str, str]] | None:
    if package is None:
        return None
    return [{"issue": issue, "option": option} for issue, option in sorted(package.items())]


def judge_record(scenario: Scenario, events: list[Event]) -> dict[str, Any]:
    """The material judged: scenario ids and labels, and per delegation its moves and notes."""
    parties: dict[str, dict[str, Any]] = {
        p.id: {"id": p.id, "name": p.name, "moves": [], "votes": [], "private_notes": []}
        for p in scenario.parties
    }
    mediator: list[str] = []
    for event in events:
        if event.kind == "delegate_move" and event.actor in parties:
            move = event.payload
            parties[event.actor]["moves"].append({
                "stage": event.stage,
                "round": event.round,
                "statement": move.statement,
                "proposal": None if move.proposal is None else _package(dict(move.proposal.package)),
                "commitments": [f"{c.issue}={c.option}" for c in move.commitments],
                "declared_red_lines": [f"{r.issue}!={','.join(r.forbid)}"
                                       for r in move.declared_red_lines],
                "responses": [{"ref": ref, "decision": decision}
                              for ref, decision in sorted(move.responses.items())],
            })
        elif event.kind == "vote" and event.actor in parties:
            vote = event.payload
            parties[event.actor]["votes"].append({
                "decision": vote.decision, "reservations": list(vote.reservations),
                "statement": vote.statement})
        elif event.kind == "private_note" and event.actor in parties:
            parties[event.actor]["private_notes"].append(event.payload.text)
        elif event.kind == "mediator_move":
            mediator.append(event.payload.statement)
    return {
        "scenario": {"id": scenario.id, "title": scenario.title},
        "issues": [{"id": i.id, "title": i.title,
                    "options": [{"id": o.id, "label": o.label} for o in i.options]}
                   for i in scenario.issues],
        "parties": list(parties.values()),
        "mediator_statements": mediator,
    }


def party_texts(record: dict[str, Any], party: str) -> list[str]:
    """Everything `party` wrote: where a quoted piece of evidence must be found verbatim."""
    for entry in record["parties"]:
        if entry["id"] == party:
            return ([m["statement"] for m in entry["moves"]]
                    + [v["statement"] for v in entry["votes"]] + list(entry["private_notes"]))
    return []


def judge_messages(record: dict[str, Any], criterion: Criterion) -> list[dict[str, str]]:
    """System prompt (the judge's role) and user prompt (the rubric and the record block)."""
    block = json.dumps(record, sort_keys=True, ensure_ascii=False)
    parties = [entry["id"] for entry in record["parties"]]
    return [
        {"role": "system", "content": render("judge/system.j2")},
        {"role": "user", "content": render(f"judge/{criterion}.j2", criterion=criterion,
                                           parties=parties, record=block, markers=MARKERS)},
    ]


class JudgeBlockError(ValueError):
    """A request carried no parseable judge block."""


def record_from_messages(messages: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The judged record from a request's user message, or None if it carries no judge block.

    Raises:
        JudgeBlockError: a block is there but is not a JSON object.
    """
    for message in messages:
        content = message.get("content")
        if message.get("role") != "user" or not isinstance(content, str):
            continue
        start = content.find(JUDGE_BEGIN)
        end = content.find(JUDGE_END, start + 1)
        if start < 0 or end < 0:
            continue
        try:
            data = json.loads(content[start + len(JUDGE_BEGIN):end])
        except json.JSONDecodeError as exc:
            raise JudgeBlockError(f"the judge block is not valid JSON: {exc}") from exc
        if not isinstance(data, dict):
            raise JudgeBlockError("the judge block is not a JSON object")
        return data
    return None


def criterion_from_messages(messages: list[dict[str, Any]]) -> str | None:
    """The criterion a judge request names (the rubric's `criterion:` line)."""
    for message in messages:
        content = message.get("content")
        if message.get("role") == "user" and isinstance(content, str):
            for line in content.splitlines():
                if line.startswith("criterion: "):
                    return line.removeprefix("criterion: ").strip()
    return None
