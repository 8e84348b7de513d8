"""How close an LLM episode comes to its critical path, against the simulator with latency.

Method: start `treatylab simulate --latency-ms 200` in its own process, no faults; put every
seat (delegates and mediator) on it and run the flagship episode, a first time to warm up
(imports, connections), then for N seeds. The critical path is
the number of sequential LLM-call layers times the latency: a layer is one step of the graph
(a stage's fan-out of parallel delegate turns, or one mediator or drafter turn), and its depth
is the largest number of calls any actor made in it (more than 1 only with retries or repairs).
Perfect parallelism gives wall / critical path = 1.0; everything above is overhead (SDK,
graph, policy compute, HTTP). After the warm-up episode the process freezes its start-up
objects out of the garbage collector, as `treatylab run` and sweep workers do
(treatylab/gc_tuning.py). Target (issue 16): <= 1.06.

    python benchmarks/critical_path.py [--latency-ms 200] [--mediator formulative] [--seeds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections import defaultdict
from collections.abc import Iterator

from treatylab.agents.transcript import MEDIATOR, Event
from treatylab.gc_tuning import freeze_once
from treatylab.graphs import RunConfig
from treatylab.scenarios import load
from treatylab.runner import run_episode
from treatylab.simulator import MODEL_ID


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


@contextlib.contextmanager
def simulator_process(latency_ms: float) -> Iterator[str]:
    """`treatylab simulate` in its own process (a real endpoint is another machine: its
    compute must not share the client's interpreter lock); yields the base URL."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-c", "from treatylab.cli import main; main()", "simulate",
         "--port", str(port), "--latency-ms", str(latency_ms)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base_url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("the simulator did not start") from None
                time.sleep(0.1)
        yield base_url
    finally:
        process.terminate()
        process.wait(timeout=10)


def measure(base_url: str, latency_ms: float, mediator: str, seed: int) -> dict[str, float]:
    scenario = load("northern-shield")
    spec = f"openai:{MODEL_ID}"
    config = RunConfig(mediator=mediator, seed=seed, base_url=base_url,
                       default_backend=spec, mediator_backend=spec)
    started = time.perf_counter()
    run = asyncio.run(run_episode(scenario, config))
    wall = time.perf_counter() - started
    layers = call_layers(run.events)
    requests = sum(1 for event in run.events if event.kind == "usage")
    critical = layers * latency_ms / 1000.0
    return {"wall_s": wall, "layers": layers, "requests": requests,
            "critical_s": critical, "ratio": wall / critical if critical else float("nan")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency-ms", type=float, default=200.0)
    parser.add_argument("--mediator", default="formulative")
    parser.add_argument("--seeds", type=int, default=3, help="Episodes measured (seeds 1..N).")
    args = parser.parse_args()
    with simulator_process(args.latency_ms) as base_url:
        cold = measure(base_url, args.latency_ms, args.mediator, 0)
        freeze_once()
        runs = [measure(base_url, args.latency_ms, args.mediator, seed)
                for seed in range(1, args.seeds + 1)]
    print(f"flagship episode, every seat on the simulator ({args.mediator}), "
          f"latency {args.latency_ms:g} ms, simulator in its own process")
    print(f"  first episode (imports, connections): ratio {cold['ratio']:.3f}")
    for seed, figures in enumerate(runs, start=1):
        print(f"  seed {seed}: {figures['requests']:.0f} LLM requests in {figures['layers']:.0f} "
              f"sequential layers; critical path {figures['critical_s']:.2f} s, wall "
              f"{figures['wall_s']:.2f} s, ratio {figures['ratio']:.3f}")
    ratio = statistics.median(figures["ratio"] for figures in runs)
    print(f"  median wall / critical path = {ratio:.3f} (target <= 1.06)")


if __name__ == "__main__":
    main()
