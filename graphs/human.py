"""Human turns: one interrupt node per stage, so a resume re-runs nothing but the question.

The node raises an interrupt with the view (and, on a second try, what was wrong with the
last answer); the resume value is an action as JSON. After `MAX_ATTEMPTS` invalid answers
the turn is recorded as a failed turn and the negotiation goes on, as for an LLM.
"""

from __future__ import annotations

from typing import Any

from pydantic import TypeAdapter, ValidationError
from langgraph.types import interrupt

from treatylab.agents import validation
from treatylab.agents.actions import Action
from treatylab.agents.backends.base import TurnResult
from treatylab.agents.transcript import FailedTurnPayload
from treatylab.agents.views import DelegateView

MAX_ATTEMPTS = 3
ACTION = TypeAdapter(Action)


def human_node_name(stage: str) -> str:
    return f"{stage}_human"


def _parse(view: DelegateView, answer: Any) -> tuple[Any, list[str]]:
    if isinstance(answer, dict) and "kind" not in answer:
        answer = {**answer, "kind": view.expected}
    try:
        action = ACTION.validate_python(answer)
    except ValidationError as exc:
        return None, [f"{'.'.join(map(str, e['loc'])) or 'answer'}: {e['msg']}" for e in exc.errors()]
    return action, validation.problems(view, action)


def human_node() -> Any:
    def node(payload: dict[str, Any]) -> dict[str, Any]:
        view = DelegateView.model_validate(payload["view"])
        problems: list[str] = []
        for _ in range(MAX_ATTEMPTS):
            answer = interrupt({"actor": payload["actor"], "key": payload["key"],
                                "view": payload["view"], "problems": problems})
            action, problems = _parse(view, answer)
            if not problems:
                result = TurnResult(action=action)
                break
        else:
            failure = FailedTurnPayload(expected=view.expected, error="; ".join(problems),
                                        attempts=MAX_ATTEMPTS)
            result = TurnResult(failure=failure)
        return {"turns": {payload["key"]: result.model_dump(mode="json")}}
    return node
