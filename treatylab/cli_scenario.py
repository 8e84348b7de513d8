"""`treatylab scenario ...`: validate, show, schema, list, check, new, import.

Parsing and printing only; the work is done by `scenarios.tooling` and
`evals.scenario_check` (imported by the commands that need it, so `--help` stays light). Problems with a scenario
file surface as one line each (file, field path, what was expected) and exit code 2.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table

from treatylab.scenarios import Scenario, load
from treatylab.scenarios import tooling
from treatylab.errors import UserError

IMPORT_FORMATS = ("llm-deliberation",)

scenario_app = typer.Typer(
    name="scenario", help="Validate, inspect, check, scaffold and import scenarios.",
    no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False,
)


def _out() -> Console:
    return Console(highlight=False, soft_wrap=True)


def _write(text: str, out: Path | None, force: bool) -> None:
    if out is None:
        typer.echo(text, nl=False)
        return
    if out.exists() and not force:
        raise UserError(f"{out}: already exists; pass --force to overwrite")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    typer.echo(f"wrote {out}", err=True)


@scenario_app.command("validate")
def validate(
    paths: Annotated[list[str], typer.Argument(help="Scenario files or library ids.")],
) -> None:
    """Validate every file; print 'ok PATH' or one line per problem; exit 2 if any failed."""
    failed = 0
    for path in paths:
        report = tooling.validate_file(path)
        if report.ok:
            typer.echo(f"ok {path}")
            continue
        failed += 1
        for problem in report.problems:
            typer.echo(f"error: {problem}", err=True)
    if failed:
        raise UserError(f"{failed} of {len(paths)} scenario file(s) failed validation")


@scenario_app.command("schema")
def schema() -> None:
    """Print the JSON Schema of scenario files (schema_version 1)."""
    typer.echo(tooling.schema_text(), nl=False)


@scenario_app.command("list")
def list_(
    paths: Annotated[Optional[list[Path]], typer.Argument(help="Files (default: the library).")] = None,
) -> None:
    """Table of the library: id, parties, issues, packages, zone-of-agreement size."""
    table = Table(title="treatylab scenario library")
    table.add_column("id", no_wrap=True)
    for column in ("parties", "issues", "packages", "ZOA"):
        table.add_column(column, justify="right")
    table.add_column("decision rule")
    from treatylab.evals import scenario_check  # numpy: only for the commands that need it

    for row in scenario_check.library_table(paths or None):
        rule = "unanimity" if row.decision_rule == "unanimity" else "qualified majority"
        rule += f", veto: {', '.join(row.veto_parties)}" if row.veto_parties else ""
        zone = f"{row.zone_of_agreement}" + (" (none, by design)" if row.no_agreement_expected else "")
        table.add_row(row.id, str(row.parties), str(row.issues), str(row.packages), zone, rule)
    _out().print(table)


@scenario_app.command("check")
def check(
    scenario: Annotated[str, typer.Argument(help="Scenario file or library id.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Zone of agreement, Nash package, favourites, triviality and authoring warnings."""
    from treatylab.evals import scenario_check  # numpy: only for the commands that need it

    report = scenario_check.check(load(scenario))
    if as_json:
        typer.echo(report.model_dump_json(indent=2))
        return
    console = _out()
    console.print(f"[bold]{escape(report.id)}[/bold]: {report.parties} parties, {report.issues} "
                  f"issues, {report.packages} packages, {report.decision_rule}")
    console.print(f"zone of agreement: {report.zone_of_agreement} packages "
                  f"({report.zone_share:.1%}); after bargaining shocks: {report.zone_after_shocks}"
                  + ("; no agreement expected" if report.no_agreement_expected else ""))
    console.print(f"deals under the decision rule: {report.deals_under_rule} packages "
                  f"({report.required_signatories} of {report.parties} signatures"
                  + (f", veto: {', '.join(report.veto_parties)}" if report.veto_parties else "")
                  + ")")
    parties = list(report.favourites)
    table = Table(title="packages")
    table.add_column("package")
    for pid in parties:
        table.add_column(pid, justify="right")
    rows = ([("Nash", report.nash)] if report.nash else []) + [
        (f"{pid}'s favourite", fav) for pid, fav in report.favourites.items()]
    for name, package in rows:
        table.add_row(name, *[f"{package.utilities[pid]:g}" for pid in parties])
    console.print(table)
    if report.nash is None:
        console.print("Nash package: none (no individually rational package)")
    else:
        console.print("Nash package: " + ", ".join(f"{k}={v}" for k, v in report.nash.package.items()))
    console.print(f"trivially solved: {'yes' if report.trivially_solved else 'no'}")
    for warning in report.warnings:
        console.print(f"[yellow]warning:[/yellow] {escape(warning)}")


@scenario_app.command("show")
def show(
    scenario: Annotated[str, typer.Argument(help="Scenario file or library id.")],
    private: Annotated[bool, typer.Option("--private/--no-private",
                                          help="Show the confidential briefs.")] = True,
    utilities: Annotated[bool, typer.Option(help="Show every party's utility points.")] = False,
) -> None:
    """Readable rendering: parties, issues and options, rules, shocks, confidential briefs."""
    _render(Console(highlight=False), load(scenario), private=private, utilities=utilities)


# -- rendering for `show` ----------------------------------------------------------------
def _shares(values: dict[str, float]) -> str:
    return ", ".join(f"{pid} {value:g}" for pid, value in values.items())


def _rules_line(s: Scenario) -> str:
    rules = s.rules
    rule = rules.decision_rule
    if rule == "qualified_majority":
        n = len(s.parties)
        rule += f" ({rules.required_signatories(n)} of {n} parties must sign)"
    veto = f"; veto: {', '.join(rules.veto_parties)}" if rules.veto_parties else ""
    return (f"{rule}{veto}; lead party: {s.lead_party_id()}; max rounds: {rules.max_rounds}; "
            f"implementation periods: {rules.implementation_periods}")


