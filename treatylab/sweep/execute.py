"""Run a sweep: plan, skip what is finished, run the rest concurrently, rebuild the table.

Concurrency follows what an episode waits on:
- heuristic episodes are CPU-bound Python (asyncio would interleave, not overlap them): they
  run in a process pool of min(concurrency, workers) processes, one episode per process at a
  time (`workers` defaults to the number of CPUs).
  Episodes with a cassette run there too, because vcrpy patches HTTP process-wide;
- LLM episodes mostly wait on the network: `concurrency` of them are in flight at once,
  spread over min(workers, concurrency) processes that each run an event loop with its share
  of the slots (see `shards`): the client's own work per call (views, prompts, the SDK) would
  otherwise cap a single loop at one CPU against a fast endpoint.
With `concurrency` 1 or `workers` 1 everything runs in this process (LLM episodes as asyncio
tasks under a semaphore).

Whatever happens to an episode, the sweep goes on; `results.parquet` is rebuilt from the
episode folders at the end (also after Ctrl-C), so it always matches what is on disk.

A spec's `budget:` counts the spend of every finished episode (those of earlier runs too);
once reached, no episode starts (see treatylab.budget: in-flight ones finish) and the held
ones stay pending, to run when the budget is raised.
"""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

from pydantic import BaseModel, ConfigDict
from rich.console import Console

from treatylab.scenarios.schema import Scenario
from treatylab import outputs
from treatylab.sweep.episode import EpisodeReport, cassette_path, init_worker, run_in_worker, run_planned
from treatylab.sweep.plan import PlannedEpisode, expand
from treatylab.sweep.progress import SweepProgress
from treatylab.sweep.shards import run_sharded
from treatylab.sweep.spec import SweepSpec, load_spec
from treatylab.agents.backends.clients import scrub_text
from treatylab.sweep.store import RESULTS, SPEC_COPY, episode_dir, is_finished, sweep_lock
from treatylab.sweep.table import write_results
from treatylab.sweep.workers import worker_context, worker_pool
from treatylab.budget import SweepBudget, check_priced
from treatylab.prices import PriceTable, default_prices

DEFAULT_LLM_CONCURRENCY = 8


def _clear_changed(out: Path, episodes: list, scenarios: dict[str, Scenario]) -> int:
    """Unmark finished episodes whose recorded identity differs from the spec's: they run again."""
    import json

    from treatylab.identity import identity_of

    count = 0
    for episode in episodes:
        folder = episode_dir(out, episode.episode_id)
        if not is_finished(folder):
            continue
        try:
            recorded = (json.loads((folder / outputs.MANIFEST).read_text(encoding="utf-8"))
                        .get("identity") or {}).get("sha256")
        except (OSError, ValueError):
            recorded = None
        if recorded != identity_of(scenarios[episode.scenario], episode.config).sha256:
            (folder / outputs.RESULT).unlink()
            count += 1
    return count


