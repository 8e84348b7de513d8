"""Step through a finished run in the terminal, as a teacher would in class.

`treatylab show RUN --step`: Enter shows the next event, `s` jumps to the next stage, `p`
toggles private notes and caucus messages, `b` goes back one event, `q` quits. `--stage NAME`
and `--from SEQ` start further in. Rendering is the same EventPrinter `run` and `show` use.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.console import Console

from treatylab.agents.transcript import Event
from treatylab.errors import UserError
from treatylab.render import EventPrinter
from treatylab.scenarios import Scenario

HELP = "[dim]Enter next · s next stage · p private on/off · b back · q quit[/dim]"


def start_index(events: list[Event], stage: str | None, from_seq: int | None) -> int:
    if stage is not None:
        index = next((i for i, e in enumerate(events) if e.stage == stage), None)
        if index is None:
            stages = sorted({e.stage for e in events}, key=[e.stage for e in events].index)
            raise UserError(f"--stage {stage}: the run has no such stage; it has {', '.join(stages)}")
        return index
    if from_seq is not None:
        index = next((i for i, e in enumerate(events) if e.seq >= from_seq), None)
        if index is None:
            raise UserError(f"--from {from_seq}: past the run's last event ({events[-1].seq})")
        return index
    return 0


def play(console: Console, scenario: Scenario, events: list[Event], *, stage: str | None = None,
         from_seq: int | None = None, private: bool = False,
         read: Callable[[str], str] = input) -> None:
    """Show one event per key press; returns when the person quits or the run ends."""
    shown = [e for e in events if e.kind not in ("usage", "trust_report")]
    if not shown:
        return
    index, private_on = start_index(shown, stage, from_seq), private
    console.print(HELP)
    printer = EventPrinter(console, scenario, show_private=private_on)
    while True:
        event = shown[index]
        printer.show_private = private_on
        console.print(f"[dim]#{event.seq}[/dim]", end=" ")
        printer.print_event(event)
        try:
            key = read("> ").strip().lower()
        except EOFError:
            return
        if key == "q":
            return
        if key == "p":
            private_on = not private_on
            console.print(f"[bold]private notes {'shown' if private_on else 'hidden'}[/bold]")
            printer = EventPrinter(console, scenario, show_private=private_on)
            continue
        if key == "b":
            index = max(0, index - 1)
            printer = EventPrinter(console, scenario, show_private=private_on)  # headers again
            continue
        if key == "s":
            later = next((i for i in range(index + 1, len(shown)) if shown[i].stage != event.stage), None)
            if later is None:
                console.print("[dim](last stage)[/dim]")
                return
            index = later
            continue
        if index + 1 >= len(shown):
            console.print("[dim](end of the run)[/dim]")
            return
        index += 1
