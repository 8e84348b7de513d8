"""The sweep's progress bar: done, failed, tokens, elapsed and time left."""

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

from treatylab.sweep.episode import EpisodeReport


class SweepProgress:
    """A rich progress bar fed one EpisodeReport at a time (silent when disabled)."""

    def __init__(self, name: str, total: int, skipped: int, console: Console | None = None,
                 enabled: bool = True) -> None:
        self.done = 0
        self.failed = 0
        self.tokens = 0
        self._progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("[red]{task.fields[failed]} failed"),
            TextColumn("{task.fields[tokens]:,} tokens"),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=console,
            disable=not enabled,
            transient=False,
        )
        self._task = self._progress.add_task(f"sweep {name}", total=total, completed=skipped,
                                             failed=0, tokens=0)

    def __enter__(self) -> SweepProgress:
        self._progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._progress.stop()

    def update(self, report: EpisodeReport) -> None:
        if report.status == "done":
            self.done += 1
        else:
            self.failed += 1
        self.tokens += report.tokens
        self._progress.update(self._task, advance=1, failed=self.failed, tokens=self.tokens)
