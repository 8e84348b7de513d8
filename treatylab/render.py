"""Terminal rendering of a negotiation: stage headers, who said what, and the scorecard.

The same printer serves the live progress of `run`, `show` on a finished run folder and the
replayed `demo`, so a class sees one format everywhere. Private notes and caucus messages are
shown only on request (`--private`), marked as such.
"""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table

from treatylab.agents.transcript import (
    ComplianceEvent,
    DelegateMoveEvent,
    Event,
    FailedTurnEvent,
    MediatorMoveEvent,
    MonitoringEvent,
    OutcomeEvent,
    ShockEvent,
    VoteEvent,
)
from treatylab.scenarios import Scenario

STAGE_TITLES = {
    "prepare": "1. Preparation (private)",
    "open": "2. Opening statements",
    "clarify": "3. Clarifying the terms",
    "bargain": "4. Bargaining",
    "draft": "5. Drafting",
    "finalize": "6. Finalisation",
    "implement": "7. Implementation",
}
VOTE_STYLE = {"sign": "green", "sign_with_reservations": "yellow", "reject": "red"}


class EventPrinter:
    """Prints events as they arrive; remembers the stage/round so headers print once."""

    def __init__(self, console: Console, scenario: Scenario, show_private: bool = False) -> None:
        self.console = console
        self.names = {p.id: p.name for p in scenario.parties} | {"mediator": "Mediator",
                                                                  "protocol": "Protocol"}
        self.show_private = show_private
        self._where: tuple[str, int] | None = None

    def __call__(self, events: list[Event]) -> None:
        for event in events:
            self.print_event(event)

    def _header(self, event: Event) -> None:
        where = (event.stage, event.round if event.stage in ("bargain", "implement") else 0)
        if where == self._where:
            return
        if self._where is None or self._where[0] != event.stage:
            self.console.rule(f"[bold]{STAGE_TITLES[event.stage]}")
        if event.stage == "bargain" and (self._where is None or where != self._where):
            self.console.print(f"[bold cyan]Round {event.round}")
        elif event.stage == "implement":
            self.console.print(f"[bold cyan]Period {event.round}")
        self._where = where

    def print_event(self, event: Event) -> None:
        if event.kind in ("usage", "trust_report"):
            return
        self._header(event)
        who = self.names.get(event.actor, event.actor)
        if event.visibility != "public" and not self.show_private:
            what = "caucus message to the mediator" if event.kind == "caucus" else event.kind.replace("_", " ")
            self.console.print(f"[dim]{who}: ({what}; shown with --private)[/dim]", highlight=False)
            return
        tag = "" if event.visibility == "public" else f" [dim]({event.visibility})[/dim]"
        text = self._text(event)
        if text:
            self.console.print(f"[bold]{who}[/bold]{tag}: {text}", highlight=False)

    def _text(self, event: Event) -> str:
        if isinstance(event, (DelegateMoveEvent, MediatorMoveEvent)):
            return event.payload.statement.replace("\n", " ")
        if isinstance(event, VoteEvent):
            style = VOTE_STYLE[event.payload.decision]
            return f"[{style}]{event.payload.decision.replace('_', ' ')}[/{style}] — {event.payload.statement}"
        if isinstance(event, ShockEvent):
            return f"[magenta]shock:[/magenta] {event.payload.public}"
        if isinstance(event, OutcomeEvent):
            colour = "green" if event.payload.result == "agreement" else "red"
            return f"[{colour}]{event.payload.result.upper()}[/{colour}] — {event.payload.reason}"
        if isinstance(event, MonitoringEvent):
            if event.payload.detected:
                return f"[red]non-compliance detected:[/red] {', '.join(event.payload.detected)}"
            return "monitoring found no detected violation"
        if isinstance(event, FailedTurnEvent):
            return f"[red]failed turn[/red] after {event.payload.attempts} attempt(s): {event.payload.error}"
        if isinstance(event, ComplianceEvent):
            verb = "complies" if event.payload.comply else "[red]defects[/red]"
            return f"{verb} — {event.payload.statement}"
        text = getattr(event.payload, "text", "")
        return f"[dim]{text}[/dim]" if text else ""


def is_metric_result(score: Any) -> bool:
    """A score in result.json that a registered metric produced (a MetricResult's JSON)."""
    return isinstance(score, dict) and {"name", "value", "components", "parameters"} <= set(score)


def _value(score: Any) -> str:
    if isinstance(score, dict):
        score = score.get("value")
    if score is None:
        return "n/a"
    if isinstance(score, bool):
        return "yes" if score else "no"
    if isinstance(score, float):
        return f"{score:.3f}"
    return str(score)


def scorecard_table(result: dict[str, Any], scenario: Scenario | None = None) -> Table:
    scores = result.get("scores", {})
    table = Table(title=f"Scorecard — {result.get('scenario')} ({result.get('mediator')}, seed {result.get('seed')})")
    table.add_column("measure")
    table.add_column("value", justify="right")
    table.add_row("outcome", str(result.get("outcome")))
    table.add_row("rounds", str(result.get("rounds")))
    for key, score in scores.items():  # every registered metric, whatever its name
        if is_metric_result(score):
            table.add_row(key.replace("_", " "), _value(score))
    for key in ("pareto_optimal", "nash_ratio", "pareto_gap"):
        if key in scores:
            table.add_row(key.replace("_", " "), _value(scores[key]))
    utilities = scores.get("utilities") or {}
    names = {p.id: p.name for p in scenario.parties} if scenario else {}
    for party, value in utilities.items():
        table.add_row(f"utility: {names.get(party, party)}", _value(value))
    process = result.get("process") or {}
    for key in ("failed_turns", "repairs", "llm_calls", "tokens"):
        if key in process:
            table.add_row(key.replace("_", " "), _value(process[key]))
    return table


def print_package(console: Console, scenario: Scenario, package: dict[str, str] | None) -> None:
    if not package:
        return
    table = Table(title="Agreed package")
    table.add_column("issue")
    table.add_column("option")
    for issue in scenario.issues:
        table.add_row(issue.title, issue.option(package[issue.id]).label)
    console.print(table)
