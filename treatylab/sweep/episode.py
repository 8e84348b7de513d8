"""Run one planned episode into its folder; never let its failure stop the sweep.

The same coroutine serves the in-process path (LLM episodes on the event loop) and the
process-pool path (heuristic episodes, and episodes with their own cassette: vcrpy patches the
HTTP layer process-wide, so one process may record only one cassette at a time). Files are
written only after the episode has finished in memory, atomically, `result.json` last; a
worker whose sweep process died (SIGKILL) writes nothing and exits (`treatylab.sweep.workers`).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from treatylab.agents.transcript import UsageEvent
from treatylab.scenarios import load
from treatylab.scenarios.schema import Scenario
from treatylab import outputs
from treatylab.sweep.plan import PlannedEpisode
from treatylab.sweep.store import episode_dir, prepare_rerun, write_failure
from treatylab.sweep.workers import WorkerOrigin, adopt, sweep_alive, warm_process
from treatylab.budget import held_back
from treatylab.prices import PriceTable

_scenarios: dict[str, Scenario] = {}


class EpisodeReport(BaseModel):
    """What the progress display needs to know about one finished episode."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    episode_id: str
    status: Literal["done", "failed", "budget", "held"]
    """budget: stopped by its own cap; held: not started, the sweep's budget was reached."""
    tokens: int = 0
    calls: int = 0
    cost_usd: float | None = 0.0
    wall_s: float = 0.0
    reason: str | None = None


class Orphaned(RuntimeError):
    """The sweep process that started this worker is gone: write nothing."""


def cassette_path(cassette_dir: Path | None, episode: PlannedEpisode) -> Path | None:
    if cassette_dir is None or not episode.uses_llm:
        return None
    return cassette_dir / f"{episode.episode_id}.yaml"


@contextlib.contextmanager
def _cassette(path: Path | None, mode: str) -> Iterator[None]:
    """Record into a temporary copy and rename it when the episode ends: never half a cassette."""
    if path is None or mode == "off":
        yield
        return
    from treatylab.agents.backends.clients import offline_credentials
    from treatylab.cassettes import cassette_session

    if mode == "replay":
        with offline_credentials(), cassette_session(path, "replay"):
            yield
        return
    staging = path.with_name(f".{path.name}.partial")
    staging.parent.mkdir(parents=True, exist_ok=True)
    staging.unlink(missing_ok=True)
    if path.exists():  # new_episodes: what is recorded replays, what is new is added
        shutil.copyfile(path, staging)
    try:
        with cassette_session(staging, "record"):
            yield
        if staging.exists():
            os.replace(staging, path)
    finally:
        staging.unlink(missing_ok=True)


def _check_parent() -> None:
    if not sweep_alive():
        raise Orphaned("the sweep process exited")


async def run_planned(episode: PlannedEpisode, scenario: Scenario, out: Path, sweep: str,
                      cassette: Path | None = None, record_mode: str = "record",
                      prices: PriceTable | None = None) -> EpisodeReport:
    """Run `episode`, write its folder (or failure.json) and report; never raises for an episode.

    Held back (nothing runs, nothing is written) once the sweep's budget is reached: every
    executor starts episodes through here, so the stop file holds them all (treatylab.budget).
    """
    from treatylab.gc_tuning import freeze_once
    from treatylab.runner import run_episode

    held = held_back(out)
    if held is not None:
        return EpisodeReport(episode_id=episode.episode_id, status="held", reason=held)
    folder = episode_dir(out, episode.episode_id)
    prepare_rerun(folder)
    started = time.perf_counter()
    try:
        with _cassette(cassette, record_mode):
            run = await run_episode(scenario, episode.config, scenario_ref=episode.scenario_ref,
                                    prices=prices)
        if run.result.get("status") == "failed":  # the endpoint failed: a failed row, re-run on resume
            from treatylab.agents.backends.failures import FailureRecord, InfrastructureFailure

            raise InfrastructureFailure(FailureRecord.model_validate(run.result["failure"]))
        wall = time.perf_counter() - started
        freeze_once()  # after the first episode: imports and per-process caches are warm
        _check_parent()
        extra: dict[str, Any] = {"episode_id": episode.episode_id, "name": sweep,
                                 "delegates": episode.delegates, "wall_s": round(wall, 4)}
        if cassette is not None:
            extra["cassette"] = {"file": str(cassette), "record_mode": record_mode}
        outputs.write_run(folder, run.events, run.result, {**run.manifest, "sweep": extra})
        usage = [e.payload for e in run.events if isinstance(e, UsageEvent)]
        tokens = sum(u.prompt_tokens + u.completion_tokens for u in usage)
        status = "budget" if run.result.get("status") == "budget" else "done"
        return EpisodeReport(episode_id=episode.episode_id, status=status, tokens=tokens,
                             calls=len(usage), cost_usd=run.result.get("cost_usd"), wall_s=wall)
    except Orphaned:
        raise
    except Exception as exc:  # noqa: BLE001 - an episode's failure is data, not a crash
        _check_parent()
        failure = write_failure(folder, episode.episode_id, exc)
        return EpisodeReport(episode_id=episode.episode_id, status="failed", reason=failure["reason"],
                             wall_s=time.perf_counter() - started)


# -- process-pool side ------------------------------------------------------------------------
def init_worker(origin: WorkerOrigin) -> None:
    """Pool initializer: take the sweep's environment, exit as soon as the sweep is gone.

    SIGKILL leaves orphans otherwise (see `treatylab.sweep.workers`). A forked worker is warm
    already (the forkserver ran `warm_process`); for a spawned one this is its start-up.
    """
    adopt(origin)
    warm_process()


async def run_payload(payload: dict[str, Any]) -> dict[str, Any]:
    """Run one episode described as JSON (a PlannedEpisode and where to write it); JSON back."""
    episode = PlannedEpisode.model_validate(payload["episode"])
    scenario = _scenarios.get(episode.scenario_file)
    if scenario is None:
        scenario = _scenarios[episode.scenario_file] = load(episode.scenario_file)
    cassette = Path(payload["cassette"]) if payload.get("cassette") else None
    prices = PriceTable.model_validate(payload["prices"]) if payload.get("prices") else None
    report = await run_planned(episode, scenario, Path(payload["out"]), payload["sweep"], cassette,
                               payload.get("record_mode", "record"), prices)
    return report.model_dump(mode="json")


def run_in_worker(payload: dict[str, Any]) -> dict[str, Any]:
    """Process-pool entry for one episode at a time (heuristic, or with its own cassette)."""
    return asyncio.run(run_payload(payload))
