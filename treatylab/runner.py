"""Run one episode: build backends and graph, stream it, score it, write the run folder.

`run_episode` is the one entry point the CLI, replay, demo and sweeps share. The transcript is
built from the final state (never from the stream, whose order follows completion), and the
files are written atomically so an interrupted run never leaves a half-written result.

An infrastructure failure (the endpoint, not a negotiator, failed: see
agents.backends.failures) stops the episode at once: result.json gets `status: "failed"` and
the failure record, no outcome and no scores, and the events up to the failure are kept.
The episode's wall-clock deadline is such a failure too. A checkpoint records the run's
identity (treatylab.identity): another config can never resume it.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import re
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.types import Command

from treatylab.agents.backends.base import Backend
from treatylab.agents.backends.clients import episode_connections
from treatylab.agents.backends.failures import FailureRecord, InfrastructureFailure
from treatylab.agents.backends.human import HumanSeat
from treatylab.agents.transcript import Event, events_from_dicts
from treatylab.graphs import RunConfig, build_graph, recursion_limit
from treatylab.graphs.builder import shared_graph
from treatylab.graphs.episode import Episode, bound_episode
from treatylab.scenarios import Scenario
from treatylab import outputs
from treatylab.backends import close_backends, make_backends
from treatylab.errors import UserError
from treatylab.identity import identity_of
from treatylab import checkpoints
from treatylab.checkpoints import Checkpoint
from treatylab import budget
from treatylab.prices import PriceTable, default_prices

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

    def __repr__(self) -> str:
        """A summary line: the full repr of every event is thousands of lines, and asyncio
        formats it whenever `asyncio.run` checks its signal handler after the episode."""
        outcome = self.result.get("outcome") or "?"
        return (f"EpisodeRun(run_id={self.run_id!r}, run_dir={self.run_dir!r}, "
                f"events={len(self.events)}, outcome={outcome!r})")

    __str__ = __repr__


def _slug(spec: str) -> str:
    return re.sub(r"[^A-Za-z0-9.]+", "-", spec).strip("-").lower() or "x"


def backends_tag(scenario: Scenario, config: RunConfig) -> str:
    """'heuristic', 'openai-gpt-4o-mini', or 'mixed-<hash>' when seats use different backends."""
    seats = {party: config.backend_for(party) for party in scenario.party_ids()}
    if config.mediator != "none":
        seats["mediator"] = config.mediator_backend
    specs = set(seats.values())
    if len(specs) == 1:
        return _slug(specs.pop())
    digest = hashlib.sha256(repr(sorted(seats.items())).encode()).hexdigest()[:8]
    return f"mixed-{digest}"


def default_run_id(scenario: Scenario, config: RunConfig) -> str:
    """Unique per (scenario, mediator, backends, seed): an LLM and a heuristic run never collide."""
    return f"{scenario.id}-{config.mediator}-{backends_tag(scenario, config)}-s{config.seed}"


@contextlib.asynccontextmanager
async def _checkpointer(path: Checkpoint | None) -> AsyncIterator[Any]:
    """A SQLite file or a PostgreSQL database (treatylab.checkpoints), same rules for both."""
    if path is None:
        yield None
        return
    async with checkpoints.open_saver(path) as saver:
        from treatylab.graphs.turns import checkpoint_serde

        saver.serde = checkpoint_serde()
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
                 progress: ProgressHook | None, answer: HumanAnswer | None,
                 latest: dict[str, Any]) -> dict[str, Any]:
    """Stream the graph to the end and return the final state values.

    With a checkpointer (`thread` set) an existing checkpoint is resumed from where it stopped;
    the events it already holds are shown first so the progress display is complete.
    `latest` always holds the last state seen, so a failure can still report what happened.
    """
    config: dict[str, Any] = {"recursion_limit": recursion_limit(scenario)}
    start: dict[str, Any] | None = {"events": []}
    latest.update({"events": []})
    if thread is not None:
        config["configurable"] = {"thread_id": thread}
        snapshot = await graph.aget_state(config)
        if snapshot.created_at is not None:  # a checkpoint exists: resume it, never restart
            latest.update(snapshot.values)
            start = None
            if progress and latest.get("events"):
                progress(events_from_dicts(latest["events"]))
            if finished(snapshot):
                return dict(latest)
    while True:
        async for mode, payload in graph.astream(start, config, stream_mode=["updates", "values"]):
            if mode == "values":
                latest.clear()
                latest.update(payload)
            elif progress is not None:
                for node_update in payload.values():
                    if isinstance(node_update, dict) and node_update.get("events"):
                        progress(events_from_dicts(node_update["events"]))
        pending = (await graph.aget_state(config)).interrupts if thread is not None else ()
        if not pending:
            return dict(latest)
        if answer is None:
            raise RuntimeError("a human seat is waiting but no one answers for it")
        start = Command(resume={item.id: answer(item.value) for item in pending})


def _deadline_failure(config: RunConfig) -> FailureRecord:
    return FailureRecord(kind="deadline",
                         message=f"the episode's deadline of {config.deadline_s:g} s passed",
                         fix="raise --deadline (or deadline_s in the sweep config), or use a faster endpoint")


def check_checkpoint(checkpoint: Checkpoint, scenario: Scenario, config: RunConfig) -> bool:
    """Claim `checkpoint` for this run, or check it was made by this run. True: a resume.

    Raises:
        UserError: the checkpoint holds this run id with another identity (exit 2).
    """
    try:
        return checkpoints.claim(checkpoint, default_run_id(scenario, config),
                                 identity_of(scenario, config))
    except ValueError as exc:
        raise UserError(f"--checkpoint {checkpoints.display(checkpoint)}: made by a different run ({exc}); use a new "
                        "checkpoint file, or the original options to resume") from None


def _graph_for(scenario: Scenario, config: RunConfig, actors: dict[str, Backend],
               saver: Any) -> tuple[Any, contextlib.AbstractContextManager[Any]]:
    """The graph to run and the context to run it in.

    Without a checkpointer, the process's shared compiled graph with this run's Episode bound
    to the context; with one, a graph compiled for this run (the checkpointer is part of it).
    """
    if saver is None:
        episode = Episode(scenario=scenario, config=config, backends=actors)
        return shared_graph(), bound_episode(episode)
    return build_graph(scenario, config, actors, checkpointer=saver), contextlib.nullcontext()


async def run_episode(
    scenario: Scenario,
    config: RunConfig,
    *,
    scenario_ref: str = "",
    out_dir: Path | None = None,
    backends: dict[str, Backend] | None = None,
    checkpoint: Checkpoint | None = None,
    progress: ProgressHook | None = None,
    extra_manifest: dict[str, Any] | None = None,
    answer_human: HumanAnswer | None = None,
    prices: PriceTable | None = None,
) -> EpisodeRun:
    """Negotiate one episode and (when `out_dir` is given) write its run folder.

    The config's spending caps are checked before every LLM call (treatylab.budget); a call
    that would pass one ends the episode with `status: "budget"`. `prices` (default: the
    shipped table) gives result.json its `cost_usd`.

    Raises:
        UserError: `checkpoint` was made by a run with another identity, or a cost cap on
            a model without a price.
    """
    started = time.perf_counter()
    run_id = default_run_id(scenario, config)
    identity = identity_of(scenario, config)
    if checkpoint is not None:
        check_checkpoint(checkpoint, scenario, config)
    own_backends = backends is None
    actors = backends if backends is not None else make_backends(scenario, config)
    humans = any(isinstance(backend, HumanSeat) for backend in actors.values())
    table = prices or default_prices()
    budget.check_priced(config, table)
    meter = budget.EpisodeMeter(budget.Caps.of(config), table)
    budget.attach(actors, meter)
    latest: dict[str, Any] = {}
    failure: FailureRecord | None = None
    stop: budget.BudgetStop | None = None
    try:
        async with episode_connections(), _checkpointer(checkpoint) as saver:
            if saver is None and humans:
                saver = InMemorySaver()  # interrupts need a checkpointer
            graph, binding = _graph_for(scenario, config, actors, saver)
            if saver is not None and checkpoint is not None:
                await budget.seed_from_checkpoint(meter, graph, run_id)
            with binding:
                drive = _drive(graph, scenario, run_id if saver else None, progress,
                               answer_human, latest)
                try:
                    async with asyncio.timeout(config.deadline_s):
                        state = await drive
                except TimeoutError:
                    if config.deadline_s is None:
                        raise
                    failure, state = _deadline_failure(config), dict(latest)
                except InfrastructureFailure as exc:
                    failure, state = exc.record, dict(latest)
                except budget.BudgetExceeded as exc:
                    stop, state = exc.stop, dict(latest)
    finally:
        if own_backends:
            await close_backends(actors)
    events = events_from_dicts(state.get("events") or [])
    if failure is None and stop is None:
        result = outputs.result_document(scenario, config, run_id, state.get("scores") or {})
    elif failure is None:
        from treatylab.evals.scorecard import process_stats

        result = outputs.result_document(scenario, config, run_id, {},
                                         process=process_stats(events).model_dump(mode="json"))
    else:
        from treatylab.evals.scorecard import process_stats

        result = outputs.result_document(scenario, config, run_id, {}, failure=failure,
                                         process=process_stats(events).model_dump(mode="json"))
    manifest = outputs.manifest_document(scenario, config, run_id, scenario_ref, extra_manifest,
                                         identity=identity.model_dump(mode="json"), events=events)
    budget.settle_result(result, events, meter, stop)
    manifest["prices"] = table.provenance()
    if out_dir is not None:
        outputs.write_run(out_dir, events, result, manifest, wall_s=time.perf_counter() - started)
    return EpisodeRun(run_id=run_id, run_dir=out_dir, events=events, result=result, manifest=manifest)
