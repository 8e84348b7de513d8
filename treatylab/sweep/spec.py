"""The sweep spec: a YAML file naming scenarios x delegate backends x mediators x seeds.

```yaml
name: mediator-comparison          # default output folder: runs/<name>/
scenarios: all                     # or a list of library ids / scenario files (relative to the spec)
delegates:                         # one entry per backend configuration
  - name: heuristic                # the offline baseline policies
  - name: sim                      # a label of your choice (episode ids, `delegates` column)
    model: sim                     # any OpenAI-compatible model -> backend openai:MODEL
    base_url: http://127.0.0.1:8011/v1
mediators: all                     # or a list of strategy names
seeds: 10                          # a count (0..9) or an explicit list
config: {max_repairs: 2}           # optional RunConfig overrides for every episode,
                                   # e.g. per-episode caps {max_tokens: 200000, max_cost: 0.5}
budget: {max_cost: 25.0}           # optional totals for the whole sweep (max_tokens, max_calls too)
```

Everything is checked when the file is loaded, before any episode runs: a bad spec is a
`UserError` whose lines name the file, the field and what to write instead (exit 2).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from treatylab.agents import mediators
from treatylab.graphs import RunConfig
from treatylab.scenarios import ScenarioError, library_ids, load, resolve
from treatylab.scenarios.schema import Scenario
from treatylab.errors import UserError
from treatylab.budget import Caps

NAME_PATTERN = r"^[a-z0-9][a-z0-9_-]*$"
TYPE_FIXES = {
    "seeds": "expected a count (e.g. 10) or a list of integers (e.g. [0, 1, 2])",
    "scenarios": "expected 'all' or a list of scenario ids / files (e.g. [northern-shield])",
    "mediators": "expected 'all' or a list of strategy names (e.g. [formulative, oracle])",
    "name": "use lower-case letters, digits, '-' and '_' (e.g. mediator-comparison)",
}
RESERVED_CONFIG = ("mediator", "seed", "default_backend", "delegates", "mediator_backend", "base_url")


class Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class DelegateBackend(Record):
    """One backend configuration every delegation of an episode uses."""

    name: str = Field(pattern=NAME_PATTERN, description="Label in episode ids and results.")
    model: str | None = Field(default=None, description="OpenAI-compatible model; none: heuristic.")
    base_url: str | None = Field(default=None, description="Endpoint (else OPENAI_BASE_URL).")
    temperature: float = Field(default=0.0, ge=0.0, le=2.0)
    mediator: Literal["same", "heuristic"] = Field(
        default="same", description="Mediator backend: the same model, or the heuristic policy.")

    @model_validator(mode="after")
    def _heuristic_or_model(self) -> DelegateBackend:
        if self.model is None and self.name != "heuristic":
            raise ValueError(f"delegate backend '{self.name}' needs a model (e.g. model: gpt-4o-mini), "
                             "or name it 'heuristic' for the baseline policies")
        return self

    @property
    def spec(self) -> str:
        return f"openai:{self.model}" if self.model else "heuristic"


class SweepSpec(Record):
    name: str = Field(pattern=NAME_PATTERN, description="Sweep name; default output runs/<name>/.")
    description: str = ""
    scenarios: list[str] | Literal["all"] = Field(min_length=1)
    delegates: list[DelegateBackend] = Field(
        default_factory=lambda: [DelegateBackend(name="heuristic")], min_length=1)
    mediators: list[str] | Literal["all"] = Field(min_length=1)
    seeds: list[int] | int = Field(description="A count n (seeds 0..n-1) or a list of seeds.")
    config: dict[str, Any] = Field(default_factory=dict, description="RunConfig overrides.")
    budget: Caps | None = Field(default=None, description=(
        "Totals for the whole sweep; reached, it stops launching episodes (treatylab.budget)."))

    @field_validator("seeds")
    @classmethod
    def _seeds(cls, value: list[int] | int) -> list[int] | int:
        if isinstance(value, int) and value < 1:
            raise ValueError("a seed count must be at least 1")
        if isinstance(value, list) and (not value or len(set(value)) != len(value)):
            raise ValueError("list at least one seed, each once")
        return value

    @field_validator("delegates")
    @classmethod
    def _unique_labels(cls, value: list[DelegateBackend]) -> list[DelegateBackend]:
        names = [d.name for d in value]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"delegate names must be unique; {duplicates} appear more than once")
        return value

    @field_validator("config")
    @classmethod
    def _config(cls, value: dict[str, Any]) -> dict[str, Any]:
        reserved = sorted(set(value) & set(RESERVED_CONFIG))
        if reserved:
            raise ValueError(f"{reserved} are set by the sweep itself (scenarios, delegates, "
                             "mediators, seeds); remove them from config")
        RunConfig(**value)  # unknown keys and bad values fail here, with pydantic's message
        return value

    def seed_list(self) -> list[int]:
        return list(range(self.seeds)) if isinstance(self.seeds, int) else list(self.seeds)

    def mediator_list(self) -> list[str]:
        return mediators.available() if self.mediators == "all" else list(self.mediators)


def _location(loc: tuple[Any, ...]) -> str:
    """'delegates[1].model' from pydantic's loc, without the names of union members."""
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int):
            parts.append(f"[{item}]")
        elif not any(ch in str(item) for ch in "[]()'") and item not in ("int", "str"):
            parts.append(("." if parts else "") + str(item))
    return "".join(parts) or "(top level)"


