"""Chat messages for a view, and the view back out of them.

A prompt keeps data and instructions apart (docs/prompts.md):

- the system message holds the instructions that never change for an actor, then the
  SETTING data block: the parts of its view fixed for the whole episode (scenario, parties,
  issues, its own brief and points, the mediator's strategy);
- the user message holds the TURN data block (stage, round, the public record, messages,
  current reservation, notes, trust), then the task of this stage, last.

So a party's consecutive prompts share a long prefix (providers cache it), and every fact is
sent once, as data. Each block is one line of pydantic JSON between marker lines that carry
the actor's fence nonce (`agents.views.fence_nonce`). Whatever a party said reaches another's
prompt only as a JSON string literal inside a block, with `<`, `>` and the Unicode line
breaks JSON leaves raw escaped, so it can neither start a line, nor write a marker, nor leave
its string. The simulator (`view_from_messages`) reads the nonce from the system message's
SETTING marker and parses only the blocks with that nonce. Prompt text lives only in
prompts/*.j2.
"""

from __future__ import annotations

import json
import re
import threading
from collections import OrderedDict
from typing import Annotated, Any

from pydantic import Field, TypeAdapter, ValidationError

from treatylab.agents.views import DelegateView, MediatorView, View, fence_nonce
from treatylab.prompts import environment, render

VIEW_PREFIX = "<<<TREATYLAB"
SETTING, TURN = "SETTING", "TURN"

_OWN_SETTING = {"persona", "private_brief", "style", "concession_exponent", "utilities", "red_lines"}
_COMMON_SETTING = ("scenario_id", "title", "alliance_type", "background", "rules", "parties",
                   "issues", "fence")
DELEGATE_SETTING: dict[str, Any] = {**dict.fromkeys(_COMMON_SETTING, True), "party_id": True,
                                    "mediator": True, "own": _OWN_SETTING}
MEDIATOR_SETTING: dict[str, Any] = {**dict.fromkeys(_COMMON_SETTING, True), "strategy": True,
                                    "budget": True, "oracle": {"utilities", "red_lines"}}

_TURN_HEAD: dict[str, Any] = {"caucus": True}
_TURN_TAIL: dict[str, Any] = dict.fromkeys(("stage", "round", "seed", "expected"), True)

_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "\u2028": "\\u2028", "\u2029": "\\u2029",
            "\x85": "\\u0085"}
_ESCAPE_RE = re.compile("[<>\u2028\u2029\x85]")
_BEGIN_RE = re.compile(r"^<<<TREATYLAB (SETTING|TURN) ([0-9a-f]{16}) BEGIN>>>$", re.MULTILINE)

_VIEW = TypeAdapter(Annotated[DelegateView | MediatorView, Field(discriminator="role")])

Message = dict[str, str]


def role_dir(view: View) -> str:
    return "mediator" if isinstance(view, MediatorView) else "delegate"


def actor_of(view: View) -> str:
    return view.party_id if isinstance(view, DelegateView) else "mediator"


def nonce(view: View) -> str:
    """The view's fence nonce; a hand-built view without one gets a fixed derivation."""
    return view.fence or fence_nonce(0, view.scenario_id, actor_of(view))


def marker(kind: str, code: str, end: bool = False) -> str:
    return f"{VIEW_PREFIX} {kind} {code} {'END' if end else 'BEGIN'}>>>"


def quote(json_text: str) -> str:
    """JSON text whose strings cannot hold a marker or a line break ('<' only occurs in strings)."""
    return _ESCAPE_RE.sub(lambda m: _ESCAPES[m.group()], json_text)


def setting_json(view: View) -> str:
    """The episode-constant part of the view, as one line of JSON (role first)."""
    include = MEDIATOR_SETTING if isinstance(view, MediatorView) else DELEGATE_SETTING
    body = view.model_dump_json(include=include, exclude_defaults=True)
    return quote(f'{{"role":"{view.role}",{body[1:]}')


def _join_objects(*parts: str) -> str:
    """One JSON object from several dumped ones with disjoint keys, in the order given."""
    bodies = [part[1:-1] for part in parts if part != "{}"]
    return "{" + ",".join(bodies) + "}"


ALSO_LATEST = "also_latest"


