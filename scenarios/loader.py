"""Load scenarios from YAML and turn every problem into a line a person can act on.

A malformed scenario is refused before anything runs. `ScenarioError.problems` holds one
"file: field.path: what was expected" line per fault, so the CLI can print them all at once and
exit 2 instead of showing a traceback for the first one.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import yaml
from pydantic import ValidationError

from treatylab.scenarios.schema import Scenario

LIBRARY_DIR = Path(__file__).resolve().parent


class ScenarioError(Exception):
    """A scenario file (or id) could not be loaded; `problems` has one line per fault."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = [f"{source}: {problem}" for problem in problems]
        super().__init__("\n".join(self.problems))


def library_paths() -> list[Path]:
    """The scenario files shipped with treatylab, in id order."""
    return sorted(LIBRARY_DIR.glob("*.yaml"))


def library_ids() -> list[str]:
    return [path.stem for path in library_paths()]


def resolve(path_or_id: str | Path) -> Path:
    """A path as given if it exists, else a library id; raise ScenarioError naming both."""
    candidate = Path(path_or_id)
    if candidate.exists():
        return candidate
    library = LIBRARY_DIR / f"{path_or_id}.yaml"
    if library.exists():
        return library
    raise ScenarioError(
        str(path_or_id),
        [f"no such file, and no library scenario with that id; library ids: {library_ids()}"],
    )


def _format_location(loc: tuple[object, ...]) -> str:
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int):
            parts.append(f"[{item}]")
        else:
            parts.append(("." if parts else "") + str(item))
    return "".join(parts) or "(top level)"


def _validation_problems(error: ValidationError) -> list[str]:
    problems: list[str] = []
    for item in error.errors():
        loc = _format_location(tuple(item["loc"]))
        message = item["msg"]
        if item["type"] == "value_error" and not item["loc"]:
            # Cross-reference rules already carry their own field paths, one per line.
            for line in str(item["ctx"]["error"]).splitlines():
                problems.append(line)
            continue
        if message.startswith("Value error, "):
            message = message[len("Value error, "):]
        if item["type"] == "extra_forbidden":
            message = "unknown field; check its spelling against `treatylab scenario schema`"
        elif item["type"] == "missing":
            message = "required field is missing"
        problems.append(f"{loc}: {message}")
    return problems


def parse(text: str, source: str = "<string>") -> Scenario:
    """Parse YAML text into a validated Scenario or raise ScenarioError."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "YAML"
        problem = getattr(exc, "problem", None) or str(exc)
        raise ScenarioError(source, [f"{where}: YAML syntax error: {problem}"]) from None
    if not isinstance(data, dict):
        raise ScenarioError(source, ["(top level): expected a mapping of scenario fields"])
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(source, _validation_problems(exc)) from None


def load(path_or_id: str | Path) -> Scenario:
    """Load a scenario by path or by library id (e.g. 'northern-shield')."""
    path = resolve(path_or_id)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(str(path), [f"cannot read file: {exc}"]) from None
    return parse(text, source=str(path))


def scenario_hash(scenario: Scenario) -> str:
    """sha256 of the canonical JSON form, so a manifest can tell two scenario versions apart."""
    canonical = json.dumps(scenario.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def json_schema() -> dict[str, object]:
    return Scenario.model_json_schema()