def parse_spec(data: Any, source: str) -> SweepSpec:
    """Validate a loaded YAML document; raise UserError naming `source` and each field."""
    if not isinstance(data, dict):
        raise UserError(f"{source}: a sweep spec is a mapping with name, scenarios, mediators and seeds")
    try:
        return SweepSpec.model_validate(data)
    except ValidationError as exc:
        by_field: dict[str, list[str]] = {}
        for error in exc.errors():
            message = error["msg"].removeprefix("Value error, ")
            if error["type"] == "extra_forbidden":
                message = f"unknown field; allowed fields are {_allowed(error['loc'])}"
            loc = _location(tuple(error["loc"]))
            if loc in TYPE_FIXES and error["type"] not in ("value_error", "too_short"):
                message = TYPE_FIXES[loc]
            messages = by_field.setdefault(loc, [])
            if message not in messages:
                messages.append(message)
        raise UserError(*[f"{source}: {loc}: {' or '.join(messages)}"
                          for loc, messages in by_field.items()]) from None


def _allowed(loc: tuple[Any, ...]) -> list[str]:
    if loc and loc[0] == "delegates":
        return list(DelegateBackend.model_fields)
    if loc and loc[0] == "budget":
        return list(Caps.model_fields)
    return list(SweepSpec.model_fields)


def load_spec(path: Path) -> SweepSpec:
    """Read and validate a sweep spec, its scenarios and its mediators.

    Raises:
        UserError: missing file, YAML syntax, schema violations, unknown scenarios or mediators.
    """
    if not path.exists():
        raise UserError(f"{path}: no such sweep spec; "
                        "see experiments/mediator-comparison.yaml for an example")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise UserError(f"{path}: not valid YAML: {' '.join(str(exc).split())}") from None
    spec = parse_spec(data, str(path))
    known = mediators.available()
    problems = [f"{path}: mediators[{i}]: unknown strategy '{m}'; choose from {known} or write 'all'"
                for i, m in enumerate(spec.mediator_list()) if m not in known]
    for i, ref in enumerate(scenario_refs(spec)):
        try:
            scenario_path(ref, path)
        except ScenarioError:
            problems.append(f"{path}: scenarios[{i}]: no library scenario or file '{ref}'; "
                            f"library ids are {library_ids()}, or write 'all'")
    if problems:
        raise UserError(*problems)
    return spec


def scenario_refs(spec: SweepSpec) -> list[str]:
    return library_ids() if spec.scenarios == "all" else list(spec.scenarios)


def scenario_path(ref: str, spec_path: Path) -> Path:
    """A library id, or a file relative to the spec (or the working directory)."""
    relative = spec_path.parent / ref
    if ref.endswith((".yaml", ".yml")) and relative.exists():
        return relative
    return resolve(ref)


def load_scenarios(spec: SweepSpec, spec_path: Path) -> list[tuple[str, Scenario]]:
    """(ref, scenario) per entry; a malformed scenario file stops the sweep before it starts."""
    out = []
    for ref in scenario_refs(spec):
        out.append((ref, load(scenario_path(ref, spec_path))))
    return out
