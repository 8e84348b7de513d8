"""Wall time and peak memory of one heuristic episode of the flagship, in process.

Method: build the graph and run the episode N times in one process (the first run, which pays
for imports and caches, is reported apart); report median and max wall time, the peak Python
allocation of one episode measured with tracemalloc, and the process's peak RSS. Target: under
1 s per episode. Then the evaluator on the flagship, median of 20 calls after a warm-up: the
outcome-space pass alone (`OutcomeSpace.build`, Pareto frontier, solution points,
individual-rationality and zone masks) and `evaluate(scenario, transcript)` on the last
episode's transcript, which builds the outcome space afresh on every call. Target: under 50 ms.

    python benchmarks/episode.py [--repeats 10] [--mediator formulative]
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import statistics
import time
import tracemalloc

from treatylab.evals import OutcomeSpace, evaluate
from treatylab.graphs import RunConfig
from treatylab.scenarios import load
from treatylab.runner import run_episode


def one(scenario, mediator: str, seed: int) -> float:
    start = time.perf_counter()
    asyncio.run(run_episode(scenario, RunConfig(mediator=mediator, seed=seed)))
    return time.perf_counter() - start


def outcome_space_pass(scenario) -> None:
    space = OutcomeSpace.build(scenario)
    space.pareto_mask()
    space.solution_indices()
    space.individually_rational()
    space.zone_of_agreement()


def median_ms(fn, repeats: int = 20) -> float:
    fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


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
    rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB
    events = asyncio.run(run_episode(scenario, RunConfig(mediator=args.mediator, seed=1))).events
    space_ms = median_ms(lambda: outcome_space_pass(scenario))
    evaluate_ms = median_ms(lambda: evaluate(scenario, events))
    print(f"flagship heuristic episode ({args.mediator}), {args.repeats} runs")
    print(f"  first run (imports, caches): {first * 1000:.0f} ms")
    print(f"  median wall time: {statistics.median(times) * 1000:.0f} ms "
          f"(max {max(times) * 1000:.0f} ms); target < 1000 ms -> ratio "
          f"{statistics.median(times) / 1.0:.2f} of target")
    print(f"  peak Python allocation in one episode: {peak / 2**20:.1f} MiB; "
          f"process peak RSS {rss_mib:.0f} MiB")
    print(f"evaluator on the flagship ({len(events)} events), median of 20; target < 50 ms")
    print(f"  outcome-space pass: {space_ms:.1f} ms")
    print(f"  evaluate(scenario, transcript): {evaluate_ms:.1f} ms")


if __name__ == "__main__":
    main()