def _latest_pending(view: View) -> set[str]:
    """Parties whose latest proposal is the one pending: sent once, in "pending"."""
    positions = view.record.positions
    return {item.proposer for item in view.record.pending
            if item.proposer in positions and positions[item.proposer].latest == item.package}


def record_json(view: View) -> str:
    """The public record as one JSON object, each package sent once.

    A pending proposal that is also its proposer's latest one carries `"also_latest":true`
    and is left out of that party's positions entry; `restore_latest` undoes it on reading.
    """
    record = view.record
    repeated = _latest_pending(view)
    exclude: dict[str, Any] = {"pending": True, "recent": True}
    if repeated:
        exclude["positions"] = {party: {"latest"} for party in repeated}
    base = record.model_dump_json(exclude=exclude, exclude_defaults=True)
    items = []
    for item in record.pending:
        text = item.model_dump_json(exclude_defaults=True)
        items.append(f'{text[:-1]},"{ALSO_LATEST}":true}}' if item.proposer in repeated else text)
    pending = f'{{"pending":[{",".join(items)}]}}' if items else "{}"
    recent = record.model_dump_json(include={"recent"}, exclude_defaults=True)
    return _join_objects(base, pending, recent)


def restore_latest(data: dict[str, Any]) -> dict[str, Any]:
    """Undo `record_json`'s sharing: each flagged pending package back into positions."""
    record = data.get("record")
    if not isinstance(record, dict) or not isinstance(record.get("pending"), list):
        return data
    positions = record.get("positions")
    for item in record["pending"]:
        if isinstance(item, dict) and item.pop(ALSO_LATEST, False) is True and isinstance(positions, dict):
            row = positions.setdefault(item.get("proposer"), {})
            if isinstance(row, dict):
                row["latest"] = item.get("package")
    return data


def turn_json(view: View) -> str:
    """The rest of the view (this turn's state), defaults left out, as one line of JSON.

    Ordered so that a party's consecutive prompts diverge as late as possible: the mediator's
    caucus log, which only grows, comes first, then the record (`PublicRecord` orders its own
    fields from least to most changing); the fields that change on every turn (stage, round,
    seed, expected action) come last.
    """
    exclude = MEDIATOR_SETTING if isinstance(view, MediatorView) else DELEGATE_SETTING
    head = view.model_dump_json(include=_TURN_HEAD, exclude_defaults=True)
    rest = view.model_dump_json(exclude={**exclude, **_TURN_HEAD, **_TURN_TAIL, "record": True,
                                         "role": True}, exclude_defaults=True)
    tail = view.model_dump_json(include=_TURN_TAIL, exclude_defaults=True)
    return quote(_join_objects(head, f'{{"record":{record_json(view)}}}', rest, tail))


def block(kind: str, view: View, text: str) -> str:
    code = nonce(view)
    return f"{marker(kind, code)}\n{text}\n{marker(kind, code, end=True)}"


_SYSTEM_PROMPTS: OrderedDict[tuple[object, str, str, str], str] = OrderedDict()
_SYSTEM_PROMPTS_KEPT = 256
_SYSTEM_PROMPTS_LOCK = threading.Lock()  # sync graphs run a fan-out's turns on threads


def system_prompt(view: View) -> str:
    """The system message, rendered once per (template set, role, setting, nonce).

    The system templates read only fields of the SETTING block (the episode-constant part of
    the view) and the fence nonce, so the rendered text is a function of those: a party's
    every turn in an episode sends the same system message, so rendering it more than once
    per party and episode is wasted work. The key holds the setting's JSON itself, so two
    views that differ in any setting field never share an entry.
    """
    setting, code, role = setting_json(view), nonce(view), role_dir(view)
    key = (environment(), role, setting, code)
    with _SYSTEM_PROMPTS_LOCK:
        text = _SYSTEM_PROMPTS.get(key)
        if text is not None:
            _SYSTEM_PROMPTS.move_to_end(key)
    if text is None:
        text = render(f"{role}/system.j2", view=view, setting=block(SETTING, view, setting),
                      nonce=code)
        with _SYSTEM_PROMPTS_LOCK:
            _SYSTEM_PROMPTS[key] = text
            if len(_SYSTEM_PROMPTS) > _SYSTEM_PROMPTS_KEPT:
                _SYSTEM_PROMPTS.popitem(last=False)
    return text