class SweepSummary(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    out: Path
    total: int
    skipped: int
    done: int
    failed: int
    wall_s: float
    results: Path
    held: int = 0
    """Not started: the sweep's budget was reached (`budget_reason` says how)."""
    changed: int = 0
    """Finished before, under a config (identity hash) the spec no longer gives: run again."""
    stopped: int = 0
    """Finished with status budget: their own per-episode cap stopped them."""
    tokens: int = 0
    cost_usd: float = 0.0
    budget_reason: str | None = None


def default_out(spec: SweepSpec) -> Path:
    return Path("runs") / spec.name


def default_concurrency(episodes: list[PlannedEpisode]) -> int:
    if any(e.uses_llm for e in episodes):
        return DEFAULT_LLM_CONCURRENCY
    return os.cpu_count() or 1


class _Runner:
    """Schedules the episodes left to run; reports each to the progress bar as it finishes."""

    def __init__(self, spec: SweepSpec, scenarios: dict[str, Scenario], out: Path, concurrency: int,
                 workers: int | None, cassette_dir: Path | None, record_mode: str,
                 progress: SweepProgress, prices: PriceTable | None = None) -> None:
        self.spec, self.scenarios, self.out = spec, scenarios, out
        self.concurrency = concurrency
        self.workers = workers or os.cpu_count() or 1
        self.llm_workers = self.workers
        self.cassette_dir, self.record_mode = cassette_dir, record_mode
        self.progress = progress
        self.prices = prices
        self.executor, self.ray_address, self.workers_given = "local", None, workers

    def _split(self, todo: list[PlannedEpisode]) -> tuple[list[PlannedEpisode], ...]:
        """(run in this process, run in the one-episode pool, run in LLM shards)."""
        if self.concurrency <= 1 or self.workers <= 1:
            return todo, [], []
        pooled = [e for e in todo if not e.uses_llm or cassette_path(self.cassette_dir, e)]
        pooled = pooled if len(pooled) > 1 else []
        taken = {e.episode_id for e in pooled}
        llm = [e for e in todo if e.uses_llm and e.episode_id not in taken]
        sharded = llm if len(llm) > 1 and self.llm_workers > 1 else []
        taken |= {e.episode_id for e in sharded}
        return [e for e in todo if e.episode_id not in taken], pooled, sharded

    async def run(self, todo: list[PlannedEpisode]) -> None:
        if self.executor == "ray":
            from treatylab.sweep.ray_executor import run_on_ray

            await run_on_ray([self._payload(e) for e in todo], self.ray_address, self.workers_given,
                             self.progress.update)
            return
        local, pooled, sharded = self._split(todo)
        jobs = [self._local(local)]
        if pooled:
            jobs.append(self._pool(pooled))
        if sharded:
            workers = min(self.llm_workers, self.concurrency, len(sharded))
            jobs.append(run_sharded([self._payload(e) for e in sharded], self.concurrency, workers,
                                    self.progress.update))
        await asyncio.gather(*jobs)

    async def _local(self, episodes: list[PlannedEpisode]) -> None:
        # Cassettes patch HTTP process-wide: recorded episodes in this process go one at a time.
        recorded = any(cassette_path(self.cassette_dir, e) for e in episodes)
        limit = asyncio.Semaphore(1 if recorded else max(1, self.concurrency))

        async def one(episode: PlannedEpisode) -> None:
            async with limit:
                report = await run_planned(episode, self.scenarios[episode.scenario], self.out,
                                           self.spec.name, cassette_path(self.cassette_dir, episode),
                                           self.record_mode, self.prices)
            self.progress.update(report)

        await asyncio.gather(*(one(e) for e in episodes))

    async def _pool(self, episodes: list[PlannedEpisode]) -> None:
        # One episode per process: recording processes mostly wait, so allow twice as many.
        most = self.workers if not self.cassette_dir else 2 * self.workers
        workers = min(self.concurrency, len(episodes), most)
        loop = asyncio.get_running_loop()
        with worker_pool(worker_context(), workers, init_worker) as pool:
            futures = [loop.run_in_executor(pool, run_in_worker, self._payload(e)) for e in episodes]
            try:
                for future in asyncio.as_completed(futures):
                    self.progress.update(EpisodeReport.model_validate(await future))
            except BaseException:
                pool.shutdown(wait=False, cancel_futures=True)
                raise

    def _payload(self, episode: PlannedEpisode) -> dict[str, object]:
        cassette = cassette_path(self.cassette_dir, episode)
        return {"episode": episode.model_dump(mode="json"), "out": str(self.out), "sweep": self.spec.name,
                "cassette": str(cassette) if cassette else None, "record_mode": self.record_mode,
                "prices": self.prices.model_dump(mode="json") if self.prices else None}


async def run_sweep(spec_path: Path, *, out: Path | None = None, concurrency: int | None = None,
                    workers: int | None = None,
                    cassette_dir: Path | None = None, record_mode: str = "record",
                    console: Console | None = None, show_progress: bool = True,
                    prices: PriceTable | None = None, executor: str = "local",
                    ray_address: str | None = None) -> SweepSummary:
    """Run (or resume) the sweep `spec_path` describes and write `results.parquet`.

    `executor` "ray" runs the episodes as Ray tasks (treatylab.sweep.ray_executor), on the
    cluster at `ray_address` or on a local one; the folder and the table are the same.

    Raises:
        UserError: a bad spec, another sweep holding the output folder, or a cost cap or
            budget on a model without a price.
    """
    spec = load_spec(spec_path)
    episodes, scenarios = expand(spec, spec_path)
    table = prices or default_prices()
    check_sweep_prices(spec, episodes, table)
    out = out or default_out(spec)
    started = time.perf_counter()
    with sweep_lock(out):
        outputs.atomic_write(out / SPEC_COPY, scrub_text(spec_path.read_text(encoding="utf-8")))  # no URL key
        changed = _clear_changed(out, episodes, scenarios)
        todo = [e for e in episodes if not is_finished(episode_dir(out, e.episode_id))]
        skipped = len(episodes) - len(todo)
        limit = concurrency or default_concurrency(todo)
        pending = {e.episode_id for e in todo}
        spend = sweep_budget(spec, out, [e for e in episodes if e.episode_id not in pending])
        with SweepProgress(spec.name, len(episodes), skipped, console, show_progress, spend) as progress:
            runner = _Runner(spec, scenarios, out, limit, workers, cassette_dir, record_mode, progress,
                             table)
            runner.executor, runner.ray_address = executor, ray_address
            try:
                await runner.run(todo)
            finally:
                write_results(out, episodes, spec.name)
    return SweepSummary(name=spec.name, out=out, total=len(episodes), skipped=skipped, changed=changed,
                        done=progress.done, failed=progress.failed,
                        wall_s=time.perf_counter() - started, results=out / RESULTS,
                        held=progress.held, stopped=progress.stopped, tokens=progress.tokens,
                        cost_usd=round(progress.cost, 6),
                        budget_reason=spend.reached() if spend is not None else None)


def check_sweep_prices(spec: SweepSpec, episodes: list[PlannedEpisode], prices: PriceTable) -> None:
    """Cost caps and cost budgets need a price for every model, checked before anything runs.

    Raises:
        UserError: naming the first model without a price.
    """
    seen: set[str] = set()
    for episode in episodes:
        if episode.model in seen or not episode.uses_llm:
            continue
        seen.add(episode.model)
        check_priced(episode.config, prices)
        if spec.budget is not None and spec.budget.max_cost is not None:
            check_priced(episode.config.model_copy(update={"max_cost": spec.budget.max_cost}), prices)


def sweep_budget(spec: SweepSpec, out: Path, finished: list[PlannedEpisode]) -> SweepBudget | None:
    """The spec's budget with the spend of the episodes already finished in `out` counted."""
    if spec.budget is None:
        return None
    budget = SweepBudget(spec.budget, out)
    for episode in finished:
        result = read_result(episode_dir(out, episode.episode_id))
        process = result.get("process") or {}
        budget.add(int(process.get("llm_calls") or 0), int(process.get("total_tokens") or 0),
                   result.get("cost_usd"))
    return budget


def read_result(folder: Path) -> dict:
    import json

    try:
        return json.loads((folder / outputs.RESULT).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
