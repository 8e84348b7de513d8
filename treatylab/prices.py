"""Token prices: what a model's calls cost, from a YAML table of $/1M input and output tokens.

The table ships with the package (treatylab/data/prices.yaml); `--prices FILE` replaces it
for a run or a sweep. Entries are shell-style globs over model names, first match wins, so
`gpt-4o-mini*` must come before `gpt-4o*`. A model that no entry matches has no price: the
cost of an episode that called it is null, never a guess. An episode that made no call
(heuristic seats only) costs 0.
"""

from __future__ import annotations

import fnmatch
import functools
import hashlib
import json
from collections.abc import Iterable
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from treatylab.errors import UserError

PER_TOKENS = 1_000_000


class ModelPrice(BaseModel):
    """One entry: a glob over model names and its prices in dollars per 1M tokens."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    pattern: str = Field(min_length=1, description="Shell-style glob, e.g. 'gpt-4o-mini*'.")
    input: float = Field(ge=0, description="Dollars per 1M prompt tokens.")
    output: float = Field(ge=0, description="Dollars per 1M completion tokens.")

    def cost(self, prompt_tokens: int, completion_tokens: int) -> float:
        return (prompt_tokens * self.input + completion_tokens * self.output) / PER_TOKENS


class PriceTable(BaseModel):
    """The whole table; `source` says where it came from (for the manifest)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    schema_version: Literal[1] = 1
    currency: Literal["USD"] = "USD"
    per: Literal["1M tokens"] = "1M tokens"
    models: list[ModelPrice] = Field(default_factory=list)
    source: str = Field(default="", exclude=True)

    def price_for(self, model: str) -> ModelPrice | None:
        for entry in self.models:
            if fnmatch.fnmatchcase(model, entry.pattern):
                return entry
        return None

    def cost(self, model: str, prompt_tokens: int, completion_tokens: int) -> float | None:
        """Dollars for one call, or None when `model` has no price."""
        price = self.price_for(model)
        return None if price is None else price.cost(prompt_tokens, completion_tokens)

    def total(self, calls: Iterable[tuple[str, int, int]]) -> float | None:
        """Dollars for (model, prompt, completion) calls; None if any model has no price."""
        out = 0.0
        for model, prompt, completion in calls:
            one = self.cost(model, prompt, completion)
            if one is None:
                return None
            out += one
        return round(out, 8)

    def sha256(self) -> str:
        data = self.model_dump(mode="json")
        return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()

    def provenance(self) -> dict[str, Any]:
        """What the manifest records: where the table came from and its hash."""
        return {"source": self.source or "treatylab/data/prices.yaml", "sha256": self.sha256()}


def parse_prices(data: Any, source: str) -> PriceTable:
    """Validate a loaded YAML document; raise UserError naming `source` and each field."""
    if not isinstance(data, dict):
        raise UserError(f"{source}: a price table is a mapping with a `models:` list of "
                        "{pattern, input, output}")
    try:
        return PriceTable.model_validate({**data, "source": source})
    except ValidationError as exc:
        lines = []
        for error in exc.errors():
            loc = ".".join(f"[{p}]" if isinstance(p, int) else str(p) for p in error["loc"]).replace(".[", "[")
            message = error["msg"].removeprefix("Value error, ")
            if error["type"] == "extra_forbidden":
                message = "unknown field; an entry has pattern, input and output ($ per 1M tokens)"
            lines.append(f"{source}: {loc or '(top level)'}: {message}")
        raise UserError(*lines) from None


def load_prices(path: Path | None = None) -> PriceTable:
    """The table in `path`, or the one shipped with the package.

    Raises:
        UserError: a missing file, bad YAML, or an entry without pattern/input/output.
    """
    if path is None:
        return default_prices()
    if not path.is_file():
        raise UserError(f"--prices {path}: no such file; copy treatylab/data/prices.yaml and edit it")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise UserError(f"{path}: not valid YAML: {' '.join(str(exc).split())}") from None
    return parse_prices(data, str(path))


@functools.cache
def default_prices() -> PriceTable:
    text = resources.files("treatylab").joinpath("data/prices.yaml").read_text(encoding="utf-8")
    return parse_prices(yaml.safe_load(text), "treatylab/data/prices.yaml")


def usage_cost(usages: Iterable[Any], table: PriceTable) -> float | None:
    """The cost of `UsagePayload`s (or their JSON dicts): 0 for none, None if one is unpriced."""
    calls = []
    for usage in usages:
        item = usage if isinstance(usage, dict) else usage.model_dump()
        calls.append((str(item.get("model", "")), int(item.get("prompt_tokens", 0) or 0),
                      int(item.get("completion_tokens", 0) or 0)))
    return table.total(calls)
