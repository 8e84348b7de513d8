"""`treatylab analyze SCENARIO`: the outcome space, its solution packages, and one package.

Parsing and printing only; `evals.analysis.analyze_scenario` does the work. A bad --package
(unknown issue or option, a missing issue) is a `UserError` saying what to write instead.
"""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.table import Table

from treatylab.scenarios import Scenario, load
from treatylab.errors import UserError


class Reference(str, Enum):
    capacity = "capacity"
    benefit = "benefit"


def parse_package(text: str, scenario: Scenario) -> dict[str, str]:
    """'issue=option,issue=option' -> a full package, or UserError listing every problem."""
    problems: list[str] = []
    package: dict[str, str] = {}
    named: set[str] = set()
    issue_ids = scenario.issue_ids()
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        issue_id, sep, option_id = (s.strip() for s in item.partition("="))
        if not sep or not issue_id or not option_id:
            problems.append(f"--package: '{item}' is not issue=option; "
                            f"write e.g. {issue_ids[0]}={scenario.issues[0].options[0].id}")
        elif issue_id not in issue_ids:
            problems.append(f"--package: unknown issue '{issue_id}'; expected one of {issue_ids}")
        elif issue_id in named:
            problems.append(f"--package: issue '{issue_id}' is given twice; give it once")
        elif named.add(issue_id) or option_id not in scenario.issue(issue_id).option_ids():
            problems.append(f"--package: unknown option '{option_id}' for issue '{issue_id}'; "
                            f"expected one of {scenario.issue(issue_id).option_ids()}")
        else:
            package[issue_id] = option_id
    missing = [i for i in issue_ids if i not in named]
    if missing:
        problems.append(f"--package: missing issue(s) {missing}; a package names one option "
                        "for every issue")
    if problems:
        raise UserError(*problems)
    return package


def _fmt(value: float | None, digits: int = 3) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def _package_text(package: dict[str, str]) -> str:
    return ", ".join(f"{k}={v}" for k, v in package.items())


def _print(report, console: Console) -> None:  # report: evals.analysis.SpaceReport
    console.print(
        f"[bold]{report.scenario}[/bold]: {report.packages:,} packages, {len(report.parties)} "
        f"parties; Pareto frontier {report.frontier_size:,} (within red lines "
        f"{report.feasible_frontier_size:,}); individually rational "
        f"{report.individually_rational_size:,}; zone of agreement "
        f"{report.zone_of_agreement_size:,}; deals under the decision rule "
        f"{report.deals_under_rule_size:,} ({report.required_signatories} signatures needed)")
    table = Table(title="Solution packages (utilities)")
    table.add_column("solution", no_wrap=True)
    for party in report.parties:
        table.add_column(party, justify="right")
    table.add_row("reservation", *(_fmt(report.reservations[p], 0) for p in report.parties))
    rows = list(report.solutions.items()) + [(f"favourite of {p}", pt)
                                             for p, pt in report.favourites.items()]
    for name, point in rows:
        values = [_fmt(None if point is None else point.utilities[p], 0) for p in report.parties]
        table.add_row(name, *values)
    console.print(table)
    for name, point in rows:
        text = "none (no package is feasible and individually rational)" if point is None \
            else _package_text(point.package)
        console.print(f"  {name}: {text}")
    if report.package is not None:
        _print_package(report, console)


def _print_package(report, console: Console) -> None:
    a = report.package.analysis
    table = Table(title=f"Package: {_package_text(a.package)}")
    table.add_column("measure", no_wrap=True)
    table.add_column("value")
    table.add_row("utilities", ", ".join(f"{p} {v:g}" for p, v in a.utilities.items()))
    table.add_row("individually rational",
                  ", ".join(f"{p} {'yes' if ok else 'NO'}"
                            for p, ok in a.individually_rational.items()))
    crossed = ", ".join(f"{c.party}: {c.issue}={c.option}" for c in a.red_lines_crossed)
    table.add_row("red lines crossed", crossed or "none")
    table.add_row("Pareto-optimal", f"strictly {'yes' if a.strictly_pareto_optimal else 'no'}, "
                  f"weakly {'yes' if a.weakly_pareto_optimal else 'no'}")
    table.add_row("Pareto gap", _fmt(a.pareto_gap))
    table.add_row("Nash-product ratio", _fmt(a.nash_ratio))
    table.add_row("advantage", ", ".join(f"{p} {_fmt(v)}" for p, v in a.advantage.items()))
    table.add_row("distance to", ", ".join(f"{k} {_fmt(v)}" for k, v in a.distances.items()))
    for metric in report.package.metrics.values():  # every registered package metric
        extra = "; ".join(metric.notes)
        params = ", ".join(f"{k}={v}" for k, v in metric.parameters.items())
        table.add_row(metric.name, f"{_fmt(metric.value)} ({params}){' ' + extra if extra else ''}")
    console.print(table)


def analyze(
    scenario: Annotated[str, typer.Argument(help="Scenario file or library id.")],
    package: Annotated[Optional[str], typer.Option(
        "--package", help="A package to analyse: issue=option,issue=option,...")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    burden_reference: Annotated[Reference, typer.Option(
        "--burden-reference", help="Reference shares for burden equity.")] = Reference.capacity,
) -> None:
    """Frontier size, Nash / Kalai-Smorodinsky / utilitarian / egalitarian packages, and a
    given package's flags, Pareto gap and ratios (formulas: docs/metrics.md)."""
    from treatylab.evals.analysis import analyze_scenario

    loaded = load(scenario)
    chosen = parse_package(package, loaded) if package is not None else None
    report = analyze_scenario(loaded, chosen, burden_reference=burden_reference.value)
    if as_json:
        typer.echo(report.model_dump_json(indent=2))
        return
    _print(report, Console(highlight=False, soft_wrap=True))


def register(app: typer.Typer) -> None:
    app.command("analyze")(analyze)
