"""`treatylab judge RUN_DIR --judge openai:M1 --judge openai:M2`: the LLM judge, on request.

Judging is never part of `treatylab run` (it costs calls and is a matter of opinion); this
command scores a finished run folder and writes `judge.json` beside its result, recording the
judge exchanges in `judge-cassette.yaml` so the judging replays offline like the run itself.
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.table import Table

from treatylab import outputs
from treatylab.errors import UserError

JUDGE_FILE = "judge.json"
JUDGE_CASSETTE = "judge-cassette.yaml"
MODES = ("record", "replay", "off")


def judge(
    run_dir: Annotated[Path, typer.Argument(help="A run folder written by `treatylab run`.")],
    judges: Annotated[list[str], typer.Option("--judge", help="A judge model as openai:MODEL; give two or more.")],
    base_url: Annotated[Optional[str], typer.Option(help="OpenAI-compatible endpoint (else OPENAI_BASE_URL, else OpenAI's).")] = None,
    record_mode: Annotated[str, typer.Option(help="record | replay | off: the judge cassette in the run folder.")] = "record",
    as_json: Annotated[bool, typer.Option("--json", help="Print judge.json instead of a table.")] = False,
) -> None:
    """Score a finished run with LLM judges (good faith, clarity of commitments) and report
    Krippendorff's alpha between them."""
    from treatylab.agents.backends.clients import offline_credentials
    from treatylab.evals.judge import judge_transcript, parse_judge_specs
    from treatylab.cassettes import cassette_session
    from treatylab.cli_run import scenario_of

    if record_mode not in MODES:
        raise UserError(f"--record-mode '{record_mode}': choose one of {list(MODES)}")
    parse_judge_specs(judges)  # refuse bad --judge options before reading anything
    events, result, manifest = outputs.read_run(run_dir)
    scenario = scenario_of(manifest)
    offline = offline_credentials() if record_mode == "replay" else contextlib.nullcontext()
    with offline, cassette_session(run_dir / JUDGE_CASSETTE, record_mode):  # type: ignore[arg-type]
        report = judge_transcript(scenario, events, judges, base_url=base_url,
                                  run_id=result.get("run_id"), seed=int(manifest.get("seed") or 0))
    document = report.model_dump(mode="json")
    outputs.atomic_write(run_dir / JUDGE_FILE, outputs.dumps_json(document))
    console = Console(highlight=False, soft_wrap=True)
    if as_json:
        console.print_json(json.dumps(document, sort_keys=True))
        return
    table = Table(title=f"LLM judges on {scenario.id}: mean score 1..5")
    table.add_column("party")
    for criterion in report.criteria:
        table.add_column(criterion, justify="right")
    for party in scenario.party_ids():
        row = [report.mean_scores[c].get(party) for c in report.criteria]
        table.add_row(party, *["-" if v is None else f"{v:.2f}" for v in row])
    console.print(table)
    for key, agreement in report.agreement.items():
        alpha = "undefined" if agreement.ordinal is None else f"{agreement.ordinal:.3f}"
        console.print(f"Krippendorff's alpha ({key}, ordinal, {agreement.units} units): {alpha}")
    failed = [c for c in report.calls if c.error]
    for call in failed:
        console.print(f"judge {call.judge} on {call.criterion}: {call.error}")
    console.print(f"Written: {run_dir / JUDGE_FILE}")


def register(app: typer.Typer) -> None:
    app.command("judge")(judge)
