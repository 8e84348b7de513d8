"""Run one episode: build backends and graph, stream it, score it, write the run folder.

`run_episode` is the one entry point the CLI, replay, demo and sweeps share. The transcript is
built from the final state (never from the stream, whose order follows completion), and the
files are written atomically so an interrupted run never leaves a half-written result.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.types import Command

from treatylab.agents.backends.base import Backend
from treatylab.agents.backends.human import HumanSeat
from treatylab.agents.transcript import Event, events_from_dicts
from treatylab.graphs import RunConfig, build_graph, recursion_limit
from treatylab.scenarios import Scenario
from treatylab import outputs
from treatylab.backends import close_backends, make_backends

ProgressHook = Callable[[list[Event]], None]
HumanAnswer = Callable[[dict[str, Any]], Any]
"""Answers a human seat's interrupt: gets {actor, key, view, problems}, returns an action."""


class EpisodeRun(BaseModel):
    """What a finished episode produced, in memory; `run_dir` holds the same on disk."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    run_id: str
    run_dir: Path | None
    events: list[Any]
    result: dict[str, Any]
    manifest: dict[str, Any]


def default_run_id(scenario: Scenario, config: RunConfig) -> str:
    return f"{scenario.id}-{config.mediator}-s{config.seed}"


@contextlib.asynccontextmanager
async def _checkpointer(path: Path | None) -> AsyncIterator[Any]:
    if path is None:
        yield None
        return
    from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver

    path.parent.mkdir(parents=True, exist_ok=True)
    async with AsyncSqliteSaver.from_conn_string(str(path)) as saver:
        yield saver


def finished(snapshot: Any) -> bool:
    """True only when the checkpointed run has nothing left to do.

    `StateSnapshot.next` is not that test: it lists only the tasks of the current step that
    have *no* saved writes yet. When every Send branch of a step (the five `bargain_turn`s,
    say) finished and saved its writes but the process died before the step's checkpoint was
    written, `next == ()` while `tasks` still holds those branches; `aget_state` even shows
    their writes applied. Resuming (`astream(None)`) applies the saved writes and goes on
    without re-running the branches. An empty `tasks` is the only mark of a run at its end.
    """
    return not snapshot.tasks and not snapshot.next


async def _drive(graph: Any, scenario: Scenario, thread: str | None,
                 progress: ProgressHook | None, answer: HumanAnswer | None = None) -> dict[str, Any]:
    """Stream the graph to the end and return the final state values.

    With a checkpointer (`thread` set) an existing checkpoint is resumed from where it stopped;
    the events it already holds are shown first so the progress display is complete.
    """
    config: dict[str, Any] = {"recursion_limit": recursion_limit(scenario)}
    start: dict[str, Any] | None = {"events": []}
    final: dict[str, Any] = {"events": []}
    if thread is not None:
        config["configurable"] = {"thread_id": thread}
        snapshot = await graph.aget_state(config)
        if snapshot.created_at is not None:  # a checkpoint exists: resume it, never restart
            final = dict(snapshot.values)
            start = None
            if progress and final.get("events"):
                progress(events_from_dicts(final["events"]))
            if finished(snapshot):
                return final
    while True:
        async for mode, payload in graph.astream(start, config, stream_mode=["updates", "values"]):
            if mode == "values":
                final = payload
            elif progress is not None:
                for node_update in payload.values():
                    if isinstance(node_update, dict) and node_update.get("events"):
                        progress(events_from_dicts(node_update["events"]))
        pending = (await graph.aget_state(config)).interrupts if thread is not None else ()
        if not pending:
            return dict(final)
        if answer is None:
            raise RuntimeError("a human seat is waiting but no one answers for it")
        start = Command(resume={item.id: answer(item.value) for item in pending})


async def run_episode(
    scenario: Scenario,
    config: RunConfig,
    *,
    scenario_ref: str = "",
    out_dir: Path | None = None,
    backends: dict[str, Backend] | None = None,
    checkpoint: Path | None = None,
    progress: ProgressHook | None = None,
    extra_manifest: dict[str, Any] | None = None,
    answer_human: HumanAnswer | None = None,
) -> EpisodeRun:
    """Negotiate one episode and (when `out_dir` is given) write its run folder."""
    own_backends = backends is None
    actors = backends if backends is not None else make_backends(scenario, config)
    run_id = default_run_id(scenario, config)
    humans = any(isinstance(backend, HumanSeat) for backend in actors.values())
    try:
        async with _checkpointer(checkpoint) as saver:
            if saver is None and humans:
                saver = InMemorySaver()  # interrupts need a checkpointer
            graph = build_graph(scenario, config, actors, checkpointer=saver)
            state = await _drive(graph, scenario, run_id if saver else None, progress, answer_human)
    finally:
        if own_backends:
            await close_backends(actors)
    events = events_from_dicts(state["events"])
    result = outputs.result_document(scenario, config, run_id, state.get("scores") or {})
    manifest = outputs.manifest_document(scenario, config, run_id, scenario_ref, extra_manifest)
    if out_dir is not None:
        outputs.write_run(out_dir, events, result, manifest)
    return EpisodeRun(run_id=run_id, run_dir=out_dir, events=events, result=result, manifest=manifest)
