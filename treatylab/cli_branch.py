"""`treatylab branch`: what if, from this event on, the mediator (or a delegation) changed?"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console


def branch(
    run_dir: Annotated[Path, typer.Argument(help="The parent run folder.")],
    at: Annotated[int, typer.Option(help="Event seq to branch at: events before it are replayed from the parent.")],
    mediator: Annotated[Optional[str], typer.Option(help="Mediator strategy from the branch point on.")] = None,
    delegate: Annotated[list[str], typer.Option(help="PARTY=SPEC backend from the branch point on (repeatable): heuristic, openai:MODEL, human.")] = [],  # noqa: B006
    style: Annotated[list[str], typer.Option(help="PARTY=boulware|linear|conceder concession style (repeatable).")] = [],  # noqa: B006
    seed: Annotated[Optional[int], typer.Option(help="Seed for the branch's own turns.")] = None,
    mediator_backend: Annotated[Optional[str], typer.Option(help="Mediator backend: heuristic or openai:MODEL.")] = None,
    base_url: Annotated[Optional[str], typer.Option(help="OpenAI-compatible endpoint for LLM seats of the branch.")] = None,
    out: Annotated[Optional[Path], typer.Option(help="Branch folder (default runs/<parent-run-id>-branch-<SEQ>).")] = None,
    overwrite: Annotated[bool, typer.Option("--overwrite", help="Delete an existing --out folder first.")] = False,
) -> None:
    """Replay a run up to an event with no model call, then go on with changed settings.

    The branch's manifest names the parent and the branch point; `treatylab view BRANCH`
    shows parent and branch outcomes side by side. Exit 4 when a seat of the branch needs an
    LLM endpoint that cannot be reached (result.json: status failed).
    """
    from treatylab.branch import branch_run
    from treatylab.seat import TerminalSeat

    console = Console(highlight=False)
    seat = TerminalSeat(console) if any(d.endswith("=human") for d in delegate) else None
    folder, result, manifest = branch_run(run_dir, at=at, out_dir=out, mediator=mediator,
                                          delegate=delegate, style=style, seed=seed,
                                          mediator_backend=mediator_backend, base_url=base_url,
                                          overwrite=overwrite, answer_human=seat)
    info = manifest["branch"]
    if info["at"] != info["requested_at"]:
        console.print(f"Branch point moved back to seq {info['at']}, the start of that step "
                      f"(seq {info['requested_at']} is inside a stage's turns).")
    if result.get("status") == "failed":
        failure = result["failure"]
        Console(stderr=True, highlight=False, soft_wrap=True).print(
            f"failed: {failure['message']}; {failure['fix']} (branch folder {folder})")
        raise typer.Exit(4)
    parent = info["parent_result"]
    console.print(f"Parent: {parent.get('outcome')} {parent.get('package')}")
    console.print(f"Branch: {result.get('outcome')} {result.get('package')}")
    console.print(f"Branch folder: {folder} (changes: {info['changes_text']})")


def register(app: typer.Typer) -> None:
    app.command("branch")(branch)