def _parties_table(s: Scenario) -> Table:
    table = Table(title="Parties", title_justify="left")
    for column in ("id", "name", "capacity", "benefit", "reservation", "style"):
        table.add_column(column, no_wrap=column == "id")
    for p in s.parties:
        table.add_row(p.id, escape(p.name), f"{p.capacity:g}", f"{p.benefit:g}",
                      f"{p.reservation:g}", p.style)
    return table


def _issue_table(s: Scenario, index: int) -> Table:
    """One table per issue; the shares / cost / trust columns appear only when used."""
    issue = s.issues[index]
    columns: list[tuple[str, object]] = [("label", lambda o: escape(o.label))]
    if any(o.burden_shares for o in issue.options):
        columns.append(("burden shares", lambda o: _shares(o.burden_shares or {})))
    if any(o.sovereignty_cost for o in issue.options):
        columns.append(("sovereignty cost", lambda o: _shares(o.sovereignty_cost)))
    if any(o.trust_value is not None for o in issue.options):
        columns.append(("trust", lambda o: "" if o.trust_value is None else f"{o.trust_value:g}"))
    table = Table(title=f"Issue {issue.id}: {escape(issue.title)}", title_justify="left")
    table.add_column("option", no_wrap=True)
    for name, _ in columns:
        table.add_column(name)
    for o in issue.options:
        table.add_row(o.id, *[cell(o) for _, cell in columns])  # type: ignore[operator]
    return table


def _utility_table(s: Scenario) -> Table:
    table = Table(title="Utilities (points; each party's best package totals 100)")
    table.add_column("issue.option")
    for pid in s.party_ids():
        table.add_column(pid, justify="right")
    for issue in s.issues:
        for option in issue.option_ids():
            table.add_row(f"{issue.id}.{option}",
                          *[f"{s.utilities[pid][issue.id][option]:g}" for pid in s.party_ids()])
    return table


def _render(console: Console, s: Scenario, *, private: bool, utilities: bool) -> None:
    console.rule(f"[bold]{escape(s.title)}[/bold] ({s.id}, {s.alliance_type})")
    console.print(escape(s.summary))
    if s.no_agreement_expected:
        console.print("[yellow]Built to have no zone of agreement.[/yellow]")
    console.print(Panel(escape(s.background.strip()), title="Public background", title_align="left"))
    console.print("Inspired by: " + escape("; ".join(s.inspired_by)))
    if s.sources:
        console.print("Sources: " + escape(s.sources))
    console.print("Rules: " + _rules_line(s))
    console.print(_parties_table(s))
    for p in s.parties:
        console.print(f"[bold]{p.id}[/bold]: {escape(p.persona)}")
    for index in range(len(s.issues)):
        console.print(_issue_table(s, index))
    if utilities:
        console.print(_utility_table(s))
    shocks = Table(title="Shocks")
    for column in ("id", "fires", "what happens", "reservation delta", "defection temptation"):
        shocks.add_column(column)
    for shock in s.shocks:
        fires = (f"round {shock.at_round}" if shock.at_round else "") + (
            f"{' / ' if shock.at_round else ''}period {shock.at_period}" if shock.at_period else "")
        shocks.add_row(shock.id, fires, escape(shock.public.strip()),
                       _shares(shock.reservation_delta), _shares(shock.defection_temptation))
    console.print(shocks)
    if s.mediator_budget is not None:
        console.print(f"Mediator budget: {s.mediator_budget.points:g} points. "
                      + escape(s.mediator_budget.description))
    if not private:
        return
    console.rule("[bold red]CONFIDENTIAL: private briefs and red lines[/bold red]")
    console.print("Each delegation sees only its own brief; never show one to another party.")
    for p in s.parties:
        lines = [escape(p.private_brief.strip()) or "(no private brief)"]
        for line in p.red_lines:
            lines.append(f"red line: {line.issue} must not be {', '.join(line.forbid)}")
        console.print(Panel("\n".join(lines), title=f"{p.id}: confidential", title_align="left",
                            border_style="red"))


@scenario_app.command("new")
def new(
    scenario_id: Annotated[str, typer.Argument(metavar="ID", help="kebab-case id of the new scenario.")],
    out: Annotated[Optional[Path], typer.Option(help="File to write (default: stdout).")] = None,
    force: Annotated[bool, typer.Option(help="Overwrite --out if it exists.")] = False,
) -> None:
    """Write a commented starter scenario that validates as is."""
    _write(tooling.scaffold(scenario_id), out, force)


@scenario_app.command("import")
def import_(
    directory: Annotated[Path, typer.Argument(metavar="DIR", help="The game folder to import.")],
    source_format: Annotated[str, typer.Option("--from", help="Source format: llm-deliberation.")],
    out: Annotated[Optional[Path], typer.Option(help="File to write (default: stdout).")] = None,
    scenario_id: Annotated[Optional[str], typer.Option("--id", help="Id of the new scenario.")] = None,
    force: Annotated[bool, typer.Option(help="Overwrite --out if it exists.")] = False,
) -> None:
    """Import a scenario from another benchmark's format."""
    if source_format not in IMPORT_FORMATS:
        raise UserError(f"--from '{source_format}': unknown format; choose one of {list(IMPORT_FORMATS)}")
    scenario: Scenario = tooling.import_llm_deliberation(directory, scenario_id=scenario_id)
    _write(tooling.scenario_yaml(scenario), out, force)


def register(app: typer.Typer) -> None:
    """Add the `scenario` command group to the main CLI."""
    app.add_typer(scenario_app, name="scenario")
