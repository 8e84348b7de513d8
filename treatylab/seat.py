"""A person at the terminal takes one delegation's seat (`--delegate PARTY=human`).

The seat teaches: it shows what that delegation may see — its own brief, its points for
every option (by label), its own private notes, and the value of every package on the table
against its walk-away — and turns short answers into the same typed actions any backend
produces. Signing a text worth less than the walk-away needs an explicit "yes"; the default
at the vote is what the walk-away says (sign above it, reject below it). A mediated seat
may send the mediator a confidential message. Ctrl-C stops the run cleanly: `treatylab run`
keeps a checkpoint for human runs, so the same command resumes.
"""

from __future__ import annotations

import signal
from typing import Any

from rich.console import Console
from rich.prompt import Confirm, Prompt
from rich.table import Table

from treatylab.agents.views import DelegateView

VOTES = ("sign", "sign_with_reservations", "reject")


def package_points(view: DelegateView, package: dict[str, str]) -> float:
    return sum(view.own.utilities[issue][option] for issue, option in package.items())


class TerminalSeat:
    def __init__(self, console: Console) -> None:
        self.console = console
        self.briefed: set[str] = set()

    def __call__(self, request: dict[str, Any]) -> dict[str, Any]:
        # asyncio.run's SIGINT handler only cancels the task, which a blocking prompt never
        # notices: while the person is asked, Ctrl-C raises KeyboardInterrupt at once.
        previous = signal.getsignal(signal.SIGINT)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        try:
            return self._ask(request)
        finally:
            signal.signal(signal.SIGINT, previous)

    def _ask(self, request: dict[str, Any]) -> dict[str, Any]:
        view = DelegateView.model_validate(request["view"])
        if view.party_id not in self.briefed:
            self._brief(view)
            self.briefed.add(view.party_id)
        for problem in request.get("problems", []):
            self.console.print(f"[red]Please fix:[/red] {problem}")
        self.console.rule(f"[bold]Your turn, {view.party_id} — {view.stage}"
                          + (f", round {view.round}" if view.stage == "bargain" else ""))
        self._notes(view)
        self._table(view)
        if view.expected == "vote":
            return self._vote(view)
        if view.expected == "compliance":
            comply = Confirm.ask("Do you implement your obligations this period?", default=True,
                                 console=self.console)
            return {"kind": "compliance", "comply": comply, "statement": ""}
        return self._delegate(view)

    # -- what the seat sees ---------------------------------------------------------------
    def _brief(self, view: DelegateView) -> None:
        self.console.rule("[bold]Your confidential brief")
        self.console.print(view.own.private_brief)
        self.console.print(f"Walk-away value: {view.own.reservation:g} of 100 points.")
        table = Table(title="Your points per option (your best package totals 100)")
        table.add_column("issue")
        table.add_column("options: your points")
        for issue in view.issues:
            points = view.own.utilities[issue.id]
            table.add_row(issue.title, "\n".join(f"{o.label} [{o.id}]: {points[o.id]:g}"
                                                 for o in issue.options))
        self.console.print(table)

    def _notes(self, view: DelegateView) -> None:
        if view.own.notes:
            self.console.print("[dim]Your own private notes:[/dim]")
            for note in view.own.notes:
                self.console.print(f"[dim]  {note}[/dim]")
        for message in view.messages:
            self.console.print(f"[magenta]Confidential from {message.sender}:[/magenta] {message.text}")

    def _on_table(self, view: DelegateView) -> list[tuple[str, dict[str, str]]]:
        rows = [(f"{p.proposer}'s offer ({p.ref})", p.package) for p in view.record.pending]
        if view.record.single_text and not any(p.package == view.record.single_text
                                               for p in view.record.pending):
            rows.append(("mediator's single text", view.record.single_text))
        if view.record.draft:
            rows.append(("draft agreement", view.record.draft))
        return rows

    def _table(self, view: DelegateView) -> None:
        rows = self._on_table(view)
        if not rows:
            return
        walk = view.own.reservation
        table = Table(title=f"Packages on the table: your points (walk-away {walk:g})")
        table.add_column("package")
        table.add_column("your points", justify="right")
        table.add_column("vs walk-away")
        for name, package in rows:
            points = package_points(view, package)
            verdict = "[green]above[/green]" if points >= walk else "[red]BELOW[/red]"
            table.add_row(name, f"{points:g}", f"{verdict} ({points - walk:+g})")
        self.console.print(table)

    # -- answers -----------------------------------------------------------------------------
    def _package(self, view: DelegateView) -> dict[str, str]:
        base = view.record.single_text or {
            issue: max(points, key=points.__getitem__) for issue, points in view.own.utilities.items()}
        package = {}
        for issue in view.issues:
            points = view.own.utilities[issue.id]
            hint = ", ".join(f"{o.id}={points[o.id]:g}" for o in issue.options)
            package[issue.id] = Prompt.ask(f"{issue.title} ({hint})", choices=issue.option_ids(),
                                           default=base[issue.id], console=self.console,
                                           show_choices=False)
        self.console.print(f"Your proposal is worth {package_points(view, package):g} points to you.")
        return package

    def _delegate(self, view: DelegateView) -> dict[str, Any]:
        action: dict[str, Any] = {"kind": "delegate_action"}
        responses = {}
        for pending in view.record.pending:
            points = package_points(view, pending.package)
            accept = Confirm.ask(f"Accept {pending.proposer}'s offer ({points:g} points to you)?",
                                 default=False, console=self.console)
            responses[pending.ref] = "accept" if accept else "reject"
        action["responses"] = responses
        if view.stage == "bargain" or (view.stage == "draft" and view.drafting):
            proposal = self._package(view)
            action["proposal"] = {"proposer": view.party_id, "package": proposal, "rationale": ""}
        prompt = "Private note to yourself" if view.stage == "prepare" else "Your statement"
        text = Prompt.ask(prompt, default="", console=self.console)
        if view.stage == "prepare":
            action.update(statement="", private_note=text)
        else:
            action["statement"] = text
            if view.mediator != "none" and view.stage in ("clarify", "bargain"):
                secret = Prompt.ask("Confidential message to the mediator (Enter: none)", default="",
                                    console=self.console)
                if secret:
                    action["to_mediator"] = secret
        return action

    def _vote(self, view: DelegateView) -> dict[str, Any]:
        draft = view.record.draft or {}
        points = package_points(view, draft)
        walk = view.own.reservation
        below = points < walk
        self.console.print(f"The text gives you {points:g} points (walk-away {walk:g}"
                           + (": [red]below your walk-away[/red])." if below else ")."))
        decision = Prompt.ask("Your vote", choices=list(VOTES), default="reject" if below else "sign",
                              console=self.console)
        if decision != "reject" and below:
            sure = Confirm.ask(f"Signing gives you {points:g}, less than walking away ({walk:g}). "
                               "Sign anyway?", default=False, console=self.console)
            if not sure:
                decision = "reject"
        return {"kind": "vote", "decision": decision, "statement": ""}
