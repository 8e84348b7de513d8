"""Seeded fault injection: which request fails, and how.

The choice is a pure function of (seed, attempt header, request body), so a recorded run with
faults replays: the same request gets the same fault, a retry (next attempt number) draws
again, and a repair re-ask (a different body) draws again. Answer faults corrupt the wire JSON
the policy produced in ways a real model does: prose around the JSON, a schema violation, an
option that does not exist, a truncated reply, a refusal.
"""

from __future__ import annotations

import hashlib
import json
import random
from typing import Any, Literal

FaultKind = Literal[
    "invalid_json", "schema", "illegal_option", "truncated", "refusal",
    "http_500", "http_429", "timeout",
]
FAULT_KINDS: tuple[FaultKind, ...] = (
    "invalid_json", "schema", "illegal_option", "truncated", "refusal",
    "http_500", "http_429", "timeout",
)
ILLEGAL = "no-such-option"


def parse_fault_list(text: str) -> list[FaultKind]:
    """'schema,http_500' -> ['schema', 'http_500']; 'all' -> every kind.

    Raises:
        ValueError: an unknown kind (the message lists the known ones).
    """
    names = [name.strip() for name in text.split(",") if name.strip()]
    if names == ["all"]:
        return list(FAULT_KINDS)
    unknown = [name for name in names if name not in FAULT_KINDS]
    if unknown:
        raise ValueError(f"unknown fault kind(s) {unknown}; choose from {list(FAULT_KINDS)} or 'all'")
    return names  # type: ignore[return-value]


def choose_fault(body: bytes, attempt: str, seed: int, rate: float,
                 kinds: list[FaultKind]) -> FaultKind | None:
    """The fault for this request, or None; deterministic in its inputs."""
    if rate <= 0 or not kinds:
        return None
    digest = hashlib.sha256(f"{seed}\x00{attempt}\x00".encode() + body).digest()
    rng = random.Random(digest)
    if rng.random() >= rate:
        return None
    return rng.choice(list(kinds))


def illegal_answer(kind: str, answer: dict[str, Any], view: dict[str, Any]) -> dict[str, Any] | None:
    """The answer with an id the view does not allow, or None when the kind has no ids."""
    bad = dict(answer)
    choices = [{"issue": str(issue["id"]), "option": str(issue["options"][0]["id"])}
               for issue in view.get("issues", [])]
    if choices:
        choices[0] = {"issue": choices[0]["issue"], "option": ILLEGAL}
    if kind == "delegate_action":
        bad["proposal"] = {"package": choices, "rationale": "our revised offer"}
        return bad
    if kind == "mediator_action":
        bad["move"] = "propose_text"
        bad["single_text"] = choices
        return bad
    if kind == "vote":
        bad["reservations"] = ["no-such-issue"]
        return bad
    return None


def corrupt(fault: FaultKind, kind: str, answer: dict[str, Any],
            view: dict[str, Any]) -> tuple[str | None, str | None, str]:
    """(content, refusal, finish_reason) of an answer with `fault` applied."""
    text = json.dumps(answer, sort_keys=True, ensure_ascii=False)
    if fault == "invalid_json":
        return f"Here is our position:\n{text}\nWe trust this is acceptable.", None, "stop"
    if fault == "truncated":
        return text[: max(1, len(text) // 2)], None, "length"
    if fault == "refusal":
        return None, "I can't take part in this negotiation.", "stop"
    if fault == "illegal_option":
        bad = illegal_answer(kind, answer, view)
        if bad is not None:
            return json.dumps(bad, sort_keys=True, ensure_ascii=False), None, "stop"
    # "schema" (and illegal_option for kinds without ids): a required field is missing and an
    # unknown one appears
    broken = {key: value for key, value in answer.items() if key != "statement"}
    broken["remarks"] = "see statement"
    return json.dumps(broken, sort_keys=True, ensure_ascii=False), None, "stop"


__all__ = ["FAULT_KINDS", "FaultKind", "choose_fault", "corrupt", "parse_fault_list"]
