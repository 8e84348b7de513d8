"""The LangGraph state of one episode: plain JSON values, so SQLite checkpoints stay portable.

Parallel turns write into `turns` (a dict keyed 'stage/round/actor', merged); a single
collector node then appends their events in party order and numbers them. That is what makes
the transcript's order independent of which branch finished first.
"""

from __future__ import annotations

import operator
from typing import Annotated, Any

# LangGraph Studio builds input/output schemas from the state with pydantic, which needs
# typing_extensions.TypedDict on Python < 3.12.
from typing_extensions import TypedDict


def merge_turns(left: dict[str, Any] | None, right: dict[str, Any] | None) -> dict[str, Any]:
    merged = dict(left or {})
    merged.update(right or {})
    return merged


class NegotiationState(TypedDict, total=False):
    events: Annotated[list[dict[str, Any]], operator.add]
    turns: Annotated[dict[str, Any], merge_turns]
    stage: str
    round: int
    round_limit: int
    period: int
    consensus: dict[str, Any] | None
    draft: dict[str, str] | None
    rejections: int
    outcome: str | None
    scores: dict[str, Any] | None


def turn_key(stage: str, round_: int, actor: str) -> str:
    return f"{stage}/{round_}/{actor}"
