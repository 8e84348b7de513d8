"""LLM episodes spread over worker processes, many episodes in flight in each.

An LLM episode mostly waits on the network, but every call also costs the client some
milliseconds of Python (prompt rendering, the SDK's request and response handling, views,
validation). One event loop holds one CPU at most, so against a fast endpoint a single
process caps a sweep at roughly one episode per CPU-second of client work, whatever the
concurrency. Shards lift that cap: `workers` spawned processes each run an event loop with
their share of the `--concurrency` slots (32 over 2 processes: 16 each), pulling episodes
from one shared queue (so a slow shard never holds episodes another could run) and sending a
report back for each finished episode, which the sweep process turns into progress.

Workers are forked from a warm forkserver where the platform has one, and each exits, writing
nothing further, as soon as the sweep process dies (see `treatylab.sweep.workers`).
"""

from __future__ import annotations

import asyncio
import queue
from collections.abc import Callable
from typing import Any

from treatylab.sweep.episode import EpisodeReport, init_worker, run_payload
from treatylab.sweep.workers import WorkerOrigin, worker_context, worker_pool

_work: Any = None
_reports: Any = None


def _init_shard(origin: WorkerOrigin, work: Any, reports: Any) -> None:
    global _work, _reports
    _work, _reports = work, reports
    init_worker(origin)


async def _consume() -> None:
    loop = asyncio.get_running_loop()
    while True:
        payload = await loop.run_in_executor(None, _work.get)
        if payload is None:
            return
        report = await run_payload(payload)
        _reports.put(report)


def run_shard(slots: int) -> int:
    """Worker entry: run episodes from the shared queue, `slots` at a time, until it is empty."""

    async def main() -> None:
        loop = asyncio.get_running_loop()
        loop.set_default_executor(_thread_pool(slots))
        await asyncio.gather(*(_consume() for _ in range(slots)))

    asyncio.run(main())
    return slots


def _thread_pool(slots: int) -> Any:
    from concurrent.futures import ThreadPoolExecutor

    return ThreadPoolExecutor(max_workers=slots + 2, thread_name_prefix="shard-queue")


def split(concurrency: int, workers: int) -> list[int]:
    """Slots per worker, as even as possible, every worker at least one."""
    return [concurrency // workers + (1 if i < concurrency % workers else 0) for i in range(workers)]


async def run_sharded(payloads: list[dict[str, Any]], concurrency: int, workers: int,
                      on_report: Callable[[EpisodeReport], None]) -> None:
    """Run `payloads` over `workers` processes with `concurrency` slots in total."""
    context = worker_context()
    work, reports = context.Queue(), context.Queue()
    slots = split(concurrency, workers)
    for payload in payloads:
        work.put(payload)
    for _ in range(sum(slots)):
        work.put(None)  # one stop mark per consumer
    loop = asyncio.get_running_loop()
    with worker_pool(context, workers, _init_shard, work, reports) as pool:
        shards = [loop.run_in_executor(pool, run_shard, n) for n in slots]
        received = 0
        try:
            while received < len(payloads):
                report = await loop.run_in_executor(None, _get, reports, 0.25)
                if report is not None:
                    received += 1
                    on_report(EpisodeReport.model_validate(report))
                elif all(s.done() for s in shards):
                    for s in shards:
                        s.result()  # a crashed worker raises here
                    break
            await asyncio.gather(*shards)
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise


def _get(source: Any, timeout: float) -> dict[str, Any] | None:
    try:
        return source.get(timeout=timeout)
    except queue.Empty:
        return None

