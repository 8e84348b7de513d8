"""Small scenarios built in code for the evaluator's tests (no YAML files needed)."""

from __future__ import annotations

from typing import Any

import numpy as np

from treatylab.agents.transcript import Event, event_from_dict
from treatylab.scenarios.schema import Scenario


def build_scenario(
    points: dict[str, dict[str, dict[str, float]]],
    reservations: dict[str, float],
    *,
    red_lines: dict[str, dict[str, list[str]]] | None = None,
    capacity: dict[str, float] | None = None,
    benefit: dict[str, float] | None = None,
    option_fields: dict[tuple[str, str], dict[str, Any]] | None = None,
    shocks: list[dict[str, Any]] | None = None,
    scenario_id: str = "eval-test",
) -> Scenario:
    """A valid scenario from utility points {party: {issue: {option: points}}}.

    Issue and option order follow the dict order of the first party's table.
    `option_fields[(issue, option)]` adds burden_shares / sovereignty_cost / trust_value.
    """
    parties = list(points)
    first = points[parties[0]]
    n = len(parties)
    capacity = capacity or {p: 1.0 / n for p in parties}
    benefit = benefit or {p: 1.0 / n for p in parties}
    option_fields = option_fields or {}
    red_lines = red_lines or {}
    return Scenario.model_validate({
        "schema_version": 1,
        "id": scenario_id,
        "title": "Evaluator test",
        "alliance_type": "defense_pact",
        "summary": "s",
        "background": "b",
        "parties": [
            {
                "id": p, "name": p.title(), "capacity": capacity[p], "benefit": benefit[p],
                "reservation": reservations[p],
                "red_lines": [{"issue": i, "forbid": f} for i, f in red_lines.get(p, {}).items()],
            }
            for p in parties
        ],
        "issues": [
            {
                "id": issue, "title": issue,
                "options": [{"id": o, "label": o, **option_fields.get((issue, o), {})}
                            for o in options],
            }
            for issue, options in first.items()
        ],
        "utilities": points,
        "shocks": shocks or [],
    })


def from_tables(tables: list[np.ndarray], reservations: list[float],
                scenario_id: str = "eval-test") -> Scenario:
    """Scenario from per-issue (n_options, n_parties) point tables; parties p0.., issues i0..,
    options o0..."""
    n_parties = tables[0].shape[1]
    parties = [f"p{i}" for i in range(n_parties)]
    points = {
        p: {f"i{k}": {f"o{j}": float(t[j, col]) for j in range(t.shape[0])}
            for k, t in enumerate(tables)}
        for col, p in enumerate(parties)
    }
    return build_scenario(points, dict(zip(parties, reservations)), scenario_id=scenario_id)


def random_tables(rng: np.random.Generator, n_parties: int, n_issues: int,
                  n_options: int, levels: int = 8) -> list[np.ndarray]:
    """Integer points whose best package totals exactly 100 for every party."""
    raw = rng.integers(0, levels, size=(n_issues, n_options, n_parties)).astype(float)
    raw[:, 0, :] += 1  # no party is indifferent on every issue
    for p in range(n_parties):
        best = raw[:, :, p].max(axis=1)
        scaled = np.round(raw[:, :, p] * (100.0 / best.sum()))
        error = 100.0 - scaled.max(axis=1).sum()
        k = int(np.argmax(scaled.max(axis=1)))
        scaled[k][scaled[k] == scaled[k].max()] += error  # every tied best option moves
        raw[:, :, p] = scaled
    return [raw[k] for k in range(n_issues)]


class EventLog:
    """Builds a transcript event by event, numbering them in order."""

    def __init__(self) -> None:
        self.events: list[Event] = []

    def _add(self, kind: str, actor: str, payload: dict[str, Any], stage: str = "bargain",
             round_: int = 0, visibility: str = "public") -> EventLog:
        self.events.append(event_from_dict({
            "seq": len(self.events), "stage": stage, "round": round_, "actor": actor,
            "kind": kind, "visibility": visibility, "payload": payload}))
        return self

    def move(self, actor: str, round_: int, proposal: dict[str, str] | None = None, *,
             responses: dict[str, str] | None = None,
             commitments: list[tuple[str, str]] | None = None,
             red_lines: list[tuple[str, list[str]]] | None = None,
             priorities: list[str] | None = None, stage: str = "bargain",
             statement: str = "...") -> EventLog:
        payload: dict[str, Any] = {
            "statement": statement,
            "proposal": None if proposal is None else {"proposer": actor, "package": proposal},
            "responses": responses or {},
            "commitments": [{"issue": i, "option": o} for i, o in commitments or []],
            "declared_red_lines": [{"issue": i, "forbid": f} for i, f in red_lines or []],
            "priorities": priorities or [],
        }
        return self._add("delegate_move", actor, payload, stage, round_)

    def trust(self, actor: str, values: dict[str, float], stage: str = "open") -> EventLog:
        return self._add("trust_report", actor, {"trust": values}, stage, 0, "private")

    def vote(self, actor: str, decision: str, reservations: list[str] | None = None) -> EventLog:
        return self._add("vote", actor, {"decision": decision,
                                         "reservations": reservations or []}, "finalize")

    def outcome(self, result: str, package: dict[str, str] | None = None,
                signatories: list[str] | None = None, stage: str = "finalize") -> EventLog:
        return self._add("outcome", "protocol", {"result": result, "package": package,
                                                 "signatories": signatories or []}, stage)

    def comply(self, actor: str, period: int, comply: bool) -> EventLog:
        return self._add("compliance", actor, {"comply": comply}, "implement", period, "private")

    def shock(self, shock_id: str, round_: int) -> EventLog:
        return self._add("shock", "protocol", {"id": shock_id, "public": "..."}, "bargain", round_)

    def usage(self, actor: str, prompt: int, completion: int, repair: bool = False,
              error: str | None = None) -> EventLog:
        return self._add("usage", actor, {"model": "m", "prompt_tokens": prompt,
                                          "completion_tokens": completion, "latency_ms": 5.0,
                                          "repair": repair, "error": error},
                         visibility="private")

    def failed(self, actor: str, round_: int) -> EventLog:
        return self._add("failed_turn", actor, {"expected": "delegate_action",
                                                "error": "bad option", "attempts": 3},
                         round_=round_)
