"""`treatylab view`: one self-contained HTML page of a run, for a class or a report."""

from __future__ import annotations

import time
import webbrowser
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console


def view(
    run_dir: Annotated[Path, typer.Argument(help="A run folder written by `treatylab run` (or `branch`).")],
    out: Annotated[Optional[Path], typer.Option(help="HTML file to write (default RUN_DIR/view.html).")] = None,
    annotations: Annotated[Optional[Path], typer.Option(help="Teacher's notes: YAML of 'seq: text' or 'stage: text' (default RUN_DIR/annotations.yaml when present).")] = None,
    open_: Annotated[bool, typer.Option("--open", help="Open the page in the default browser.")] = False,
) -> None:
    """Write an HTML viewer of a run: timeline, stepping, private toggle, charts, scorecard.

    The page is one file with no network requests (inline CSS, script and SVG, and a
    Content-Security-Policy that forbids fetching): it works offline on a projector.
    """
    from treatylab.viewer import write_view

    started = time.perf_counter()
    path = write_view(run_dir, out, annotations)
    size = path.stat().st_size
    Console(highlight=False).print(f"Wrote {path} ({size / 1024:.0f} KiB in "
                                   f"{time.perf_counter() - started:.2f} s)")
    if open_:
        webbrowser.open(path.resolve().as_uri())


def register(app: typer.Typer) -> None:
    app.command("view")(view)
