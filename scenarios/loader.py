"""Load scenarios from YAML and turn every problem into a line a person can act on.

A malformed scenario is refused before anything runs. `ScenarioError.problems` holds one
"file: field.path: what was expected" line per fault, so the CLI can print them all at once and
exit 2 instead of showing a traceback for the first one.
"""

from __future__ import annotations

import hashlib
import json
import re
import stat
from pathlib import Path

import yaml
from pydantic import ValidationError

from treatylab.scenarios.schema import Scenario

LIBRARY_DIR = Path(__file__).resolve().parent
LIBRARY_ID = re.compile(r"[a-z0-9][a-z0-9-]*")
MAX_FILE_BYTES = 5 * 1024 * 1024  # the library's files are under 40 kB
MAX_RUN_PACKAGES = 100_000  # the library's largest space has 972; imported games < 20,000
MAX_DEPTH = 32  # scenario files nest about 6 deep; deeper input is hostile or broken


class _Refused(yaml.YAMLError):
    """A YAML construct scenario files never need (deep nesting, aliases, duplicate keys)."""

    def __init__(self, mark: yaml.Mark | None, problem: str) -> None:
        super().__init__(problem)
        self.problem_mark = mark
        self.problem = problem


class _ScenarioLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate keys (with their line), aliases and deep nesting.

    The composer is recursive, so a 20,000-deep list would raise RecursionError; aliases
    let a small file expand exponentially; a repeated key would silently win.
    """

    _depth = 0

    def compose_node(self, parent, index):  # type: ignore[no-untyped-def]
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise _Refused(event.start_mark, f"alias *{event.anchor} is not allowed in scenario "
                           "files; write the value out in full")
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise _Refused(self.peek_event().start_mark, f"nesting deeper than {MAX_DEPTH} "
                               "levels; scenario files nest about 6 levels deep")
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_mapping(self, node, deep=False):  # type: ignore[no-untyped-def]
        seen: dict[object, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                first = seen.get(key)
            except TypeError:
                raise _Refused(key_node.start_mark, "a mapping key must be a plain value") from None
            if first is not None:
                raise _Refused(key_node.start_mark, f"duplicate key '{key}' (first at line "
                               f"{first}); each key may appear once: remove one")
            seen[key] = key_node.start_mark.line + 1
        return super().construct_mapping(node, deep=deep)


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
    """A path as given if it exists, else a library id; raise ScenarioError naming both.

    A library id is a plain kebab-case name looked up only inside the library folder, so
    '../../x' never reaches a file outside it.
    """
    candidate = Path(path_or_id)
    if candidate.exists():
        return candidate
    name = str(path_or_id)
    library = LIBRARY_DIR / f"{name}.yaml"
    if LIBRARY_ID.fullmatch(name) and library.is_file():
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
    if len(text) > MAX_FILE_BYTES:
        raise ScenarioError(source, [f"(file): {len(text):,} characters; the cap is "
                                     f"{MAX_FILE_BYTES:,} bytes (5 MB): split or trim the file"])
    try:
        data = yaml.load(text, Loader=_ScenarioLoader)  # noqa: S506 (a SafeLoader subclass)
    except RecursionError:
        raise ScenarioError(source, [f"YAML: nesting too deep; the cap is {MAX_DEPTH} "
                                     "levels"]) from None
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


def load(path_or_id: str | Path, *, for_run: bool = False) -> Scenario:
    """Load a scenario by path or by library id (e.g. 'northern-shield').

    With `for_run`, also refuse a space too large to negotiate in seconds: baseline
    delegates and mediators score every package on every turn, so an episode costs about
    a hundred passes over the space, where analysis costs one.
    """
    path = resolve(path_or_id)
    scenario = parse(read_text(path), source=str(path))
    if for_run and scenario.package_count() > MAX_RUN_PACKAGES:
        raise ScenarioError(str(path), [
            f"issues: {scenario.package_count():,} packages; `run` negotiates at most "
            f"{MAX_RUN_PACKAGES:,} (every turn scores every package): drop issues or options "
            "(`treatylab analyze` and `scenario check` take up to 10,000,000)"])
    return scenario


def read_text(path: Path) -> str:
    """The file's text if it is a regular file of at most 5 MB in UTF-8, else ScenarioError.

    Checked before opening: a FIFO would block on open, /dev/zero would never end.
    """
    source = str(path)
    try:
        info = path.stat()
    except OSError as exc:
        raise ScenarioError(source, [f"(file): cannot read: {exc.strerror or exc}"]) from None
    if not stat.S_ISREG(info.st_mode):
        raise ScenarioError(source, ["(file): not a regular file; give a scenario YAML file"])
    if info.st_size > MAX_FILE_BYTES:
        raise ScenarioError(source, [f"(file): {info.st_size:,} bytes; the cap is "
                                     f"{MAX_FILE_BYTES:,} bytes (5 MB): split or trim the file"])
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
        if len(data) > MAX_FILE_BYTES:
            raise ScenarioError(source, [f"(file): more than {MAX_FILE_BYTES:,} bytes (5 MB)"])
        return data.decode("utf-8")
    except OSError as exc:
        raise ScenarioError(source, [f"(file): cannot read: {exc.strerror or exc}"]) from None
    except UnicodeDecodeError as exc:
        raise ScenarioError(source, [f"(file): not UTF-8 text (byte {exc.start}); save the "
                                     "file as UTF-8"]) from None


def scenario_hash(scenario: Scenario) -> str:
    """sha256 of the canonical JSON form, so a manifest can tell two scenario versions apart."""
    canonical = json.dumps(scenario.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def json_schema() -> dict[str, object]:
    return Scenario.model_json_schema()
