"""How close an LLM episode comes to its critical path, against the simulator with latency.

Method: start the simulator in process with `--latency-ms` (200 by default) and no faults, put
every seat (delegates and mediator) on it, and run the flagship episode. The critical path is
the number of sequential LLM-call layers times the latency: a layer is one step of the graph
(a stage's fan-out of parallel delegate turns, or one mediator or drafter turn), and its depth
is the largest number of calls any actor made in it (more than 1 only with retries or repairs).
Perfect parallelism gives wall / critical path = 1.0; everything above is overhead (SDK,
graph, policy compute, HTTP). Target: <= 1.2.

    python benchmarks/critical_path.py [--latency-ms 200] [--mediator formulative] [--seed 7]
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections import defaultdict

from agents.transcript import MEDIATOR, Event
from graphs import RunConfig
from scenarios import load
from treatylab.runner import run_episode
from treatylab.simulator import MODEL_ID, start_simulator


def call_layers(events: list[Event]) -> int:
    """Sequential LLM-call layers: per graph step, the most calls one actor made in it.

    Steps are told apart by (stage, round, mediator-or-delegates); with a mediator, each
    such group is one step of the graph (the drafter is the mediator).
    """
    calls: dict[tuple[str, int, bool], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for event in events:
        if event.kind == "usage":
            calls[(event.stage, event.round, event.actor == MEDIATOR)][event.actor] += 1
    return sum(max(per_actor.values()) for per_actor in calls.values())


def measure(latency_ms: float, mediator: str, seed: int) -> dict[str, float]:
    scenario = load("northern-shield")
    spec = f"openai:{MODEL_ID}"
    with start_simulator(latency_ms=latency_ms) as sim:
        config = RunConfig(mediator=mediator, seed=seed, base_url=sim.base_url,
                           default_backend=spec, mediator_backend=spec)
        started = time.perf_counter()
        run = asyncio.run(run_episode(scenario, config))
        wall = time.perf_counter() - started
        requests = sim.stats["requests"]
    layers = call_layers(run.events)
    critical = layers * latency_ms / 1000.0
    return {"wall_s": wall, "layers": layers, "requests": requests,
            "critical_s": critical, "ratio": wall / critical if critical else float("nan")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency-ms", type=float, default=200.0)
    parser.add_argument("--mediator", default="formulative")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    figures = measure(args.latency_ms, args.mediator, args.seed)
    print(f"flagship episode, every seat on the simulator ({args.mediator}, seed {args.seed}), "
          f"latency {args.latency_ms:g} ms")
    print(f"  LLM requests: {figures['requests']:.0f} in {figures['layers']:.0f} sequential layers")
    print(f"  critical path: {figures['critical_s']:.2f} s; wall time: {figures['wall_s']:.2f} s")
    print(f"  wall / critical path = {figures['ratio']:.3f} (target <= 1.2)")


if __name__ == "__main__":
    main()
