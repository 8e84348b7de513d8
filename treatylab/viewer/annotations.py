"""Teacher annotations: a sidecar YAML mapping events to notes shown next to them.

Keys are an event's `seq` (`41: "Watch Borealis concede here"`), a stage name
(`bargain: "..."`, shown at the stage's first event) or a bargaining round (`round 3: ...`).
A run folder's own `annotations.yaml` is used when no file is given.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import yaml

from treatylab.agents.transcript import STAGES, Event
from treatylab.errors import UserError

SIDECAR = "annotations.yaml"
_ROUND = re.compile(r"^(?:round|bargain)[ _/.-]?(\d+)$")


def _first(events: Iterable[Event]) -> int | None:
    """The first public event of a stretch (a class steps through public events), else the first."""
    stretch = [e for e in events if e.kind != "usage"]
    public = [e for e in stretch if e.visibility == "public"]
    return (public or stretch)[0].seq if stretch else None


def _target(key: object, events: list[Event], source: Path) -> int:
    """The seq an annotation key points at; UserError naming the key when it points nowhere."""
    seqs = {e.seq for e in events}
    if isinstance(key, int) and not isinstance(key, bool):
        if key not in seqs:
            raise UserError(f"{source}: key {key}: no event with that seq (the run has 0..{max(seqs)}); "
                            "use an existing seq, a stage name or 'round N'")
        return key
    text = str(key).strip().lower()
    if text.isdigit():
        return _target(int(text), events, source)
    if text in STAGES:
        first = _first(e for e in events if e.stage == text)
        if first is None:
            raise UserError(f"{source}: key '{key}': the run never reached stage {text}; "
                            "annotate a stage it has")
        return first
    match = _ROUND.match(text)
    if match:
        round_ = int(match.group(1))
        first = _first(e for e in events if e.stage == "bargain" and e.round == round_)
        if first is None:
            raise UserError(f"{source}: key '{key}': the run has no bargaining round {round_}")
        return first
    raise UserError(f"{source}: key '{key}': expected an event seq (integer), a stage "
                    f"({', '.join(STAGES)}) or 'round N'")


def load_annotations(path: Path | None, events: list[Event]) -> dict[int, list[str]]:
    """{seq: [notes]} from a sidecar YAML; {} when `path` is None.

    Raises:
        UserError: unreadable file, not a mapping, a non-text note, or a key that names no
            event of this run (exit 2).
    """
    if path is None:
        return {}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UserError(f"--annotations {path}: cannot read ({exc.strerror}); give a YAML file") from None
    except yaml.YAMLError as exc:
        raise UserError(f"{path}: not valid YAML ({str(exc).splitlines()[0]}); "
                        "write one 'seq: text' or 'stage: text' per line") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise UserError(f"{path}: expected a mapping of 'seq: text' or 'stage: text', "
                        f"got {type(data).__name__}")
    notes: dict[int, list[str]] = {}
    for key, value in data.items():
        items = value if isinstance(value, list) else [value]
        if not all(isinstance(item, (str, int, float)) for item in items):
            raise UserError(f"{path}: key {key}: the note must be text")
        notes.setdefault(_target(key, events, path), []).extend(str(item) for item in items)
    return notes
