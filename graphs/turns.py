"""Parallel turns: fan out one Send per delegate, run each backend, collect in party order.

`fan_out` builds every delegate's view from the same state snapshot; `turn_node` awaits the
actor's backend; `collect` turns the results into numbered events in the scenario's party
order, whatever order the branches finished in.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from langgraph.types import Send

from treatylab.agents.backends.base import TurnResult
from treatylab.agents.backends.failures import InfrastructureFailure
from treatylab.agents.backends.human import HumanSeat
from treatylab.agents.views import DelegateView, MediatorView
from treatylab.graphs.episode import Episode
from treatylab.graphs.events import number, turn_events
from treatylab.graphs.human import human_node_name
from treatylab.graphs.state import turn_key

ViewBuilder = Callable[[Episode, dict[str, Any], str], DelegateView | MediatorView]


VIEW_TYPES = (("treatylab.agents.views", "DelegateView"), ("treatylab.agents.views", "MediatorView"))
"""The types a checkpoint may hold inside a Send (views travel as objects)."""


def checkpoint_serde() -> Any:
    """LangGraph's serializer with the view types registered, so a resume restores them quietly."""
    from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer

    return JsonPlusSerializer(allowed_msgpack_modules=list(VIEW_TYPES))


def turn_node_name(stage: str) -> str:
    return f"{stage}_turn"


def fan_out(episode: Episode, stage: str, build_view: ViewBuilder,
            actors: Callable[[Episode, dict[str, Any]], list[str]]) -> Callable[[dict[str, Any]], Awaitable[list[Send]]]:
    async def route(state: dict[str, Any]) -> list[Send]:
        round_ = stage_round(stage, state)
        sends = []
        for actor in actors(episode, state):
            target = target_node(episode, stage, actor)
            view = build_view(episode, state, actor)
            # The view travels as the object itself; a human seat's interrupt shows plain JSON.
            payload = view.model_dump(mode="json") if target != turn_node_name(stage) else view
            sends.append(Send(target, {"actor": actor, "key": turn_key(stage, round_, actor),
                                       "view": payload}))
        return sends
    return route


def target_node(episode: Episode, stage: str, actor: str) -> str:
    """Human seats answer through their stage's interrupt node, every other seat here."""
    if isinstance(episode.backends.get(actor), HumanSeat):
        return human_node_name(stage)
    return turn_node_name(stage)


def stage_round(stage: str, state: dict[str, Any]) -> int:
    """The `round` an event of this stage carries (see agents.transcript.EventBase)."""
    if stage in ("prepare", "open", "clarify"):
        return 0
    if stage == "implement":
        return int(state.get("period", 0))
    return int(state.get("round", 0))


async def run_turn(episode: Episode, actor: str, view: DelegateView | MediatorView) -> TurnResult:
    try:
        return await episode.backends[actor].aact(view)
    except InfrastructureFailure as exc:  # say which turn it was, whatever the backend knew
        record = exc.record
        raise InfrastructureFailure(record.model_copy(update={
            "actor": record.actor or actor, "stage": record.stage or view.stage,
            "round": record.round if record.round is not None else view.round})) from exc


def turn_node(episode: Episode) -> Callable[[dict[str, Any]], Awaitable[dict[str, Any]]]:
    async def node(payload: dict[str, Any]) -> dict[str, Any]:
        view = payload["view"]
        if isinstance(view, dict):  # a view restored from a checkpoint as plain data
            model = MediatorView if view.get("role") == "mediator" else DelegateView
            view = model.model_validate(view)
        result = await run_turn(episode, payload["actor"], view)
        return {"turns": {payload["key"]: result.model_dump(mode="json")}}
    return node


def collect(episode: Episode, state: dict[str, Any], stage: str, actors: list[str]) -> tuple[list[dict[str, Any]], dict[str, TurnResult]]:
    """Numbered events of the stage's turns, in `actors` order, and the results by actor."""
    round_ = stage_round(stage, state)
    drafts: list[dict[str, Any]] = []
    results: dict[str, TurnResult] = {}
    for actor in actors:
        result = TurnResult.model_validate(state["turns"][turn_key(stage, round_, actor)])
        results[actor] = result
        drafts.extend(turn_events(stage, round_, actor, result))
    return number(drafts, len(state.get("events", []))), results


async def single_turn(episode: Episode, state: dict[str, Any], stage: str, actor: str,
                      view: DelegateView | MediatorView) -> tuple[list[dict[str, Any]], TurnResult]:
    """One actor acting alone (mediator moves, the drafter), numbered directly."""
    result = await run_turn(episode, actor, view)
    drafts = turn_events(stage, stage_round(stage, state), actor, result)
    return number(drafts, len(state.get("events", []))), result