def user_prompt(view: View) -> str:
    return render(f"{role_dir(view)}/{view.stage}.j2", view=view,
                  turn=block(TURN, view, turn_json(view)))


def repair_prompt(view: View, problems: list[str]) -> str:
    return render("common/repair.j2", problems=problems, expected=view.expected)


def initial_messages(view: View) -> list[Message]:
    """System prompt (instructions, SETTING block), user prompt (TURN block, then the task)."""
    return [
        {"role": "system", "content": system_prompt(view)},
        {"role": "user", "content": user_prompt(view)},
    ]


def repair_messages(view: View, answer: str, problems: list[str]) -> list[Message]:
    """What a repair re-ask appends: the unusable answer, then the problems quoted."""
    return [
        {"role": "assistant", "content": answer},
        {"role": "user", "content": repair_prompt(view, problems)},
    ]


class ViewBlockError(ValueError):
    """A request carried no parseable view block."""


def _block_from(text: str, kind: str, code: str | None) -> tuple[str, Any] | None:
    """(nonce, parsed JSON) of the first `kind` block in `text` (with nonce `code` if given)."""
    for found in _BEGIN_RE.finditer(text):
        if found.group(1) != kind or (code is not None and found.group(2) != code):
            continue
        line_start = found.end() + 1
        line_end = text.find("\n", line_start)
        if line_end < 0 or not text.startswith(marker(kind, found.group(2), end=True), line_end + 1):
            raise ViewBlockError(f"the {kind} block is not closed by its end marker")
        try:
            return found.group(2), json.loads(text[line_start:line_end])
        except json.JSONDecodeError as exc:
            raise ViewBlockError(f"the {kind} block is not valid JSON: {exc}") from exc
    return None


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        elif value is not None or key not in out:
            out[key] = value
    return out


def _contents(messages: list[dict[str, Any]], role: str) -> list[str]:
    return [m["content"] for m in messages
            if isinstance(m, dict) and m.get("role") == role and isinstance(m.get("content"), str)]


def view_data_from_messages(messages: list[dict[str, Any]]) -> dict[str, Any]:
    """The raw view dict: the system message's SETTING block merged with the TURN block.

    The nonce comes from the SETTING marker of the system message, which holds no party's
    words; only a TURN block with that nonce, in a user message, is read.

    Raises:
        ViewBlockError: no complete, JSON-valid pair of blocks.
    """
    setting = next((found for text in _contents(messages, "system")
                    if (found := _block_from(text, SETTING, None)) is not None), None)
    if setting is None:
        raise ViewBlockError("no system message carries a view block "
                             f"({marker(SETTING, '<nonce>')} ... {marker(SETTING, '<nonce>', True)})")
    code, data = setting
    turn = next((found for text in _contents(messages, "user")
                 if (found := _block_from(text, TURN, code)) is not None), None)
    if turn is None:
        raise ViewBlockError(f"no user message carries the TURN view block of nonce {code}")
    if not isinstance(data, dict) or not isinstance(turn[1], dict):
        raise ViewBlockError("a view block is not a JSON object")
    return restore_latest(_merge(data, turn[1]))


def view_from_messages(messages: list[dict[str, Any]]) -> View:
    """The typed view a request was made for (the simulator's input).

    Raises:
        ViewBlockError: no block, or the blocks are not a valid view.
    """
    return view_from_data(view_data_from_messages(messages))


def view_from_data(data: dict[str, Any]) -> View:
    """The typed view of a raw view dict (`view_data_from_messages`), which is left as it is.

    Raises:
        ViewBlockError: the dict is not a valid view.
    """
    try:
        return _VIEW.validate_python(data)
    except ValidationError as exc:
        raise ViewBlockError(f"the view block is not a valid view: {exc}") from exc


def describe_actor(data: dict[str, Any]) -> str:
    """'delegate aurelia' / 'mediator (formulative)' for error messages, from raw view data."""
    if data.get("role") == "mediator":
        return f"mediator ({data.get('strategy', '?')})"
    return f"delegate {data.get('party_id', '?')}"
