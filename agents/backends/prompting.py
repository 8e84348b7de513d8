"""Chat messages for a view, and the view back out of them.

The user prompt of every turn carries the actor's whole view as one line of sorted-key JSON
between fixed markers. An LLM reads it as the authoritative state; the simulator parses it back
(`view_from_messages`) to answer with the baseline policy, so what the policy decides over HTTP
is exactly what it would decide in process. Prompt text lives only in prompts/*.j2.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from pydantic import Field, TypeAdapter, ValidationError

from treatylab.agents.views import DelegateView, MediatorView, View
from treatylab.prompts import render

VIEW_BEGIN = "<<<TREATYLAB-VIEW-JSON v1 BEGIN>>>"
VIEW_END = "<<<TREATYLAB-VIEW-JSON v1 END>>>"
MARKERS = {"begin": VIEW_BEGIN, "end": VIEW_END}

_VIEW = TypeAdapter(Annotated[DelegateView | MediatorView, Field(discriminator="role")])

Message = dict[str, str]


def role_dir(view: View) -> str:
    return "mediator" if isinstance(view, MediatorView) else "delegate"


def system_prompt(view: View) -> str:
    return render(f"{role_dir(view)}/system.j2", view=view)


def user_prompt(view: View) -> str:
    return render(f"{role_dir(view)}/{view.stage}.j2", view=view, markers=MARKERS)


def repair_prompt(view: View, problems: list[str]) -> str:
    return render("common/repair.j2", problems=problems, expected=view.expected)


def initial_messages(view: View) -> list[Message]:
    """System prompt for the role, user prompt for the stage (with the view block)."""
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


def view_json_from_text(text: str) -> str | None:
    start = text.find(VIEW_BEGIN)
    if start < 0:
        return None
    end = text.find(VIEW_END, start)
    if end < 0:
        return None
    return text[start + len(VIEW_BEGIN):end].strip()


def view_data_from_messages(messages: list[dict[str, Any]]) -> dict[str, Any]:
    """The raw view dict from the first user message that carries a view block.

    Raises:
        ViewBlockError: no user message holds a complete, JSON-valid block.
    """
    for message in messages:
        content = message.get("content")
        if message.get("role") != "user" or not isinstance(content, str):
            continue
        block = view_json_from_text(content)
        if block is None:
            continue
        try:
            data = json.loads(block)
        except json.JSONDecodeError as exc:
            raise ViewBlockError(f"the view block is not valid JSON: {exc}") from exc
        if not isinstance(data, dict):
            raise ViewBlockError("the view block is not a JSON object")
        return data
    raise ViewBlockError(f"no user message carries a view block ({VIEW_BEGIN} ... {VIEW_END})")


def view_from_messages(messages: list[dict[str, Any]]) -> View:
    """The typed view a request was made for (the simulator's input).

    Raises:
        ViewBlockError: no block, or the block is not a valid view.
    """
    data = view_data_from_messages(messages)
    try:
        return _VIEW.validate_python(data)
    except ValidationError as exc:
        raise ViewBlockError(f"the view block is not a valid view: {exc}") from exc


def describe_actor(data: dict[str, Any]) -> str:
    """'delegate aurelia' / 'mediator (formulative)' for error messages, from raw view data."""
    if data.get("role") == "mediator":
        return f"mediator ({data.get('strategy', '?')})"
    return f"delegate {data.get('party_id', '?')}"
