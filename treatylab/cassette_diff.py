"""Explain a cassette mismatch: which turn asked, which recorded request is closest, what differs.

A replay fails when the run asks for something the cassette never saw. The useful answer is not
"no match" but "the bargain request of delegate aurelia in round 2 differs from the recorded one
at messages[1].content, line 14: recorded '...', now '...'", which usually points straight at
an edited template, a changed scenario or a different config.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from treatylab.agents.backends.prompting import ViewBlockError, describe_actor, view_data_from_messages

EXCERPT = 100
LEAD = 24  # characters shown before the first differing one


def body_json(body: Any) -> Any:
    """A vcr request body as JSON, or None when it is not JSON."""
    if body is None:
        return None
    if isinstance(body, bytes):
        body = body.decode("utf-8", errors="replace")
    try:
        return json.loads(body)
    except (TypeError, ValueError):
        return None


def canonical(body: Any) -> str:
    """The body as canonical JSON text (sorted keys, no spaces), or as text if not JSON."""
    if isinstance(body, (bytes, str)):
        return _canonical_cached(body)
    return _canonical(body)


def _canonical(body: Any) -> str:
    data = body_json(body)
    if data is None:
        return body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body or "")
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


@lru_cache(maxsize=4096)
def _canonical_cached(body: bytes | str) -> str:
    """vcrpy compares every new request with every recorded one: parse each body once."""
    return _canonical(body)


def turn_of(data: Any) -> dict[str, Any]:
    """{'stage', 'round', 'actor'} of a chat request body, from its view block."""
    try:
        view = view_data_from_messages((data or {}).get("messages") or [])
    except (ViewBlockError, AttributeError):
        return {"stage": "?", "round": "?", "actor": "unknown actor"}
    return {"stage": view.get("stage", "?"), "round": view.get("round", "?"),
            "actor": describe_actor(view)}


def describe_turn(data: Any) -> str:
    turn = turn_of(data)
    return f"the {turn['stage']} request of {turn['actor']} (round {turn['round']})"


def _clip(text: str) -> str:
    text = text.replace("\n", "\\n")
    return text if len(text) <= EXCERPT else text[: EXCERPT - 3] + "..."


def _string_difference(path: str, old: str, new: str) -> str:
    old_lines, new_lines = old.splitlines(), new.splitlines()
    for number, (a, b) in enumerate(zip(old_lines, new_lines), start=1):
        if a != b:
            column = _common_prefix(a, b)
            start = max(0, column - LEAD)  # a TURN block is one long line: show where it differs
            lead = "..." if start else ""
            return (f"{path}, line {number}, column {column + 1}: recorded "
                    f"'{lead}{_clip(a[start:])}', now '{lead}{_clip(b[start:])}'")
    number = min(len(old_lines), len(new_lines)) + 1
    if len(old_lines) > len(new_lines):
        return f"{path}, line {number}: recorded '{_clip(old_lines[number - 1])}', now (nothing)"
    if len(new_lines) > len(old_lines):
        return f"{path}, line {number}: recorded (nothing), now '{_clip(new_lines[number - 1])}'"
    return f"{path}: recorded '{_clip(old)}', now '{_clip(new)}'"


def first_difference(old: Any, new: Any, path: str = "body") -> str | None:
    """Where two JSON values first differ, as 'path: recorded X, now Y' (None when equal)."""
    if isinstance(old, dict) and isinstance(new, dict):
        for key in sorted(set(old) | set(new)):
            if key not in old:
                return f"{path}.{key}: not recorded, now present"
            if key not in new:
                return f"{path}.{key}: recorded, now absent"
            found = first_difference(old[key], new[key], f"{path}.{key}")
            if found:
                return found
        return None
    if isinstance(old, list) and isinstance(new, list):
        for index, (a, b) in enumerate(zip(old, new)):
            found = first_difference(a, b, f"{path}[{index}]")
            if found:
                return found
        if len(old) != len(new):
            return f"{path}: recorded {len(old)} items, now {len(new)}"
        return None
    if isinstance(old, str) and isinstance(new, str):
        return None if old == new else _string_difference(path, old, new)
    if old != new:
        return f"{path}: recorded {_clip(json.dumps(old))}, now {_clip(json.dumps(new))}"
    return None


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b):
        if x != y:
            break
        n += 1
    return n


def closest(recorded: list[Any], new_body: Any) -> tuple[int, Any] | None:
    """Index and body of the recorded request most like `new_body`.

    Requests of the same turn (stage, round, actor) come first; among them the one sharing
    the longest canonical-JSON prefix wins.
    """
    if not recorded:
        return None
    new_data = body_json(new_body)
    turn = turn_of(new_data)
    new_text = canonical(new_body)

    def score(item: tuple[int, Any]) -> tuple[int, int]:
        data = body_json(item[1])
        same_turn = int(turn_of(data) == turn)
        return (same_turn, _common_prefix(canonical(item[1]), new_text))

    return max(enumerate(recorded), key=score)


def explain(new_body: Any, recorded_bodies: list[Any], played: list[int], where: str) -> str:
    """The full 'cassette mismatch: ...' message for an unmatched request."""
    new_data = body_json(new_body)
    head = f"cassette mismatch: no recorded response for {describe_turn(new_data)} in {where}"
    new_text = canonical(new_body)
    same = [i for i, body in enumerate(recorded_bodies) if canonical(body) == new_text]
    if same:
        count = sum(played[i] for i in same)
        return (f"{head}: the cassette holds this exact request {len(same)} time(s) and all were "
                f"already played ({count} plays); the run made more calls for this turn than "
                "were recorded (retries or repairs differ)")
    found = closest(recorded_bodies, new_body)
    if found is None:
        return f"{head}: the cassette holds no requests for this endpoint"
    index, body = found
    old_data = body_json(body)
    difference = first_difference(old_data, new_data) if old_data is not None else None
    return (f"{head}; closest recorded request: #{index + 1}, {describe_turn(old_data)}; "
            f"first difference at {difference or 'the raw body'}")
