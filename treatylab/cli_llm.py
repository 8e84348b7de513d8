"""`treatylab simulate`, `treatylab replay` and `treatylab demo`: the LLM plumbing commands."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from pydantic import ValidationError
from rich.console import Console

from treatylab.scenarios import load
from treatylab.errors import CassetteMismatch, UserError
from treatylab.render import EventPrinter, print_package, scorecard_table


def simulate(
    host: Annotated[str, typer.Option(help="Interface to listen on (loopback by default).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port (0 picks a free one).")] = 8642,
    latency_ms: Annotated[float, typer.Option(help="Added to every answer, in milliseconds.")] = 0.0,
    fault_rate: Annotated[float, typer.Option(help="Share of requests that get a fault (0..1).")] = 0.0,
    faults: Annotated[str, typer.Option(help="Fault kinds, comma-separated, or 'all': invalid_json, schema, illegal_option, truncated, refusal, http_500, http_429, timeout.")] = "all",
    seed: Annotated[int, typer.Option(help="Fault seed: the same request gets the same fault.")] = 0,
    hang_s: Annotated[float, typer.Option(help="How long a 'timeout' fault stalls, in seconds.")] = 120.0,
) -> None:
    """Serve an OpenAI-compatible endpoint answered by the baseline policies.

    Point any run at it with --base-url http://HOST:PORT/v1 --model treatylab-sim; no API key
    is needed. Faults are seeded per request, so recorded runs with faults replay.
    """
    from treatylab.simulator import MODEL_ID, SimulatorConfig, make_server, parse_fault_list

    try:
        config = SimulatorConfig(host=host, port=port, latency_ms=latency_ms, fault_rate=fault_rate,
                                 faults=parse_fault_list(faults), seed=seed, hang_s=hang_s)
    except ValueError as exc:
        errors = exc.errors() if isinstance(exc, ValidationError) else None
        if errors:
            raise UserError(*[f"--{'-'.join(map(str, e['loc'])).replace('_', '-')}: {e['msg']}"
                              for e in errors]) from None
        raise UserError(f"--faults: {exc}") from None
    try:
        server = make_server(config)
    except OSError as exc:
        raise UserError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    console = Console(highlight=False, soft_wrap=True)
    console.print(f"treatylab simulator on {server.base_url} (model {MODEL_ID}); "
                  f"latency {latency_ms:g} ms, fault rate {fault_rate:g}; Ctrl-C stops it")
    console.print(f"  e.g. treatylab run northern-shield --base-url {server.base_url} "
                  f"--model {MODEL_ID}")
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        console.print("stopped")
    finally:
        server.stopping.set()
        server.server_close()


def _print_report(console: Console, report: object) -> None:
    for warning in getattr(report, "warnings", []):
        console.print(f"[yellow]note:[/yellow] {warning}")
    for line in report.transcript_diff + report.result_diff:  # type: ignore[attr-defined]
        console.print(line, markup=False)


def replay(
    run_dir: Annotated[Path, typer.Argument(help="A run folder with manifest.json and cassette.yaml.")],
    out: Annotated[Optional[Path], typer.Option(help="Also write the replayed run to this folder.")] = None,
    show: Annotated[bool, typer.Option("--show", help="Print the negotiation while it replays.")] = False,
) -> None:
    """Re-run a recorded episode offline from its cassette and check it matches.

    Prints "identical" (exit 0) or a diff (exit 1); a request the cassette does not hold stops
    the replay with a "cassette mismatch" message (exit 3). Needs no network and no API key.
    """
    from treatylab.replay import replay_run

    console = Console(highlight=False)
    printer = None
    if show:
        from treatylab.replay import load_recorded

        scenario = load_recorded(run_dir)[3]
        printer = EventPrinter(console, scenario)
    report = replay_run(run_dir, progress=printer, out_dir=out)
    if report.identical:
        console.print(f"identical: {len(report.run.events)} events and the scores match the recording")
        return
    console.print("different: the replay does not match the recording", style="red")
    _print_report(console, report)
    raise typer.Exit(1)


def demo(
    private: Annotated[bool, typer.Option("--private", help="Also show private notes and caucus messages.")] = False,
    record: Annotated[bool, typer.Option("--record", help="Re-record the shipped demo from the simulator (maintainers).")] = False,
    teach: Annotated[bool, typer.Option("--teach", help="Open the teaching pack: three annotated runs in the viewer (lesson plan: docs/teaching.md).")] = False,
) -> None:
    """Replay the shipped flagship negotiation (northern-shield), stage by stage, offline.

    The recording was made against the treatylab simulator; no API key or network is needed.
    """
    if teach:
        import tempfile
        import webbrowser

        from treatylab.teaching import open_pack

        pages = open_pack(Path(tempfile.mkdtemp(prefix="treatylab-teaching-")))
        for page in pages:
            Console(highlight=False).print(f"Teaching pack: {page}")
        Console(highlight=False).print("Lesson plan: docs/teaching.md")
        webbrowser.open(pages[0].resolve().as_uri())
        return
    from treatylab.demo import DEMO_DIR, DEMO_SCENARIO, RECORDED_FROM, record_demo
    from treatylab.replay import replay_run

    console = Console(highlight=False)
    scenario = load(DEMO_SCENARIO)
    if record:
        run = record_demo()
        console.print(f"recorded the demo into {DEMO_DIR} ({len(run.events)} events, "
                      f"outcome {run.result.get('outcome')})")
        return
    console.rule(f"[bold]{scenario.title}[/bold] — a recorded negotiation")
    console.print(f"Recorded from {RECORDED_FROM}.\nReplayed offline from {DEMO_DIR}.\n")
    try:
        report = replay_run(DEMO_DIR, progress=EventPrinter(console, scenario, show_private=private))
    except CassetteMismatch as exc:
        raise CassetteMismatch(*exc.problems, "the shipped demo no longer matches this version's "
                               "prompts, policies or scenario; maintainers re-record it with "
                               "`treatylab demo --record`") from None
    console.print()
    print_package(console, scenario, report.run.result.get("package"))
    console.print(scorecard_table(report.run.result, scenario))
    if report.identical:
        console.print("The replayed transcript and scorecard equal the recorded ones.")
        return
    console.print("The replay differs from the recording:", style="red")
    _print_report(console, report)
    raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command("simulate")(simulate)
    app.command("replay")(replay)
    app.command("demo")(demo)
