"""Experiment commands: `treatylab sweep`, `treatylab compare` and `treatylab report`."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console

from treatylab.errors import UserError

RECORD_MODES = ("record", "replay", "off")
EXECUTORS = ("local", "ray")


def sweep(
    spec: Annotated[Path, typer.Argument(help="Sweep spec (YAML), e.g. experiments/mediator-comparison.yaml.")],
    out: Annotated[Optional[Path], typer.Option(help="Sweep folder (default runs/<sweep-name>).")] = None,
    concurrency: Annotated[Optional[int], typer.Option(min=1, help="Episodes at once (default: CPUs for heuristic sweeps, 8 with LLMs).")] = None,
    workers: Annotated[Optional[int], typer.Option(min=1, help="Worker processes (default: one per CPU; 1 runs everything in this process).")] = None,
    cassette_dir: Annotated[Optional[Path], typer.Option(help="One cassette per LLM episode: DIR/<episode-id>.yaml.")] = None,
    record_mode: Annotated[str, typer.Option(help="With --cassette-dir: record | replay | off.")] = "record",
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
    prices: Annotated[Optional[Path], typer.Option(help="Price table YAML ($/1M input and output tokens per model pattern); default: the shipped one.")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Print the episode count and an estimate of calls, tokens and cost; run nothing.")] = False,
    executor: Annotated[str, typer.Option(help="local (process pool on this machine) or ray (Ray tasks; docs/scaling.md).")] = "local",
    ray_address: Annotated[Optional[str], typer.Option(help="With --executor ray: the cluster to join (HOST:6379 or auto); default: a local one.")] = None,
) -> None:
    """Run every episode of a sweep spec; run it again to resume where it stopped.

    Finished episodes (result.json present) are skipped; unfinished and failed ones run again.
    results.parquet (one row per episode) is rebuilt from the episode folders at the end.
    A spec's `budget:` stops the launching of episodes once reached; raise it to resume.
    """
    if not dry_run and executor == "local" and (workers or os.cpu_count() or 1) > 1 and concurrency != 1:
        from treatylab.sweep.workers import start_early

        start_early()  # workers' imports overlap this process's (treatylab.sweep.workers)
    from treatylab.prices import load_prices
    from treatylab.sweep import run_sweep

    if record_mode not in RECORD_MODES:
        raise UserError(f"--record-mode '{record_mode}': choose one of {list(RECORD_MODES)}")
    if executor not in EXECUTORS:
        raise UserError(f"--executor '{executor}': choose one of {list(EXECUTORS)}")
    if ray_address and executor != "ray":
        raise UserError("--ray-address needs --executor ray")
    table = load_prices(prices)
    if dry_run:
        _print_estimate(spec, out, table)
        return
    console = Console(highlight=False, stderr=True)
    try:
        summary = asyncio.run(run_sweep(spec, out=out, concurrency=concurrency, workers=workers,
                                        cassette_dir=cassette_dir,
                                        record_mode=record_mode, console=console, show_progress=not quiet,
                                        prices=table, executor=executor, ray_address=ray_address))
    except KeyboardInterrupt:
        console.print("interrupted: finished episodes are kept; run the same command to resume")
        raise typer.Exit(130) from None
    console.print(f"{summary.name}: {summary.total} episodes, {summary.skipped} already finished, "
                  f"{summary.done} run, {summary.failed} failed, in {summary.wall_s:.1f} s")
    console.print(f"spent: {summary.tokens:,} tokens, ${summary.cost_usd:,.4f}"
                  + (f"; {summary.stopped} stopped by their own caps (status budget)" if summary.stopped else ""))
    if summary.held:
        console.print(f"[yellow]{summary.held} episode(s) not started:[/yellow] {summary.budget_reason}; "
                      "raise `budget:` in the spec and run the same command to resume")
    if summary.changed:
        console.print(f"{summary.changed} finished episode(s) re-run: their config changed in the spec")
    console.print(f"results: {summary.results}")
    if summary.failed:
        console.print(f"[red]{summary.failed} failed episode(s):[/red] see failure.json in their "
                      "folders; run the same command to retry them")


def _print_estimate(spec_path: Path, out: Optional[Path], prices: object) -> None:
    """`--dry-run`: episodes and estimated spend of what is left to run; nothing is called."""
    from treatylab.sweep.estimate import estimate_sweep
    from treatylab.sweep.execute import default_out
    from treatylab.sweep.plan import expand
    from treatylab.sweep.spec import load_spec
    from treatylab.sweep.store import episode_dir, is_finished

    spec_model = load_spec(spec_path)
    episodes, scenarios = expand(spec_model, spec_path)
    folder = out or default_out(spec_model)
    finished = {e.episode_id for e in episodes if is_finished(episode_dir(folder, e.episode_id))}
    estimate = estimate_sweep(episodes, scenarios, prices, finished)  # type: ignore[arg-type]
    console = Console(highlight=False)
    console.print(f"{spec_model.name}: {estimate.episodes} episodes ({estimate.llm_episodes} with LLM seats), "
                  f"{estimate.to_run} to run ({len(finished)} already finished in {folder})")
    cost = "unknown" if estimate.cost_usd is None else f"${estimate.cost_usd:,.2f}"
    console.print(f"estimate: {estimate.calls:,} LLM calls, {estimate.tokens:,} tokens, cost {cost} "
                  f"(prices: {prices.provenance()['source']}; all rounds played, repairs not counted)")  # type: ignore[attr-defined]
    if estimate.unpriced:
        console.print(f"no price for {estimate.unpriced}: add them to a copy of the table, --prices FILE")
    budget = spec_model.budget
    if budget is not None and budget.max_cost is not None and estimate.cost_usd is not None:
        verdict = "fits" if estimate.cost_usd <= budget.max_cost else "exceeds"
        console.print(f"the estimate {verdict} the sweep budget of ${budget.max_cost:g}")


def compare(
    results: Annotated[Path, typer.Argument(help="results.parquet or a sweep folder.")],
    by: Annotated[str, typer.Option(help="Column to group by: mediator, delegates, scenario, model ...")] = "mediator",
    metric: Annotated[list[str], typer.Option(help="Metric column (repeatable); default: agreement, every score, rounds, tokens.")] = [],  # noqa: B006
    resamples: Annotated[int, typer.Option(min=100, help="Bootstrap resamples and permutations.")] = 10_000,
    seed: Annotated[int, typer.Option(help="Seed of the resampling.")] = 0,
) -> None:
    """Mean and 95% bootstrap interval per group, and pairwise differences with p-values."""
    from treatylab.evals.experiments import ResultsError
    from treatylab.evals.experiments import compare as run_compare
    from treatylab.evals.experiments import load_results
    from treatylab.render_compare import print_comparison

    try:
        table = run_compare(load_results(results), by=by, metrics=metric or None,
                            resamples=resamples, seed=seed)
    except ResultsError as exc:
        raise UserError(str(exc)) from None
    print_comparison(Console(highlight=False), table)


def report(
    results: Annotated[Path, typer.Argument(help="results.parquet or a sweep folder.")],
    out: Annotated[Path, typer.Option(help="The HTML file to write.")] = Path("report.html"),
    by: Annotated[str, typer.Option(help="Column to group by.")] = "mediator",
    resamples: Annotated[int, typer.Option(min=100, help="Bootstrap resamples and permutations.")] = 10_000,
    seed: Annotated[int, typer.Option(help="Seed of the resampling.")] = 0,
) -> None:
    """Write one self-contained HTML report: distributions, agreement, trust vs equity, tables."""
    from treatylab.evals.experiments import ResultsError, load_results
    from treatylab.evals.report import write_report

    try:
        path = write_report(load_results(results), out, by=by, resamples=resamples, seed=seed,
                            source=str(results))
    except ResultsError as exc:
        raise UserError(str(exc)) from None
    Console(highlight=False).print(f"report: {path}")


def register(app: typer.Typer) -> None:
    app.command("sweep")(sweep)
    app.command("compare")(compare)
    app.command("report")(report)
