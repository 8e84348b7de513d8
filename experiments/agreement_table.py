"""Agreement table of the rational baselines: oracle and formulative mediators, seeds 0-19.

Issue 15 sets the target for the baseline delegates: on every library scenario and every
imported LLM-Deliberation game whose set of deals under the decision rule is not empty, the
oracle mediator reaches agreement in at least 18 of seeds 0-19 and the formulative mediator
in at least half. This script runs those episodes in process (heuristic backends, no run
folders), prints one row per scenario and strategy with the target and whether it is met, and
exits 1 if any row misses it, so it can stand as a check.

    python experiments/agreement_table.py [--seeds 20] [--games DIR ...] [--markdown]

Games are LLM-Deliberation game folders (config.txt, scores_files/...); by default the
project's fixture game tests/fixtures/llm_deliberation/coastal_radar.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from treatylab.graphs.config import RunConfig
from treatylab.scenarios import load
from treatylab.scenarios.llm_deliberation import import_game
from treatylab.scenarios.loader import library_ids
from treatylab.scenarios.schema import Scenario

ROOT = Path(__file__).resolve().parent.parent
FIXTURE_GAMES = [ROOT / "tests" / "fixtures" / "llm_deliberation" / "coastal_radar"]
TARGETS = {"oracle": 0.9, "formulative": 0.5}  # share of seeds that must reach agreement


def deals_under_rule(scenario: Scenario) -> int:
    """Packages whose willing signatories (at or above reservation, no red line) pass the rule."""
    from treatylab.agents.heuristics.rational import deals_mask

    return int(deals_mask(scenario).sum())


def _episode(args: tuple[str, str, str, int]) -> bool:
    kind, ref, mediator, seed = args
    from treatylab.runner import run_episode

    scenario = _scenario(kind, ref)
    run = asyncio.run(run_episode(scenario, RunConfig(mediator=mediator, seed=seed)))
    return run.result.get("outcome") == "agreement"


def _scenario(kind: str, ref: str) -> Scenario:
    return import_game(Path(ref)) if kind == "game" else load(ref)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--games", type=Path, nargs="*", default=FIXTURE_GAMES)
    parser.add_argument("--markdown", action="store_true", help="Print a markdown table.")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    targets = [("library", sid) for sid in library_ids()] + [("game", str(g)) for g in args.games]
    started = time.perf_counter()
    rows, failed = [], 0
    with ProcessPoolExecutor(max_workers=args.workers) as pool:
        for kind, ref in targets:
            scenario = _scenario(kind, ref)
            deals = deals_under_rule(scenario)
            for mediator, share in TARGETS.items():
                if not deals:
                    rows.append((scenario.id, mediator, deals, None, args.seeds, "-", "n/a"))
                    continue
                jobs = [(kind, ref, mediator, seed) for seed in range(args.seeds)]
                agreed = sum(pool.map(_episode, jobs))
                need = int(-(-share * args.seeds // 1))
                ok = agreed >= need
                failed += not ok
                rows.append((scenario.id, mediator, deals, agreed, args.seeds, need, "yes" if ok else "NO"))
    if args.markdown:
        print("| scenario | mediator | deals under the rule | agreements | seeds | target | met |")
        print("|---|---|---:|---:|---:|---:|---|")
        for r in rows:
            print("| " + " | ".join("-" if v is None else str(v) for v in r) + " |")
    else:
        print(f"{'scenario':<26} {'mediator':<12} {'deals':>6} {'agreed':>7} {'target':>7}  met")
        for sid, mediator, deals, agreed, seeds, need, ok in rows:
            shown = "-" if agreed is None else f"{agreed}/{seeds}"
            print(f"{sid:<26} {mediator:<12} {deals:>6} {shown:>7} {need!s:>7}  {ok}")
    print(f"{failed} rows below target; {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
