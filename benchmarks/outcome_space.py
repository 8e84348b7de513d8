"""Benchmark: outcome-space analysis at 10^4, 10^5, 1.7 x 10^6 and 10^7 packages, against negmas.

Each measurement runs in a fresh subprocess, so peak memory is that of one analysis:
- time: OutcomeSpace.build + frontier + Nash + Kalai-Smorodinsky + utilitarian + egalitarian
  + individually-rational and zone-of-agreement masks (best of --repeat runs);
- memory: peak RSS of the subprocess (interpreter and imports included) and the tracemalloc
  peak of the analysis alone (numpy reports its buffers to tracemalloc);
- negmas: pareto_frontier + nash_points + ks_points on the same scenario, same subprocess
  design, killed after --timeout seconds;
- evaluator: evaluate(scenario, transcript) on the flagship scenario, over the transcript of a
  heuristic episode (mean of --repeat runs, after one warm-up).

Usage: python benchmarks/outcome_space.py [--sizes small,medium,large] [--timeout 120]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time

SIZES = {  # name: (parties, issues, options per issue)
    "small": (4, 4, 10),  # 10,000 packages
    "medium": (5, 5, 10),  # 100,000
    "large": (6, 8, 6),  # 1,679,616
    "worst": (7, 7, 10),  # 10,000,000, a frontier of about 216,000
}


def make_scenario(n_parties: int, n_issues: int, n_options: int, seed: int = 0):
    """A random scenario: integer points per option, each party's best package totals 100."""
    import numpy as np

    from treatylab.scenarios.schema import Scenario

    rng = np.random.default_rng(seed)
    parties = [f"p{i}" for i in range(n_parties)]
    raw = rng.integers(0, 20, size=(n_parties, n_issues, n_options)).astype(float)
    raw[:, :, 0] += 1
    utilities = {}
    for p, pid in enumerate(parties):
        weights = rng.dirichlet(np.ones(n_issues)) * 100
        pts = np.round(raw[p] / raw[p].max(axis=1, keepdims=True) * weights[:, None])
        k = int(np.argmax(pts.max(axis=1)))
        pts[k][pts[k] == pts[k].max()] += 100 - pts.max(axis=1).sum()
        utilities[pid] = {f"i{k}": {f"o{j}": float(pts[k, j]) for j in range(n_options)}
                          for k in range(n_issues)}
    return Scenario.model_validate({
        "schema_version": 1, "id": "bench", "title": "benchmark", "alliance_type": "defense_pact",
        "summary": "s", "background": "b",
        "parties": [{"id": pid, "name": pid, "capacity": 1 / n_parties,
                     "benefit": 1 / n_parties, "reservation": 40} for pid in parties],
        "issues": [{"id": f"i{k}", "title": f"i{k}",
                    "options": [{"id": f"o{j}", "label": f"o{j}"} for j in range(n_options)]}
                   for k in range(n_issues)],
        "utilities": utilities,
    })


def _analyse(scenario) -> dict:
    from treatylab.evals import OutcomeSpace

    space = OutcomeSpace.build(scenario)
    space.pareto_mask()
    solutions = space.solution_indices()
    space.individually_rational()
    space.zone_of_agreement()
    return {"frontier": int(space.pareto_indices.size), "solutions": solutions,
            "packages": space.n_packages}


def child_treatylab(size: str, repeat: int) -> dict:
    import resource
    import tracemalloc

    scenario = make_scenario(*SIZES[size])
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        info = _analyse(scenario)
        times.append(time.perf_counter() - start)
    tracemalloc.start()
    _analyse(scenario)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB
    return {**info, "seconds": min(times), "traced_peak_mb": peak / 2**20, "peak_rss_mb": rss_mb}


def child_negmas(size: str) -> dict:
    import itertools
    import warnings

    warnings.simplefilter("ignore")
    from negmas import ks_points, make_issue, nash_points, pareto_frontier
    from negmas.preferences import LinearAdditiveUtilityFunction

    scenario = make_scenario(*SIZES[size])
    issues = [make_issue(issue.option_ids(), issue.id) for issue in scenario.issues]
    ufuns = [LinearAdditiveUtilityFunction(
        values={i.id: dict(scenario.utilities[p.id][i.id]) for i in scenario.issues},
        weights={i.id: 1.0 for i in scenario.issues}, issues=issues, reserved_value=p.reservation)
        for p in scenario.parties]
    outcomes = list(itertools.product(*(i.option_ids() for i in scenario.issues)))
    start = time.perf_counter()
    frontier, _ = pareto_frontier(ufuns, outcomes=outcomes)
    nash_points(ufuns, frontier, outcomes=outcomes)
    ks_points(ufuns, frontier, outcomes=outcomes)
    return {"seconds": time.perf_counter() - start, "frontier_within_reservations": len(frontier)}


def child_evaluator(repeat: int) -> dict:
    import asyncio

    from treatylab.evals import evaluate
    from treatylab.graphs import RunConfig
    from treatylab.scenarios import load
    from treatylab.runner import run_episode

    scenario = load("northern-shield")
    run = asyncio.run(run_episode(scenario, RunConfig(mediator="formulative", seed=1)))
    evaluate(scenario, run.events)
    start = time.perf_counter()
    for _ in range(repeat):
        evaluate(scenario, run.events)
    return {"ms": (time.perf_counter() - start) / repeat * 1000, "events": len(run.events)}


def _spawn(args: list[str], timeout: float) -> dict | None:
    try:
        proc = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True,
                              timeout=timeout, check=True)
    except subprocess.TimeoutExpired:
        return None
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=",".join(SIZES))
    parser.add_argument("--timeout", type=float, default=120.0, help="negmas limit, seconds")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-negmas", action="store_true")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, size = args.child
        result = {"treatylab": lambda: child_treatylab(size, args.repeat),
                  "negmas": lambda: child_negmas(size),
                  "evaluator": lambda: child_evaluator(max(args.repeat, 20))}[kind]()
        print(json.dumps(result, default=str))
        return
    print(f"{'size':>8} {'packages':>10} {'frontier':>9} {'time s':>8} {'RSS MB':>8} "
          f"{'traced MB':>9} {'negmas s':>9} {'negmas/ours':>11}")
    for size in args.sizes.split(","):
        ours = _spawn(["--child", "treatylab", size, "--repeat", str(args.repeat)], 600)
        theirs = None if args.no_negmas else _spawn(["--child", "negmas", size], args.timeout)
        negmas_s = f"{theirs['seconds']:.2f}" if theirs else f">{args.timeout:.0f}"
        ratio = f"{theirs['seconds'] / ours['seconds']:.0f}x" if theirs else \
            f">{args.timeout / ours['seconds']:.0f}x"
        if args.no_negmas:
            negmas_s = ratio = "-"
        print(f"{size:>8} {ours['packages']:>10,} {ours['frontier']:>9,} {ours['seconds']:>8.3f} "
              f"{ours['peak_rss_mb']:>8.0f} {ours['traced_peak_mb']:>9.1f} {negmas_s:>9} "
              f"{ratio:>11}", flush=True)
    ev = _spawn(["--child", "evaluator", "-", "--repeat", str(args.repeat)], 600)
    print(f"evaluator on northern-shield ({ev['events']} events): {ev['ms']:.1f} ms per call")


if __name__ == "__main__":
    main()
