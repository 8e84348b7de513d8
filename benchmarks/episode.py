"""Wall time and peak memory of one heuristic episode of the flagship, in process.

Method: build the graph and run the episode N times in one process (the first run, which pays
for imports and caches, is reported apart); report median and max wall time, and the peak
Python allocation of one episode measured with tracemalloc. Target: under 1 s per episode.

    python benchmarks/episode.py [--repeats 10] [--mediator formulative]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
import tracemalloc

from graphs import RunConfig
from scenarios import load
from treatylab.runner import run_episode


def one(scenario, mediator: str, seed: int) -> float:
    start = time.perf_counter()
    asyncio.run(run_episode(scenario, RunConfig(mediator=mediator, seed=seed)))
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--mediator", default="formulative")
    args = parser.parse_args()
    scenario = load("northern-shield")
    first = one(scenario, args.mediator, 0)
    times = [one(scenario, args.mediator, seed) for seed in range(1, args.repeats + 1)]
    tracemalloc.start()
    one(scenario, args.mediator, 99)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"flagship heuristic episode ({args.mediator}), {args.repeats} runs")
    print(f"  first run (imports, caches): {first * 1000:.0f} ms")
    print(f"  median wall time: {statistics.median(times) * 1000:.0f} ms "
          f"(max {max(times) * 1000:.0f} ms); target < 1000 ms -> ratio "
          f"{statistics.median(times) / 1.0:.2f} of target")
    print(f"  peak Python allocation in one episode: {peak / 2**20:.1f} MiB")


if __name__ == "__main__":
    main()
