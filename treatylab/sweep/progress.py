"""The sweep's progress bar: done, failed, tokens and cost so far, elapsed and time left.

Each report also goes to the sweep's budget (if it has one), which stops the launching of
episodes once it is reached; episodes it held back are counted apart (`held`)."""

from __future__ import annotations

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from treatylab.budget import SweepBudget
from treatylab.sweep.episode import EpisodeReport


class SweepProgress:
    """A rich progress bar fed one EpisodeReport at a time (silent when disabled)."""

    def __init__(self, name: str, total: int, skipped: int, console: Console | None = None,
                 enabled: bool = True, budget: SweepBudget | None = None) -> None:
        self.done = 0
        self.failed = 0
        self.held = 0
        self.stopped = 0  # stopped by their own caps (status budget), counted in done
        self.tokens = 0
        self.cost = 0.0
        self.unpriced = False
        self.budget = budget
        self._progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("[red]{task.fields[failed]} failed"),
            TextColumn("{task.fields[tokens]:,} tokens"),
            TextColumn("{task.fields[cost]}"),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=console,
            disable=not enabled,
            transient=False,
        )
        self._task = self._progress.add_task(f"sweep {name}", total=total, completed=skipped,
                                             failed=0, tokens=0, cost="$0.0000")

    def __enter__(self) -> SweepProgress:
        self._progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._progress.stop()

    def update(self, report: EpisodeReport) -> None:
        if report.status == "held":
            self.held += 1
            self._progress.update(self._task, advance=1)
            return
        if report.status in ("done", "budget"):
            self.done += 1
            self.stopped += report.status == "budget"
        else:
            self.failed += 1
        self.tokens += report.tokens
        self.cost += report.cost_usd or 0.0
        self.unpriced = self.unpriced or report.cost_usd is None
        if self.budget is not None:
            self.budget.add(report.calls, report.tokens, report.cost_usd)
        cost = f"${self.cost:,.4f}" + ("+ (unpriced models)" if self.unpriced else "")
        self._progress.update(self._task, advance=1, failed=self.failed, tokens=self.tokens, cost=cost)
