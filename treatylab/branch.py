"""What-if branches: replay a run up to an event, then go on with other settings.

`branch_run(parent, at=SEQ, ...)`:
1. replays the parent through the graph under the parent's own config, every actor answered
   from the parent's transcript (treatylab.branch_script): no model is called and nothing
   goes on the network, whether the parent used heuristics, an LLM or a person;
2. checks the replay reproduces the parent's events, and picks the last step boundary at or
   before SEQ (a point where no turn is half-asked: before a stage's turns are sent out, or
   before the mediator's step) — events before it are the prefix;
3. forks LangGraph from that checkpoint with a graph built for the new settings (mediator,
   delegate backends, concession styles, seed) and runs it to the end;
4. writes a run folder whose manifest names the parent, the branch point and the changes,
   and keeps the parent's outcome, so `treatylab view` can show both side by side.

A branch whose new seats need an LLM it cannot reach fails as any run does: status failed,
exit 4, the prefix kept.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from pathlib import Path
from typing import Any

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.types import Command

from treatylab import outputs
from treatylab.agents.backends.failures import InfrastructureFailure
from treatylab.agents.transcript import MEDIATOR, dumps_jsonl, events_from_dicts
from treatylab.backends import close_backends, make_backends
from treatylab.branch_script import ScriptedBackend, recorded_turns
from treatylab.errors import UserError
from treatylab.graphs import RunConfig, build_graph, recursion_limit
from treatylab.replay import load_recorded
from treatylab.scenarios import Scenario

STYLES = ("boulware", "linear", "conceder")
THREAD = "branch"


def _parse_pairs(items: list[str], flag: str, example: str) -> dict[str, str]:
    out = {}
    for item in items:
        party, sep, value = item.partition("=")
        if not sep or not party or not value:
            raise UserError(f"{flag} '{item}': expected PARTY=VALUE, e.g. {example}")
        out[party] = value
    return out


def with_styles(scenario: Scenario, styles: dict[str, str]) -> Scenario:
    unknown = sorted(set(styles) - set(scenario.party_ids()))
    if unknown:
        raise UserError(f"--style names unknown party {unknown}; parties are {scenario.party_ids()}")
    bad = sorted(s for s in styles.values() if s not in STYLES)
    if bad:
        raise UserError(f"--style {bad[0]}: unknown concession style; choose one of {list(STYLES)}")
    if not styles:
        return scenario
    data = scenario.model_dump(mode="python")
    for party in data["parties"]:
        party["style"] = styles.get(party["id"], party["style"])
    return type(scenario).model_validate(data)


def branch_config(parent: RunConfig, *, mediator: str | None, delegates: dict[str, str],
                  mediator_backend: str | None, seed: int | None, base_url: str | None) -> RunConfig:
    from treatylab.agents import mediators

    if mediator is not None and mediator not in mediators.available():
        raise UserError(f"--mediator '{mediator}': unknown strategy; choose one of {mediators.available()}")
    update: dict[str, Any] = {"delegates": {**parent.delegates, **delegates}}
    for key, value in (("mediator", mediator), ("mediator_backend", mediator_backend),
                       ("seed", seed), ("base_url", base_url)):
        if value is not None:
            update[key] = value
    try:
        return RunConfig.model_validate({**parent.model_dump(), **update})
    except ValueError as exc:
        raise UserError(f"branch settings: {exc}".splitlines()[0]) from None


def _changes(parent: RunConfig, config: RunConfig, styles: dict[str, str]) -> dict[str, Any]:
    changed = {k: v for k, v in config.model_dump().items() if parent.model_dump().get(k) != v}
    if styles:
        changed["styles"] = styles
    return changed


def _changes_text(changes: dict[str, Any]) -> str:
    parts = []
    for key, value in changes.items():
        if isinstance(value, dict):
            value = ", ".join(f"{k}={v}" for k, v in value.items())
        parts.append(f"{key.replace('_', ' ')} {value}")
    return "; ".join(parts) or "nothing changed"


def _fork_point(history: list[Any], at: int) -> tuple[Any, int]:
    """The oldest checkpoint with the most events <= `at` whose next steps send no turn."""
    best = None
    for snapshot in history:  # newest first
        n = len(snapshot.values.get("events") or [])
        names = [task.name for task in snapshot.tasks]
        if n > at or not names or any(name.endswith(("_turn", "_human")) for name in names):
            continue
        if best is None or n >= best[1]:
            best = (snapshot, n)
    if best is None:
        raise UserError(f"--at {at}: no branch point at or before that event; give a later seq")
    return best


async def _replay_parent(scenario: Scenario, config: RunConfig, events: list[Any],
                         saver: InMemorySaver) -> Any:
    turns = recorded_turns(events)
    actors = {p: ScriptedBackend(p, turns) for p in scenario.party_ids()}
    actors[MEDIATOR] = ScriptedBackend(MEDIATOR, turns)
    graph = build_graph(scenario, config, actors, checkpointer=saver)
    run = {"configurable": {"thread_id": THREAD}, "recursion_limit": recursion_limit(scenario)}
    async for _ in graph.astream({"events": []}, run, stream_mode="values"):
        pass
    return graph


async def _continue(graph: Any, fork: Any, scenario: Scenario, answer: Any) -> dict[str, Any]:
    run = {"configurable": dict(fork.config["configurable"]), "recursion_limit": recursion_limit(scenario)}
    latest: dict[str, Any] = dict(fork.values)
    start: Any = None
    while True:
        async for values in graph.astream(start, run, stream_mode="values"):
            latest = dict(values)
        run = {"configurable": {"thread_id": THREAD}, "recursion_limit": recursion_limit(scenario)}
        pending = (await graph.aget_state(run)).interrupts
        if not pending:
            return latest
        if answer is None:
            raise UserError("a human seat is waiting but no one answers for it")
        start = Command(resume={item.id: answer(item.value) for item in pending})


async def _branch(parent_dir: Path, at: int, scenario: Scenario, branch_scenario: Scenario,
                  parent_config: RunConfig, config: RunConfig, parent_events: list[Any],
                  answer: Any, latest: dict[str, Any]) -> tuple[dict[str, Any], int, Any]:
    from treatylab.graphs.turns import checkpoint_serde

    saver = InMemorySaver(serde=checkpoint_serde())
    graph = await _replay_parent(scenario, parent_config, parent_events, saver)
    run = {"configurable": {"thread_id": THREAD}}
    replayed = events_from_dicts((await graph.aget_state(run)).values.get("events") or [])
    history = [s async for s in graph.aget_state_history(run)]
    fork, boundary = _fork_point(history, at)
    if dumps_jsonl(replayed[:boundary]) != dumps_jsonl(parent_events[:boundary]):
        first = next(i for i, (a, b) in enumerate(zip(replayed, parent_events)) if a != b)
        raise UserError(f"{parent_dir}: the recorded run no longer replays as recorded (first "
                        f"difference at seq {first}); the protocol changed since it was made")
    latest.update(fork.values)
    backends = make_backends(branch_scenario, config)
    try:
        new_graph = build_graph(branch_scenario, config, backends, checkpointer=saver)
        state = await _continue(new_graph, fork, branch_scenario, answer)
    finally:
        await close_backends(backends)
    return state, boundary, fork


def branch_run(parent_dir: Path, *, at: int, out_dir: Path | None = None, mediator: str | None = None,
               delegate: list[str] = (), style: list[str] = (), seed: int | None = None,
               mediator_backend: str | None = None, base_url: str | None = None,
               overwrite: bool = False, answer_human: Any = None) -> tuple[Path, dict[str, Any], dict[str, Any]]:
    """Branch `parent_dir` at event `at`; returns (branch folder, result, manifest).

    Raises:
        UserError: not a run folder, bad settings, or a parent that no longer replays.
    """
    started = time.perf_counter()
    parent_dir = Path(parent_dir)
    parent_events, parent_result, parent_manifest, scenario, parent_config = load_recorded(parent_dir)
    last = parent_events[-1].seq if parent_events else -1
    if not 0 <= at <= last:
        raise UserError(f"--at {at}: the parent's events are 0..{last}; give a seq in that range")
    styles = _parse_pairs(list(style), "--style", "borealis=conceder")
    config = branch_config(parent_config, mediator=mediator, seed=seed, base_url=base_url,
                           delegates=_parse_pairs(list(delegate), "--delegate", "aurelia=heuristic"),
                           mediator_backend=mediator_backend)
    branch_scenario = with_styles(scenario, styles)
    changes = _changes(parent_config, config, styles)
    run_id = f"{parent_result.get('run_id') or parent_dir.name}-branch-{at}"
    out_dir = Path(out_dir or Path("runs") / run_id)
    outputs.prepare_out_dir(out_dir, overwrite=overwrite, identity=None)
    latest: dict[str, Any] = {}
    failure = None
    cassette = out_dir / outputs.CASSETTE
    session: Any = contextlib.nullcontext()
    if config.uses_llm():
        from treatylab.cassettes import cassette_session

        session = cassette_session(cassette, "record")
    boundary = at
    try:
        with session:
            state, boundary, _ = asyncio.run(_branch(parent_dir, at, scenario, branch_scenario,
                                                     parent_config, config, parent_events,
                                                     answer_human, latest))
    except InfrastructureFailure as exc:
        failure, state = exc.record, dict(latest)
        boundary = len(latest.get("events") or [])
    events = events_from_dicts(state.get("events") or [])
    if failure is None:
        result = outputs.result_document(branch_scenario, config, run_id, state.get("scores") or {})
    else:
        from treatylab.evals.scorecard import process_stats

        result = outputs.result_document(branch_scenario, config, run_id, {}, failure=failure,
                                         process=process_stats(events).model_dump(mode="json"))
    extra = {"branch": {
        "parent": str(parent_dir), "parent_run_id": parent_result.get("run_id"),
        "requested_at": at, "at": boundary, "changes": changes, "changes_text": _changes_text(changes),
        "parent_config": parent_config.model_dump(mode="json"),
        "parent_result": {k: parent_result.get(k) for k in ("outcome", "package", "rounds", "status")}
        | {"scores": {k: (parent_result.get("scores") or {}).get(k)
                      for k in ("payoffs", "nash_ratio", "burden_equity", "trust")}},
        "prefix": "replayed from the parent's transcript; no model was called for it",
    }}
    if cassette.exists():
        extra["cassette"] = {"file": outputs.CASSETTE, "record_mode": "record"}
    manifest = outputs.manifest_document(branch_scenario, config, run_id,
                                         parent_manifest["scenario"].get("ref", ""), extra, events=events)
    outputs.write_run(out_dir, events, result, manifest, wall_s=time.perf_counter() - started)
    # The prefix is the parent's: its lines verbatim (a recording made before a format change
    # keeps its bytes), then the branch's own events.
    raw = (parent_dir / outputs.TRANSCRIPT).read_text(encoding="utf-8").splitlines(keepends=True)
    outputs.atomic_write(out_dir / outputs.TRANSCRIPT,
                         "".join(raw[:boundary]) + dumps_jsonl(events[boundary:]))
    outputs.atomic_write(out_dir / outputs.RESULT, outputs.dumps_json(result))
    return out_dir, result, manifest
