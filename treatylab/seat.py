"""A person at the terminal takes one delegation's seat (`--delegate PARTY=human`).

The prompt shows what that delegation may see — its own brief and points, the pending
proposals, the mediator's text — and turns short answers into the same typed actions any
backend produces. Defaults (press Enter) keep a student moving: the mediator's text or the
seat's own best option.
"""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.prompt import Confirm, Prompt
from rich.table import Table

from treatylab.agents.views import DelegateView

VOTES = ("sign", "sign_with_reservations", "reject")


class TerminalSeat:
    def __init__(self, console: Console) -> None:
        self.console = console
        self.briefed: set[str] = set()

    def __call__(self, request: dict[str, Any]) -> dict[str, Any]:
        view = DelegateView.model_validate(request["view"])
        if view.party_id not in self.briefed:
            self._brief(view)
            self.briefed.add(view.party_id)
        for problem in request.get("problems", []):
            self.console.print(f"[red]Please fix:[/red] {problem}")
        self.console.rule(f"[bold]Your turn, {view.party_id} — {view.stage}"
                          + (f", round {view.round}" if view.stage == "bargain" else ""))
        if view.expected == "vote":
            return self._vote(view)
        if view.expected == "compliance":
            comply = Confirm.ask("Do you implement your obligations this period?", default=True,
                                 console=self.console)
            return {"kind": "compliance", "comply": comply, "statement": ""}
        return self._delegate(view)

    def _brief(self, view: DelegateView) -> None:
        self.console.rule("[bold]Your confidential brief")
        self.console.print(view.own.private_brief)
        self.console.print(f"Walk-away value: {view.own.reservation:g} of 100 points.")
        table = Table(title="Your points per option (your best package totals 100)")
        table.add_column("issue")
        table.add_column("options: points")
        for issue in view.issues:
            points = view.own.utilities[issue.id]
            table.add_row(issue.title, ", ".join(f"{o.id}: {points[o.id]:g}" for o in issue.options))
        self.console.print(table)

    def _package(self, view: DelegateView) -> dict[str, str]:
        base = view.record.single_text or {
            issue: max(points, key=points.__getitem__) for issue, points in view.own.utilities.items()}
        package = {}
        for issue in view.issues:
            package[issue.id] = Prompt.ask(f"{issue.title}", choices=issue.option_ids(),
                                           default=base[issue.id], console=self.console)
        return package

    def _delegate(self, view: DelegateView) -> dict[str, Any]:
        action: dict[str, Any] = {"kind": "delegate_action"}
        responses = {}
        for pending in view.record.pending:
            terms = ", ".join(f"{i}={o}" for i, o in pending.package.items())
            accept = Confirm.ask(f"Accept {pending.proposer}'s offer ({terms})?", default=False,
                                 console=self.console)
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
        return action

    def _vote(self, view: DelegateView) -> dict[str, Any]:
        draft = view.record.draft or {}
        points = sum(view.own.utilities[i][o] for i, o in draft.items())
        self.console.print(f"The text gives you {points:g} points (walk-away {view.own.reservation:g}).")
        decision = Prompt.ask("Your vote", choices=list(VOTES), default="sign", console=self.console)
        return {"kind": "vote", "decision": decision, "statement": ""}
