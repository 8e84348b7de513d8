"""A deterministic baseline judge: what the simulator answers to a judge request.

It exists so the whole judging path (prompt, openai SDK over real HTTP, strict structured
output, cassette record and replay, agreement statistics) is testable offline and bit for bit.
It is a stand-in, not a measurement: its scores are simple counts over the record, shifted per
model name so that two simulated judges disagree a little (as real judges do) and Krippendorff's
alpha has something to measure.

- commitment_clarity: k of n moves name a proposal, a commitment or a red line;
  base = 1 + round(4 k / n).
- good_faith: of the party's answers to proposals, those that accept, or reject while making a
  counter-proposal in the same move, count as engagement; base = 1 + round(4 k / n).
- No evidence (no moves, no answers): 3, the rubric's "too little evidence".
- Shift: sha256(model | criterion | party) mod 3 - 1, i.e. -1, 0 or +1; clipped to 1..5.

Evidence is the first relevant statement, cut at a word boundary: a verbatim prefix.
"""

from __future__ import annotations

import hashlib
import math
from typing import Any

from treatylab.evals.judge.schema import SCORE_MAX, SCORE_MIN

QUOTE_CHARS = 160


def model_shift(model: str, criterion: str, party: str) -> int:
    digest = hashlib.sha256(f"{model}|{criterion}|{party}".encode()).hexdigest()
    return int(digest, 16) % 3 - 1


def _quote(statement: str) -> str:
    if len(statement) <= QUOTE_CHARS:
        return statement
    cut = statement[:QUOTE_CHARS]
    space = cut.rfind(" ")
    return cut[:space] if space > 0 else cut


def _base(k: int, n: int) -> int:
    return 3 if n == 0 else 1 + math.floor(4 * k / n + 0.5)


def _clarity(moves: list[dict[str, Any]]) -> tuple[int, list[dict[str, Any]], str]:
    concrete = [m for m in moves
                if m["proposal"] is not None or m["commitments"] or m["declared_red_lines"]]
    why = f"{len(concrete)} of {len(moves)} moves name a proposal, a commitment or a red line"
    return _base(len(concrete), len(moves)), concrete, why


def _good_faith(moves: list[dict[str, Any]]) -> tuple[int, list[dict[str, Any]], str]:
    answers = engaged = 0
    engaging = []
    for move in moves:
        decisions = [r["decision"] for r in move["responses"]]
        counter = move["proposal"] is not None
        good = sum(1 for d in decisions if d == "accept" or counter)
        answers += len(decisions)
        engaged += good
        if good:
            engaging.append(move)
    why = f"{engaged} of {answers} answers to proposals accept or come with a counter-proposal"
    return _base(engaged, answers), engaging, why


RULES = {"commitment_clarity": _clarity, "good_faith": _good_faith}


def baseline_answer(record: dict[str, Any], criterion: str, model: str) -> dict[str, Any]:
    """The judge_scores JSON for every party of the record (unknown criterion: no scores)."""
    rule = RULES.get(criterion)
    scores = []
    for party in record.get("parties", []):
        if rule is None:
            break
        moves = list(party.get("moves", []))
        base, relevant, why = rule(moves)
        score = min(SCORE_MAX, max(SCORE_MIN, base + model_shift(model, criterion, party["id"])))
        source = (relevant or moves)[:1]
        evidence = [_quote(m["statement"]) for m in source if m["statement"]]
        scores.append({"party": party["id"], "score": score, "evidence": evidence,
                       "rationale": why})
    return {"kind": "judge_scores", "criterion": criterion, "scores": scores}
