"""`treatylab run` and `treatylab show`.

Exit codes of `run`: 0 done, 2 bad input (nothing ran), 3 cassette mismatch, 4 infrastructure
failure (the endpoint failed; result.json says `status: "failed"`), 5 stopped by a spending
cap (--max-tokens/--max-cost/--max-calls; result.json says `status: "budget"`), 130 interrupted (Ctrl-C;
what finished is kept, and a `--checkpoint` run resumes with the same command).
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
from pathlib import Path
from typing import Annotated, Optional

import typer
from pydantic import ValidationError
from rich.console import Console

from treatylab.agents import mediators
from treatylab.graphs import RunConfig
from treatylab.scenarios import Scenario, ScenarioError, load
from treatylab import outputs
from treatylab.errors import UserError
from treatylab.render import EventPrinter, print_package, scorecard_table

RECORD_MODES = ("record", "replay", "off")


def _parse_delegates(items: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in items:
        party, sep, spec = item.partition("=")
        if not sep or not party or not spec:
            raise UserError(f"--delegate '{item}': expected PARTY=BACKEND, e.g. aurelia=openai:gpt-4o-mini "
                            "or borealis=heuristic")
        out[party] = spec
    return out


def build_config(*, mediator: str, seed: int, model: str | None, base_url: str | None,
                 temperature: float, delegate: list[str], mediator_backend: str | None,
                 max_repairs: int, burden_reference: str = "capacity", timeout: float = 60.0,
                 deadline: float | None = None, caps: dict | None = None) -> RunConfig:
    """RunConfig from CLI options; `--model M` puts every unnamed actor on openai:M."""
    if mediator not in mediators.available():
        raise UserError(f"--mediator '{mediator}': unknown strategy; choose one of {mediators.available()}")
    default = f"openai:{model}" if model else "heuristic"
    try:
        return RunConfig(
            mediator=mediator, seed=seed, base_url=base_url, temperature=temperature,
            default_backend=default, delegates=_parse_delegates(delegate),
            mediator_backend=mediator_backend or default, max_repairs=max_repairs,
            burden_reference=burden_reference, timeout_s=timeout, deadline_s=deadline,
            **(caps or {}),
        )
    except ValidationError as exc:
        flags = {"timeout_s": "--timeout", "deadline_s": "--deadline", "max_tokens": "--max-tokens",
                 "max_cost": "--max-cost", "max_calls": "--max-calls"}
        raise UserError(*[f"{flags.get(str(e['loc'][0]), '.'.join(map(str, e['loc'])))}: {e['msg']}"
                          for e in exc.errors()]) from None


def run(
    scenario: Annotated[str, typer.Argument(help="Scenario file or library id, e.g. northern-shield.")],
    mediator: Annotated[str, typer.Option(help="Mediator strategy: none, facilitative, formulative, ...")] = "none",
    seed: Annotated[int, typer.Option(help="Episode seed: same scenario, config and seed, same run.")] = 0,
    out: Annotated[Optional[Path], typer.Option(help="Run folder (default runs/<run-id>).")] = None,
    model: Annotated[Optional[str], typer.Option(help="Put delegates (and mediator) on this OpenAI-compatible model.")] = None,
    base_url: Annotated[Optional[str], typer.Option(help="OpenAI-compatible endpoint (else OPENAI_BASE_URL).")] = None,
    temperature: Annotated[float, typer.Option(help="Sampling temperature for LLM actors.")] = 0.0,
    delegate: Annotated[list[str], typer.Option(help="Per-party backend, PARTY=heuristic|openai:MODEL|human (repeatable; human: you take that seat).")] = [],  # noqa: B006
    mediator_backend: Annotated[Optional[str], typer.Option(help="Mediator backend: heuristic or openai:MODEL.")] = None,
    cassette: Annotated[Optional[Path], typer.Option(help="Cassette file for LLM exchanges.")] = None,
    record_mode: Annotated[Optional[str], typer.Option(help="record | replay | off (LLM runs default to record).")] = None,
    checkpoint: Annotated[Optional[str], typer.Option(help="Checkpoints: a SQLite file, or postgresql://USER:PASSWORD@HOST/DB; an interrupted run resumes.")] = None,
    max_repairs: Annotated[int, typer.Option(help="Repair re-asks for an invalid LLM answer before a failed turn.")] = 2,
    timeout: Annotated[float, typer.Option(help="Seconds per LLM call before it counts as timed out.")] = 60.0,
    deadline: Annotated[Optional[float], typer.Option(help="Wall-clock seconds for the whole episode; past it the run is failed (exit 4).")] = None,
    overwrite: Annotated[bool, typer.Option("--overwrite", help="Delete an existing --out folder first.")] = False,
    max_tokens: Annotated[Optional[int], typer.Option(help="Cap on the episode's tokens, checked before each LLM call; reaching it stops the run (status budget, exit 5).")] = None,
    max_cost: Annotated[Optional[float], typer.Option(help="Cap on the episode's cost in US dollars, by the price table.")] = None,
    max_calls: Annotated[Optional[int], typer.Option(help="Cap on the episode's LLM calls.")] = None,
    prices: Annotated[Optional[Path], typer.Option(help="Price table YAML ($/1M input and output tokens per model pattern); default: the shipped one.")] = None,
    burden_reference: Annotated[str, typer.Option(help="Burden equity against capacity (default) or benefit shares.")] = "capacity",
    private: Annotated[bool, typer.Option("--private", help="Also show private notes and caucus messages.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Only the scorecard.")] = False,
) -> None:
    """Negotiate a scenario through all seven stages and score the outcome.

    Heuristic (offline, deterministic) delegates by default; --model / --delegate put actors on
    an LLM. Writes transcript.jsonl, result.json and manifest.json to the run folder.
    """
    from treatylab.runner import check_checkpoint, default_run_id, run_episode  # LangGraph: only when running
    from treatylab.identity import identity_of
    from treatylab.seat import TerminalSeat

    scenario_model = load(scenario, for_run=True)
    config = build_config(mediator=mediator, seed=seed, model=model, base_url=base_url,
                          temperature=temperature, delegate=delegate,
                          mediator_backend=mediator_backend, max_repairs=max_repairs,
                          burden_reference=burden_reference, timeout=timeout, deadline=deadline,
                          caps={"max_tokens": max_tokens, "max_cost": max_cost, "max_calls": max_calls})
    from treatylab.budget import check_priced
    from treatylab.prices import load_prices

    price_table = load_prices(prices)
    check_priced(config, price_table)
    mode = record_mode or ("record" if config.uses_llm() or cassette else "off")
    if mode not in RECORD_MODES:
        raise UserError(f"--record-mode '{mode}': choose one of {list(RECORD_MODES)}")
    out_dir = out or Path("runs") / default_run_id(scenario_model, config)
    from treatylab.checkpoints import as_checkpoint, display

    checkpoint = as_checkpoint(checkpoint)  # a file path, or a PostgreSQL connection string
    if isinstance(checkpoint, Path) and checkpoint.exists() and not checkpoint.is_file():
        raise UserError(f"--checkpoint {checkpoint}: not a file; give a file path")
    fresh_seat = False
    if checkpoint is None and "human" in config.delegates.values():
        checkpoint = out_dir / "checkpoint.sqlite"  # a person's answers survive Ctrl-C
        if not checkpoint.exists():
            outputs.prepare_out_dir(out_dir, overwrite=overwrite, identity=None)
            fresh_seat = True
    resuming = checkpoint is not None and check_checkpoint(checkpoint, scenario_model, config) or fresh_seat
    outputs.prepare_out_dir(out_dir, overwrite=overwrite, resuming=resuming,
                            identity=identity_of(scenario_model, config).model_dump(mode="json"))
    console = Console(highlight=False)
    printer = None if quiet else EventPrinter(console, scenario_model, show_private=private)
    cassette_path = cassette or (out_dir / outputs.CASSETTE)
    extra = {"cassette": {"file": outputs.CASSETTE, "record_mode": mode}} if mode != "off" else {}
    seat = TerminalSeat(console) if "human" in config.delegates.values() else None
    coroutine = run_episode(scenario_model, config, scenario_ref=scenario, out_dir=out_dir,
                            checkpoint=checkpoint, progress=printer, extra_manifest=extra,
                            answer_human=seat, prices=price_table)
    from treatylab.gc_tuning import freeze_once

    freeze_once()  # imports are done: the collector need not walk them again mid-episode
    try:
        if mode == "off":
            episode = asyncio.run(coroutine)
        else:
            from treatylab.agents.backends.clients import offline_credentials
            from treatylab.cassettes import cassette_session

            # a replay is answered by the cassette: no API key needed, OPENAI_BASE_URL ignored
            offline = offline_credentials() if mode == "replay" else contextlib.nullcontext()
            with offline, cassette_session(cassette_path, mode):
                episode = asyncio.run(coroutine)
            target = out_dir / outputs.CASSETTE
            if cassette_path.resolve() != target.resolve() and cassette_path.exists():
                shutil.copyfile(cassette_path, target)
    except KeyboardInterrupt:
        coroutine.close()
        keep = (f"resume with the same command (checkpoint {display(checkpoint)})" if checkpoint
                else "nothing was saved; add --checkpoint FILE to make a run resumable")
        Console(stderr=True, highlight=False, soft_wrap=True).print(f"interrupted: {keep}")
        raise typer.Exit(130) from None
    console.print()
    if episode.result.get("status") == "failed":
        failure = episode.result["failure"]
        Console(stderr=True, highlight=False, soft_wrap=True).print(
            f"failed: {failure['message']}; {failure['fix']} (run folder {out_dir})")
        raise typer.Exit(4)
    if episode.result.get("status") == "budget":
        stop = episode.result["budget"]
        Console(stderr=True, highlight=False, soft_wrap=True).print(
            f"{stop['message']}; the episode stopped cleanly, what finished is kept; raise "
            f"--{stop['cap'].replace('_', '-')} to go further (run folder {out_dir})")
        raise typer.Exit(5)
    print_package(console, scenario_model, episode.result.get("package"))
    console.print(scorecard_table(episode.result, scenario_model))
    console.print(f"Run folder: {out_dir}")


def scenario_of(manifest: dict) -> Scenario:
    """The run's scenario by the reference it was run with, else by its library id."""
    ref, scenario_id = manifest["scenario"]["ref"], manifest["scenario"]["id"]
    path = Path(ref)
    if path.exists() and not path.is_file():  # /dev/zero, a FIFO, a folder: never open it
        return load(scenario_id)
    try:
        return load(ref)
    except ScenarioError:
        return load(scenario_id)


def show(
    run_dir: Annotated[Path, typer.Argument(help="A run folder written by `treatylab run`.")],
    private: Annotated[bool, typer.Option("--private", help="Also show private notes and caucus messages.")] = False,
    step: Annotated[bool, typer.Option("--step", help="One event per key: Enter next, s next stage, p private, b back, q quit.")] = False,
    stage: Annotated[Optional[str], typer.Option(help="With --step: start at this stage.")] = None,
    from_: Annotated[Optional[int], typer.Option("--from", help="With --step: start at this event seq.")] = None,
) -> None:
    """Render a finished run again: the negotiation stage by stage, then its scorecard."""
    events, result, manifest = outputs.read_run(run_dir)
    scenario = scenario_of(manifest)
    console = Console(highlight=False)
    if step or stage is not None or from_ is not None:
        from treatylab.player import play

        play(console, scenario, events, stage=stage, from_seq=from_, private=private)
        return
    EventPrinter(console, scenario, show_private=private)(events)
    console.print()
    print_package(console, scenario, result.get("package"))
    console.print(scorecard_table(result, scenario))


def register(app: typer.Typer) -> None:
    app.command("run")(run)
    app.command("show")(show)
